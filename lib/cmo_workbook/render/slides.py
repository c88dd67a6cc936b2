"""Slides as a presentation format: one :class:`Slide` (title = the message, short body, chart, speaker
notes), shown as escaped HTML in JupyterLab and reveal.js, written to PowerPoint by :func:`write_pptx`.

The toolbox for decks, like :mod:`cmo_workbook.render.blocks` is for memos: no numbers are made here.
A company template (.potx or .pptx) keeps its masters, layouts, theme fonts and colours; without one a
clean 16:9 default is used (Arial, dark grey, titles left-aligned as IBCS asks).
"""
from __future__ import annotations

import base64
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

SLIDE_MIME = "application/vnd.cmo-slide+json"


@dataclass
class Slide:
    """One slide: the message as title, at most ~40 words of body, an optional chart, speaker notes.

    ``body`` holds bullet lines; ``table`` rows (header first) replace bullets where a grid reads better
    (KPIs, decisions). All text is plain; :meth:`html` escapes it.
    """

    kind: str
    title: str
    body: list[str] = field(default_factory=list)
    notes: str = ""
    subtitle: str = ""
    table: list[list[str]] = field(default_factory=list)
    chart: bytes | None = None
    chart_alt: str = ""

    def words(self) -> int:
        """Body words on the slide (bullets, table cells, subtitle; not the title, not the notes)."""
        text = " ".join([self.subtitle, *self.body, *(c for row in self.table for c in row)])
        return len([w for w in re.split(r"\s+", text) if re.search(r"\w", w)])

    def record(self) -> dict[str, Any]:
        rec = {"kind": self.kind, "title": self.title, "body": list(self.body), "notes": self.notes,
               "subtitle": self.subtitle, "table": [list(r) for r in self.table], "chart_alt": self.chart_alt}
        if self.chart is not None:
            rec["chart"] = base64.b64encode(self.chart).decode()
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Slide":
        chart = base64.b64decode(rec["chart"]) if rec.get("chart") else None
        return cls(rec["kind"], rec["title"], list(rec.get("body", [])), rec.get("notes", ""), rec.get("subtitle", ""),
                   [list(r) for r in rec.get("table", [])], chart, rec.get("chart_alt", ""))

    def html(self) -> str:
        """The slide for JupyterLab and reveal.js; every text escaped (customer and competitor names are data)."""
        e = html.escape
        parts = [f'<div class="cmo-slide" style="font-family:Arial,Helvetica,sans-serif;font-size:28px;color:#262626;text-align:left">',
                 f'<h2 style="font-size:1.2em;font-weight:bold;line-height:1.25;margin:0 0 .5em 0;text-transform:none;color:#262626">{e(self.title)}</h2>']
        if self.subtitle:
            parts.append(f'<p style="font-size:.8em;color:#6E6E6E;margin:0 0 .6em 0">{e(self.subtitle)}</p>')
        inner = []
        if self.table:
            head, *rows = self.table
            numeric = numeric_columns(self.table)
            align = lambda j: "right" if numeric[j] else "left"  # noqa: E731  figures right, words left
            th = "".join(f'<th style="text-align:{align(j)};padding:4px 10px;border-bottom:1px solid #404040">{e(c)}</th>'
                         for j, c in enumerate(head))
            trs = "".join("<tr>" + "".join(f'<td style="text-align:{align(j)};padding:4px 10px;vertical-align:top">{e(c)}</td>'
                                           for j, c in enumerate(r)) + "</tr>" for r in rows)
            inner.append(f'<table style="font-size:.72em;border-collapse:collapse;margin:0"><tr>{th}</tr>{trs}</table>')
        if self.body:
            lis = "".join(f"<li>{e(b)}</li>" for b in self.body)
            inner.append(f'<ul style="font-size:.76em;line-height:1.35;margin:.4em 0 0 1em;padding:0">{lis}</ul>')
        text = "".join(inner)
        if self.chart is not None:
            img = (f'<img src="data:image/png;base64,{base64.b64encode(self.chart).decode()}" alt="{e(self.chart_alt)}" '
                   'style="width:100%;margin:0">')
            parts.append(f'<div style="display:flex;gap:18px;align-items:flex-start"><div style="flex:0 0 34%">{text}</div>'
                         f'<div style="flex:1 1 auto">{img}</div></div>')
        else:
            parts.append(text)
        if self.notes:  # reveal.js shows <aside class="notes"> in its speaker view (key S); hidden on the slide
            parts.append(f'<aside class="notes" style="display:none">{e(self.notes)}</aside>')
        parts.append("</div>")
        return "".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        plain = "\n".join([self.title, *self.body, *(" | ".join(r) for r in self.table)])
        return {"text/html": self.html(), "text/plain": plain, SLIDE_MIME: self.record()}


