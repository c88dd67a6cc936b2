"""`cmo-workbook run impulse_deck --period 2026-Q3 --email` through the real runner (papermill, real kernel,
nbconvert's reveal.js exporter, headless Chromium, a real SMTP server): the files and the analyst's e-mail."""
from __future__ import annotations

import email
import email.policy
import re
import shutil

import nbformat
import pytest

from cmo_workbook.delivery.runner import Runner, RunOptions, discover
from cmo_workbook.periods import Period

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_deck_notebook_is_committed_clean_and_declares_a_quarterly_deck():
    info = discover(ROOT / "notebooks")["impulse_deck"]
    assert info.cadence == "quarterly" and info.output == "deck"
    nb = nbformat.read(str(info.path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert nb.cells[0].cell_type == "markdown" and "parameters" in code[0].metadata.get("tags", [])
    slides = [c for c in nb.cells if "slide" in c.metadata.get("tags", [])]
    assert 6 <= len(slides) <= 8 and all(c.metadata["slideshow"]["slide_type"] == "slide" for c in slides)


@pytest.fixture(scope="module")
def deck_run(sample_dir, tmp_path_factory):
    """One real run with --email against an aiosmtpd server on 127.0.0.1."""
    from aiosmtpd.controller import Controller

    from conftest import Inbox, _free_port

    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mp = pytest.MonkeyPatch()
    for k, v in {"CMO_SMTP_HOST": "127.0.0.1", "CMO_SMTP_PORT": str(port), "CMO_SMTP_SECURITY": "none"}.items():
        mp.setenv(k, v)
    mp.delenv("CMO_SMTP_USER", raising=False)
    mp.delenv("CMO_SMTP_PASSWORD", raising=False)
    lines: list[str] = []
    reports = tmp_path_factory.mktemp("deck-reports")
    try:
        opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=Period.parse("2026-Q3"), email=True,
                          reports_dir=reports)
        result = Runner(opts, say=lines.append).run("impulse_deck")
    finally:
        controller.stop()
        mp.undo()
    return result, reports / "2026-Q3", inbox, lines


def test_run_writes_pptx_reveal_html_and_pdf(deck_run):
    from pptx import Presentation

    result, out, _, lines = deck_run
    assert result.ok and result.memo == out / "impulse_deck.pptx"
    prs = Presentation(str(out / "impulse_deck.pptx"))
    assert 6 <= len(prs.slides) <= 8
    html = (out / "impulse_deck.slides.html").read_text(encoding="utf-8")
    assert "reveal.js" in html and html.count("<section><section>") == len(prs.slides)
    titles = [s.shapes.title.text_frame.text for s in prs.slides]
    assert all(t.replace("&", "&amp;") in html for t in titles)  # the same messages as the PowerPoint file
    assert 'class="notes"' in html  # speaker notes for reveal's speaker view
    assert "from cmo_workbook" not in html and "open_workbook" not in html  # no code on the slides
    assert not (out / "impulse_deck.html").exists()  # a deck writes no memo
    if shutil.which("chromium"):
        from cmo_workbook.delivery.preview import pdf_pages

        assert pdf_pages(out / "impulse_deck.pdf") == len(prs.slides)
    assert any(line.startswith("deck ") for line in lines) and any(line.startswith("slides ") for line in lines)


def test_email_goes_to_the_analyst_with_pdf_and_pptx_attached(deck_run):
    result, out, inbox, _ = deck_run
    assert result.sent and len(inbox.messages) == 1
    m = inbox.messages[0]
    assert m["to"] == ["analyst@kessler-antriebstechnik.example"]  # never the CEO memo list
    msg = email.message_from_bytes(m["data"], policy=email.policy.default)
    names = sorted(p.get_filename() for p in msg.iter_attachments())
    expected = ["impulse_deck.pptx"] + (["impulse_deck.pdf"] if shutil.which("chromium") else [])
    assert names == sorted(expected)
    pptx = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".pptx"))
    assert pptx.get_content() == (out / "impulse_deck.pptx").read_bytes()
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Impuls-Session 2026-Q3" in body and re.search(r"^8\. ", body, re.M)
    assert msg["Subject"].startswith("[Marketing] Impuls-Session 2026-Q3: ")
