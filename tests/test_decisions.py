"""The decision log (#11): stable ids, the analyst's status file, last period's recommendations with their effect."""
from __future__ import annotations

import math

import nbformat
import pandas as pd
import pytest

from cmo_workbook.errors import DataError
from cmo_workbook.memos import decisions
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.store import KpiStore
from cmo_workbook.periods import Period
from cmo_workbook.render import fmt
from cmo_workbook.render.blocks import Fig, Recommendation, Recommendations, Rich

COLUMNS = ["metric", "window", "window_kind", "segment", "value", "unit", "reliable", "prev_window", "prev_value",
           "py_window", "py_value", "target"]


def _store(period: str, rows: list[tuple[str, str, str, str, float, str]]) -> KpiStore:
    """A store of (metric, window, kind, segment, value, unit) rows, as kpis.csv holds them."""
    df = pd.DataFrame([(*r, True, "", math.nan, "", math.nan, math.nan) for r in rows], columns=COLUMNS)
    return KpiStore(df, Period.parse(period), catalogue())


SEPT = _store("2026-09", [
    ("cost_per_qualified_lead", "2026-09", "month", "channel=linkedin", 755.2575, "eur"),
    ("cost_per_qualified_lead", "2026-09/T3M", "t3m", "channel=linkedin", 739.5050847, "eur"),
    ("qualified_leads_web", "2026-09", "month", "", 92, "count"),
])
OCT = _store("2026-10", [
    ("cost_per_qualified_lead", "2026-10", "month", "channel=linkedin", 817.2021053, "eur"),
    ("cost_per_qualified_lead", "2026-10/T3M", "t3m", "channel=linkedin", 612.4, "eur"),
    ("qualified_leads_web", "2026-10", "month", "", 101, "count"),
])


def _records(*recs: Recommendation) -> list[dict]:
    return [{"kind": "section", "text": "Empfehlungen"}, Recommendations(list(recs)).record()]


LINKEDIN = Recommendation(action="LinkedIn-Budget um 20 % kürzen und in E-Mail umschichten; Wirkung nach 8 Wochen prüfen.",
                          owner="Marketing", evidence=f"LinkedIn: {fmt.money(739.5, 'de')} je qualifizierter Anfrage (+91 % ggü. Vorjahr).")
WEB = Recommendation(action="Maßnahmenplan für Ziel „Qualifizierte Website-Anfragen auf 100 pro Monat steigern“ vorlegen.",
                     owner="Marketing", evidence="Prognose 71 (Spanne 59–83) ggü. Ziel 100: nicht auf Kurs.")


def test_ids_follow_the_subject_not_the_position_or_the_numbers():
    a = decisions.from_records("kpi_dashboard", "2026-09", _records(LINKEDIN, WEB), "de", SEPT)
    b = decisions.from_records("kpi_dashboard", "2026-09", _records(WEB, LINKEDIN), "de", SEPT)
    assert [d.id for d in a] == ["kpi_dashboard.cost_per_qualified_lead.channel_linkedin", "kpi_dashboard.qualified_leads_web"]
    assert sorted(d.id for d in b) == sorted(d.id for d in a)
    # next month the amounts differ, the id stays
    other = Recommendation(action="LinkedIn-Budget um 30 % kürzen und in Webinare umschichten.", evidence="LinkedIn: 900 €")
    assert decisions.from_records("kpi_dashboard", "2026-10", _records(other), "de", OCT)[0].id == a[0].id
    # a key set by the memo wins; without KPI or key the words (no digits) make the id
    keyed = Recommendation(action="Auf die Preissenkung antworten", key="price_pressure")
    plain = Recommendation(action="Blinde Flecken in der Wettbewerbsbeobachtung schließen: 3 Wettbewerber")
    ids = [d.id for d in decisions.from_records("strategy_memo", "2026-Q3", _records(keyed, plain), "de")]
    assert ids == ["strategy_memo.price_pressure", "strategy_memo.blinde_flecken_der_wettbewerbsbeobachtung_schliessen"]


def test_the_quoted_window_is_found_by_its_value_and_figures_are_kept():
    d = decisions.from_records("kpi_dashboard", "2026-09", _records(LINKEDIN), "de", SEPT)[0]
    assert d.kpi["window"] == "2026-09/T3M" and d.kpi["segment"] == "channel=linkedin"  # "740 €" is the T3M value
    assert d.kpi["value"] == pytest.approx(739.5050847)
    fig = Fig("211", "qualified_leads", "2026-Q3", 211.0)
    rec = Recommendation(action="Anfragen steigern", evidence=Rich("Qualifizierte Anfragen ", fig))
    kept = decisions.from_records("strategy_memo", "2026-Q3", _records(rec), "de")[0]
    assert kept.id == "strategy_memo.qualified_leads" and kept.kpi["value"] == 211.0 and kept.kpi["window"] == "2026-Q3"


