"""A goal's status, current value and forecast never contradict each other in a memo (issue 11, c11a).

The sample's cost-per-inquiry goal read "auf Kurs" beside 694 € (October) against a 450 € target: the goal
measures December, and only the seasonal forecast (December like last year) reaches it. The memo must say so.
"""
import numpy as np
import pandas as pd
import pytest

from cmo_workbook.memos import goals_block
from cmo_workbook.metrics.goals import evaluate

# cost per inquiry by month: Oct 700 €, Dec 350 € (the quiet December), the rest 500 €; every year 10 € cheaper
PATTERN = np.array([500.0] * 9 + [700.0, 500.0, 350.0])


def plain(text: object) -> str:
    """Memo text with its non-breaking spaces as plain ones (fmt keeps "340 €" together)."""
    return str(text).replace("\u00a0", " ").replace("\u202f", " ")


def cpl_series() -> pd.Series:
    y = np.concatenate([PATTERN, PATTERN - 10, (PATTERN - 20)[:10]])  # Jan 2024 .. Oct 2026
    return pd.Series(y, index=pd.period_range("2024-01", periods=len(y), freq="M"))


GOAL = {"id": "cpl", "title": "Kosten pro qualifizierter Anfrage bis Dezember unter 450 € senken",
        "metric": "cost_per_qualified_lead", "baseline": 480, "target": 450, "start": "2026-01-01",
        "deadline": "2026-12-31"}


def test_on_track_by_the_december_forecast_only_says_what_it_rests_on():
    st = evaluate(GOAL, cpl_series(), pd.Period("2026-10", "M"))
    # Oct 2026 = 700 − 20 = 680 €; seasonal Dec 2026 = Dec 2025 (350 − 10 = 340 €) + mean yearly change (−10) = 330 €
    assert st.actual == pytest.approx(680.0) and st.forecast == pytest.approx(330.0) and st.method == "seasonal"
    assert st.status == "on_track" and not st.actual_meets and st.rests_on_forecast
    assert st.last_year == pytest.approx(340.0)
    de = plain(goals_block.goal_status_text(st, "de", "EUR"))
    en = plain(goals_block.goal_status_text(st, "en", "EUR"))
    assert de == "auf Kurs nur, wenn der Dezember wie im Vorjahr ausfällt (Dez 2025: 340 €)"
    assert en.startswith("on track only if December turns out like last year (Dec 2025:") and "340" in en
    table = goals_block.goals_table([st], [GOAL], "de", "EUR", pd.Period("2026-10", "M"))
    actual, target, fc, status = (plain(c) for c in table.rows[0][1:])
    assert str(actual) == "680 €" and target == "450 €"
    assert fc == "330 € im Dez 2026 (330 €–330 €)"  # the forecast names the month it is for; no noise: no range
    assert status == de
    sentence = plain(goals_block.goal_sentence(st, "de", "EUR", GOAL["title"]))
    assert "Ist 680 €" in sentence and "330 €" in sentence and de in sentence


def test_plain_status_when_the_current_value_agrees():
    met = {**GOAL, "baseline": 800, "target": 700}  # Oct 680 € already ≤ 700 € (lower is better: target < baseline)
    st = evaluate(met, cpl_series(), pd.Period("2026-10", "M"))
    assert st.actual_meets and not st.rests_on_forecast
    assert goals_block.goal_status_text(st, "de", "EUR") == "auf Kurs"
    off = {**GOAL, "target": 300}  # Dec forecast 330 € > 300 €: not on track, nothing to qualify
    st = evaluate(off, cpl_series(), pd.Period("2026-10", "M"))
    assert st.status != "on_track" and goals_block.goal_status_text(st, "de", "EUR") != "auf Kurs"


def test_cumulative_goal_below_target_mid_year_is_plainly_on_track():
    s = pd.Series([2.0] * 10, index=pd.period_range("2026-01", periods=10, freq="M"))
    g = {"id": "p", "title": "Pipeline 24", "metric": "marketing_pipeline_value", "aggregation": "cumulative",
         "baseline": 0, "target": 24, "start": "2026-01-01", "deadline": "2026-12-31"}
    st = evaluate(g, s, pd.Period("2026-10", "M"))
    # 10 months × 2 = 20 so far, trend adds 2 × 2 = 4 -> 24: on track; a sum to date below the year's target is no contradiction
    assert st.actual == pytest.approx(20) and st.forecast == pytest.approx(24)
    assert st.status == "on_track" and not st.rests_on_forecast
    assert goals_block.goal_status_text(st, "de", "EUR") == "auf Kurs"


def test_owners_come_from_the_goal_and_the_stakeholder_matrix():
    from cmo_workbook.memos import stakeholders

    matrix = stakeholders.from_params([
        {"department": "Vertrieb", "department_en": "Sales", "head": "Vertriebsleitung", "kpis": ["sql", "qualified_leads"]},
        {"department": "Produktion & Logistik", "department_en": "Operations", "head": "Supply Chain", "kpis": ["Liefertreue"]}])
    # params goals[].owner in the memo language: the matrix's department names translate, other words stay
    assert stakeholders.owner_label("Marketing & Vertrieb", matrix, "en") == "Marketing & Sales"
    assert stakeholders.owner_label("Marketing & Vertrieb", matrix, "de") == "Marketing & Vertrieb"
    assert stakeholders.owner_label("Vertrieb und Controlling", matrix, "en") == "Sales & Controlling"
    assert stakeholders.owner_label("", matrix, "de") == ""
    # sales acceptance ("sql") is shared with the department whose KPIs list it
    assert stakeholders.joint_owner("sql", matrix, "en", "Marketing") == "Marketing & Sales"
    assert stakeholders.joint_owner("Liefertreue", matrix, "de", "Marketing") == "Marketing & Produktion & Logistik"
    assert stakeholders.joint_owner("clv", matrix, "de", "Marketing") == ""


def test_clv_without_a_ratio_still_explains_clv_for_the_jargon_check():
    from cmo_workbook.memos import kpi_dashboard
    from cmo_workbook.metrics import store
    from cmo_workbook.metrics.catalogue import catalogue
    from cmo_workbook.periods import Period
    from cmo_workbook.render import jargon

    nan = float("nan")
    rows = [["clv", "2026-10/END", "asof", "", 60_000.0, "eur", True, "", nan, "", nan, nan],
            ["cac", "2026-10/T12M", "t12m", "", nan, "eur", True, "", nan, "", nan, nan],
            ["clv_to_cac", "2026-10/T12M", "t12m", "", nan, "factor", True, "", nan, "", nan, nan]]
    st = store.KpiStore(pd.DataFrame(rows, columns=list(store.COLUMNS)), Period.parse("2026-10"), catalogue())
    for lang in ("de", "en"):
        text = str(kpi_dashboard.clv_paragraph(st, lang, "EUR", 3))
        assert ("noch kein Verhältnis" if lang == "de" else "no ratio yet") in text
        assert jargon.check_text(text, lang) == [], text  # CLV and CAC explained in the same sentence
