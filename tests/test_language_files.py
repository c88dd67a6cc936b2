"""A run in another language than the company's own writes its own files and leaves the company-language ones
(executed notebook, memo, decision log, analyst status, verdicts) as they were."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT


def test_lang_file_names():
    from cmo_workbook.render.i18n import lang_file

    assert lang_file("kpi_dashboard.ipynb", "de", "de") == "kpi_dashboard.ipynb"
    assert lang_file("kpi_dashboard.ipynb", "en", "de") == "kpi_dashboard.en.ipynb"
    assert lang_file("kpi_dashboard.failed.ipynb", "en", "de") == "kpi_dashboard.en.failed.ipynb"
    assert lang_file("decisions.yaml", "fr", "de") == "decisions.fr.yaml"
    assert lang_file("kpi_dashboard", "en", "de") == "kpi_dashboard.en"  # a stem: NAME.en.html, NAME.en.eml
    assert lang_file("decisions.yaml", "de", "en") == "decisions.de.yaml"  # an English company's German memos


def _recs(text: str) -> list[dict]:
    return [{"kind": "recommendations", "items": [{"action": text, "owner": "Marketing", "due": "30.11.2026"}]}]


def test_decision_log_per_language_and_the_company_status_counts_for_translations(tmp_path):
    from cmo_workbook.memos import decisions

    de = decisions.record(tmp_path, "voice_of_customer", "2026-10", _recs("Lieferzeiten auf der Website nennen"), "de",
                          own="de")
    en = decisions.record(tmp_path, "voice_of_customer", "2026-10", _recs("Show delivery times on the website"), "en",
                          own="de")
    assert (tmp_path / "decisions.yaml").is_file() and (tmp_path / "decisions.en.yaml").is_file()
    assert [d.action for d in decisions.load(tmp_path)] == ["Lieferzeiten auf der Website nennen"]
    assert [d.action for d in decisions.load(tmp_path, "en", "de")] == ["Show delivery times on the website"]
    decisions.ensure_status_file(tmp_path, "de", "de")
    decisions.ensure_status_file(tmp_path, "en", "de")
    assert set(decisions.load_status(tmp_path)) == {de[0].id}
    # the English file holds only what the company file lacks: a worded id differs between the languages
    assert de[0].id != en[0].id
    assert set(decisions.load_status(tmp_path, "en", "de")) == {de[0].id, en[0].id}
    en_status = (tmp_path / "decisions_status.en.yaml").read_text(encoding="utf-8")
    assert en[0].id in en_status and de[0].id not in en_status


@pytest.mark.slow
def test_english_run_after_the_german_one_leaves_the_german_files_alone(sample_dir, tmp_path):
    from cmo_workbook.delivery import archive
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.periods import Period

    reports, history = tmp_path / "reports", tmp_path / "history"
    period = Period.parse("2026-10")

    def run(lang: str):
        opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=period, lang=lang,
                          reports_dir=reports, history_dir=history)
        result = Runner(opts, say=lambda line: None).run("sales_marketing_sync")
        assert result.ok, result.message
        return result

    de = run("de")
    period_dir = reports / "2026-10"
    # the period step's files (store, restatements, workbook) belong to no language; every other file does
    shared = {"kpis.csv", "restatements.csv", "Kennzahlen_2026-10.xlsx"}
    german = {p.name: p.read_bytes() for p in period_dir.iterdir() if p.is_file() and p.name not in shared}
    assert {"sales_marketing_sync.ipynb", "sales_marketing_sync.html", "sales_marketing_sync.eml",
            "sales_marketing_sync.txt", "decisions.yaml", "decisions_status.yaml"} <= set(german)
    en = run("en")
    assert en.notebook == period_dir / "sales_marketing_sync.en.ipynb" and en.memo.name == "sales_marketing_sync.en.html"
    for name, data in german.items():
        assert (period_dir / name).read_bytes() == data, f"{name} changed by the English run"
    new = {p.name for p in period_dir.iterdir() if p.is_file()} - set(german) - shared
    assert {"sales_marketing_sync.en.ipynb", "sales_marketing_sync.en.html", "sales_marketing_sync.en.eml",
            "sales_marketing_sync.en.txt", "decisions.en.yaml"} <= new
    assert "Agenda" in de.memo.read_text(encoding="utf-8") and 'lang="en"' in en.memo.read_text(encoding="utf-8")
    # the English log holds the English recommendations, the German one the German recommendations
    assert (period_dir / "decisions.en.yaml").read_text(encoding="utf-8") != german["decisions.yaml"].decode()

    params = load_params(ROOT / "params" / "example.yaml")
    index = archive.write_index(reports, params, history / "kpi_history.duckdb", say=lambda line: None)
    html = index.read_text(encoding="utf-8")
    assert 'href="2026-10/sales_marketing_sync.html"' in html and 'href="2026-10/sales_marketing_sync.en.html"' in html
    entries = [m for p in archive.collect(reports, params) for m in p.memos]
    assert sorted((m.notebook, m.lang) for m in entries) == [("sales_marketing_sync", "de"), ("sales_marketing_sync", "en")]
