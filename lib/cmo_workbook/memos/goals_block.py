"""Goals in memos, said the same way everywhere: a table, one sentence per goal and a progress chart.

Every memo that mentions an annual goal uses these helpers on the statuses of
:func:`cmo_workbook.metrics.goals.evaluate_all`, so a goal reads identically in the monthly KPI memo,
the quarterly stakeholder update and any other memo::

    statuses = goals.evaluate_all(wb.params.goals, monthly, as_of)
    blocks.show(*goals_memo.goals_block(statuses, wb.params.goals, L, CUR, monthly=monthly, chart="pipeline"))
"""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from ..render import charts, fmt
from ..render.blocks import Block, Chart, Fig, Paragraph, Table
from ..metrics.goals import GoalStatus, forecast
from ..render.i18n import t
from ..metrics.monthly import METRICS

_MONEY = ("marketing_spend", "cost_per_qualified_lead", "marketing_pipeline_value", "marketing_won_revenue",
          "won_revenue")


def metric_label(metric: str, lang: str) -> str:
    """A metric in words ('Pipeline aus Marketing'); free text (a department's own KPI) stays as written."""
    return t(f"metric_{metric}", lang) if metric in METRICS else metric


def value_text(metric: str, value: float, lang: str, currency: str) -> str:
    """A goal metric's value: money compact above 10,000, shares as percent, counts as whole numbers."""
    if metric in _MONEY:
        return fmt.money(value, lang, currency=currency, compact=abs(value) >= 10_000)
    if metric.endswith("_share") or metric.endswith("_rate"):
        return fmt.percent(value, lang, 0)
    return fmt.number(value, lang)


def status_text(status: str, lang: str) -> str:
    """on track / at risk / off track; after the deadline achieved / missed; "too few months for a forecast"
    when the metric's data do not carry one (no status then)."""
    if status == "no_forecast":
        return t("goals_too_few_months", lang)
    return t(f"goal_{status}", lang) if status in ("achieved", "missed") else t(status, lang)


def goal_status_text(g: GoalStatus, lang: str, currency: str) -> str:
    """The status as every memo words it: a monthly goal on track by its forecast alone while its latest
    month still misses the target says what the forecast assumes ("auf Kurs nur, wenn der Dezember wie im
    Vorjahr ausfällt (Dez. 2025: 323 €)"), so status, current value and forecast never contradict each other."""
    if not g.rests_on_forecast:
        return status_text(g.status, lang)
    month = fmt.month_name(g.deadline, lang, short=False)
    if g.method == "seasonal" and g.last_year == g.last_year:
        return t("goals_on_track_if_seasonal", lang, month=month,
                 month_ly=fmt.month(g.deadline - pd.DateOffset(years=1), lang, short=True),
                 value=value_text(g.metric, g.last_year, lang, currency))
    if 0 < g.months_used < 12:  # a trend over 3 months of data is no "trend of the last 12 months"
        return t("goals_on_track_if_trend_months", lang, month=month, months=fmt.number(g.months_used, lang))
    return t("goals_on_track_if_trend", lang, month=month)


def forecast_text(g: GoalStatus, lang: str, currency: str) -> str:
    """The forecast with its range; a monthly goal's names the month it is for (the deadline month, not the
    current one): "322 € im Dez. 2026 (241 €–403 €)"."""
    v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
    if not g.months_left:
        return v(g.actual)
    if g.status == "no_forecast":
        return t("goals_too_few_months", lang)
    if g.cumulative:
        return f"{v(g.forecast)} ({v(g.low)}–{v(g.high)})"
    fields = {"value": v(g.forecast), "month": fmt.month(g.deadline, lang, short=True), "low": v(g.low), "high": v(g.high)}
    if g.method == "seasonal" and g.last_year == g.last_year and not g.rests_on_forecast:
        # a seasonal forecast builds on the deadline month a year earlier: beside today's month ("84" in October,
        # "71 in December") only that month tells a reader why the forecast sits below (or above) the actual; an
        # on-track-by-forecast status already names it (goal_status_text)
        return t("goals_forecast_in_month_ly", lang, month_ly=fmt.month(g.deadline - pd.DateOffset(years=1), lang,
                                                                         short=True),
                 last_year=v(g.last_year), **fields)
    return t("goals_forecast_in_month", lang, **fields)


def titles(goals: Sequence[dict[str, Any]], lang: str) -> dict[str, str]:
    """Goal id -> title in the memo language (``title_en`` for English, else the title)."""
    return {g["id"]: (g.get("title_en") or g["title"]) if lang == "en" else g["title"] for g in goals}


