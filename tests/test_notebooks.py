"""Every bundled notebook executes on the sample data and yields an email-safe memo (real kernels)."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from cmo_workbook.delivery.runner import discover

from conftest import ROOT, parse_eml

# memos only: decks (metadata cmo.output "deck") are tested in test_impulse_deck*.py
NOTEBOOKS = {n: i for n, i in discover(ROOT / "notebooks").items() if i.output == "memo"}
SAMPLE_PERIOD = {"month": "2026-10", "quarter": "2026-Q3"}
pytestmark = pytest.mark.slow


def test_notebooks_are_committed_clean():
    for info in NOTEBOOKS.values():
        nb = nbformat.read(str(info.path), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), f"{info.name}: strip outputs"
        assert nb.cells[0].cell_type == "markdown", f"{info.name}: first cell must say what it answers and for whom"
        assert "parameters" in code[0].metadata.get("tags", []), f"{info.name}: first code cell must be the parameters cell"
        assert nb.metadata["kernelspec"]["name"] == "cmo-workbook"
        assert any("memo" in c.metadata.get("tags", []) for c in nb.cells), f"{info.name}: no memo cells"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_notebook_runs_and_memo_is_email_safe(memo_run, name, lang):
    info = NOTEBOOKS[name]
    result = memo_run(name, SAMPLE_PERIOD[info.kind], lang)
    assert result.ok and result.memo.exists() and result.eml.exists()
    msg, html, plain, images = parse_eml(result.eml)
    p = _Tags()
    p.feed(html)
    assert "script" not in p.tags and "style" not in p.tags
    assert "data:image" not in html
    assert len(html.encode("utf-8")) < 100_000
    for img in images:
        assert f'cid:{img["Content-ID"].strip("<>")}' in html
    assert msg["Subject"] and plain.strip()
    # no code and no notebook chrome in the memo
    assert "In&nbsp;[" not in html and "import pandas" not in html and "from cmo_workbook" not in html and "jp-" not in html
    # every bundled memo passes the jargon / so-what check in strict mode (the run log shows findings)
    from cmo_workbook.render import jargon
    from cmo_workbook.render.export import build_memo

    assert jargon.format_findings(jargon.check_memo(build_memo(result.notebook, lang=lang), lang=lang)) == []
    # numbers in the language of the memo: German memos use decimal commas, English ones none of "ggü."
    if lang == "en":
        assert "ggü." not in plain
    else:
        assert "ggü." in plain or "Vorjahr" in plain or "Vormonat" in plain


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_executed_notebook_records_its_parameters(memo_run, name):
    info = NOTEBOOKS[name]
    result = memo_run(name, SAMPLE_PERIOD[info.kind], "de")
    nb = json.loads(Path(result.notebook).read_text(encoding="utf-8"))
    params = nb["metadata"]["papermill"]["parameters"]
    assert params["period"] == SAMPLE_PERIOD[info.kind] and params["lang"] == "de"


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_memo_prints_within_its_page_limit(chromium, memo_run, tmp_path, name, lang):
    """Each notebook declares its limit (metadata cmo.pages); the memo printed to A4 by Chromium keeps it."""
    from cmo_workbook.delivery.preview import pdf_pages, print_pdf

    info = NOTEBOOKS[name]
    limit = nbformat.read(str(info.path), as_version=4).metadata["cmo"]["pages"]
    result = memo_run(name, SAMPLE_PERIOD[info.kind], lang)
    pages = pdf_pages(print_pdf(Path(result.memo), tmp_path / f"{name}-{lang}.pdf"))
    assert 1 <= pages <= limit, f"{name} ({lang}) prints on {pages} A4 pages, limit {limit}"