def test_status_file_is_created_for_the_analyst_and_keeps_what_they_entered(tmp_path):
    sept = tmp_path / "2026-09"
    sept.mkdir()
    fig = Fig("211", "qualified_leads", "2026-09", 211.0)
    # the runner reads the records back from the executed notebook (NotebookNodes, not dicts)
    as_read = [nbformat.from_dict(r) for r in _records(Recommendation(action="Anfragen steigern", evidence=Rich("", fig)))]
    assert decisions.record(tmp_path, "strategy_memo", "2026-09", as_read, "de")[0].kpi["value"] == 211.0
    decisions.record(sept, "kpi_dashboard", "2026-09", _records(LINKEDIN), "de", SEPT)
    status = decisions.ensure_status_file(sept)
    assert decisions.load_status(sept) == {"kpi_dashboard.cost_per_qualified_lead.channel_linkedin":
                                           {"status": "open", "comment": ""}}
    status.write_text(status.read_text().replace("status: open", "status: done").replace("comment: ''",
                                                                                        "comment: ab 1. Oktober"))
    decisions.record(sept, "kpi_dashboard", "2026-09", _records(LINKEDIN, WEB), "de", SEPT)  # a rerun with one more
    decisions.ensure_status_file(sept)
    assert decisions.load_status(sept) == {
        "kpi_dashboard.cost_per_qualified_lead.channel_linkedin": {"status": "done", "comment": "ab 1. Oktober"},
        "kpi_dashboard.qualified_leads_web": {"status": "open", "comment": ""}}
    status.write_text(status.read_text().replace("status: done", "status: erledigt"))  # the German word is understood
    assert decisions.load_status(sept)["kpi_dashboard.cost_per_qualified_lead.channel_linkedin"]["status"] == "done"
    status.write_text(status.read_text().replace("status: erledigt", "status: fertig"))
    with pytest.raises(DataError, match=r"decisions_status.yaml.*status 'fertig' is unknown; use one of open, done, dropped"):
        decisions.load_status(sept)


def test_october_lists_septembers_recommendations_with_status_and_measured_effect(tmp_path):
    sept = tmp_path / "2026-09"
    sept.mkdir()
    decisions.record(sept, "kpi_dashboard", "2026-09", _records(LINKEDIN, WEB), "de", SEPT)
    decisions.ensure_status_file(sept).write_text(
        "kpi_dashboard.cost_per_qualified_lead.channel_linkedin: {status: done, comment: ab Oktober −20 %}\n"
        "kpi_dashboard.qualified_leads_web: {status: dropped}\n")
    intro, items = decisions.review(tmp_path, Period.parse("2026-10"), "kpi_dashboard", OCT, "de", "EUR")
    assert intro.text() == "Was aus den Empfehlungen vom September 2026 wurde:"
    # by hand: T3M LinkedIn 739.51 € then, 612.40 € now: -17.2 %, an improvement for a cost
    lines = [x.replace("\xa0", " ") for x in items.items]  # fmt puts no-break spaces before units
    assert lines[0] == ("LinkedIn-Budget um 20 % kürzen und in E-Mail umschichten; Wirkung nach 8 Wochen prüfen"
                              " – umgesetzt (ab Oktober −20 %); Kosten je qualifizierter Anfrage, letzte 3 Monate (LinkedIn) 740 € → 612 €"
                              " (−17 % ggü. September 2026).")
    assert lines[1].startswith("Maßnahmenplan für Ziel „Qualifizierte Website-Anfragen")
    assert lines[1].endswith("– verworfen; Qualifizierte Website-Anfragen, Monat 92 → 101 (+10 % ggü. September 2026).")
    # another memo, or a month without a log before it: nothing to review
    assert decisions.review(tmp_path, Period.parse("2026-10"), "voice_of_customer", OCT, "de", "EUR") == []
    assert decisions.review(tmp_path, Period.parse("2026-11"), "kpi_dashboard", OCT, "de", "EUR") == []


@pytest.mark.slow
def test_running_september_then_october_lists_septembers_recommendations(tmp_path, sample_dir):
    """The acceptance of #11 with real kernels: the October KPI memo opens its recommendations with September's."""
    from cmo_workbook.delivery.runner import Runner, RunOptions

    from conftest import ROOT

    def run(period: str):
        opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=Period.parse(period),
                          reports_dir=tmp_path / "reports", history_dir=tmp_path / "history")
        return Runner(opts, say=lambda line: None).run("kpi_dashboard")

    assert run("2026-09").ok
    sept = tmp_path / "reports" / "2026-09"
    logged = decisions.load(sept)
    # September asks the channel shift of Q3 2026 (its last complete quarter) under the pack's one id
    assert "channel_shift.linkedin" in [d.id for d in logged]
    status = sept / decisions.STATUS_FILE
    # the shift is done (the fairs' bigger budget decision comes first in the log and stays open)
    text = status.read_text()
    assert "channel_budget.trade_fairs:\n  status: open" in text
    status.write_text(text.replace("channel_shift.linkedin:\n  status: open", "channel_shift.linkedin:\n  status: done"),
                      encoding="utf-8")
    october = run("2026-10")
    text = october.memo.with_suffix(".txt").read_text(encoding="utf-8").replace("\xa0", " ")
    review = text[text.index("Was aus den Empfehlungen vom September 2026 wurde:"):]
    oct_store = KpiStore(pd.read_csv(tmp_path / "reports" / "2026-10" / "kpis.csv", keep_default_na=False,
                                     na_values=[""]), Period.parse("2026-10"), catalogue())
    shift = next(d for d in logged if d.id == "channel_shift.linkedin")
    # the decision names Q3's cost per inquiry (still October's last complete quarter: no new value) and the one it
    # is measured by, the last 3 months: that one moves, 2026-09/T3M then → 2026-10/T3M now
    then = next(f["value"] for f in shift.figures if f["window"] == "2026-09/T3M")
    now = oct_store.value("cost_per_qualified_lead", "t3m", "channel=linkedin")
    # September's channel shift, done, with LinkedIn's cost per inquiry then and now (T3M, as quoted)
    assert f"umgesetzt; Kosten je qualifizierter Anfrage, letzte 3 Monate (LinkedIn) {fmt.money(then, 'de')} → {fmt.money(now, 'de')}" \
        .replace("\xa0", " ") in " ".join(review.split())
    assert review.index("Was aus den") < review.index("1. ")  # it opens the section, before October's own
