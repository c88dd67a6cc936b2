"""Boundary tests of the money formulas in metrics/funnel.py: CPL, CAC, CLV:CAC, payback, win rate,
coverage and sales velocity, with expectations derived by hand (exact threshold, empty window,
one deal / one month of data).
"""
import math

import pandas as pd
import pytest

from cmo_workbook.errors import DataError
from cmo_workbook.metrics import funnel
from cmo_workbook.periods import Period


def _deals(rows):
    df = pd.DataFrame(rows, columns=["deal_id", "status", "created_date", "close_date", "amount", "channel"])
    df["created_date"] = pd.to_datetime(df["created_date"])
    df["close_date"] = pd.to_datetime(df["close_date"])
    return df


# ----------------------------------------------------------------- unit economics

def test_cost_per_lead_and_cac_at_zero():
    assert funnel.cost_per_qualified_lead(0, 10) == 0.0
    assert funnel.cost_per_qualified_lead(1_000, 1) == 1_000.0
    assert math.isnan(funnel.cost_per_qualified_lead(1_000, 0))
    assert funnel.cac(9_000, 3) == 3_000.0
    assert funnel.cac(0, 0) != funnel.cac(0, 0)  # NaN, not 0 and not an error
    with pytest.raises(ValueError, match=r"new_customers -1 is negative; expected an amount or count >= 0"):
        funnel.cac(1_000, -1)
    with pytest.raises(ValueError, match=r"qualified_leads -2 is negative"):
        funnel.cost_per_qualified_lead(1_000, -2)


def test_clv_to_cac_and_payback_edges():
    assert funnel.clv_to_cac(15_000, 5_000) == 3.0
    assert math.isnan(funnel.clv_to_cac(15_000, 0))
    assert funnel.payback_months(6_000, 500) == 12.0
    assert math.isnan(funnel.payback_months(6_000, 0))
    assert math.isnan(funnel.payback_months(6_000, -100))
    e = funnel.unit_economics(marketing_cost=12_000, qualified_leads=0, new_customers=0, clv=1, monthly_gross_margin_per_customer=1)
    assert all(math.isnan(v) for v in e.values())


# ----------------------------------------------------------------- coverage

def test_coverage_exactly_three_and_edges():
    assert funnel.coverage(300_000, 100_000) == 3.0
    assert funnel.coverage(0, 100_000) == 0.0
    assert funnel.coverage(1, 0) == math.inf
    assert funnel.coverage(1, -5) == math.inf
    with pytest.raises(ValueError, match=r"open_pipeline_value -1 is negative; expected a sum of open deal amounts"):
        funnel.coverage(-1, 100)


# ----------------------------------------------------------------- win rate

DEALS = [
    ("W1", "won", "2026-06-01", "2026-07-01", 10_000.0, "events"),      # first day of Q3
    ("L1", "lost", "2026-06-01", "2026-09-30", 30_000.0, "events"),     # last day of Q3
    ("W2", "won", "2026-06-01", "2026-10-01", 50_000.0, "paid_search"),  # first day of Q4
    ("L2", "lost", "2026-05-01", "2026-06-30", 5_000.0, "paid_search"),  # last day of Q2
    ("O1", "open", "2026-08-01", None, 99_000.0, "events"),
]


def test_win_rate_in_a_quarter_counts_its_first_and_last_day():
    r = funnel.win_rates(_deals(DEALS), period="2026-Q3")
    assert (r["won"], r["lost"], r["won_value"], r["lost_value"]) == (1, 1, 10_000.0, 30_000.0)
    assert r["win_rate_count"] == 0.5
    assert r["win_rate_value"] == 0.25
    assert funnel.win_rates(_deals(DEALS), period=Period.parse("2026-10"))["win_rate_count"] == 1.0
    pair = funnel.win_rates(_deals(DEALS), period=("2026-06-30", "2026-07-02"))
    assert (pair["won"], pair["lost"]) == (1, 1)


def test_win_rate_of_all_closed_deals_and_empty_window():
    r = funnel.win_rates(_deals(DEALS))
    assert (r["won"], r["lost"]) == (2, 2)
    assert r["win_rate_value"] == pytest.approx(60_000 / 95_000)
    empty = funnel.win_rates(_deals(DEALS), period="2025-Q1")
    assert (empty["won"], empty["lost"], empty["won_value"]) == (0, 0, 0.0)
    assert math.isnan(empty["win_rate_count"]) and math.isnan(empty["win_rate_value"])


def test_win_rate_by_channel():
    df = funnel.win_rates(_deals(DEALS), by="channel")
    assert df.index.name == "channel" and list(df.index) == ["events", "paid_search"]
    assert df.loc["events", "win_rate_count"] == 0.5 and df.loc["paid_search", "win_rate_value"] == pytest.approx(50 / 55)
    with pytest.raises(ValueError, match=r"period 42 is not a Period, 'YYYY-MM' / 'YYYY-QN' string or \(start, end_exclusive\) pair"):
        funnel.win_rates(_deals(DEALS), period=42)
    with pytest.raises(DataError, match=r"lacks column\(s\) 'amount'"):
        funnel.win_rates(_deals(DEALS).drop(columns="amount"))


