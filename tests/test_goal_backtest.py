"""The goals' model choice, rolling-origin backtest and coverage table (metrics/goals.py: choose_method, backtest,
coverage_table) and the forecast's edge cases, on short hand-made series whose every forecast is derived by hand.

The "spike" series: 17 months from 2024-01, 100 every month except 130 in the first and 200 in the last. The
first origin a backtest uses is month 15 (12 months + MIN_YOY = 3 year-on-year differences); with fewer than
MIN_BACKTEST = 12 backtest forecasts the model is the seasonal one (same month last year + mean yearly change).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cmo_workbook.metrics import goals


def series(values, start="2024-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def spike() -> pd.Series:
    y = [100.0] * 17
    y[0], y[16] = 130.0, 200.0
    return series(y)


# Origin 15 (2025-04) sees months 0..14: yearly differences y[12..14] − y[0..2] = [−30, 0, 0], mean d = −10,
# sd (ddof 1) = √((20² + 10² + 10²) / 2) = √300; a forecast = same month last year (100) + d = 90. The error
# variance of one month is sd²·(1 + 1/k) = 300 · 4/3 = 400 (sd 20), with t(0.9, k − 1 = 2).
# Origin 16 (2025-05): differences [−30, 0, 0, 0], d = −7.5, sd² = (22.5² + 3 · 7.5²) / 3 = 225,
# forecast 100 − 7.5 = 92.5, variance 225 · (1 + 1/4) = 281.25, t(0.9, 3).
HALF_15 = stats.t.ppf(0.9, 2) * 20.0
HALF_16 = stats.t.ppf(0.9, 3) * math.sqrt(281.25)


def test_backtest_rows_by_hand():
    bt = goals.backtest(spike())
    assert list(bt.columns) == ["origin", "horizon", "method", "forecast", "low", "high", "actual", "inside"]
    # origin 15: horizons 1 and 2 (month 17 does not exist); origin 16: horizon 1 only
    assert list(zip(bt["origin"], bt["horizon"], bt["method"])) == [
        ("2025-04", 1, "seasonal"), ("2025-04", 2, "seasonal"), ("2025-05", 1, "seasonal")]
    assert bt["forecast"].tolist() == pytest.approx([90.0, 90.0, 92.5])
    assert bt["low"].tolist() == pytest.approx([90 - HALF_15, 90 - HALF_15, 92.5 - HALF_16])
    assert bt["high"].tolist() == pytest.approx([90 + HALF_15, 90 + HALF_15, 92.5 + HALF_16])
    # month 15 was 100 (inside 52.3..127.7), month 16 was 200 (outside both ranges)
    assert bt["actual"].tolist() == [100.0, 200.0, 200.0]
    assert bt["inside"].tolist() == [True, False, False]


def test_backtest_of_sums_and_at_another_level():
    bt = goals.backtest(spike(), cumulative=True)
    # sums of the months up to the horizon: 90 (month 15), 90 + 90 = 180 (15 + 16), 92.5 (month 16)
    assert bt["forecast"].tolist() == pytest.approx([90.0, 180.0, 92.5])
    assert bt["actual"].tolist() == [100.0, 300.0, 200.0]
    # two months' sum: each month's innovation once (c = [1, 1], c·c = 2) plus the drift twice (m = 2):
    # variance 300 · (2 + 2²/3) = 1000
    assert bt["high"].iloc[1] - 180.0 == pytest.approx(stats.t.ppf(0.9, 2) * math.sqrt(1000.0))
    assert bt["inside"].tolist() == [True, False, False]
    # the level reaches the intervals: 50 % → t(0.75, 2) · 20
    half = goals.backtest(spike(), level=0.5)
    assert half["high"].iloc[0] - 90.0 == pytest.approx(stats.t.ppf(0.75, 2) * 20.0)
    # a fixed method is used at every origin: the trend through 12 months of 100 forecasts 100
    trend = goals.backtest(spike(), method="trend")
    assert trend["method"].tolist() == ["trend"] * 3
    assert trend["forecast"].tolist() == pytest.approx([100.0, 100.0, 100.0])


def test_backtest_ignores_missing_months_and_needs_fifteen():
    # two leading gaps are dropped before counting origins: the same three rows
    s = pd.concat([series([np.nan, np.nan], start="2023-11"), spike()])
    assert goals.backtest(s)["forecast"].tolist() == pytest.approx([90.0, 90.0, 92.5])
    # 15 values: the first origin would be month 15, which does not exist: no row, same columns
    empty = goals.backtest(series([100.0] * 15))
    assert len(empty) == 0 and list(empty.columns)[-1] == "inside"


def test_coverage_table_by_hand():
    monthly = pd.DataFrame({"a": spike().to_numpy(), "z": np.zeros(17)}, index=spike().index)
    table = goals.coverage_table(monthly, ["a", "z"])
    assert list(zip(table["metric"], table["aggregation"])) == [
        ("a", "monthly"), ("a", "cumulative"), ("z", "monthly"), ("z", "cumulative"), ("all", "both")]
    assert table["n"].tolist() == [3, 3, 3, 3, 12]
    # a: one of three inside (see the backtest rows); z: all zeros, forecasts exactly 0 with no range: all inside
    # pooled: (1 + 1 + 3 + 3) / 12
    assert table["coverage"].tolist() == pytest.approx([1 / 3, 1 / 3, 1.0, 1.0, 8 / 12])
    a_m, a_c = table.iloc[0], table.iloc[1]
    # monthly errors |100 − 90|, |200 − 90|, |200 − 92.5|; sums |100 − 90|, |300 − 180|, |200 − 92.5|
    assert a_m["mae"] == pytest.approx((10 + 110 + 107.5) / 3)
    assert a_c["mae"] == pytest.approx((10 + 120 + 107.5) / 3)
    # the chosen model is the seasonal one at every origin: "last year" errors are the same
    assert a_m["mae_last_year"] == pytest.approx(a_m["mae"]) and a_c["mae_last_year"] == pytest.approx(a_c["mae"])
    # the trend through the last 12 months (all 100) forecasts 100 a month: errors 0, 100, 100 (monthly) and
    # 0, |300 − 200|, 100 (sums)
    assert a_m["mae_trend"] == pytest.approx(200 / 3) and a_c["mae_trend"] == pytest.approx(200 / 3)
    assert table.iloc[2][["mae", "mae_trend", "mae_last_year"]].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    last = table.iloc[-1]
    assert all(math.isnan(last[c]) for c in ("mae", "mae_trend", "mae_last_year"))
    # horizons and level reach the backtests: horizon 1 only → origins 15 and 16, one forecast each
    assert goals.coverage_table(monthly, ["a"], horizons=(1,))["n"].tolist() == [2, 2, 4]


def flat_with_spike(n: int, size: float = 60.0) -> pd.Series:
    """50 a month, the first month 50 + size: the trend through any 12 months from month 3 on is exact; the
    seasonal model carries the first month's yearly difference (−size) in its mean change while it lies in
    the last 12 differences, so each of its forecasts from origin o ≤ 24 is off by size / (o − 12)."""
    y = [50.0] * n
    y[0] += size
    return series(y)


def test_choose_method_needs_twelve_backtest_forecasts_before_the_trend_may_win():
    # 20 months: origins 15..19 with 3, 3, 3, 2, 1 horizons = 12 forecasts; trend error 0 < seasonal: trend
    assert goals.choose_method(flat_with_spike(20)) == "trend"
    # 19 months: 3 + 3 + 2 + 1 = 9 forecasts, too few to overrule the seasonal model
    assert goals.choose_method(flat_with_spike(19)) == "seasonal"
    # horizon 1: one forecast per origin; 20 months give 5, 27 months give 12 (origins 15..26)
    assert goals.choose_method(flat_with_spike(20), horizon=1) == "seasonal"
    assert goals.choose_method(flat_with_spike(27), horizon=1) == "trend"
    # a tie (all zeros: both models exactly 0) goes to the seasonal model
    assert goals.choose_method(series(np.zeros(20))) == "seasonal"


def test_choose_method_counts_only_known_months():
    # 15 known values make the seasonal model usable, 14 do not; gaps do not count
    assert goals.choose_method(series([50.0] * 15)) == "seasonal"
    assert goals.choose_method(series([np.nan] * 6 + [50.0] * 14)) == "trend"
    assert goals.choose_method(series([np.nan] * 5 + [50.0] * 15)) == "seasonal"


def test_forecast_edge_cases():
    s = series([10.0, 12, 14, 16, 18])
    # nothing to forecast: zeros and "none"
    assert goals.forecast(s, 0) == (0.0, 0.0, 0.0, "none")
    assert goals.forecast(s, -1) == (0.0, 0.0, 0.0, "none")
    # fewer than 3 values: the last one carried forward, times the months when summed
    assert goals.forecast(series([5.0, 7.0]), 4) == (7.0, 7.0, 7.0, "last")
    assert goals.forecast(series([5.0, 7.0]), 4, cumulative=True) == (28.0, 28.0, 28.0, "last")
    f = goals.forecast(series([]), 2)
    assert math.isnan(f[0]) and f[3] == "last"
    # a seasonal forecast asked for on 14 values falls back to the trend; 15 values are enough
    assert goals.forecast(series([50.0] * 14), 1, method="seasonal")[3] == "trend"
    assert goals.forecast(series([50.0] * 15), 1, method="seasonal")[3] == "seasonal"
    # a two-month trend window: the line through 14 and 16 gives 20 two months on, with no range (no dof left)
    f, lo, hi, m = goals.forecast(series([1.0, 5, 2, 14, 16]), 2, window=2, method="trend")
    assert (f, lo, hi, m) == (pytest.approx(20.0), pytest.approx(20.0), pytest.approx(20.0), "trend")


PATTERN = np.array([90, 60, 70, 80, 120, 110, 75, 65, 50, 85, 140, 40], dtype=float)


def test_forecast_series_passes_the_method_on():
    s = series(np.concatenate([PATTERN, PATTERN + 12]))
    # by backtest: the seasonal model, March 2026 = 70 + 12 + 12
    assert goals.forecast_series(s, 3)[0] == pytest.approx(94.0)
    # the trend through the last 12 months (the 2025 pattern), 3 months after month 11: textbook fit at x = 14
    b, a = np.polyfit(np.arange(12.0), PATTERN + 12, 1)
    assert goals.forecast_series(s, 3, method="trend")[0] == pytest.approx(a + b * 14)
    # level: the 50 % range is narrower than the 80 % one, by the ratio of the t quantiles (df = 10)
    f80, lo80, hi80 = goals.forecast_series(s, 3, method="trend")
    f50, lo50, hi50 = goals.forecast_series(s, 3, method="trend", level=0.5)
    assert (hi50 - f50) / (hi80 - f80) == pytest.approx(stats.t.ppf(0.75, 10) / stats.t.ppf(0.9, 10))


def goal(**kw):
    g = {"id": "g", "title": "Anfragen", "metric": "m", "baseline": 10, "target": 24,
         "start": "2026-01-01", "deadline": "2026-05-31"}
    g.update(kw)
    return g


def test_at_the_deadline_the_forecast_is_the_actual():
    s = series([10.0, 12, 14, 16, 18], start="2026-01")
    st = goals.evaluate(goal(), s, pd.Period("2026-05", "M"))
    assert (st.actual, st.forecast, st.low, st.high, st.method) == (18.0, 18.0, 18.0, 18.0, "none")
    # cumulative: the sum Jan..May 10 + 12 + 14 + 16 + 18 = 70 is actual and forecast
    st = goals.evaluate(goal(aggregation="cumulative", target=60), s, pd.Period("2026-05", "M"))
    assert (st.actual, st.forecast, st.low, st.high, st.status) == (70.0, 70.0, 70.0, 70.0, "achieved")


def test_the_tolerance_of_a_target_is_one_billionth_either_way():
    may = pd.Period("2026-05", "M")
    # higher is better, target 24: 24 − 24e-9 still reaches it (a forecast of 23.9999999 is not a miss)
    assert goals.evaluate(goal(), series([10.0, 12, 14, 16, 24 - 24e-9], start="2026-01"), may).status == "achieved"
    assert goals.evaluate(goal(), series([10.0, 12, 14, 16, 23.99], start="2026-01"), may).status == "missed"
    # lower is better, ceiling 400: exactly 400 + 400e-9 is within, 400.01 is not
    low = goal(baseline=520, target=400)
    assert goals.evaluate(low, series([520.0, 500, 480, 460, 400 + 1e-9 * 400], start="2026-01"), may).status \
        == "achieved"
    assert goals.evaluate(low, series([520.0, 500, 480, 460, 400.01], start="2026-01"), may).status == "missed"


def test_coverage_table_scores_the_model_chosen_at_each_origin():
    # 21 months of flat_with_spike: at origin 20 the backtest inside the 20 known months has its 12 forecasts and
    # the exact trend wins (forecast 50); at origins 15..19 the seasonal model is kept. Seasonal errors are
    # 60 / (o − 12) per forecast: origins 15, 16, 17, 18 with 3 horizons (20, 15, 12, 10), 19 with 2 (60/7),
    # 20 with 1 (7.5): n = 15
    monthly = flat_with_spike(21).to_frame("q")
    row = goals.coverage_table(monthly, ["q"]).iloc[0]
    assert row["n"] == 15
    seasonal = 3 * (20 + 15 + 12 + 10) + 2 * 60 / 7 + 7.5
    assert row["mae_last_year"] == pytest.approx(seasonal / 15)
    assert row["mae"] == pytest.approx((seasonal - 7.5) / 15)  # the trend's 0 at origin 20
    assert row["mae_trend"] == pytest.approx(0.0, abs=1e-9)
    assert goals.backtest(flat_with_spike(21))["method"].tolist() == ["seasonal"] * 14 + ["trend"]
