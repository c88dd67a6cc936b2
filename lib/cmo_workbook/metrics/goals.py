"""Annual goals: status and a forecast to the deadline with a range (article 2.1).

A goal (params ``goals:``) names a metric from :mod:`cmo_workbook.metrics.monthly`, a baseline,
a target and a deadline. ``aggregation: monthly`` (default) compares the metric's
value in the deadline month with the target; ``cumulative`` compares the sum from
start to deadline. The forecast extends a least-squares trend of the last months;
its range is the 80 % prediction interval. Status: *on track* when the forecast
reaches the target, *at risk* when only the optimistic end of the range does,
*off track* otherwise (direction-aware: for "lower is better" goals the target is a ceiling).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class GoalStatus:
    goal_id: str
    title: str
    metric: str
    target: float
    baseline: float
    deadline: pd.Timestamp
    actual: float  # latest month value (monthly) or sum to date (cumulative)
    forecast: float
    low: float
    high: float
    status: str  # on_track | at_risk | off_track | achieved | missed
    higher_is_better: bool
    months_left: int
    progress: float  # share of the way from baseline to target achieved


def forecast_series(values: pd.Series, steps: int, *, window: int = 12, level: float = 0.8) -> tuple[float, float, float]:
    """Linear-trend forecast ``steps`` months after the last value, with a prediction interval.

    Returns (forecast, low, high). With fewer than 3 points the last value is carried
    forward with no range.
    """
    y = values.dropna().astype(float).to_numpy()[-window:]
    if len(y) < 3:
        last = float(y[-1]) if len(y) else float("nan")
        return last, last, last
    x = np.arange(len(y), dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    x_new = len(y) - 1 + steps
    pred = intercept + slope * x_new
    resid = y - (intercept + slope * x)
    dof = len(y) - 2
    s = float(np.sqrt(resid @ resid / dof)) if dof > 0 else 0.0
    se = s * np.sqrt(1 + 1 / len(y) + (x_new - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    t = stats.t.ppf(0.5 + level / 2, dof) if dof > 0 else 0.0
    return float(pred), float(pred - t * se), float(pred + t * se)


def evaluate(goal: dict, series: pd.Series, as_of: pd.Period, *, higher_is_better: bool | None = None) -> GoalStatus:
    """Status of one goal given the metric's monthly ``series`` (PeriodIndex 'M') up to ``as_of``."""
    target, baseline = float(goal["target"]), float(goal["baseline"])
    hib = (target > baseline) if higher_is_better is None else higher_is_better
    deadline = pd.Timestamp(goal["deadline"])
    start = pd.Timestamp(goal["start"])
    dl_month = deadline.to_period("M")
    s = series[series.index <= as_of]
    months_left = max(0, (dl_month - as_of).n)
    cumulative = goal.get("aggregation", "monthly") == "cumulative"
    if cumulative:
        in_goal = s[s.index >= start.to_period("M")]
        actual = float(in_goal.sum())
        if months_left:
            f, lo, hi = _mean_rate(in_goal if len(in_goal) >= 3 else s)
            forecast, low, high = actual + f * months_left, actual + lo * months_left, actual + hi * months_left
        else:
            forecast = low = high = actual
    else:
        actual = float(s.iloc[-1]) if len(s) else float("nan")
        if months_left:
            forecast, low, high = forecast_series(s, months_left)
        else:
            forecast = low = high = actual
    eps = 1e-9 * max(1.0, abs(target))  # a forecast of 23.9999999 reaches a target of 24
    reaches = (lambda v: v >= target - eps) if hib else (lambda v: v <= target + eps)
    if months_left == 0:
        status = "achieved" if reaches(actual) else "missed"
    elif reaches(forecast):
        status = "on_track"
    elif reaches(high if hib else low):
        status = "at_risk"
    else:
        status = "off_track"
    span = target - baseline
    progress = float((actual - baseline) / span) if span else float("nan")
    return GoalStatus(goal["id"], goal["title"], goal["metric"], target, baseline, deadline, actual, forecast,
                      low, high, status, hib, months_left, progress)


def _mean_rate(s: pd.Series, level: float = 0.8) -> tuple[float, float, float]:
    y = s.astype(float).to_numpy()[-6:]
    if len(y) < 2:
        v = float(y.mean()) if len(y) else 0.0
        return v, v, v
    m, sd = float(y.mean()), float(y.std(ddof=1))
    t = stats.t.ppf(0.5 + level / 2, len(y) - 1)
    return m, m - t * sd / np.sqrt(len(y)), m + t * sd / np.sqrt(len(y))


def evaluate_all(goals: list[dict], monthly: pd.DataFrame, as_of: pd.Period) -> list[GoalStatus]:
    """Status of every goal whose metric is available; unknown metrics raise with the known ones."""
    out = []
    for g in goals:
        if g["metric"] not in monthly:
            raise KeyError(f"goal {g['id']!r}: metric {g['metric']!r} is not computed; "
                           f"use one of: {', '.join(monthly.columns)}")
        out.append(evaluate(g, monthly[g["metric"]], as_of))
    return out