def goal_sentence(g: GoalStatus, lang: str, currency: str, title: str | None = None, *,
                  cumulative: bool = False) -> str:
    """One sentence per goal with comparison and consequence, identical in every memo.

    ``cumulative`` (the goal's ``aggregation``) adds what each remaining month must bring when off course.
    """
    v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
    title = title or g.title
    status = goal_status_text(g, lang, currency)
    if not g.months_left:
        return t("goals_sentence_closed", lang, goal=title, actual=v(g.actual), target=v(g.target), status=status)
    if g.status == "no_forecast":
        return t("goals_sentence_no_forecast", lang, goal=title, actual=v(g.actual), target=v(g.target),
                 deadline=fmt.date(g.deadline, lang), months=fmt.number(g.months_used, lang))
    fields = dict(goal=title, actual=v(g.actual), deadline=fmt.date(g.deadline, lang), forecast=v(g.forecast),
                  low=v(g.low), high=v(g.high), target=v(g.target), status=status)
    if not cumulative:
        return t("goals_sentence", lang, **fields, baseline=v(g.baseline))
    need = required_per_month(g)
    if g.status != "on_track" and need is not None:
        return t("goals_sentence_cumulative_need", lang, **fields, need=v(need))
    return t("goals_sentence_cumulative", lang, **fields)


def required_per_month(g: GoalStatus) -> float | None:
    """For a cumulative goal: what each remaining month must add to reach the target (None when
    the deadline has passed or the target is already reached)."""
    if not g.months_left or (g.actual >= g.target if g.higher_is_better else g.actual <= g.target):
        return None
    return (g.target - g.actual) / g.months_left


def _actual_window(goal: dict[str, Any] | None, as_of: pd.Period | None) -> str:
    """The catalogue window a goal's actual covers: the month, or the year to date for a cumulative
    goal that starts with the calendar year; "" when it is no catalogue window."""
    if goal is None or as_of is None:
        return ""
    if goal.get("aggregation") != "cumulative":
        return str(as_of)
    start = pd.Timestamp(goal["start"])
    return f"{as_of}/YTD" if (start.month, start.day, start.year) == (1, 1, as_of.year) else ""


def goals_table(statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]], lang: str, currency: str,
                as_of: pd.Period | None = None) -> Table:
    """Goal, actual, target, forecast at the deadline with its range, status. With ``as_of`` (the
    month the goals were evaluated for) the actual carries its catalogue id and window."""
    names = titles(goals, lang)
    by_id = {g["id"]: g for g in goals}
    # the actual's window in the header: a reader must see which month the value is (never a bare "Ist")
    when = fmt.month(as_of, lang, short=True) if as_of is not None else ""
    header = [t("goals_col_goal", lang), t("goals_col_actual_as_of", lang, month=when) if when else t("actual", lang),
              t("goals_col_target", lang), t("goals_col_forecast", lang), t("goals_col_status", lang)]
    rows = []
    for g in statuses:
        v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
        forecast = forecast_text(g, lang, currency)
        window = _actual_window(by_id.get(g.goal_id), as_of)
        actual = Fig(v(g.actual), g.metric, window, float(g.actual)) if window else v(g.actual)
        # no forecast, no status: the forecast cell already says why ("zu wenige Monate für eine Prognose")
        status = "–" if g.status == "no_forecast" else goal_status_text(g, lang, currency)
        rows.append([names.get(g.goal_id, g.title), actual, v(g.target), forecast, status])
    return Table(header, rows, align="lrrrl")


def _mid(p: pd.Period) -> pd.Timestamp:
    # a month's value sits mid-month, so it reads under its own month label, not the next one's
    return p.start_time + pd.Timedelta(days=14)


def forecast_path(g: GoalStatus, series: pd.Series, goal: dict[str, Any]) -> pd.DataFrame:
    """Mid-month dates after the last actual up to the deadline with forecast, low and high.

    Each step uses :func:`goals.forecast` with the model of the status (``g.method``): the month's
    value for monthly goals, the running sum plus the forecast sum to that month for cumulative ones.
    """
    as_of = series.index.max()
    months = pd.period_range(as_of + 1, g.deadline.to_period("M"), freq="M")
    cumulative = goal.get("aggregation", "monthly") == "cumulative"
    method = g.method if g.method in ("seasonal", "trend") else None
    if g.months_used:  # the months the status's forecast rested on, not the zeros before the first export
        series = series.iloc[-g.months_used:]
    rows = []
    for k, m in enumerate(months, start=1):
        f, lo, hi, _ = forecast(series, k, cumulative=cumulative, method=method)
        base = g.actual if cumulative else 0.0
        rows.append((_mid(m), base + f, base + lo, base + hi))
    return pd.DataFrame(rows, columns=["date", "forecast", "low", "high"])


