"""docs/metrics.md is generated from the catalogue, so the ids a user writes in goals are the ones the code knows."""
from __future__ import annotations

from pathlib import Path

from cmo_workbook.metrics.catalogue import CATALOGUE, markdown_table


def test_docs_metrics_md_is_generated_from_the_catalogue():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert doc == markdown_table(), "regenerate: .venv/bin/python -m cmo_workbook.metrics.catalogue > docs/metrics.md"
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == [m.id for m in CATALOGUE]
    assert any(r.startswith("| `qualified_leads` | Qualifizierte Anfragen | Qualified inquiries |") for r in rows)
