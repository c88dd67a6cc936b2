"""Goal status and forecast on hand-made series."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cmo_workbook.metrics.goals import evaluate, forecast_series


def series(values, start="2026-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def test_forecast_on_exact_line_has_no_range():
    f, lo, hi = forecast_series(series([10, 12, 14, 16, 18]), steps=3)
    assert f == pytest.approx(24.0)
    assert lo == pytest.approx(24.0) and hi == pytest.approx(24.0)


def test_forecast_interval_matches_textbook_formula():
    y = np.array([10.0, 13, 13, 17, 18, 22])
    x = np.arange(6.0)
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    s = np.sqrt(resid @ resid / 4)
    x0 = 5 + 2
    se = s * np.sqrt(1 + 1 / 6 + (x0 - 2.5) ** 2 / ((x - 2.5) ** 2).sum())
    tq = stats.t.ppf(0.9, 4)
    f, lo, hi = forecast_series(series(y), steps=2)
    assert f == pytest.approx(a + b * x0)
    assert (lo, hi) == (pytest.approx(a + b * x0 - tq * se), pytest.approx(a + b * x0 + tq * se))


def goal(**kw):
    g = {"id": "g", "title": "Anfragen verdoppeln", "metric": "m", "baseline": 10, "target": 24,
         "start": "2026-01-01", "deadline": "2026-08-31"}
    g.update(kw)
    return g


def test_on_track_when_trend_reaches_target():
    s = series([10, 12, 14, 16, 18])  # Jan..May, +2/month -> Aug = 24
    st = evaluate(goal(), s, pd.Period("2026-05", "M"))
    assert st.status == "on_track" and st.months_left == 3 and st.forecast == pytest.approx(24.0)


def test_off_track_when_flat():
    s = series([10, 10, 10, 10, 10])
    st = evaluate(goal(), s, pd.Period("2026-05", "M"))
    assert st.status == "off_track"


def test_at_risk_when_only_range_reaches():
    s = series([10, 14, 11, 16, 14, 18])  # noisy, trend ~ +1.3/month
    st = evaluate(goal(deadline="2026-09-30"), s, pd.Period("2026-06", "M"))
    assert st.forecast < 24 <= st.high
    assert st.status == "at_risk"


def test_lower_is_better_goal():
    s = series([520, 500, 480, 460, 440])
    st = evaluate(goal(baseline=520, target=400, deadline="2026-08-31"), s, pd.Period("2026-05", "M"))
    assert not st.higher_is_better
    assert st.forecast == pytest.approx(380.0) and st.status == "on_track"


def test_cumulative_goal_and_deadline_reached():
    s = series([100, 100, 100, 100])  # 4 months: goals.MIN_FORECAST_MONTHS
    g = goal(baseline=0, target=1000, aggregation="cumulative", deadline="2026-12-31")
    st = evaluate(g, s, pd.Period("2026-04", "M"))
    assert st.actual == 400 and st.forecast == pytest.approx(1200) and st.status == "on_track"
    done = evaluate(goal(deadline="2026-05-31"), series([10, 12, 14, 16, 18]), pd.Period("2026-05", "M"))
    assert done.status == "missed" and done.months_left == 0


# --------------------------------------------------------------------------- seasonal model, intervals, backtest

from cmo_workbook.metrics import goals  # noqa: E402

PATTERN = np.array([90, 60, 70, 80, 120, 110, 75, 65, 50, 85, 140, 40], dtype=float)  # Jan..Dec


def test_seasonal_forecast_is_last_year_plus_the_yearly_change():
    y = np.concatenate([PATTERN, PATTERN + 12])  # every month +12 on the year before: d = 12, no noise
    s = series(y, start="2024-01")
    assert goals.choose_method(s) == "seasonal"  # the trend cannot follow the December dip
    f, lo, hi, m = goals.forecast(s, 3)  # March 2026 = March 2025 + 12
    assert (f, lo, hi, m) == (pytest.approx(70 + 12 + 12), pytest.approx(94), pytest.approx(94), "seasonal")
    # cumulative Jan..Dec 2026: last year's months + 12 each
    f, *_ = goals.forecast(s, 12, cumulative=True)
    assert f == pytest.approx((PATTERN + 24).sum())
    # beyond a year the chain goes on: Feb 2027 = Feb 2025 + 3 x 12
    assert goals.forecast(s, 14)[0] == pytest.approx(60 + 36)


def test_seasonal_interval_by_hand():
    diffs = np.array([10.0, 14, 8, 12, 16, 6, 11, 13, 9, 15, 12, 10])
    y = np.concatenate([PATTERN, PATTERN + diffs])
    s = series(y, start="2024-01")
    d, sd, k = diffs.mean(), diffs.std(ddof=1), 12
    q = stats.t.ppf(0.9, k - 1)
    # one month (h = 2, Feb): error = e + (d - d_hat): variance sd^2 (1 + 1/k)
    f, lo, hi, _ = goals.forecast(s, 2, method="seasonal")
    assert f == pytest.approx(y[13] + d)
    assert hi - f == pytest.approx(q * sd * np.sqrt(1 + 1 / k))
    # sum of 14 months: next Jan's and Feb's innovations also sit in the Jan/Feb a year later (c = 2),
    # the other ten months' and the two later months' own once; the drift enters 12 x 1 + 2 x 2 = 16
    # times: variance sd^2 (2 * 2^2 + 12 * 1^2 + 16^2 / k)
    f, lo, hi, _ = goals.forecast(s, 14, cumulative=True, method="seasonal")
    assert hi - f == pytest.approx(q * sd * np.sqrt(2 * 4 + 12 + 16 ** 2 / k))


def test_trend_sum_interval_by_hand():
    y = np.array([10.0, 13, 13, 17, 18, 22])
    x = np.arange(6.0)
    X = np.column_stack([np.ones(6), x])
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    s2 = ((y - X @ b) ** 2).sum() / 4
    a = np.array([3.0, 6 + 7 + 8])  # sum of the next three months
    f, lo, hi, m = goals.forecast(series(y), 3, cumulative=True)
    assert m == "trend" and f == pytest.approx(a @ b)
    assert hi - f == pytest.approx(stats.t.ppf(0.9, 4) * np.sqrt(s2 * (3 + a @ np.linalg.inv(X.T @ X) @ a)))


@pytest.mark.parametrize("method, cumulative", [("seasonal", False), ("seasonal", True), ("trend", True)])
def test_stated_80_percent_holds_when_the_model_is_true(method, cumulative):
    # simulation: series drawn from the model itself; the 80 % interval must catch ~80 % of outcomes
    rng = np.random.default_rng(11)
    inside, n = 0, 1500
    for _ in range(n):
        e = rng.normal(0, 10, 30)
        if method == "seasonal":
            y = np.concatenate([PATTERN, np.zeros(18)])
            for t in range(12, 30):
                y[t] = y[t - 12] + 5 + e[t]
        else:
            y = 100 + 3 * np.arange(30) + e
        past, future = y[:-6], y[-6:]
        h = 6 if method == "trend" else 4
        f, lo, hi, _ = goals.forecast(series(past, start="2020-01"), h, cumulative=cumulative, method=method)
        actual = future[:h].sum() if cumulative else future[h - 1]
        inside += lo <= actual <= hi
    assert 0.77 <= inside / n <= 0.83
