"""Deliver the impulse deck: .pptx, reveal.js slides, PDF, and the analyst's e-mail with both attached.

Called by the runner for notebooks whose metadata says ``"output": "deck"`` instead of the memo export.
The slides come from the executed notebook (records of :mod:`cmo_workbook.memos.impulse_deck`), so the
PowerPoint file, the browser deck and the PDF show the same text and the same charts.
"""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Callable

import nbformat

from ..errors import ExecutionError, SettingsError
from ..inputs.params import Params
from ..memos import impulse_deck
from ..render import jargon, slides as slide_fmt
from ..render.export import TEXT_CTE, new_message
from ..render.export import write_atomic
from ..render.i18n import t
from . import preview

PPTX_TYPE = ("application", "vnd.openxmlformats-officedocument.presentationml.presentation")


@dataclass
class DeckFiles:
    pptx: Path
    slides_html: Path
    pdf: Path | None
    eml: Path
    message: EmailMessage
    title: str
    n_slides: int


def reveal_html(nb: nbformat.NotebookNode) -> str:
    """nbconvert's reveal.js slides of the executed notebook: only the cells marked as slides, no code."""
    from nbconvert import SlidesExporter

    nb = nbformat.from_dict(nb)
    for cell in nb.cells:  # papermill's injected parameters and the analyst's cells are no slides
        if "slide" not in cell.metadata.get("tags", []):
            cell.metadata["slideshow"] = {"slide_type": "skip"}
    exporter = SlidesExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                              reveal_theme="white", reveal_transition="none", reveal_width="1280", reveal_height="720")
    body, _ = exporter.from_notebook_node(nb)
    return body


def _email(files_pdf: Path | None, pptx: Path, slides: list[slide_fmt.Slide], params: Params, period: str,
           lang: str) -> EmailMessage:
    msg = new_message()
    prefix = params.memo.get("subject_prefix", "")
    msg["Subject"] = t("deck_mail_subject", lang, prefix=prefix, period=period, title=slides[0].title).strip()
    msg["From"] = formataddr((params.name, params.memo["sender"]))
    msg["To"] = params.memo["analyst"]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=params.memo["sender"].split("@")[-1])
    msg["Content-Language"] = lang
    titles = "\n".join(f"{i}. {s.title}" for i, s in enumerate(slides, 1))
    files = t("deck_mail_files_pdf" if files_pdf else "deck_mail_files_no_pdf", lang)
    msg.set_content(t("deck_mail_body", lang, period=period, files=files, titles=titles), cte=TEXT_CTE)
    if files_pdf is not None:
        msg.add_attachment(files_pdf.read_bytes(), maintype="application", subtype="pdf", filename=files_pdf.name)
    msg.add_attachment(pptx.read_bytes(), maintype=PPTX_TYPE[0], subtype=PPTX_TYPE[1], filename=pptx.name)
    return msg


def check_language(slides: list[slide_fmt.Slide], lang: str) -> list[jargon.JargonFinding]:
    """The memos' jargon and so-what rules on the slides: jargon anywhere on a slide; a change without
    comparison or consequence in the title and bullets (table cells are figures, their slide says the so-what)."""
    out = []
    for s in slides:
        out.extend(jargon.check_text("\n".join([s.title, *s.body]), lang, block=s.kind))
        cells = " · ".join(c for row in s.table for c in row)
        out.extend(f for f in jargon.check_text(cells, lang, block=s.kind) if f.rule == "jargon")
    return out


def export(nb_path: Path, stem: str, params: Params, period: str, lang: str, *,
           say: Callable[[str], None] = print, strict: bool = False) -> DeckFiles:
    """Write ``stem.pptx``, ``stem.slides.html``, ``stem.pdf`` and ``stem.eml`` next to the executed notebook.

    Jargon findings are the analyst's warnings; ``strict`` (``--strict``) makes them failures, before any file.
    """
    nb = nbformat.read(str(nb_path), as_version=4)
    slides = slide_fmt.slides_from_notebook(nb)
    if not 6 <= len(slides) <= 8:
        raise ExecutionError(f"{stem}.ipynb displayed {len(slides)} slides; a deck has 6-8 (cells tagged 'slide')")
    findings = check_language(slides, lang)
    for line in jargon.format_findings(findings):
        say(line)
    if findings and strict:
        raise jargon.JargonError(findings)
    out = nb_path.parent
    template = impulse_deck.slide_template(params)
    pptx = slide_fmt.write_pptx(slides, out / f"{stem}.pptx", template=template)
    say(f"deck     {pptx} ({len(slides)} slides, {'template ' + template.name if template else 'default layout'})")
    html = reveal_html(nb)
    slides_html = out / f"{stem}.slides.html"
    write_atomic(slides_html, html)
    say(f"slides   {slides_html} (reveal.js)")
    pdf: Path | None = out / f"{stem}.pdf"
    printable = out / f".{stem}.print.html"
    try:
        write_atomic(printable, slide_fmt.print_html(html))
        preview.print_pdf(printable, pdf)
        say(f"pdf      {pdf} ({preview.pdf_pages(pdf)} pages)")
    except SettingsError as exc:  # no Chromium on this machine: the .pptx still goes out
        pdf = None
        say(f"pdf      skipped: {exc}")
    finally:
        printable.unlink(missing_ok=True)
    msg = _email(pdf, pptx, slides, params, period, lang)
    eml = out / f"{stem}.eml"
    write_atomic(eml, msg.as_bytes())
    say(f"email    {eml} (to the analyst {params.memo['analyst']}, {len(msg.as_bytes()) / 1024:.0f} KB)")
    return DeckFiles(pptx, slides_html, pdf, eml, msg, slides[0].title, len(slides))