def goal_chart(g: GoalStatus, goal: dict[str, Any], monthly: pd.DataFrame, lang: str, currency: str,
               title: str | None = None) -> Chart:
    """Progress chart: actual since the goal's start (running sum for cumulative goals), target at the
    deadline, forecast with its range. The chart title states the status."""
    s = monthly[g.metric]
    as_of = s.index.max() if g.months_left == 0 else g.deadline.to_period("M") - g.months_left
    s = s[s.index <= as_of]
    start = pd.Timestamp(goal["start"]).to_period("M")
    cumulative = goal.get("aggregation", "monthly") == "cumulative"
    shown = s[s.index >= start].cumsum() if cumulative else s[s.index >= max(start, as_of - 12)]
    path = forecast_path(g, s, goal) if g.months_left and g.status != "no_forecast" else None
    name = title or metric_label(g.metric, lang)
    name = name[:1].upper() + name[1:]
    v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
    msg = t("goals_chart_title", lang, name=name, status=goal_status_text(g, lang, currency),
            forecast=v(g.forecast), target=v(g.target))
    sub = t("goals_chart_sub_cumulative" if cumulative else "goals_chart_sub_monthly", lang,
            metric=metric_label(g.metric, lang))
    fig = charts.line_goal(
        [_mid(p) for p in shown.index], shown.to_numpy(), g.target, g.deadline,
        None if path is None else path["forecast"].to_numpy(),
        None if path is None else path["low"].to_numpy(), None if path is None else path["high"].to_numpy(),
        forecast_dates=None if path is None else list(path["date"]), title=msg, subtitle=sub, lang=lang,
        value_format=lambda x: fmt.compact_number(x, lang) if abs(x) >= 10_000 else fmt.number(x, lang),
        size=(6.4, 2.6))
    return Chart.from_figure(fig, msg)


def method_note(statuses: Sequence[GoalStatus], lang: str) -> str:
    """How the forecasts were made, in one sentence (empty when no goal needed a forecast); with less than a
    year of data the trend says how many months it runs over ("Trendlinie über 3–7 Monate"), never "the last
    12 months" over three."""
    used = {g.method for g in statuses if g.months_left}
    if not used & {"seasonal", "trend"}:
        return ""
    months = sorted({g.months_used for g in statuses if g.months_left and g.method == "trend"})
    trend = t("goals_method_trend", lang)
    if months and months[0] < 12:
        span = fmt.number(months[0], lang) if len(months) == 1 else \
            f"{fmt.number(months[0], lang)}–{fmt.number(min(months[-1], 12), lang)}"
        trend = t("goals_method_trend_months", lang, months=span)
    if used >= {"seasonal", "trend"}:
        method = t("goals_method_either", lang, seasonal=t("goals_method_seasonal", lang), trend=trend)
    else:
        method = t("goals_method_seasonal", lang) if "seasonal" in used else trend
    return t("goals_method_note", lang, method=method)


def goals_block(statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]], lang: str, currency: str, *,
                monthly: pd.DataFrame | None = None, chart: str | None = None,
                as_of: pd.Period | None = None, method: bool = True) -> list[Block]:
    """The goals table with how it was forecast, plus the progress chart of goal ``chart`` (an id)
    when ``monthly`` is given. ``method=False`` leaves the forecast method out (a memo with a tight page
    limit puts :func:`method_note` into its data note, where methods belong)."""
    if not statuses:  # an empty table under a heading would read as "no goal is on track"
        return [Paragraph(t("goals_none", lang))]
    out: list[Block] = [goals_table(statuses, goals, lang, currency, as_of)]
    note = method_note(statuses, lang) if method else ""
    if note:
        out.append(Paragraph(note))
    if chart and monthly is not None:
        by_id = {g["id"]: g for g in goals}
        g = next((s for s in statuses if s.goal_id == chart), None)
        if g is None or chart not in by_id:
            raise KeyError(f"goal {chart!r} is not in the params' goals; use one of: {', '.join(by_id)}")
        out.append(goal_chart(g, by_id[chart], monthly, lang, currency))
    return out
