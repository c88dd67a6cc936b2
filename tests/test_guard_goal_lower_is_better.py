"""Guards goal statuses (article 2.1) for "higher is better" and "lower is better" goals.

Mutation it catches: a lower-is-better goal judged on the wrong end of the forecast range (``high``
instead of ``low``): an "at risk" cost goal turned "off track" (or the other way round).

Hand fixture: monthly values 2, 4, 2, 4 (2026-07 .. 2026-10), deadline two months later. Least
squares: slope 0.4, intercept 2.4, residuals −0.4, 1.2, −1.2, 0.4 (SSR 3.2, 2 degrees of freedom,
s = √1.6). Forecast at x = 5: 2.4 + 0.4 × 5 = 4.4. Standard error s·√(1 + 1/4 + 3.5²/5) = s·√3.7;
t(0.9; 2) = 1.885618 (t table), so the 80 % range is 4.4 ± 1.885618·√1.6·√3.7 = 4.4 ± 4.5879.
"""
import math

import pandas as pd
import pytest

from cmo_workbook.metrics.goals import evaluate, evaluate_all, forecast_series

HALF = 1.885618 * math.sqrt(1.6) * math.sqrt(3.7)
SERIES = pd.Series([2.0, 4.0, 2.0, 4.0], index=pd.period_range("2026-07", "2026-10", freq="M"))
OCT = pd.Period("2026-10", freq="M")


def _goal(target, baseline, deadline="2026-12-31", **kw):
    return {"id": "g", "title": "Ziel", "metric": "m", "target": target, "baseline": baseline,
            "deadline": deadline, "start": "2026-07-01", **kw}


def test_forecast_and_range_by_hand():
    f, lo, hi = forecast_series(SERIES, 2)
    assert f == pytest.approx(4.4)
    assert (lo, hi) == (pytest.approx(4.4 - HALF, abs=1e-5), pytest.approx(4.4 + HALF, abs=1e-5))


@pytest.mark.parametrize("target,status", [(5.0, "on_track"), (4.4, "on_track"), (3.0, "at_risk"),
                                           (4.4 - HALF + 0.01, "at_risk"), (4.4 - HALF - 0.01, "off_track")])
def test_lower_is_better_goal_uses_the_low_end(target, status):
    g = evaluate(_goal(target, 10.0), SERIES, OCT)
    assert g.higher_is_better is False
    assert (g.status, g.months_left, g.actual) == (status, 2, 4.0)


@pytest.mark.parametrize("target,status", [(4.0, "on_track"), (4.4, "on_track"), (8.0, "at_risk"),
                                           (4.4 + HALF - 0.01, "at_risk"), (4.4 + HALF + 0.01, "off_track")])
def test_higher_is_better_goal_uses_the_high_end(target, status):
    g = evaluate(_goal(target, 0.0), SERIES, OCT)
    assert g.higher_is_better is True
    assert g.status == status


def test_explicit_direction_wins_over_target_vs_baseline():
    # target above baseline but declared lower-is-better (e.g. a cost ceiling that may rise)
    g = evaluate(_goal(3.0, 1.0), SERIES, OCT, higher_is_better=False)
    assert (g.higher_is_better, g.status) == (False, "at_risk")


@pytest.mark.parametrize("target,baseline,status", [(5.0, 10.0, "achieved"), (4.0, 10.0, "achieved"),
                                                    (3.0, 10.0, "missed"), (4.0, 0.0, "achieved"),
                                                    (5.0, 0.0, "missed")])
def test_deadline_month_reached_compares_the_actual(target, baseline, status):
    g = evaluate(_goal(target, baseline, deadline="2026-10-31"), SERIES, OCT)
    assert (g.status, g.months_left, g.forecast, g.low, g.high) == (status, 0, 4.0, 4.0, 4.0)


def test_progress_is_share_of_the_way_from_baseline():
    assert evaluate(_goal(12.0, 0.0), SERIES, OCT).progress == pytest.approx(4 / 12)
    assert evaluate(_goal(2.0, 10.0), SERIES, OCT).progress == pytest.approx((4 - 10) / (2 - 10))
    assert math.isnan(evaluate(_goal(4.0, 4.0), SERIES, OCT).progress)


