"""Edges of metrics/funnel.py found by mutation testing, each with a hand-derived value: the cohort table's
errors and its months observed, a deal created on the report day, the competing-risks curve's columns and
input check, the Kaplan-Meier quantile, an all-open pipeline and the contribution flags' own index."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.errors import DataError
from cmo_workbook.metrics import funnel


def _leads(dates):
    return pd.DataFrame({"lead_id": [f"L{i}" for i in range(len(dates))], "created_date": pd.to_datetime(dates)})


def test_cohort_funnel_errors_name_the_argument_table_and_column():
    with pytest.raises(ValueError) as e:
        funnel.cohort_funnel(_leads(["2026-07-01"]), by="W")
    assert str(e.value) == "by 'W' is not 'Q' (quarter) or 'M' (month)"
    with pytest.raises(DataError) as e:
        funnel.cohort_funnel(pd.DataFrame({"lead_id": ["L1"]}))
    assert str(e.value).startswith("leads: lacks column(s) 'created_date'; has: lead_id")
    with pytest.raises(DataError) as e:
        funnel.cohort_funnel(pd.DataFrame({"lead_id": ["L1"], "created_date": [None]}))
    assert str(e.value).startswith('leads, column "created_date"') and "has no created_date at all" in str(e.value)


def test_cohorts_are_quarters_by_default_and_months_observed_count_from_the_day_after_the_cohort():
    leads = _leads(["2026-07-01", "2026-08-15", "2026-09-30"])
    # 2026-Q3 ends on 30 Sep: observed 0 days on that day, 3 days (0.1 months of 30.44 days) on 3 Oct
    on_end = funnel.cohort_funnel(leads, as_of="2026-09-30")
    assert on_end.index.tolist() == ["2026Q3"] and on_end["leads"].tolist() == [3]
    assert on_end["months_observed"].tolist() == [0.0]
    assert funnel.cohort_funnel(leads, as_of="2026-10-03")["months_observed"].tolist() == [0.1]
    assert funnel.cohort_funnel(leads, as_of="2026-12-31")["months_observed"].tolist() == [3.0]


def test_a_deal_created_on_the_report_day_is_zero_days_old():
    deals = pd.DataFrame({"status": ["open", "open"], "stage": ["Angebot", "Angebot"], "amount": [1000.0, 500.0],
                          "created_date": pd.to_datetime(["2026-10-31", "2026-10-01"])})
    table = funnel.pipeline_by_stage(deals, "2026-10-31")
    row = table.loc["Angebot"]
    assert (row["deals"], row["value"], row["avg_age_days"]) == (2, 1500.0, 15.0)
    assert (row["age_0-30"], row["age_31-90"], row["age_91-180"], row["age_181+"]) == (2, 0, 0, 0)


def test_competing_risks_curve_columns_and_input_check():
    curve = funnel.aalen_johansen([10, 10, 20, 30], [1, 2, 0, 1])
    assert list(curve.columns) == ["time", "at_risk", "won", "lost", "survival", "cif_won", "cif_lost"]
    # t=10: 4 at risk, one won, one lost; t=30: one at risk, won
    assert curve["lost"].tolist() == [1, 0] and curve["cif_lost"].tolist() == [0.25, 0.25]
    assert curve["cif_won"].tolist() == [0.25, 0.75]
    for bad in ([float("nan"), 1.0], [float("inf"), 1.0], [-1.0, 1.0]):
        with pytest.raises(ValueError, match=r"^durations must be finite and >= 0 \(check created/close dates\)$"):
            funnel.aalen_johansen(bad, [1, 1])


def test_kaplan_meier_quantile_is_the_first_time_at_or_below_the_share():
    curve = funnel.kaplan_meier([1, 2, 3, 4], [True, True, True, True])  # S = 0.75, 0.5, 0.25, 0
    assert funnel._km_quantile(curve, 0.5) == 2.0 and funnel._km_quantile(curve, 0.9) == 4.0
    assert math.isnan(funnel._km_quantile(funnel.kaplan_meier([1, 2], [False, False]), 0.5))


def test_a_pipeline_that_is_all_open_has_no_shares_yet():
    deals = pd.DataFrame({"status": ["open", "open"], "created_date": pd.to_datetime(["2026-09-01", "2026-10-01"]),
                          "close_date": pd.to_datetime([None, None])})
    got = funnel.cycle_length(deals, as_of="2026-10-31")
    assert (got["n_won"], got["n_lost"], got["n_open"]) == (0, 0, 2)
    assert all(math.isnan(got[k]) for k in ("win_share", "loss_share", "open_share", "median_days"))


def test_contribution_flags_are_numbered_afresh_in_input_order():
    deals = pd.DataFrame({"deal_id": ["D1", "D2"], "created_date": pd.to_datetime(["2026-10-01", "2026-10-02"]),
                          "status": ["won", "open"], "amount": [100.0, 200.0], "lead_id": ["L1", "L2"],
                          "channel": ["web", "outbound"]}, index=[7, 3])
    touches = pd.DataFrame({"lead_id": ["L2"], "timestamp": pd.to_datetime(["2026-10-02 18:00"]), "channel": ["web"]})
    got = funnel.classify_marketing_contribution(deals, touches, marketing_channels=["web"])
    assert list(got.columns) == ["deal_id", "status", "amount", "channel", "sourced", "influenced"]
    assert list(got.index) == [0, 1]
    assert got["sourced"].tolist() == [True, False] and got["influenced"].tolist() == [False, True]