def slides_from_notebook(nb: Any) -> list[Slide]:
    """The slides an executed ``impulse_deck`` notebook displayed, in cell order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            rec = o.get("data", {}).get(SLIDE_MIME)
            if isinstance(rec, dict):
                out.append(Slide.from_record(dict(rec)))
    return out


def _open_template(template: Path | None):
    """A Presentation from the company's .pptx/.potx, or python-pptx's default in 16:9."""
    from pptx import Presentation
    from pptx.util import Inches

    if template is None:
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
        return prs, False
    if not template.is_file():
        raise FileNotFoundError(f"memo.slide_template: {template} does not exist; give the path of the company's "
                                ".potx or .pptx relative to the params file, or remove the key for the default layout")
    if template.suffix.lower() == ".potx":
        # python-pptx opens presentations only: a .potx differs in one content type, so copy and relabel it.
        buf = io.BytesIO()
        with zipfile.ZipFile(template) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(b"presentationml.template.main+xml", b"presentationml.presentation.main+xml")
                dst.writestr(item, data)
        buf.seek(0)
        prs = Presentation(buf)
    else:
        prs = Presentation(str(template))
    # The template's own example slides are not part of the deck.
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)
    return prs, True


def _layout(prs: Any, want: str):
    """The template's layout for ``want`` ('title' or 'title_only'), found by its placeholders, not its name."""
    from pptx.enum.shapes import PP_PLACEHOLDER as PH

    def kinds(layout):
        return {ph.placeholder_format.type for ph in layout.placeholders}

    layouts = list(prs.slide_layouts)
    if want == "title":
        for lay in layouts:
            k = kinds(lay)
            if PH.CENTER_TITLE in k and PH.SUBTITLE in k:
                return lay
    for lay in layouts:
        k = kinds(lay) - {PH.DATE, PH.FOOTER, PH.SLIDE_NUMBER}
        if k == {PH.TITLE}:
            return lay
    for lay in layouts:
        if PH.TITLE in kinds(lay):
            return lay
    return layouts[0]


def _fill_text(frame: Any, lines: Sequence[str], size_pt: float, styled: bool, *, bullets: bool = False) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = ("• " if bullets else "") + line
        run.font.size = Pt(size_pt)
        para.space_after = Pt(size_pt * 0.5)
        if styled:  # the default look only; a company template's theme fonts and colours stay in charge
            run.font.name = "Arial"
            run.font.color.rgb = RGBColor(0x26, 0x26, 0x26)


def fit_size(text: str, width_emu: int, height_emu: int, largest: float) -> float:
    """The largest font size (pt, at most ``largest``) at which ``text`` fits the box, estimated from an
    average glyph width of 0.52 em and a line height of 1.2 em (PowerPoint does not shrink text on open)."""
    import math as _math

    size = largest
    while size > 14:
        per_line = max(1, int(width_emu / 12700 * 0.92 / (0.52 * size)))
        lines = _math.ceil(len(text) * 1.1 / per_line)
        if lines * 1.2 * size * 12700 <= height_emu * 0.92:
            return size
        size -= 2
    return size