# ----------------------------------------------------------------- velocity

def test_sales_velocity_bounds():
    assert funnel.sales_velocity(10, 1_000, 1.0, 1) == 10_000
    assert funnel.sales_velocity(10, 1_000, 0.0, 5) == 0
    for bad in (-0.01, 1.01):
        with pytest.raises(ValueError, match=rf"win_rate {bad!r} is not a share between 0 and 1"):
            funnel.sales_velocity(10, 1_000, bad, 5)
    with pytest.raises(ValueError, match=r"avg_cycle_days 0 must be > 0 \(mean days from created to won\)"):
        funnel.sales_velocity(10, 1_000, 0.5, 0)


def test_velocity_lookback_window_is_open_at_start_closed_at_as_of():
    deals = _deals([
        ("O1", "open", "2026-10-31", None, 1.0, "x"),          # created on as_of: in the pipeline
        ("O2", "open", "2026-11-01", None, 1.0, "x"),          # created after as_of: not yet
        ("W1", "won", "2026-10-01", "2026-10-31", 3_000.0, "x"),  # closed on as_of: 30 days
        ("W2", "won", "2025-10-01", "2025-10-31", 9_000.0, "x"),  # exactly 365 days before: outside
        ("L1", "lost", "2025-10-20", "2025-11-01", 1.0, "x"),   # 364 days before: inside
    ])
    # 1 open × 3 000 × win rate 1/2 ÷ 30 days = 50 per day
    assert funnel.velocity(deals, as_of="2026-10-31") == pytest.approx(50.0)
    # as_of defaults to the latest created or close date (2026-11-01): O2 is open too, and the lookback
    # now starts after 2025-11-01, so L1 drops out: 2 open × 3 000 × win rate 1/1 ÷ 30 days
    assert funnel.velocity(deals) == pytest.approx(2 * 3_000 * 1.0 / 30)


def test_velocity_without_a_win_and_with_same_day_wins():
    lost_only = _deals([("O1", "open", "2026-10-01", None, 1.0, "x"), ("L1", "lost", "2026-09-01", "2026-10-01", 1.0, "x")])
    assert math.isnan(funnel.velocity(lost_only, as_of="2026-10-31"))
    same_day = _deals([("O1", "open", "2026-10-01", None, 1.0, "x"), ("W1", "won", "2026-10-05", "2026-10-05", 500.0, "x")])
    # a deal won the day it was created counts as a 1-day cycle, not 0
    assert funnel.velocity(same_day, as_of="2026-10-31") == pytest.approx(1 * 500 * 1.0 / 1)


# ----------------------------------------------------------------- tables around the formulas

def test_kaplan_meier_by_hand():
    # durations 1, 2, 2 (one censored), 3: at t=1 4 at risk, 1 event; t=2 3 at risk, 1 event; t=3 1 at risk
    km = funnel.kaplan_meier([1, 2, 2, 3], [True, True, False, True])
    assert list(km.columns) == ["time", "at_risk", "events", "survival"]
    assert km[["time", "at_risk", "events"]].values.tolist() == [[1, 4, 1], [2, 3, 1], [3, 1, 1]]
    assert km["survival"].tolist() == pytest.approx([3 / 4, 3 / 4 * 2 / 3, 0.0])
    assert km["at_risk"].dtype.kind == "i"
    with pytest.raises(ValueError, match=r"durations and events differ in length \(2 vs 1\)"):
        funnel.kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError, match=r"durations must be finite and >= 0 \(check created/close dates\)"):
        funnel.kaplan_meier([-1], [True])


def test_missing_columns_are_named_with_the_fix():
    df = _deals(DEALS).drop(columns=["amount", "close_date"])
    with pytest.raises(DataError) as e:
        funnel.win_rates(df)
    text = str(e.value)
    assert text.startswith("deals")
    assert "lacks column(s) 'amount', 'close_date'; has: deal_id, status, created_date, channel" in text
    assert "map the CRM export's headers to the canonical names (see schema.py)" in text


def test_a_step_dated_on_the_as_of_day_counts():
    leads = pd.DataFrame({"lead_id": ["A", "B"], "created_date": pd.to_datetime(["2026-01-05", "2026-01-06"]),
                          "mql_date": pd.to_datetime(["2026-03-31", "2026-04-01"])})
    t = funnel.cohort_funnel(leads, by="M", as_of="2026-03-31")
    assert t.loc["2026-01", "leads"] == 2 and t.loc["2026-01", "mql"] == 1
    assert t.columns[0] == "leads"
    # a cohort still running at as_of has been observed 0 months, never a negative time
    running = funnel.cohort_funnel(leads, by="Q", as_of="2026-02-15")
    assert running.loc["2026Q1", "months_observed"] == 0.0
