"""Holdout power and the difference-in-differences readout, against hand computation and simulation."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cmo_workbook.metrics import experiments as ex


def test_power_by_hand():
    # sigma^2 = 40, share 1/3, 8 test weeks, 52 before: sd = sqrt(40 * 0.5 * (1/8 + 1/52)) = 1.6984;
    # effect in the test regions 1/3 * 6 = 2 -> noncentrality 1.1776; Welch dof for 8 and 52 weeks:
    # (1/8 + 1/52)^2 / ((1/8)^2 / 7 + (1/52)^2 / 51) = 9.29
    sd = math.sqrt(40 * 0.5 * (1 / 8 + 1 / 52))
    assert sd == pytest.approx(1.69842, rel=1e-4)
    dof = (1 / 8 + 1 / 52) ** 2 / ((1 / 8) ** 2 / 7 + (1 / 52) ** 2 / 51)
    assert dof == pytest.approx(9.29, abs=0.01)
    crit = stats.t.ppf(0.975, dof)
    expected = stats.nct.sf(crit, dof, 2 / sd) + stats.nct.cdf(-crit, dof, 2 / sd)
    assert ex.power(6, 40, 1 / 3, 8, 52) == pytest.approx(expected, rel=1e-9)
    assert 0.15 < expected < stats.norm.cdf(2 / sd - 1.959964)  # below the normal approximation (0.217)
    # more weeks or a larger share help; 80 % is reached after exactly the weeks_needed
    w = ex.weeks_needed(6, 40, 0.5, 52)
    assert ex.power(6, 40, 0.5, w, 52) >= 0.8 > ex.power(6, 40, 0.5, w - 1, 52)
    # a third of the regions: the 52 weeks before stay in the noise; about 160 weeks by the normal approximation
    # (1/w <= (2 / 2.8016)^2 / 20 - 1/52 -> w >= 159), a little more for the t-test
    assert 159 <= ex.weeks_needed(6, 40, 1 / 3, 52) <= 180
    assert ex.share_needed(6, 40, 8, 52) is None


def test_power_matches_a_simulated_did():
    # regions: 6, two of them paused; each region-week ~ Normal(own level, sigma^2 / 6); the pause
    # removes delta / 6 per test region and week. Power of the readout at 5 % = the formula's.
    rng = np.random.default_rng(5)
    sigma2, delta, R, n_test, w, pre = 60.0, 9.0, 6, 2, 8, 52
    hits, n = 0, 1000
    for _ in range(n):
        y = rng.normal(10, math.sqrt(sigma2 / R), size=(pre + w, R))
        y[pre:, :n_test] -= delta / R
        weekly = pd.DataFrame({"test": y[:, :n_test].sum(axis=1), "control": y[:, n_test:].sum(axis=1) * n_test / (R - n_test),
                               "during": [False] * pre + [True] * w})
        hits += ex.did_readout(weekly, level=0.95).p_value < 0.05
    assert hits / n == pytest.approx(ex.power(delta, sigma2, n_test / R, w, pre), abs=0.04)


def test_did_readout_by_hand():
    weekly = pd.DataFrame({
        "test":    [10.0, 12, 11, 13, 6, 8, 7],
        "control": [9.0, 10, 10, 11, 10, 11, 10],
        "during":  [False, False, False, False, True, True, True],
    })
    # differences before: 1, 2, 1, 2 (mean 1.5, var 1/3); during: -4, -3, -3 (mean -10/3, var 1/3)
    r = ex.did_readout(weekly)
    assert r.effect == pytest.approx(-10 / 3 - 1.5)
    se = math.sqrt((1 / 3) / 3 + (1 / 3) / 4)
    va, vb = (1 / 3) / 3, (1 / 3) / 4
    dof = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 3)
    assert r.high - r.effect == pytest.approx(stats.t.ppf(0.95, dof) * se)
    assert r.p_value == pytest.approx(2 * stats.t.sf(abs(r.effect) / se, dof))
    assert (r.pre_weeks, r.test_weeks) == (4, 3)
    with pytest.raises(ValueError, match="at least 2 weeks"):
        ex.did_readout(weekly.iloc[:5])


def _leads(region: bool) -> pd.DataFrame:
    days = pd.date_range("2025-01-06", periods=400, freq="D")
    rows = {"lead_id": [f"L{i}" for i in range(len(days))], "mql_date": days,
            "channel": ["linkedin" if i % 4 == 0 else "paid_search" for i in range(len(days))],
            "contact_email": [f"x{i}@example.com" for i in range(len(days))]}
    if region:
        rows["postcode"] = ["80331"] * len(days)
    return pd.DataFrame(rows)


def test_design_refuses_a_geo_test_without_regions():
    d = ex.design(_leads(region=False), "linkedin", "geo")
    assert not d.readable and d.missing == "region"
    assert ex.design(_leads(region=True), "linkedin", "geo").readable
    assert ex.design(_leads(region=False), "linkedin", "audience").readable
    # one lead a day, every fourth from LinkedIn: 1.75 a week of 7
    assert d.effect_per_week == pytest.approx(7 / 4, abs=0.05)


def test_readout_frame_from_leads_with_regions():
    # regions A (test) and B, C (control); test starts Monday 2026-03-02, 2 weeks before, 2 during
    rows = [("2026-02-16", "A"), ("2026-02-17", "B"), ("2026-02-18", "C"), ("2026-02-18", "C"),
            ("2026-02-23", "A"), ("2026-02-23", "A"), ("2026-02-24", "B"),
            ("2026-03-03", "B"), ("2026-03-04", "C"),
            ("2026-03-10", "A"), ("2026-03-11", "B"), ("2026-03-12", "B"), ("2026-03-12", "C")]
    leads = pd.DataFrame({"mql_date": pd.to_datetime([r[0] for r in rows]), "region": [r[1] for r in rows],
                          "channel": "paid_search"})
    w = ex.test_control_weeks(leads, "region", ["A"], "2026-03-02", 2, pre_weeks=2)
    assert w["test"].tolist() == [1, 2, 0, 1]
    assert w["control"].tolist() == [1.5, 0.5, 1.0, 1.5]  # (B + C) / 2 per week
    assert w["during"].tolist() == [False, False, True, True]
    r = ex.did_readout(w)
    # before: -0.5, 1.5 (mean 0.5); during: -1, -0.5 (mean -0.75) -> -1.25
    assert r.effect == pytest.approx(-1.25)
    with pytest.raises(ValueError, match="no column 'postcode'"):
        ex.test_control_weeks(leads, "postcode", ["A"], "2026-03-02", 2)