def _set_title(shape: Any, text: str, size_pt: float, styled: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    tf = shape.text_frame
    tf.clear()
    tf.word_wrap = True
    run = tf.paragraphs[0].add_run()
    run.text = text
    # the message must fit its placeholder: a company template's 44 pt title would overflow onto the chart
    run.font.size = Pt(fit_size(text, shape.width, shape.height, size_pt if styled else 40))
    if styled:
        from pptx.enum.text import PP_ALIGN

        tf.paragraphs[0].alignment = PP_ALIGN.LEFT  # IBCS: the message reads like a sentence, from the left
        run.font.bold = True
        run.font.name = "Arial"
        run.font.color.rgb = RGBColor(0x26, 0x26, 0x26)


_FIGURE = re.compile(r"^[−+\-–]?\s?[€$£]?\s?\d")


def numeric_columns(rows: Sequence[Sequence[str]]) -> list[bool]:
    """Per column: do all body cells hold figures? (IBCS: figures right-aligned, words left.)"""
    body = rows[1:]
    return [bool(body) and all(_FIGURE.match(r[j].strip()) for r in body) for j in range(len(rows[0]))]


def _add_table(slide: Any, rows: list[list[str]], left: int, top: int, width: int, size_pt: float, styled: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    n_rows, n_cols = len(rows), len(rows[0])
    height = Emu(int(Pt(size_pt * 2.6)) * n_rows)
    shape = slide.shapes.add_table(n_rows, n_cols, left, top, width, height)
    table = shape.table
    first = int(width * (0.4 if n_cols > 3 else 0.42))
    table.columns[0].width = Emu(first)
    for j in range(1, n_cols):
        table.columns[j].width = Emu(int((width - first) / (n_cols - 1)))
    from pptx.enum.text import PP_ALIGN

    numeric = numeric_columns(rows)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = ""
            if numeric[j]:
                cell.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = text
            run.font.size = Pt(size_pt)
            run.font.bold = i == 0
            if styled:
                run.font.name = "Arial"
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor(0xE8, 0xE8, 0xE8) if i == 0 else RGBColor(0xFF, 0xFF, 0xFF)
                run.font.color.rgb = RGBColor(0x26, 0x26, 0x26)


def write_pptx(slides: Sequence[Slide], path: str | Path, *, template: str | Path | None = None) -> Path:
    """Write the deck as .pptx: the template's masters, layouts and fonts when given, a clean 16:9 default otherwise.

    Titles go into the layout's title placeholder (so the template's title font applies); body text,
    tables and the chart are placed in the free area below it; speaker notes carry sources and definitions.
    """
    from pptx.util import Emu, Pt

    prs, from_template = _open_template(Path(template) if template else None)
    styled = not from_template
    W, H = prs.slide_width, prs.slide_height
    margin = int(W * 0.05)
    for s in slides:
        slide = prs.slides.add_slide(_layout(prs, "title" if s.kind == "title" else "title_only"))
        title_ph = slide.shapes.title
        if s.kind == "title":
            if title_ph is not None:
                if styled:
                    title_ph.left, title_ph.top, title_ph.width, title_ph.height = margin, int(H * 0.28), W - 2 * margin, int(H * 0.26)
                _set_title(title_ph, s.title, 36, styled)
            subs = [ph for ph in slide.placeholders if ph.placeholder_format.idx != 0]
            if subs:
                if styled:
                    subs[0].left, subs[0].top, subs[0].width, subs[0].height = margin, int(H * 0.58), W - 2 * margin, int(H * 0.12)
                    subs[0].text_frame.clear()
                    _fill_text(subs[0].text_frame, [s.subtitle], 20, styled)
                    from pptx.enum.text import PP_ALIGN

                    subs[0].text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
                else:
                    subs[0].text_frame.text = s.subtitle
            else:
                box = slide.shapes.add_textbox(margin, int(H * 0.62), W - 2 * margin, int(H * 0.15))
                _fill_text(box.text_frame, [s.subtitle], 20, styled)
        else:
            if title_ph is None:
                title_ph = slide.shapes.add_textbox(margin, int(H * 0.05), W - 2 * margin, int(H * 0.16))
            elif styled:
                title_ph.left, title_ph.top, title_ph.width, title_ph.height = margin, int(H * 0.05), W - 2 * margin, int(H * 0.16)
            _set_title(title_ph, s.title, 26, styled)
            top = max(int(title_ph.top + title_ph.height + H * 0.03), int(H * 0.24))
            avail_h = H - top - int(H * 0.06)
            text_w = int((W - 2 * margin) * (0.34 if s.chart else 1.0))
            y = top
            if s.table:
                _add_table(slide, s.table, margin, y, text_w if s.chart else int((W - 2 * margin) * 0.9),
                           12 if s.chart else 16, styled)
                y += int(Pt((12 if s.chart else 16) * 2.6)) * len(s.table) + int(H * 0.04)
            if s.body:
                box = slide.shapes.add_textbox(margin, y, text_w, max(H - y - int(H * 0.06), int(H * 0.1)))
                _fill_text(box.text_frame, s.body, 16 if s.chart else 20, styled, bullets=True)
            if s.chart:
                from PIL import Image

                with Image.open(io.BytesIO(s.chart)) as im:
                    ratio = im.height / im.width
                cx = margin + text_w + int(W * 0.02)
                cw = W - cx - margin
                ch = int(cw * ratio)
                if ch > avail_h:
                    ch = avail_h
                    cw = int(ch / ratio)
                pic = slide.shapes.add_picture(io.BytesIO(s.chart), Emu(cx), Emu(top), Emu(cw), Emu(ch))
                pic.name = f"chart {s.kind}"
                # alt text for screen readers and for the CMO's edits
                pic._element.nvPicPr.cNvPr.set("descr", s.chart_alt)
        used = {title_ph.shape_id} if title_ph is not None else set()
        if s.kind == "title":
            used |= {ph.shape_id for ph in slide.placeholders if ph.has_text_frame and ph.text_frame.text}
        for ph in list(slide.placeholders):  # a template layout's unused body/picture placeholders would say "click to add"
            if ph.shape_id not in used:
                ph._element.getparent().remove(ph._element)
        slide.notes_slide.notes_text_frame.text = s.notes
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    prs.save(str(tmp))
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------- reveal.js for print

#: One landscape page per reveal section when printed without reveal.js (offline, headless Chromium).
PRINT_CSS = ("<style>@page { size: 338.7mm 190.5mm; margin: 0; } "
             "@media print { html, body { background: #fff !important; } .reveal .slides > section { "
             "display: block !important; position: relative !important; page-break-after: always; break-after: page; "
             "height: 190.5mm; box-sizing: border-box; padding: 12mm 14mm; overflow: hidden; } "
             ".jp-OutputPrompt, .jp-InputPrompt { display: none !important; } }</style>")


def print_html(slides_html: str) -> str:
    """The reveal.js deck made printable without network: scripts dropped, one page per slide."""
    text = re.sub(r"<script\b[^>]*>.*?</script>", "", slides_html, flags=re.S | re.I)
    return text.replace("</head>", PRINT_CSS + "</head>", 1)

