"""Memo rendering without a kernel: a hand-built executed notebook through the exporter."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import date

import matplotlib
import nbformat
import pytest
from html.parser import HTMLParser

from cmo_workbook.render import blocks, charts
from cmo_workbook.render.export import MAX_HTML_BYTES, build_email, build_memo, subject_line

matplotlib.use("Agg")

EVIL = '<script>alert(1)</script> <img src=x onerror=alert(1)> "Müller & Söhne"'


def _output(block) -> nbformat.NotebookNode:
    bundle = block._repr_mimebundle_()
    data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
    return nbformat.v4.new_output("display_data", data=data, metadata=meta)


def _chart_png() -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    fig.add_subplot().bar(["a", "b"], [1, 2], color="#404040")
    return charts.to_png(fig)


def make_nb(extra_text: str = EVIL) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('period = "2026-10"', metadata={"tags": ["parameters"]})
    memo1 = nbformat.v4.new_code_cell("show(...)", metadata={"tags": ["memo"]})
    memo1.outputs = [
        _output(blocks.Header("Marketing-Kennzahlen", "Oktober 2026", "Kessler GmbH", date(2026, 11, 2), "de")),
        _output(blocks.Headline("Marketing lieferte 212 Anfragen (+14 % ggü. Vorjahr).")),
        _output(blocks.KpiTiles([blocks.Tile("Anfragen", "212", [blocks.Comparison("ggü. Vormonat", "+5 %", True)],
                                             "Auf Kurs.")])),
        nbformat.v4.new_output("stream", name="stdout", text="debug print for the analyst\n"),
    ]
    memo2 = nbformat.v4.new_code_cell("chart", metadata={"tags": ["memo"]})
    memo2.outputs = [_output(blocks.Chart(_chart_png(), "Anfragen +14 %")),
                     _output(blocks.Bullets([extra_text])),
                     _output(blocks.Table(["Kunde", "Zitat"], [["A", extra_text]]))]
    analyst = nbformat.v4.new_code_cell("df", metadata={})
    analyst.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": "<table><tr><td>SECRET-ANALYST</td></tr></table>",
                                                                       "text/plain": "SECRET-ANALYST"}, execution_count=3)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title for the analyst"), params, memo1, memo2, analyst]
    return nb


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.styles_in_head = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def memo():
    return build_memo(make_nb(), lang="de", footer="cmo-workbook · test")


def test_no_script_no_code_no_analyst_cells(memo):
    p = parse(memo.html_email)
    assert not [t for t, _ in p.tags if t == "script"]
    assert not [t for t, _ in p.tags if t == "style"], "css-inline must remove the <style> block"
    assert "show(...)" not in memo.html_email and 'period = "2026-10"' not in memo.html_email
    assert "SECRET-ANALYST" not in memo.html_email and "debug print" not in memo.html_email
    assert "Title for the analyst" not in memo.html_email


def test_styles_are_inlined_and_layout_is_tables(memo):
    p = parse(memo.html_email)
    headline = [a for t, a in p.tags if t == "p" and "headline" in a.get("class", "")]
    assert headline and "font-weight: bold" in headline[0]["style"]
    assert sum(1 for t, _ in p.tags if t == "table") >= 4
    assert not re.search(r"display:\s*(flex|grid)", memo.html_email)


def test_untrusted_text_is_escaped(memo):
    for html in (memo.html_email, memo.html_browser):
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "M&#252;ller &amp; S&#246;hne" in html or "Müller &amp; Söhne" in html
    imgs = [a for t, a in parse(memo.html_email).tags if t == "img"]
    assert all(not any(k.startswith("on") for k in a) for a in imgs)


def test_email_images_are_cid_browser_images_embedded(memo):
    email_imgs = [a["src"] for t, a in parse(memo.html_email).tags if t == "img"]
    browser_imgs = [a["src"] for t, a in parse(memo.html_browser).tags if t == "img"]
    assert len(email_imgs) == 1 and email_imgs[0] == f"cid:{memo.images[0][0]}"
    assert "data:" not in memo.html_email
    assert browser_imgs[0].startswith("data:image/png;base64,")
    assert memo.html_bytes < MAX_HTML_BYTES


def test_plain_text_alternative_and_headline(memo):
    assert memo.headline == "Marketing lieferte 212 Anfragen (+14 % ggü. Vorjahr)."
    assert memo.title == "Marketing-Kennzahlen" and memo.period == "Oktober 2026"
    assert "- Anfragen: 212 (+5 % ggü. Vormonat)" in memo.text
    assert "[Anfragen +14 %]" in memo.text
    assert "<script>alert(1)</script>" in memo.text  # plain text shows it literally, harmless


def test_eml_structure_parsed_back(memo):
    msg = build_email(memo, sender="marketing@kessler.example", to=["ceo@kessler.example"], cc=["cfo@kessler.example"],
                      subject=subject_line(memo, "[Marketing]"), sender_name="Kessler GmbH")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "[Marketing] Marketing-Kennzahlen Oktober 2026: Marketing lieferte 212 Anfragen (+14 % ggü. Vorjahr)."


def test_subject_survives_encoding_with_umlauts_and_no_break_spaces(memo):
    long = ("Unsere Kunden klagen über Lieferverzögerungen, während Hartmann Antriebe mit schneller Lieferung "
            "wirbt und die Preise um 12\u00a0% senkt – Lieferfähigkeit wird zur Priorität")
    memo2 = type(memo)(**{**memo.__dict__, "headline": long, "period": "Q3\u00a02026"})
    subject = subject_line(memo2, "[Marketing]", limit=90)
    assert "\u00a0" not in subject and "  " not in subject
    assert subject.endswith("…") and " um 12 % senkt" not in subject  # cut at a word, not mid-word
    msg = build_email(memo2, sender="a@kessler.example", to=["ceo@kessler.example"], subject=subject)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == subject
    assert "klagen über Lieferverzögerungen, während" in parsed["Subject"]
    assert parsed.get_content_type() == "multipart/alternative"
    plain, related = parsed.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, img = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert img.get_content_type() == "image/png"
    cid = img["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html_part.get_content()
    assert img.get_content() == memo.images[0][1]
    assert len(html_part.get_content().encode()) < 100_000


def test_same_notebook_same_memo():
    a = build_memo(make_nb(), lang="de")
    b = build_memo(make_nb(), lang="de")
    assert a.html_email == b.html_email and a.text == b.text and a.images == b.images
