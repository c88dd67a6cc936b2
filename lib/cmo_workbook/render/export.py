"""Turn an executed notebook into the memo: email-safe HTML, a browser HTML and the .eml.

The notebook's cells tagged ``memo`` carry the memo (see :mod:`cmo_workbook.render.blocks`);
everything else is the analyst's. nbconvert renders them with the package's own
``cmo_memo`` template (derived from nbconvert's minimal ``base``), css-inline moves
the styles onto the elements, and charts become ``cid:`` images in a
``multipart/related`` part (Gmail shows no ``data:`` images). The standalone ``.html``
embeds the same PNGs as ``data:`` URIs for the browser.
"""
from __future__ import annotations

import base64
import email.policy
import hashlib
import os
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Any

import css_inline
import nbformat
from nbconvert import HTMLExporter

from .blocks import MIME

TEMPLATES = Path(__file__).parent / "templates"
# Page rules cannot be inlined; the browser copy keeps them so "print" gives A4 pages.
_PRINT_CSS = ("<style>@page { size: A4; margin: 10mm 12mm; } @media print { body, .body, .outer { background: #ffffff !important; } "
              ".memo { border: 0 !important; width: 100% !important; } .memo-td { padding: 0 !important; zoom: 0.86; } "
              ".sec { margin: 9px 0 4px 0 !important; } .headline { margin: 8px 0 8px 0 !important; } "
              ".note { margin-top: 8px !important; line-height: 1.25 !important; } .foot { display: none !important; } .chart, .tiles, .rec { page-break-inside: avoid; } }</style>")
#: Gmail clips HTML bodies above ~102 KB; stay well below.
MAX_HTML_BYTES = 100_000


@dataclass
class Memo:
    """A rendered memo: both HTML variants, the plain text, images and the key lines."""

    html_email: str
    html_browser: str
    text: str
    images: list[tuple[str, bytes]]  # (content id without <>, PNG bytes)
    title: str
    period: str
    headline: str
    lang: str
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def html_bytes(self) -> int:
        return len(self.html_email.encode("utf-8"))


def _memo_outputs(nb: nbformat.NotebookNode):
    for cell in nb.cells:
        if cell.cell_type == "code" and "memo" in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                if out.get("output_type") in ("display_data", "execute_result"):
                    yield out


def build_memo(notebook: str | Path | nbformat.NotebookNode, *, lang: str | None = None, footer: str = "") -> Memo:
    """Render the memo of an executed notebook."""
    nb = nbformat.read(str(notebook), as_version=4) if not isinstance(notebook, nbformat.NotebookNode) else notebook
    records: list[dict[str, Any]] = []
    images: list[tuple[str, bytes]] = []
    for out in _memo_outputs(nb):
        data = out.get("data", {})
        if MIME in data:
            records.append(dict(data[MIME]))
        if "image/png" in data:
            png = base64.b64decode(data["image/png"])
            # Content ids derived from the bytes: same memo, same ids, same .eml body.
            cid = f"chart{len(images) + 1}.{hashlib.sha256(png).hexdigest()[:12]}@cmo-workbook"
            images.append((cid, png))
            out.setdefault("metadata", {})["cmo_cid"] = cid
    header = next((r for r in records if r.get("kind") == "header"), {})
    headline = next((r["text"] for r in records if r.get("kind") == "headline"), "")
    lang = lang or nb.metadata.get("cmo", {}).get("lang") or "de"
    title = header.get("title", nb.metadata.get("cmo", {}).get("title", "Memo"))
    period = header.get("period", "")
    html_email = _export(nb, lang, title, footer, mode="email")
    html_browser = _export(nb, lang, title, footer, mode="browser").replace("</head>", _PRINT_CSS + "</head>", 1)
    text = "\n\n".join(r["text"] for r in records if r.get("text")).strip() + "\n"
    if footer:
        text += f"\n-- \n{footer}\n"
    return Memo(html_email, html_browser, text, images, title, period, headline, lang, records)


def _export(nb: nbformat.NotebookNode, lang: str, title: str, footer: str, *, mode: str) -> str:
    for out in _memo_outputs(nb):
        if "image/png" in out.get("data", {}):
            out.metadata["cmo_src"] = (f"cid:{out.metadata['cmo_cid']}" if mode == "email"
                                       else f"data:image/png;base64,{out.data['image/png'].strip()}")
    exporter = HTMLExporter(
        template_name="cmo_memo",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    css = (TEMPLATES / "cmo_memo" / "memo.css").read_text(encoding="utf-8")
    resources = {"cmo": {"lang": lang, "title": title, "css": css, "footer": footer}}
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    html = css_inline.inline(html)
    # Outlook ignores max-width on images, so width="600" stays; drop blank lines for size.
    return re.sub(r"\n\s*\n+", "\n", html)


#: How every e-mail of the project is built (memos, decks, alerts): one home. CPython's header folding drops the
#: space between adjacent encoded words ("überLieferverzögerungen"); unfolded, a subject goes out as one intact
#: encoded word (well under RFC 5322's 998).
MAIL_POLICY = email.policy.default.clone(max_line_length=998)
#: Text parts are quoted-printable UTF-8: 7-bit on the wire, so a relay without 8BITMIME passes them unchanged.
TEXT_CTE = "quoted-printable"


def new_message() -> EmailMessage:
    """An empty e-mail under :data:`MAIL_POLICY`; give its text with ``set_content(text, cte=TEXT_CTE)``."""
    return EmailMessage(policy=MAIL_POLICY)


def build_email(memo: Memo, *, sender: str, to: list[str], cc: list[str] | None = None, subject: str,
                sender_name: str = "") -> EmailMessage:
    """The CEO email: text/plain alternative and HTML with related PNG images."""
    msg = new_message()
    msg["Subject"] = subject
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
    msg["Content-Language"] = memo.lang
    msg.set_content(memo.text, cte=TEXT_CTE)
    msg.add_alternative(memo.html_email, subtype="html", cte=TEXT_CTE)
    html_part = msg.get_payload()[1]
    for cid, png in memo.images:
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=cid.split("@")[0] + ".png",
                              disposition="inline")
    return msg


def subject_line(memo: Memo, prefix: str = "", limit: int = 110) -> str:
    """Subject: memo, period and headline, on plain spaces and cut at a word so clients show the start."""
    head = " ".join(memo.headline.replace("\u00a0", " ").replace("\u202f", " ").split())
    period = " ".join(memo.period.split())
    if period and head.startswith(period):  # "Q3 2026: ..." would repeat the period
        head = head[len(period):].lstrip(" :–-")
    if len(head) > limit:
        cut = head[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-")
        head = cut + " …"
    core = f"{memo.title} {period}: {head}" if head else f"{memo.title} {period}"
    return f"{prefix} {core}".strip()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write via a temporary name and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # disk full, read-only folder, a signal: leave no temporary file behind
        tmp.unlink(missing_ok=True)
        raise
