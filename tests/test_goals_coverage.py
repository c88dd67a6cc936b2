"""Goal forecasts rest only on months the metric's input tables cover (issue #10, a new user's HubSpot company:
contacts from Aug 2026, deals from Apr 2026), and too few months give no forecast and no status."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.memos import goals_block
from cmo_workbook.metrics import goals
from cmo_workbook.metrics.monthly import monthly

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "new_user_hubspot" / "params.yaml"
OCT = pd.Period("2026-10", "M")


def series(values, start):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def goal(**kw):
    g = {"id": "g", "title": "Anfragen", "metric": "qualified_leads", "baseline": 10, "target": 25,
         "start": "2026-08-01", "deadline": "2026-12-31"}
    g.update(kw)
    return g


def test_months_before_the_first_export_are_left_out_of_the_trend():
    s = series([0, 0, 0, 2, 4, 6, 8], "2026-04")  # Apr..Jun are "no contacts export yet"
    st = goals.evaluate(goal(), s, OCT, covered_from=pd.Period("2026-07", "M"))
    # Jul..Oct 2, 4, 6, 8: an exact line +2/month, December (2 months on) = 12, no range
    assert st.months_used == 4 and st.method == "trend"
    assert (st.forecast, st.low, st.high) == (pytest.approx(12.0), pytest.approx(12.0), pytest.approx(12.0))
    whole = goals.evaluate(goal(), s, OCT)  # without the coverage the zeros bend the line and add a range
    assert whole.months_used == 7 and whole.low < whole.forecast < whole.high


def test_three_months_give_no_forecast_and_no_status():
    s = series([0, 2, 4, 19], "2026-07")  # Aug 2, Sep 4, Oct 19: a line through them says "34 (0–73)"
    st = goals.evaluate(goal(), s, OCT, covered_from=pd.Period("2026-08", "M"))
    assert st.status == "no_forecast" and st.months_used == 3 and st.forecast != st.forecast
    table = goals_block.goals_table([st], [goal()], "de", "EUR", OCT)
    assert table.rows[0][3] == "zu wenige Monate für eine Prognose" and table.rows[0][4] == "–"
    assert "zu wenige Monate" in goals_block.goal_sentence(st, "de", "EUR")


def test_a_cost_per_inquiry_forecast_at_or_below_zero_is_no_forecast():
    # 2700, 2000, 1300, 600 €: -700 €/month, December (2 months on) = 600 - 1400 = -800 € -> no forecast, no "auf Kurs"
    s = series([2700, 2000, 1300, 600], "2026-07")
    st = goals.evaluate(goal(metric="cost_per_qualified_lead", baseline=1200, target=700), s, OCT)
    assert st.status == "no_forecast"


def test_new_user_company_goals_rest_on_covered_months():
    ds = load_dataset(load_params(FIXTURE), today=date(2026, 11, 20))
    m = monthly(ds)
    # contacts begin 04.08.2026 (leads), deals 20.04.2026, Google Ads 01.08.2026
    assert m.attrs["covered_from"]["qualified_leads"] == pd.Period("2026-08", "M")
    assert m.attrs["covered_from"]["marketing_pipeline_value"] == pd.Period("2026-04", "M")
    by_id = {s.goal_id: s for s in goals.evaluate_all(ds.params.goals, m, OCT)}
    # qualified inquiries Aug 2, Sep 4, Oct 19 (13 contacts + 6 fair leads with an MQL date, marketing channels)
    assert list(m.loc["2026-08":"2026-10", "qualified_leads"]) == [2, 4, 19]
    # 3 months (Aug..Oct) are below goals.MIN_FORECAST_MONTHS: no "16 (5–26) gefährdet" from April–July zeros
    assert by_id["mql"].months_used == 3 and by_id["mql"].status == "no_forecast"
    assert by_id["cpl"].months_used == 3 and by_id["cpl"].status == "no_forecast"
    assert by_id["pipeline"].months_used == 7 and by_id["pipeline"].method == "trend"  # deals: Apr..Oct
    note = goals_block.method_note(list(by_id.values()), "de")
    assert note.startswith("Prognose: Trendlinie über die letzten 7 Monate, die die Exporte der Kennzahl abdecken")


def test_on_track_by_a_short_trend_says_how_many_months():
    s = series([14, 17, 20, 23], "2026-07")  # +3/month: December 29 >= 25, October's 23 still misses
    st = goals.evaluate(goal(), s, OCT)
    assert st.rests_on_forecast and st.months_used == 4 and st.forecast == pytest.approx(29.0)
    assert goals_block.goal_status_text(st, "de", "EUR") == "auf Kurs nur, wenn der Trend der letzten 4 Monate bis Dezember anhält"
