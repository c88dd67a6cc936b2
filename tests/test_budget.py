"""Budget suggestion and business case on hand-made numbers (values computed by hand in comments)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

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
    p = budget.project(50_000, _history(), 0.4, channel="linkedin", n_boot=50)
    # cost per lead 30000/60 = 500 -> 100 leads; won 4/60 -> 6.667 deals; 160000/4 = 40000 per deal
    assert p.point["leads"] == pytest.approx(100)
    assert p.point["conversions"] == pytest.approx(100 * 4 / 60)
    assert p.point["revenue"] == pytest.approx(100 * 4 / 60 * 40_000)  # 266,667
    assert p.point["margin"] == pytest.approx(266_666.67 * 0.4, rel=1e-6)  # 106,667
    assert p.point["romi"] == pytest.approx((106_666.67 - 50_000) / 50_000, rel=1e-6)
    assert p.point["payback_months"] == pytest.approx(12 * 50_000 / 106_666.67, rel=1e-6)  # 5.6
    assert p.rates["cost_per_lead"] == 500 and p.n_quarters == 2


def test_business_case_range_collapses_for_identical_quarters_and_is_seeded():
    same = _history(spend=(10_000.0, 10_000.0), leads=(20.0, 20.0), won=(1.0, 1.0), value=(50_000.0, 50_000.0))
    p = budget.project(10_000, same, 0.38, n_boot=30)
    for key in ("leads", "revenue", "margin"):
        assert p.low[key] == pytest.approx(p.point[key]) == pytest.approx(p.high[key])
    a = budget.project(50_000, _history(), 0.4, n_boot=100, seed=7)
    b = budget.project(50_000, _history(), 0.4, n_boot=100, seed=7)
    assert a == b
    assert a.low["margin"] < a.point["margin"] < a.high["margin"]


def test_business_case_at_current_cost_per_lead():
    # last quarter: 40000 / 40 = 1000 per lead vs 833 pooled -> 50 leads at the current cost
    p = budget.project(50_000, _history(spend=(10_000.0, 40_000.0)), 0.4)
    assert p.rates["cost_per_lead_current"] == 1_000
    assert p.current["leads"] == pytest.approx(50)
    text = budget.business_case_text(p, "de", "EUR", alternative=("organic_search", 5.0))
    assert "aktuellen Kosten je Anfrage" in text and "Organische Suche" in text


def test_business_case_without_margin_never_pays_back():
    p = budget.project(10_000, _history(won=(0.0, 0.0), value=(0.0, 0.0)), 0.4, n_boot=20)
    assert p.point["margin"] == 0 and math.isinf(p.point["payback_months"])
    assert "nicht" in budget.business_case_text(p, "de", "EUR")
    header, rows = budget.business_case_rows(p, "en", "EUR")
    assert rows[0][-1] == "never"


def test_invalid_inputs_are_rejected():
    with pytest.raises(ValueError):
        budget.project(0, _history(), 0.4)
    with pytest.raises(ValueError):
        budget.suggest(_channels().drop(columns="romi_low"))
