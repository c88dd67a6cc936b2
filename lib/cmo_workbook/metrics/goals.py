"""Annual goals: status and a forecast to the deadline with a range (article 2.1).

A goal (params ``goals:``) names a metric from :mod:`cmo_workbook.metrics.monthly`, a baseline,
a target and a deadline. ``aggregation: monthly`` (default) compares the metric's
value in the deadline month with the target; ``cumulative`` compares the sum from
start to deadline. Status: *on track* when the forecast reaches the target, *at risk* when
only the optimistic end of the 80 % range does, *off track* otherwise (direction-aware: for
"lower is better" goals the target is a ceiling). A monthly goal measures the deadline month: an
"on track" whose latest month still misses the target rests on the forecast alone
(:attr:`GoalStatus.rests_on_forecast`), and memos say what that forecast assumes.

The forecast (:func:`forecast`) is one of two models, chosen per metric by a rolling-origin
backtest on the company's own history (lower mean absolute error wins):

* ``seasonal``: same month last year plus the average year-on-year change of the last
  (up to) 12 months — marketing months repeat (fairs in spring and autumn, a quiet December);
* ``trend``: a least-squares line through the last 12 months (also the fallback while there
  are fewer than :data:`MIN_YOY` year-on-year differences).

Ranges are prediction intervals: they carry the variance of every future month (summed for
cumulative goals) plus the uncertainty of the estimated change, with Student-t quantiles.
``bench/quality.py`` and ``tests/test_statistics_sample.py`` check that the stated 80 % holds
on the sample's history (:func:`coverage_table` over :data:`BACKTEST_METRICS`).
"""
from __future__ import annotations

from collections.abc import Iterable
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
    method: str = "trend"  # forecast model chosen by backtest: "seasonal" or "trend"
    #: whether the latest value (monthly) or the sum to date (cumulative) already meets the target; an
    #: "on track" whose actual does not is a promise on the forecast alone and must say what it rests on
    actual_meets: bool = True
    #: monthly goals: the deadline month's value a year earlier (what a seasonal forecast builds on), else NaN
    last_year: float = float("nan")
    cumulative: bool = False
    #: the months the forecast rests on: the metric's history from the first month its input tables cover
    months_used: int = 0

    @property
    def rests_on_forecast(self) -> bool:
        """On track only by the forecast: a monthly goal whose latest value is still on the wrong side of the
        target (the memo then says what the forecast assumes, never a bare "on track" beside a missed value)."""
        return self.status == "on_track" and not self.cumulative and not self.actual_meets


#: fewer months than this (from the first month the metric's tables cover) give no forecast and no status: a line
#: through 3 points has 1 degree of freedom, its 80 % range is ±3.1 residual errors wide (2 → 4 → 19 forecast
#: "34 (0–73)" for December: no basis for "on track")
MIN_FORECAST_MONTHS = 4

#: the goal metrics and monthly KPIs whose forecasts the backtest checks
BACKTEST_METRICS = ("qualified_leads_web", "marketing_pipeline_value", "cost_per_qualified_lead", "qualified_leads",
                    "sql", "marketing_spend", "marketing_won_revenue", "new_customers")
#: year-on-year differences a seasonal forecast needs (below: linear trend only)
MIN_YOY = 3
SEASON = 12


def _seasonal(y: np.ndarray, steps: int, level: float, cumulative: bool) -> tuple[float, float, float]:
    """Same month last year + mean YoY change d of the last ≤ 12 months; see :func:`forecast`."""
    diffs = (y[SEASON:] - y[:-SEASON])[-SEASON:]
    k = len(diffs)
    d = float(diffs.mean())
    sigma = float(diffs.std(ddof=1)) if k > 1 else 0.0
    ext = list(y)
    for _ in range(steps):  # months beyond a year build on the forecast of the same month before
        ext.append(ext[-SEASON] + d)
    future = np.array(ext[len(y):])
    # error of month h = sum of the m = ceil(h/12) innovations of its chain − m·(d̂ − d)
    m = np.ceil(np.arange(1, steps + 1) / SEASON)
    if cumulative:
        c = np.array([len(range(j, steps + 1, SEASON)) for j in range(1, steps + 1)], dtype=float)
        var = sigma ** 2 * (float(c @ c) + float(m.sum()) ** 2 / k)
        point = float(future.sum())
    else:
        var = sigma ** 2 * (m[-1] + m[-1] ** 2 / k)
        point = float(future[-1])
    q = stats.t.ppf(0.5 + level / 2, k - 1) if k > 1 else 0.0
    half = float(q * np.sqrt(var))
    return point, point - half, point + half


