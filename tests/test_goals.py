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
    s = series([100, 100, 100])
    g = goal(baseline=0, target=1000, aggregation="cumulative", deadline="2026-12-31")
    st = evaluate(g, s, pd.Period("2026-03", "M"))
    assert st.actual == 300 and st.forecast == pytest.approx(1200) and st.status == "on_track"
    done = evaluate(goal(deadline="2026-05-31"), series([10, 12, 14, 16, 18]), pd.Period("2026-05", "M"))
    assert done.status == "missed" and done.months_left == 0
