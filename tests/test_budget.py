"""Budget suggestion and business case on hand-made numbers (values computed by hand in comments)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cmo_workbook.metrics import budget


def _channels(**cpl_change) -> pd.DataFrame:
    df = pd.DataFrame({
        "budget": [10_000.0, 20_000.0, 5_000.0, 50_000.0, 100_000.0],
        "romi": [-0.5, 0.2, 3.0, 2.0, -0.9],
        "romi_low": [-0.8, -0.1, 1.0, 0.5, -0.95],
        "romi_high": [-0.1, 0.6, 5.0, 3.0, -0.8],
    }, index=["a", "b", "c", "d", "trade_fairs"])
    df["cpl_change"] = [cpl_change.get(c, 0.0) for c in df.index]
    return df


def test_suggest_cuts_grows_and_caps_at_20_percent():
    s = budget.suggest(_channels())
    # portfolio (without the fair) = (-5000 + 4000 + 15000 + 100000) / 85000 = 1.341
    assert s.attrs["portfolio_romi"] == pytest.approx(114_000 / 85_000)
    # a: whole range below 0 -> full 20 % cut; b: range reaches below 0, no cost alarm -> half (10 %)
    assert s.at["a", "change"] == -2_000 and s.at["a", "action"] == "cut"
    assert s.at["b", "change"] == -2_000 and s.at["b", "action"] == "cut"
    # 4000 freed; growth room 0.2 * (5000 + 50000) = 11000 -> each gets 4000/11000 of its room, truncated to 100 EUR
    assert s.at["c", "change"] == 300  # 363.6 -> 300
    assert s.at["d", "change"] == 3_600  # 3636.4 -> 3600
    assert s.attrs["reserve"] == pytest.approx(100.0)
    assert (s["change_pct"].abs() <= 0.2 + 1e-12).all()


def test_lumpy_channel_is_decided_separately_even_when_it_loses_money():
    s = budget.suggest(_channels())
    assert s.at["trade_fairs", "action"] == "separate"
    assert s.at["trade_fairs", "change"] == 0
    assert s.at["trade_fairs", "proposed"] == 100_000


def test_cost_alarm_makes_the_cut_full_and_growth_is_capped():
    s = budget.suggest(_channels(b=0.5), max_shift=0.2)
    assert s.at["b", "change"] == -4_000  # 20 % of 20000: cost per lead +50 % confirms the weak ROMI
    # freed 6000 < room 11000: c gets 6000 * 1000/11000 = 545 -> 500
    assert s.at["c", "change"] == 500
    big = budget.suggest(_channels(a=1.0, b=1.0).assign(budget=[100_000.0, 100_000.0, 5_000.0, 10_000.0, 0.0]))
    # freed 40000 > room 3000: every growth channel capped at exactly +20 %
    assert big.at["c", "change_pct"] == pytest.approx(0.2)
    assert big.at["d", "change_pct"] == pytest.approx(0.2)
    assert budget.biggest_shift(big) in ("a", "b")


def test_expected_effect_is_change_times_one_plus_romi():
    s = budget.suggest(_channels())
    eff = budget.expected_effect(s)
    # -2000*0.5 + -2000*1.2 + 300*4 + 3600*3 = -1000 - 2400 + 1200 + 10800 = 8600
    assert eff["margin"] == pytest.approx(8_600)
    assert eff["cost"] == pytest.approx(-100)
    assert eff["net"] == pytest.approx(8_700)


def test_holdout_design_follows_the_channel():
    assert budget.holdout_test("linkedin", "de").startswith("Testgebiete ohne Werbung (Vergleichsgruppe)")
    assert budget.holdout_test("email", "en").startswith("Control group")
    assert budget.holdout_test("webinars", "en").startswith("Time split")


def _history(spend=(10_000.0, 20_000.0), leads=(20.0, 40.0), won=(2.0, 2.0), value=(100_000.0, 60_000.0)):
    return pd.DataFrame({"spend": spend, "qualified_leads": leads, "won": won, "won_value": value},
                        index=["2026Q2", "2026Q3"])


def test_business_case_arithmetic_by_hand():
    p = budget.project(50_000, _history(), 0.4, channel="linkedin", n_sim=500)
    # cost per lead 30000/60 = 500 -> 100 leads; won 4/60 -> 6.667 deals; 160000/4 = 40000 per deal
    assert p.point["leads"] == pytest.approx(100)
    assert p.point["conversions"] == pytest.approx(100 * 4 / 60)
    assert p.point["revenue"] == pytest.approx(100 * 4 / 60 * 40_000)  # 266,667
    assert p.point["margin"] == pytest.approx(266_666.67 * 0.4, rel=1e-6)  # 106,667
    assert p.point["romi"] == pytest.approx((106_666.67 - 50_000) / 50_000, rel=1e-6)
    assert p.point["payback_months"] == pytest.approx(12 * 50_000 / 106_666.67, rel=1e-6)  # 5.6
    assert p.rates["cost_per_lead"] == 500 and p.n_quarters == 2 and p.basis == "average"
    # with a measured lag of 91.3 days (3 months) the payback starts only when the orders come in
    lagged = budget.project(50_000, _history(), 0.4, lag_days=365.25 / 4, n_sim=500)
    assert lagged.point["payback_months"] == pytest.approx(3 + 12 * 50_000 / 106_666.67, rel=1e-6)


def test_business_case_range_is_the_noise_of_inquiry_and_deal_counts():
    # a long, exact history: p(won) = 0.1 with no doubt, 500 EUR per inquiry -> 100 inquiries for 50 000.
    # Poisson(100) inquiries thinned by 0.1 are Poisson(10) deals: the 80 % range is its 10 % and 90 % quantiles.
    long = _history(spend=(5e6, 5e6), leads=(1e4, 1e4), won=(1e3, 1e3), value=(4e7, 4e7))
    p = budget.project(50_000, long, 0.4, n_sim=20_000, seed=3)
    assert (p.low["conversions"], p.high["conversions"]) == (stats.poisson.ppf(0.1, 10), stats.poisson.ppf(0.9, 10))
    assert (p.low["leads"], p.high["leads"]) == (stats.poisson.ppf(0.1, 100), stats.poisson.ppf(0.9, 100))
    assert p.point["conversions"] == pytest.approx(10)
    # seeded: the same case twice is the same
    assert budget.project(50_000, _history(), 0.4, seed=7) == budget.project(50_000, _history(), 0.4, seed=7)


def test_business_case_on_a_saturation_curve():
    curve = pd.Series({"supported": True, "beta": 0.5, "beta_se": 0.0, "last_spend": 40_000.0, "last_leads": 60.0,
                       "marginal_cost": 40_000 / (0.5 * 60)})
    p = budget.project(50_000, _history(), 0.4, curve=curve, n_sim=500)
    # 60 x ((90 000 / 40 000) ** 0.5 - 1) = 60 x 0.5 = 30 more inquiries, not 50 000 / 500 = 100 at the average
    assert p.basis == "curve" and p.point["leads"] == pytest.approx(30.0)
    assert p.rates["average_leads"] == pytest.approx(100.0)
    assert "Sättigungskurve" in budget.basis_text(p, "de", "EUR")
    unsupported = curve.copy()
    unsupported["supported"] = False
    avg = budget.project(50_000, _history(), 0.4, curve=unsupported, n_sim=500)
    assert avg.basis == "average" and "keine Sättigungskurve" in budget.basis_text(avg, "de", "EUR")


def _curve_history(spend, leads) -> pd.DataFrame:
    n = len(spend)
    return pd.DataFrame({"spend": spend, "qualified_leads": leads, "won": [1.0] * n, "won_value": [1e4] * n},
                        index=[f"q{i}" for i in range(n)])


def test_response_curves_fit_the_power_law_and_say_when_they_cannot():
    spend = np.array([10_000.0, 20_000, 15_000, 40_000, 30_000, 25_000])
    exact = _curve_history(spend, 3.0 * spend ** 0.4)  # leads = 3 x spend^0.4 exactly
    flat = _curve_history([5_000.0] * 6, [30.0, 34, 28, 31, 33, 29])
    short = _curve_history(spend[:4], 3.0 * spend[:4] ** 0.4)
    c = budget.response_curves({"exact": exact, "flat": flat, "short": short})
    assert c.at["exact", "supported"] and c.at["exact", "beta"] == pytest.approx(0.4)
    assert c.at["exact", "beta_se"] == pytest.approx(0.0, abs=1e-9)
    # marginal cost at the last quarter: spend / (beta x leads) = 25 000 / (0.4 x 3 x 25 000^0.4)
    assert c.at["exact", "marginal_cost"] == pytest.approx(25_000 / (0.4 * 3 * 25_000 ** 0.4))
    assert not c.at["flat", "supported"] and "spend hardly varied" in c.at["flat", "reason"]
    assert not c.at["short", "supported"] and "4 quarters" in c.at["short", "reason"]


def test_marginal_returns_steer_effect_and_growth():
    s = budget.suggest(_channels())
    curves = pd.DataFrame({"supported": [True, True], "beta": [0.2, 0.5]}, index=["a", "d"])
    eff = budget.expected_effect(s, curves)
    # a: -2000 x 0.5 x 0.2 = -200; b: -2000 x 1.2 (no curve: average) = -2400; c: 300 x 4 (average) = 1200;
    # d: 3600 x 3 x 0.5 = 5400  -> 4000; assumed (b, c): -1200
    assert eff["margin"] == pytest.approx(4_000)
    assert eff["assumed_margin"] == pytest.approx(-1_200)
    # with curves: d's next euro returns 3 x 0.5 = 1.5 > 1 -> still grows; c has no curve -> at most 10 %
    g = budget.suggest(_channels(a=1.0, b=1.0).assign(budget=[100_000.0, 100_000.0, 5_000.0, 10_000.0, 0.0]),
                       curves=pd.DataFrame({"supported": [True], "beta": [0.3]}, index=["d"]))
    assert g.at["c", "change_pct"] == pytest.approx(0.1)
    # d: 3 x 0.3 = 0.9 <= 1: the next euro loses money -> not grown
    assert g.at["d", "action"] == "hold" and g.at["d", "change"] == 0


def test_order_lag_is_the_median_from_inquiry_to_order():
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "channel": ["linkedin", "linkedin", "email"],
                          "mql_date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-01"])})
    deals = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L1"], "status": ["won", "won", "won", "lost"],
                          "deal_type": ["New Business"] * 4,
                          "close_date": pd.to_datetime(["2026-03-02", "2026-05-01", "2026-01-11", "2026-02-01"])})
    # 60, 120 and 10 days; the lost deal does not count (L1 won later): by 60 days two of the three won leads had won
    assert budget.order_lag_days(leads, deals) == 60.0
    # linkedin: 60 and 120 days; half of the won leads had won by day 60 (the time by which half have won)
    assert budget.order_lag_days(leads, deals, ["linkedin"]) == 60.0


def test_order_lag_counts_the_leads_still_waiting():
    """Recent inquiries can only have won fast so far: a median over the won ones alone understates the lag."""
    old = pd.to_datetime("2026-01-01")  # followed for 364 days to the cut-off
    new = pd.to_datetime("2026-12-01")  # followed for 30 days
    leads = pd.DataFrame({"lead_id": list("ABCDEFGHIJ"), "channel": "paid_search",
                          "mql_date": [old] * 4 + [new] * 6})
    won = {"A": 10, "B": 200, "C": 300, "E": 10, "F": 20}  # D and G–J still wait
    deals = pd.DataFrame({"lead_id": list(won), "status": "won", "deal_type": "New Business",
                          "close_date": [(old if k < "E" else new) + pd.Timedelta(days=v) for k, v in won.items()]})
    lag = budget.order_lag(leads, deals, ["paid_search"], as_of="2026-12-31")
    # plain median of 10, 10, 20, 200, 300 = 20 days; counting the waiting leads (Kaplan–Meier, one outcome):
    # day 10: 2 of 10 win, S = 0.8; day 20: 1 of 8, S = 0.7; G–J leave at day 30; day 200: 1 of 3, S = 0.467;
    # day 300: 1 of 2, S = 0.233 -> won share 0.767, half of it (0.383) is reached on day 200
    assert lag["plain_median_days"] == 20.0 and lag["median_days"] == 200.0
    assert (lag["n_won"], lag["n_lost"], lag["n_waiting"]) == (5, 0, 5)
    # a lead sales rejected is lost, not waiting (a competing outcome)
    rejected = leads.assign(sales_feedback_date=pd.NaT, sql_date=pd.NaT)
    rejected.loc[rejected["lead_id"] == "D", "sales_feedback_date"] = old + pd.Timedelta(days=5)
    assert budget.order_lag(rejected, deals, ["paid_search"], as_of="2026-12-31")["n_lost"] == 1


def test_business_case_without_margin_never_pays_back():
    p = budget.project(10_000, _history(won=(0.0, 0.0), value=(0.0, 0.0)), 0.4, n_sim=20)
    assert p.point["margin"] == 0 and math.isinf(p.point["payback_months"])
    assert "nicht" in budget.business_case_text(p, "de", "EUR")
    header, rows = budget.business_case_rows(p, "en", "EUR")
    assert rows[0][-1] == "never"


def test_invalid_inputs_are_rejected():
    with pytest.raises(ValueError):
        budget.project(0, _history(), 0.4)
    with pytest.raises(ValueError):
        budget.suggest(_channels().drop(columns="romi_low"))