def _trend(y: np.ndarray, steps: int, level: float, cumulative: bool) -> tuple[float, float, float]:
    """Least-squares line; exact prediction variance of one future month or of their sum."""
    n = len(y)
    x = np.arange(n, dtype=float)
    X = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = n - 2
    s2 = float(resid @ resid / dof) if dof > 0 else 0.0
    xs = n - 1 + np.arange(1, steps + 1, dtype=float)
    if cumulative:
        a, months = np.array([steps, xs.sum()]), steps
    else:
        a, months = np.array([1.0, xs[-1]]), 1
    point = float(a @ beta)
    var = s2 * (months + float(a @ np.linalg.inv(X.T @ X) @ a))
    q = stats.t.ppf(0.5 + level / 2, dof) if dof > 0 else 0.0
    half = float(q * np.sqrt(var))
    return point, point - half, point + half


_MODELS = {"seasonal": _seasonal, "trend": _trend}


def _window(y: np.ndarray, method: str, window: int) -> np.ndarray:
    # the trend looks at the last year; the seasonal model needs last year and the year before
    return y[-window:] if method == "trend" else y[-(window + SEASON):]


def _usable(y: np.ndarray, method: str) -> bool:
    return len(y) >= 3 if method == "trend" else len(y) >= SEASON + MIN_YOY


#: backtest errors needed before the trend may overrule the seasonal model
MIN_BACKTEST = 12


def choose_method(values: pd.Series, *, horizon: int = 3, window: int = 12) -> str:
    """The model for this series: "seasonal" once it is usable, unless its backtest loses.

    Rolling origins of the history at which both models can forecast, each horizon
    1..``horizon`` the history still covers; the trend wins only with a lower mean absolute
    error over at least :data:`MIN_BACKTEST` forecasts (a handful of points is no evidence
    against a seasonal pattern). "trend" while the seasonal model is not usable.
    """
    if not _usable(values.dropna().to_numpy(), "seasonal"):
        return "trend"
    y = values.dropna().astype(float).to_numpy()
    err = {m: [] for m in _MODELS}
    for origin in range(SEASON + MIN_YOY, len(y)):
        past = y[:origin]
        for h in range(1, horizon + 1):
            if origin + h - 1 >= len(y):
                break
            for m, f in _MODELS.items():
                err[m].append(abs(f(_window(past, m, window), h, 0.8, False)[0] - y[origin + h - 1]))
    if len(err["seasonal"]) < MIN_BACKTEST:
        return "seasonal"
    return "seasonal" if np.mean(err["seasonal"]) <= np.mean(err["trend"]) else "trend"


def forecast(values: pd.Series, steps: int, *, cumulative: bool = False, method: str | None = None,
             window: int = 12, level: float = 0.8) -> tuple[float, float, float, str]:
    """Forecast ``steps`` months after the last value: (point, low, high, method).

    ``cumulative=False``: the value of month ``steps``; ``True``: the sum of the next ``steps``
    months. ``method`` None chooses by backtest (:func:`choose_method`). With fewer than 3
    values the last one is carried forward (times ``steps`` when cumulative) with no range.
    """
    y = values.dropna().astype(float).to_numpy()
    if steps <= 0:
        return 0.0, 0.0, 0.0, "none"
    if len(y) < 3:
        last = float(y[-1]) if len(y) else float("nan")
        v = last * steps if cumulative else last
        return v, v, v, "last"
    method = method or choose_method(values, window=window)
    if not _usable(y, method):
        method = "trend"
    point, low, high = _MODELS[method](_window(y, method, window), steps, level, cumulative)
    return point, low, high, method


