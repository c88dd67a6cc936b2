"""Every memo takes its words from the catalogues: one changed message shows in each memo; a missing one stops the run.

Real runs (papermill, real kernel) with ``CMO_WORKBOOK_LOCALES`` pointing at a changed copy of the catalogues,
and a company override through the params key ``messages``.
"""
from __future__ import annotations

import shutil

import pytest
import yaml

from cmo_workbook.render import i18n

from conftest import ROOT

pytestmark = pytest.mark.slow

MEMOS = (("kpi_dashboard", "2026-10"), ("sales_marketing_sync", "2026-10"), ("voice_of_customer", "2026-10"),
         ("attribution_review", "2026-Q3"), ("competitor_briefing", "2026-Q3"), ("strategy_memo", "2026-Q3"),
         ("stakeholder_update", "2026-Q3"))
CHANGED = "Datengrundlage (Fassung Übersetzungsbüro)"


def _locales_with(tmp_path, edit) -> str:
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, locales)
    po = locales / "de" / "LC_MESSAGES" / "cmo_workbook.po"
    text = po.read_text()
    assert 'msgid "data_note"\nmsgstr "Datengrundlage"\n' in text
    po.write_text(edit(text))
    return str(locales)


def _runner(tmp_path, params=ROOT / "params" / "example.yaml"):
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.periods import Period

    def make(period: str) -> Runner:
        return Runner(RunOptions(params_path=params, period=Period.parse(period), lang="de",
                                 reports_dir=tmp_path / "reports", history_dir=tmp_path / "history"),
                      say=lambda line: None)
    return make


def test_a_changed_catalogue_message_shows_in_every_memo(tmp_path, monkeypatch):
    monkeypatch.setenv("CMO_WORKBOOK_LOCALES", _locales_with(
        tmp_path, lambda s: s.replace('msgid "data_note"\nmsgstr "Datengrundlage"', f'msgid "data_note"\nmsgstr "{CHANGED}"')))
    make = _runner(tmp_path)
    for name, period in MEMOS:
        result = make(period).run(name)
        assert result.ok, f"{name}: {result.message}"
        html = result.memo.read_text()
        assert f">{CHANGED}:<" in html, name
        assert ">Datengrundlage:<" not in html, name


def test_a_missing_german_message_fails_the_run_naming_the_id(tmp_path, monkeypatch):
    from cmo_workbook.errors import ExecutionError

    monkeypatch.setenv("CMO_WORKBOOK_LOCALES", _locales_with(
        tmp_path, lambda s: s.replace('msgid "data_note"\nmsgstr "Datengrundlage"\n', "")))
    with pytest.raises(ExecutionError) as exc:
        _runner(tmp_path)("2026-10").run("kpi_dashboard")
    assert "message 'data_note' has no 'de' text" in str(exc.value)
    period_dir = tmp_path / "reports" / "2026-10"
    assert (period_dir / "kpi_dashboard.failed.ipynb").exists() and not (period_dir / "kpi_dashboard.html").exists()


def test_a_companys_own_wording_shows_in_its_memo(tmp_path):
    raw = yaml.safe_load((ROOT / "params" / "example.yaml").read_text())
    raw["messages"] = {"de": {"data_note": "Woher die Zahlen kommen"}}
    params = ROOT / "params" / f".test-wording-{tmp_path.name}.yaml"  # beside example.yaml: relative paths hold
    params.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    try:
        result = _runner(tmp_path, params)("2026-10").run("sales_marketing_sync")
    finally:
        params.unlink()
    assert result.ok, result.message
    assert ">Woher die Zahlen kommen:<" in result.memo.read_text()
