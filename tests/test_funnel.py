"""Funnel and pipeline analytics on small hand-made tables with hand-derived expectations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.metrics import funnel
from cmo_workbook.errors import DataError

D = pd.Timestamp


def _deals(rows: list[tuple]) -> pd.DataFrame:
    cols = ["deal_id", "status", "created_date", "close_date", "amount", "stage", "channel"]
    df = pd.DataFrame(rows, columns=cols)
    df["created_date"] = pd.to_datetime(df["created_date"])
    df["close_date"] = pd.to_datetime(df["close_date"])
    return df


# --------------------------------------------------------------------------- funnel

@pytest.fixture
def leads() -> pd.DataFrame:
    nat = None
    rows = [
        # lead, created, channel, mql, sql, opportunity, customer
        ("L1", "2026-01-05", "linkedin", "2026-01-10", "2026-01-20", "2026-02-01", "2026-03-01"),
        ("L2", "2026-01-06", "linkedin", "2026-01-11", nat, nat, nat),
        ("L3", "2026-01-07", "email", nat, "2026-01-15", nat, nat),  # skipped MQL: counts as MQL
        ("L4", "2026-01-31", "email", nat, nat, nat, nat),
        ("L5", "2026-02-02", "linkedin", "2026-02-05", nat, nat, nat),
        ("L6", "2026-02-20", "email", "2026-02-21", "2026-03-01", "2026-03-10", "2026-04-15"),  # won after as_of
        ("L7", "2026-04-02", "email", nat, nat, nat, nat),  # created after as_of
    ]
    df = pd.DataFrame(rows, columns=["lead_id", "created_date", "channel", "mql_date", "sql_date",
                                     "opportunity_date", "customer_date"])
    for col in df.columns[[1, 3, 4, 5, 6]]:
        df[col] = pd.to_datetime(df[col])
    return df


def test_cohort_funnel_monthly_counts_rates_and_maturity(leads):
    table = funnel.cohort_funnel(leads, by="M", as_of="2026-03-31")
    assert table.index.tolist() == ["2026-01", "2026-02"]
    assert table[["leads", "mql", "sql", "opportunity", "won"]].values.tolist() == [
        [4, 3, 2, 1, 1],
        [2, 2, 1, 1, 0],  # L6's customer date lies after as_of
    ]
    jan = table.loc["2026-01"]
    assert (jan["lead_to_mql"], jan["mql_to_sql"], jan["sql_to_opportunity"], jan["opportunity_to_won"],
            jan["lead_to_won"]) == pytest.approx((3 / 4, 2 / 3, 1 / 2, 1.0, 1 / 4))
    # from the cohort's end (Feb 1 / Mar 1) to the end of as_of (Apr 1): 59 and 31 days of 30.44
    assert table["months_observed"].tolist() == [1.9, 1.0]


def test_cohort_funnel_quarter_and_channel_filter(leads):
    table = funnel.cohort_funnel(leads, by="Q", channel="linkedin", as_of="2026-03-31")
    assert table.index.tolist() == ["2026Q1"]
    assert table.loc["2026Q1", ["leads", "mql", "sql", "opportunity", "won"]].tolist() == [3, 3, 1, 1, 1]
    assert table.loc["2026Q1", "months_observed"] == 0.0  # the quarter has just ended
    empty_step = funnel.cohort_funnel(leads, by="M", channel=["email"], as_of="2026-01-31")
    # January email leads: L3 (SQL only) and L4 -> no opportunity, so opportunity_to_won is 0/0
    assert empty_step.loc["2026-01", ["leads", "mql", "sql", "opportunity"]].tolist() == [2, 1, 1, 0]
    assert math.isnan(empty_step.loc["2026-01", "opportunity_to_won"])


# --------------------------------------------------------------------------- win rates

@pytest.fixture
def closed_deals() -> pd.DataFrame:
    return _deals([
        ("D1", "won", "2026-05-01", "2026-07-10", 100.0, "Closed Won", "linkedin"),
        ("D2", "won", "2026-05-01", "2026-08-01", 300.0, "Closed Won", "email"),
        ("D3", "lost", "2026-05-01", "2026-09-30", 600.0, "Closed Lost", "linkedin"),
        ("D4", "lost", "2026-05-01", "2026-10-02", 400.0, "Closed Lost", "email"),   # after Q3
        ("D5", "open", "2026-05-01", None, 1000.0, "Contract Sent", "email"),       # undecided
        ("D6", "won", "2026-05-01", "2026-06-30", 50.0, "Closed Won", "linkedin"),  # before Q3
    ])


def test_win_rates_by_count_and_value_in_period(closed_deals):
    q3 = funnel.win_rates(closed_deals, period="2026-Q3")
    assert (q3["won"], q3["lost"], q3["won_value"], q3["lost_value"]) == (2, 1, 400.0, 600.0)
    assert q3["win_rate_count"] == pytest.approx(2 / 3)
    assert q3["win_rate_value"] == pytest.approx(400 / 1000)
    everything = funnel.win_rates(closed_deals)
    assert everything["win_rate_count"] == pytest.approx(3 / 5)
    assert everything["win_rate_value"] == pytest.approx(450 / 1450)
    same = funnel.win_rates(closed_deals, period=(D("2026-07-01"), D("2026-10-01")))
    assert same == q3


def test_win_rates_by_channel(closed_deals):
    table = funnel.win_rates(closed_deals, period="2026-Q3", by="channel")
    assert table.loc["linkedin", "win_rate_count"] == pytest.approx(1 / 2)
    assert table.loc["linkedin", "win_rate_value"] == pytest.approx(100 / 700)
    assert table.loc["email", "win_rate_count"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- cycle length

def _cycle_fixture() -> pd.DataFrame:
    return _deals([
        ("W10", "won", "2026-01-01", "2026-01-11", 1.0, "Closed Won", "x"),   # won at 10
        ("W20", "won", "2026-01-01", "2026-01-21", 1.0, "Closed Won", "x"),   # won at 20
        ("L15", "lost", "2026-01-01", "2026-01-16", 1.0, "Closed Lost", "x"),  # lost at 15
        ("O30", "open", "2026-01-20", None, 1.0, "Qualified", "x"),          # open: censored at 30 (as_of)
        ("W40", "won", "2026-01-01", "2026-02-10", 1.0, "Closed Won", "x"),   # won at 40
        ("L5", "lost", "2026-01-01", "2026-01-06", 1.0, "Closed Lost", "x"),   # lost at 5
    ])


def test_cycle_length_treats_lost_deals_as_a_competing_outcome():
    result = funnel.cycle_length(_cycle_fixture(), as_of="2026-02-19")
    # sorted: 5L 10W 15L 20W 30c 40W; S(t-) before each outcome and the increments d/n:
    # t=5 : n=6, S-=1,      lost 1/6            -> CIF_lost 1/6,  S 5/6
    # t=10: n=5, S-=5/6,    won  5/6*1/5 = 1/6  -> CIF_won 1/6,   S 4/6
    # t=15: n=4, S-=4/6,    lost 4/6*1/4 = 1/6  -> CIF_lost 2/6,  S 3/6
    # t=20: n=3, S-=3/6,    won  3/6*1/3 = 1/6  -> CIF_won 2/6,   S 2/6
    # t=40: n=1 (the open deal left at 30, S unchanged), S-=2/6, won 2/6 -> CIF_won 4/6, S 0
    curve = result["curve"]
    assert curve["time"].tolist() == [5.0, 10.0, 15.0, 20.0, 40.0]
    assert curve["at_risk"].tolist() == [6, 5, 4, 3, 1]
    assert curve["cif_won"].tolist() == pytest.approx([0, 1 / 6, 1 / 6, 2 / 6, 4 / 6])
    assert curve["cif_lost"].tolist() == pytest.approx([1 / 6, 1 / 6, 2 / 6, 2 / 6, 2 / 6])
    assert (curve["cif_won"] + curve["cif_lost"] + curve["survival"]).tolist() == pytest.approx([1.0] * 5)
    assert result["win_share"] == pytest.approx(2 / 3) and result["loss_share"] == pytest.approx(1 / 3)
    # among the eventual wins (CIF_won ends at 4/6): 25 % = 1/6 reached at 10, 50 % = 2/6 at 20, 75 % = 3/6 at 40
    assert (result["q25_days"], result["median_days"], result["q75_days"]) == (10.0, 20.0, 40.0)
    assert math.isnan(result["late_win_share"])  # nothing is open at 40
    # treating losses as censored (Kaplan-Meier on wins) says every deal wins: S ends at 0
    assert result["km_win_share"] == pytest.approx(1.0)
    assert result["median_closed_won_days"] == 20.0  # plain median of 10, 20, 40
    assert (result["n_won"], result["n_lost"], result["n_open"]) == (3, 2, 1)


def test_cycle_length_censors_deals_won_after_as_of():
    deals = _deals([
        ("W10", "won", "2026-01-01", "2026-01-11", 1.0, "Closed Won", "x"),
        ("L20", "lost", "2026-01-01", "2026-01-21", 1.0, "Closed Lost", "x"),
        ("W99", "won", "2026-01-01", "2026-04-10", 1.0, "Closed Won", "x"),  # open at as_of: censored at 30
    ])
    result = funnel.cycle_length(deals, as_of="2026-01-31")
    # t=10: n=3 won 1/3; t=20: n=2, S- = 2/3, lost 1/3; one deal still open (1/3)
    assert result["win_share"] == pytest.approx(1 / 3) and result["open_share"] == pytest.approx(1 / 3)
    assert result["median_days"] == 10.0
    # still open at q75 = 10: 2/3 of the deals; none of them wins later (one lost, one open)
    assert result["late_win_share"] == 0.0
    assert (result["n_won"], result["n_lost"], result["n_open"]) == (1, 1, 1)


def test_cycle_length_without_wins_has_no_quantiles():
    deals = _deals([("L5", "lost", "2026-01-01", "2026-01-06", 1.0, "Closed Lost", "x")])
    result = funnel.cycle_length(deals)
    assert result["win_share"] == 0 and math.isnan(result["median_days"])


def _lifelines_frame(seed: int, n: int = 60, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 200, n).astype(float) if ties else rng.permutation(np.arange(1, n + 1) * 3.0)
    return t, rng.choice([0, 1, 2], size=n, p=[0.2, 0.5, 0.3])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_aalen_johansen_matches_lifelines(seed):
    lifelines = pytest.importorskip("lifelines")
    t, k = _lifelines_frame(seed)  # distinct times: lifelines need not jitter ties
    ours = funnel.aalen_johansen(t, k).set_index("time")
    for outcome, col in ((1, "cif_won"), (2, "cif_lost")):
        ajf = lifelines.AalenJohansenFitter(calculate_variance=False).fit(t, k, event_of_interest=outcome)
        ref = ajf.cumulative_density_.iloc[:, 0]
        ref = ref[ref.index > 0]
        assert ours[col].reindex(ref.index, method="ffill").fillna(0.0).to_numpy() == pytest.approx(ref.to_numpy(), abs=1e-12)


@pytest.mark.parametrize("seed", [4, 5])
def test_kaplan_meier_matches_lifelines_with_ties(seed):
    lifelines = pytest.importorskip("lifelines")
    t, k = _lifelines_frame(seed, n=120, ties=True)
    won = k == 1
    ours = funnel.kaplan_meier(t, won).set_index("time")["survival"]
    ref = lifelines.KaplanMeierFitter().fit(t, won).survival_function_.iloc[:, 0]
    assert ref.reindex(ours.index).to_numpy() == pytest.approx(ours.to_numpy(), abs=1e-12)


def test_cycle_length_names_a_close_date_before_creation():
    deals = _deals([("BAD", "won", "2026-02-01", "2026-01-01", 1.0, "Closed Won", "x")])
    with pytest.raises(DataError, match=r'column "close_date": "2026-01-01" is before the deal.s created_date'):
        funnel.cycle_length(deals)


# --------------------------------------------------------------------------- pipeline

def test_pipeline_by_stage_ageing_buckets():
    as_of = "2026-10-31"
    deals = _deals([
        ("A", "open", "2026-10-21", None, 100.0, "Qualified", "x"),      # age 10
        ("B", "open", "2026-10-01", None, 200.0, "Qualified", "x"),      # age 30 (bucket 0-30)
        ("C", "open", "2026-09-30", None, 300.0, "Qualified", "x"),      # age 31
        ("E", "open", "2026-08-02", None, 1000.0, "Contract Sent", "x"),  # age 90
        ("F", "open", "2026-04-14", None, 2000.0, "Contract Sent", "x"),  # age 200
        ("G", "won", "2026-10-01", "2026-10-20", 9999.0, "Closed Won", "x"),
        ("H", "open", "2026-11-05", None, 9999.0, "Qualified", "x"),     # created after as_of
        ("I", "open", "2026-06-01", None, 50.0, "Negotiation", "x"),     # age 152, stage not in order
    ])
    table = funnel.pipeline_by_stage(deals, as_of, stage_order=["Appointment", "Qualified", "Contract Sent"])
    assert table.index.tolist() == ["Appointment", "Qualified", "Contract Sent", "Negotiation"]
    assert table.columns.tolist() == ["deals", "value", "avg_age_days",
                                      "age_0-30", "age_31-90", "age_91-180", "age_181+"]
    assert table["deals"].tolist() == [0, 3, 2, 1]
    assert table["value"].tolist() == [0.0, 600.0, 3000.0, 50.0]
    assert table.loc["Qualified", "avg_age_days"] == pytest.approx((10 + 30 + 31) / 3)
    assert table[["age_0-30", "age_31-90", "age_91-180", "age_181+"]].values.tolist() == [
        [0, 0, 0, 0], [2, 1, 0, 0], [0, 1, 0, 1], [0, 0, 1, 0]]


def test_coverage():
    assert funnel.coverage(300_000, 100_000) == 3.0
    assert funnel.coverage(50_000, 0) == math.inf


# --------------------------------------------------------------------------- velocity

def test_sales_velocity_formula():
    # 20 opportunities × 10 000 € × 25 % ÷ 50 days = 1 000 € per day
    assert funnel.sales_velocity(20, 10_000, 0.25, 50) == pytest.approx(1000.0)
    assert funnel.sales_velocity(20, 10_000, 0.25, 50, funnel.DAYS_PER_MONTH) == pytest.approx(30_437.5)


def test_velocity_from_deals():
    deals = _deals([
        ("O1", "open", "2026-09-01", None, 5.0, "Qualified", "x"),
        ("O2", "open", "2026-09-01", None, 5.0, "Qualified", "x"),
        ("O3", "open", "2026-09-01", None, 5.0, "Qualified", "x"),
        ("O4", "open", "2026-09-01", None, 5.0, "Qualified", "x"),
        ("W1", "won", "2026-06-01", "2026-06-11", 1000.0, "Closed Won", "x"),  # 10 days
        ("W2", "won", "2026-06-01", "2026-07-01", 3000.0, "Closed Won", "x"),  # 30 days
        ("L1", "lost", "2026-06-01", "2026-08-01", 7000.0, "Closed Lost", "x"),
        ("OLD", "won", "2024-01-01", "2024-02-01", 1e6, "Closed Won", "x"),    # outside lookback
    ])
    # 4 open × avg won 2000 × win rate 2/3 ÷ avg cycle 20 days
    per_day = funnel.velocity(deals, as_of="2026-10-31")
    assert per_day == pytest.approx(4 * 2000 * (2 / 3) / 20)
    assert funnel.velocity(deals, funnel.DAYS_PER_MONTH, as_of="2026-10-31") == pytest.approx(
        per_day * 365.25 / 12)


# --------------------------------------------------------------------------- sourced vs influenced

def test_sourced_vs_influenced():
    deals = pd.DataFrame({
        "deal_id": ["D1", "D2", "D3", "D4", "D5"],
        "created_date": pd.to_datetime(["2026-05-10"] * 5),
        "status": ["open", "won", "won", "lost", "open"],
        "amount": [100.0, 200.0, 400.0, 800.0, 1600.0],
        "lead_id": ["L1", "L2", "L3", "L4", "L5"],
        "channel": ["organic_search", "sales_outbound", "sales_outbound", "trade_fairs", "sales_outbound"],
    })
    touches = pd.DataFrame({
        "lead_id": ["L1", "L2", "L3", "L5"],
        "timestamp": pd.to_datetime(["2026-05-08 09:00", "2026-05-10 15:00", "2026-05-11 08:00",
                                     "2026-05-01 10:00"]),
        "channel": ["organic_search", "trade_fairs", "trade_fairs", "sales_outbound"],
    })
    marketing = ["organic_search", "trade_fairs", "linkedin"]
    flags = funnel.classify_marketing_contribution(deals, touches, marketing_channels=marketing)
    # D1 sourced+touched before; D2 touched on creation day; D3 touched only after; D4 sourced,
    # no touch; D5 only a sales touch
    assert flags["sourced"].tolist() == [True, False, False, True, False]
    assert flags["influenced"].tolist() == [True, True, False, False, False]
    table = funnel.sourced_vs_influenced(deals, touches, marketing_channels=marketing)
    cols = ["deals", "value", "open_deals", "open_value", "won_deals", "won_value"]
    assert table.loc["sourced", cols].tolist() == [2, 900.0, 1, 100.0, 0, 0.0]
    assert table.loc["influenced", cols].tolist() == [2, 300.0, 1, 100.0, 1, 200.0]
    assert table.loc["influenced_not_sourced", cols].tolist() == [1, 200.0, 0, 0.0, 1, 200.0]
    assert table.loc["no_marketing", cols].tolist() == [2, 2000.0, 1, 1600.0, 1, 400.0]
    assert table.loc["all", cols].tolist() == [5, 3100.0, 2, 1700.0, 2, 600.0]
    # the lead's channel wins over the deal's: L3 came from linkedin, L4 is not in the leads table
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "channel": ["organic_search", "sales_outbound", "linkedin"]})
    flags = funnel.classify_marketing_contribution(deals, touches, marketing_channels=marketing, leads=leads)
    assert flags["sourced"].tolist() == [True, False, True, True, False]


def test_missing_column_is_named():
    with pytest.raises(DataError, match=r"deals: lacks column\(s\) 'lead_id'"):
        funnel.sourced_vs_influenced(
            pd.DataFrame(columns=["deal_id", "created_date", "status", "amount", "channel"]),
            pd.DataFrame(columns=["lead_id", "timestamp", "channel"]),
            marketing_channels=["email"],
        )


# --------------------------------------------------------------------------- unit economics

def test_unit_economics():
    figures = funnel.unit_economics(marketing_cost=50_000, qualified_leads=200, new_customers=10,
                                    clv=20_000, monthly_gross_margin_per_customer=500)
    # 50 000 / 200 = 250; CAC 50 000 / 10 = 5 000; CLV:CAC 20 000 / 5 000 = 4; payback 5 000 / 500 = 10
    assert figures == {"cost_per_qualified_lead": 250.0, "cac": 5000.0, "clv_to_cac": 4.0,
                       "payback_months": 10.0}
    assert math.isnan(funnel.cac(10_000, 0))
    assert math.isnan(funnel.clv_to_cac(20_000, math.nan))
    with pytest.raises(ValueError, match="marketing_cost -1 is negative"):
        funnel.cost_per_qualified_lead(-1, 10)