def forecast_series(values: pd.Series, steps: int, *, window: int = 12, level: float = 0.8,
                    method: str | None = None) -> tuple[float, float, float]:
    """The monthly value ``steps`` months ahead as (forecast, low, high); see :func:`forecast`."""
    return forecast(values, steps, window=window, level=level, method=method)[:3]


def backtest(values: pd.Series, *, horizons: Iterable[int] = (1, 2, 3), cumulative: bool = False,
             level: float = 0.8, method: str | None = None) -> pd.DataFrame:
    """Rolling-origin backtest of :func:`forecast`: one row per origin and horizon.

    At each origin only the values before it are used (the model is chosen on them too, unless
    ``method`` fixes it); the outcome is the value of the horizon's month, or the sum of the
    months up to it when ``cumulative``. Columns ``origin, horizon, method, forecast, low,
    high, actual, inside`` (whether the actual lies in the range).
    """
    y = values.dropna().astype(float)
    rows = []
    for origin in range(SEASON + MIN_YOY, len(y)):
        past = y.iloc[:origin]
        for h in horizons:
            if origin + h > len(y):
                continue
            f, lo, hi, m = forecast(past, h, cumulative=cumulative, method=method, level=level)
            actual = float(y.iloc[origin:origin + h].sum() if cumulative else y.iloc[origin + h - 1])
            rows.append({"origin": str(y.index[origin]), "horizon": h, "method": m, "forecast": f, "low": lo,
                         "high": hi, "actual": actual, "inside": bool(lo <= actual <= hi)})
    return pd.DataFrame(rows, columns=["origin", "horizon", "method", "forecast", "low", "high", "actual", "inside"])


def non_negative(metric: str) -> bool:
    """Whether ``metric`` cannot be below 0: the catalogue's counts, euro sums and rates (not a difference such as
    the budget variance). A metric the catalogue does not know is left as forecast: nothing says it cannot."""
    from .catalogue import CATALOGUE

    m = next((m for m in CATALOGUE if m.id == metric), None)
    return m is not None and m.unit in ("count", "eur", "rate") and m.kind != "difference"


def evaluate(goal: dict, series: pd.Series, as_of: pd.Period, *, higher_is_better: bool | None = None,
             covered_from: pd.Period | None = None) -> GoalStatus:
    """Status of one goal given the metric's monthly ``series`` (PeriodIndex 'M') up to ``as_of``.

    ``covered_from``: the first month the metric's input tables cover (:func:`metrics.monthly.covered_from`);
    earlier months are zeros for "no export yet" and are left out. With fewer than :data:`MIN_FORECAST_MONTHS`
    months, or a forecast ≤ 0 for a metric that cannot be negative (a cost per inquiry of 0 €), the status is
    ``no_forecast``: the memo says there are too few months instead of promising "on track"."""
    target, baseline = float(goal["target"]), float(goal["baseline"])
    hib = (target > baseline) if higher_is_better is None else higher_is_better
    deadline = pd.Timestamp(goal["deadline"])
    start = pd.Timestamp(goal["start"])
    dl_month = deadline.to_period("M")
    s = series[series.index <= as_of]
    if covered_from is not None:
        s = s[s.index >= covered_from]
    used = int(s.notna().sum())
    months_left = max(0, (dl_month - as_of).n)
    cumulative = goal.get("aggregation", "monthly") == "cumulative"
    method = "none"
    too_few = bool(months_left) and used < MIN_FORECAST_MONTHS
    if cumulative:
        actual = float(s[s.index >= start.to_period("M")].sum())
        point = low = high = actual
        if months_left and not too_few:
            f, lo, hi, method = forecast(s, months_left, cumulative=True)
            point, low, high = actual + f, actual + lo, actual + hi
    else:
        actual = float(s.iloc[-1]) if len(s) else float("nan")
        point = low = high = actual
        if months_left and not too_few:
            point, low, high, method = forecast(s, months_left)
    if non_negative(goal["metric"]):
        # a positive metric forecast at or below 0 is a trend line run past its data, not a forecast
        too_few = too_few or (bool(months_left) and point <= 0)
        # a count or an amount cannot fall below 0: the range's lower end is 0, not "−3 Anfragen"
        point, low, high = max(point, 0.0), max(low, 0.0), max(high, 0.0)
    eps = 1e-9 * max(1.0, abs(target))  # a forecast of 23.9999999 reaches a target of 24
    reaches = (lambda v: v >= target - eps) if hib else (lambda v: v <= target + eps)
    last_year = float("nan") if cumulative else float(s.get(dl_month - SEASON, float("nan")))
    if months_left == 0:
        status = "achieved" if reaches(actual) else "missed"
    elif too_few:
        status, method, point, low, high = "no_forecast", "none", float("nan"), float("nan"), float("nan")
    elif reaches(point):
        status = "on_track"
    elif reaches(high if hib else low):
        status = "at_risk"
    else:
        status = "off_track"
    span = target - baseline
    progress = float((actual - baseline) / span) if span else float("nan")
    return GoalStatus(goal["id"], goal["title"], goal["metric"], target, baseline, deadline, actual, point,
                      low, high, status, hib, months_left, progress, method, bool(reaches(actual)), last_year,
                      cumulative, used)