def test_cumulative_goal_sums_from_start_and_extends_the_trend():
    # issue 18: a cumulative goal's forecast is the sum of the next months of the chosen model (here the trend:
    # four months are too few for the seasonal one), no longer the mean extended.
    # sum 2026-07 .. 2026-10 = 12; trend 2.4 + 0.4·x at x = 4, 5: 4.0 + 4.4 = 8.4.
    # Variance of the sum: s²·(2 + aᵀ(XᵀX)⁻¹a) with a = (2, 9), XᵀX = [[4, 6], [6, 14]] (det 20):
    # aᵀ(XᵀX)⁻¹a = (14·4 − 2·6·2·9 + 4·81) / 20 = 8.2, so 1.6 · 10.2 = 16.32; half = t(0.9; 2)·√16.32
    half = 1.885618 * math.sqrt(16.32)
    g = evaluate(_goal(18.0, 0.0, aggregation="cumulative"), SERIES, OCT)
    assert g.actual == 12.0 and g.method == "trend"
    assert g.forecast == pytest.approx(12 + 8.4)
    assert (g.low, g.high) == (pytest.approx(12 + 8.4 - half, abs=1e-5), pytest.approx(12 + 8.4 + half, abs=1e-5))
    assert g.status == "on_track"
    # higher is better: a target above the forecast but below the high end is at risk, above it off track
    assert evaluate(_goal(20.4 + half - 0.01, 0.0, aggregation="cumulative"), SERIES, OCT).status == "at_risk"
    assert evaluate(_goal(20.4 + half + 0.01, 0.0, aggregation="cumulative"), SERIES, OCT).status == "off_track"
    # months before the goal's start do not count
    g = evaluate(_goal(18.0, 0.0, aggregation="cumulative", start="2026-09-01"), SERIES, OCT)
    assert g.actual == 6.0


@pytest.mark.parametrize("target,status", [(21.0, "on_track"), (20.4 - 1.885618 * math.sqrt(16.32) + 0.01, "at_risk"),
                                           (20.4 - 1.885618 * math.sqrt(16.32) - 0.01, "off_track")])
def test_lower_is_better_cumulative_goal_uses_the_low_end(target, status):
    # a cost ceiling summed over the goal (baseline 100 above the target): forecast 20.4, low 20.4 − 7.62
    g = evaluate(_goal(target, 100.0, aggregation="cumulative"), SERIES, OCT)
    assert g.higher_is_better is False and g.status == status


def test_values_after_as_of_are_ignored_and_unknown_metrics_raise():
    s = pd.concat([SERIES, pd.Series([100.0], index=pd.period_range("2026-11", "2026-11", freq="M"))])
    assert evaluate(_goal(5.0, 10.0), s, OCT).actual == 4.0
    df = pd.DataFrame({"m": SERIES})
    assert [g.status for g in evaluate_all([_goal(5.0, 10.0)], df, OCT)] == ["on_track"]
    with pytest.raises(KeyError, match="goal 'g': metric 'x' is not computed; use one of: m"):
        evaluate_all([{**_goal(5.0, 10.0), "metric": "x"}], df, OCT)


def test_short_series_carries_the_last_value():
    assert forecast_series(pd.Series([5.0, 7.0]), 3) == (7.0, 7.0, 7.0)
    assert all(math.isnan(v) for v in forecast_series(pd.Series([], dtype=float), 3))


def test_three_points_are_a_trend_and_the_window_is_twelve_months():
    three = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2026-08", "2026-10", freq="M"))
    assert forecast_series(three, 1) == (pytest.approx(4.0), pytest.approx(4.0), pytest.approx(4.0))
    # 13 months: the first (100) is outside the 12-month window, the other twelve are a straight line
    s = pd.Series([100.0] + [float(i) for i in range(12)], index=pd.period_range("2025-10", "2026-10", freq="M"))
    assert forecast_series(s, 2)[0] == pytest.approx(13.0)


def test_cumulative_forecast_from_two_one_or_no_months():
    idx = pd.period_range("2026-09", "2026-10", freq="M")
    # issue 10 (session 12) replaces issue 18's carried-forward last value: below goals.MIN_FORECAST_MONTHS (4)
    # there is no forecast and no status ("zu wenige Monate für eine Prognose"), the actual still counts: 2 + 4
    two = evaluate(_goal(10.0, 0.0, aggregation="cumulative"), pd.Series([2.0, 4.0], index=idx), OCT)
    assert (two.actual, two.status, two.months_used) == (6.0, "no_forecast", 2)
    assert math.isnan(two.forecast) and math.isnan(two.low) and math.isnan(two.high)
    one = evaluate(_goal(10.0, 0.0, aggregation="cumulative"), pd.Series([5.0], index=idx[1:]), OCT)
    assert (one.actual, one.status) == (5.0, "no_forecast")
    # lower is better (a ceiling from a baseline of 20): no status either way
    assert evaluate(_goal(14.0, 20.0, aggregation="cumulative"), pd.Series([2.0, 4.0], index=idx), OCT).status == "no_forecast"
    none = evaluate(_goal(10.0, 0.0, aggregation="cumulative"), pd.Series([], dtype=float,
                                                                          index=pd.PeriodIndex([], freq="M")), OCT)
    assert (none.actual, none.status) == (0.0, "no_forecast")
    assert math.isnan(none.forecast) and math.isnan(none.low) and math.isnan(none.high)
