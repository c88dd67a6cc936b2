"""Guards the chart's ``alt`` attribute in both memo HTMLs: any text (quotes, ampersands, tags) stays inside it.

Mutation it catches: the memo template's ``alt="{{ … }}"`` without ``| e`` (a ``"`` in the alt text
broke out of the attribute and could add an ``onerror=`` handler).
"""
from html.parser import HTMLParser

import nbformat
import pytest

from cmo_workbook.render import blocks
from cmo_workbook.render.export import build_memo
from test_memo import _chart_png, _output

ALT = 'Kosten je Anfrage "LinkedIn" +30 % <b>&</b> x" onerror="alert(1)'


class _Imgs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))


def _imgs(html: str) -> list[dict]:
    p = _Imgs()
    p.feed(html)
    return p.imgs


@pytest.fixture(scope="module")
def memo():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart", metadata={"tags": ["memo"]})
    cell.outputs = [_output(blocks.Headline("Kopfzeile.")), _output(blocks.Chart(_chart_png(), ALT))]
    nb.cells = [cell]
    return build_memo(nb, lang="de")


@pytest.mark.parametrize("variant", ["html_email", "html_browser"])
def test_alt_text_round_trips_as_one_attribute(memo, variant):
    (img,) = _imgs(getattr(memo, variant))
    # the text part of a chart is "[alt]"; the browser parses the attribute back to exactly that
    assert img["alt"] == f"[{ALT}]"
    assert "onerror" not in img
    assert '"alert(1)' not in getattr(memo, variant)


def test_jupyter_html_of_the_chart_escapes_alt():
    (img,) = _imgs(blocks.Chart(_chart_png(), ALT).html())
    assert img["alt"] == ALT and "onerror" not in img