def evaluate_all(goals: list[dict], monthly: pd.DataFrame, as_of: pd.Period) -> list[GoalStatus]:
    """Status of every goal whose metric is available; unknown metrics raise with the known ones. Each forecast
    starts at the first month the metric's tables cover (``monthly.attrs["covered_from"]``, set by
    :func:`metrics.monthly.monthly`)."""
    covered = monthly.attrs.get("covered_from", {})
    out = []
    for g in goals:
        if g["metric"] not in monthly:
            raise KeyError(f"goal {g['id']!r}: metric {g['metric']!r} is not computed; "
                           f"use one of: {', '.join(monthly.columns)}")
        out.append(evaluate(g, monthly[g["metric"]], as_of, covered_from=covered.get(g["metric"])))
    return out


def coverage_table(monthly: pd.DataFrame, metrics: Iterable[str], *, horizons: Iterable[int] = (1, 2, 3),
                   level: float = 0.8) -> pd.DataFrame:
    """Backtest per metric and aggregation: forecasts, share inside the stated range, errors.

    One row per (metric, aggregation) with ``n``, ``coverage`` (of the model chosen at each
    origin), ``mae`` and, for comparison, ``mae_trend`` and ``mae_last_year`` (trend only /
    seasonal only). The last row ``all`` pools every forecast: the figure to hold against the
    stated ``level``.
    """
    rows, pooled = [], []
    for metric in metrics:
        for cumulative in (False, True):
            bt = backtest(monthly[metric], horizons=horizons, cumulative=cumulative, level=level)
            err = lambda m: float((backtest(monthly[metric], horizons=horizons, cumulative=cumulative,  # noqa: E731
                                            method=m)[["actual", "forecast"]].diff(axis=1).abs().iloc[:, 1]).mean())
            rows.append({"metric": metric, "aggregation": "cumulative" if cumulative else "monthly", "n": len(bt),
                         "coverage": float(bt["inside"].mean()), "mae": float((bt["actual"] - bt["forecast"]).abs().mean()),
                         "mae_trend": err("trend"), "mae_last_year": err("seasonal")})
            pooled.append(bt)
    allbt = pd.concat(pooled, ignore_index=True)
    rows.append({"metric": "all", "aggregation": "both", "n": len(allbt), "coverage": float(allbt["inside"].mean()),
                 "mae": float("nan"), "mae_trend": float("nan"), "mae_last_year": float("nan")})
    return pd.DataFrame(rows)
