"""Property-based tests (hypothesis): any text from customers or competitors stays text in the memo.

Every block of render/blocks.py and the memo exporter (render/export.py) must turn arbitrary text,
quotes and tags included, into HTML whose parsed text is exactly that text and that adds no element
or attribute of its own.
"""
from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser

import nbformat
from hypothesis import given, settings
from hypothesis import strategies as st

from cmo_workbook.render import blocks
from cmo_workbook.render.export import build_memo
from test_memo import _chart_png, _output

# printable text, biased towards the characters that matter in HTML
NASTY = st.text(alphabet=st.one_of(st.sampled_from('<>&"\'/=;` -–€äö\u00a0'), st.characters(
    blacklist_categories=("Cs", "Cc"))), min_size=1, max_size=40).filter(lambda s: s.strip() != "")


class _Parse(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Parse:
    p = _Parse()
    p.feed(html)
    p.close()
    return p


def _same_structure(make, text: str) -> None:
    """The block's HTML for ``text`` has the tags of the HTML for a harmless word, and carries ``text``."""
    evil, calm = parse(make(text)), parse(make("Wort"))
    assert [t for t, _ in evil.tags] == [t for t, _ in calm.tags]
    assert [sorted(a) for _, a in evil.tags] == [sorted(a) for _, a in calm.tags]
    assert text in "".join(evil.text)


@settings(max_examples=150, deadline=None)
@given(NASTY)
def test_text_blocks_escape_anything(text):
    _same_structure(lambda s: blocks.Headline(s).html(), text)
    _same_structure(lambda s: blocks.Paragraph(s).html(), text)
    _same_structure(lambda s: blocks.Section(s).html(), text)
    _same_structure(lambda s: blocks.Bullets([s, "zwei"]).html(), text)
    _same_structure(lambda s: blocks.Table(["Kunde", s], [[s, 1], ["x", s]]).html(), text)
    _same_structure(lambda s: blocks.KpiTiles([blocks.Tile(s, s, [blocks.Comparison(s, s, True)], s)]).html(), text)
    _same_structure(lambda s: blocks.Recommendations([blocks.Recommendation(action=s, owner=s, evidence=s, effect=s)]).html(), text)
    _same_structure(lambda s: blocks.DataNote(s, [s, "b"]).html(), text)


@settings(max_examples=100, deadline=None)
@given(NASTY)
def test_attribute_values_round_trip(text):
    (img,) = [a for t, a in parse(blocks.Chart(b"png", text).html()).tags if t == "img"]
    assert img["alt"] == text and set(img) == {"src", "alt", "width"}


PNG = _chart_png()


@settings(max_examples=8, deadline=None)
@given(NASTY, NASTY)
def test_memo_export_keeps_text_as_text(body, alt):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(...)", metadata={"tags": ["memo"]})
    cell.outputs = [_output(blocks.Headline("Kopf")), _output(blocks.Paragraph(body)), _output(blocks.Chart(PNG, alt))]
    nb.cells = [cell]
    memo = build_memo(nb, lang="de")
    for html in (memo.html_email, memo.html_browser):
        p = parse(html)
        assert "script" not in [t for t, _ in p.tags]
        (img,) = [a for t, a in p.tags if t == "img"]
        assert img["alt"] == f"[{alt}]"
        assert not [k for _, a in p.tags for k in a if k.startswith("on")]
        # css-inline may re-encode characters; the text a reader sees is the same
        assert html_lib.unescape(body) in html_lib.unescape("".join(p.text)) or body in "".join(p.text)
