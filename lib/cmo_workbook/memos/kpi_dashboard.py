"""The monthly KPI memo (article section 1): three simple KPIs grown into a 6-tile dashboard.

Numbers come from the period store (:mod:`cmo_workbook.metrics.store`, catalogue ids and windows);
this module writes the "so what" sentence for each and derives the headline and the
recommendations, all by explicit rules; the words come from the message catalogues (ids ``kpi_…``).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..metrics import channel_budget as chb
from ..metrics import channel_stake as chs
from ..metrics.store import KpiStore
from ..render import charts, fmt
from ..render.blocks import (Block, Chart, Comparison, Fig, KpiTiles, Paragraph, Recommendation, Recommendations, Rich,
                              Section, Tile, recommendation_labels)  # noqa: F401  (the notebook's kpis.recommendation_labels)
from . import channel_decision, goals_block as goals_memo, kpi_figures, stakeholders
from ..render.wording import channel_label
from ..metrics.goals import MIN_FORECAST_MONTHS, GoalStatus
from ..render.i18n import t, tn
from ..periods import Period

#: The six tiles: catalogue metric and the window it is shown for.
TILES = (("qualified_leads", "month"), ("cost_per_qualified_lead", "month"), ("sales_acceptance_rate", "month"),
         ("marketing_pipeline_value", "month"), ("marketing_won_revenue", "month"), ("romi_all_orders", "t12m"))


#: a paid channel needs this many qualified inquiries in 3 months before its cost per inquiry is compared
MIN_CHANNEL_LEADS = chs.MIN_LEADS


@dataclass
class Kpi:
    """A tile's KPI as the store holds it (values and comparisons), for the memo's rules."""

    key: str
    value: float
    previous: float
    year_ago: float
    target: float | None
    kind: str  # count | money | rate | ratio
    higher_is_better: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    window: str = ""
    window_kind: str = "month"


def compute(store: KpiStore) -> list[Kpi]:
    """The six KPIs of the month from the period store (previous, year ago, target as stored)."""
    kinds = {"count": "count", "eur": "money", "rate": "rate", "ratio": "ratio"}
    out = []
    for metric, kind in TILES:
        f = store.figure(metric, kind)
        m = store.catalogue[metric]
        out.append(Kpi(metric, f.value, f.prev_value, f.py_value, None if math.isnan(f.target) else f.target,
                       kinds[f.unit], m.higher_is_better is not False, window=f.window, window_kind=kind))
    acc = next(k for k in out if k.key == "sales_acceptance_rate")
    acc.extra["no_verdict"] = kpi_figures.no_verdict(store, store.figure("sales_acceptance_rate", "month"))
    won = next(k for k in out if k.key == "marketing_won_revenue")
    won.extra["share"] = store.figure("marketing_revenue_share", "month")
    return out


def so_what(kpi: Kpi, lang: str, currency: str, ctx: dict[str, Any]) -> str:
    """The consequence of the number, by rule; ``ctx`` carries goal and channel findings."""
    tgt = kpi.target
    gap = (kpi.value - tgt) / tgt if tgt else float("nan")
    if kpi.key == "qualified_leads":
        goal: GoalStatus | None = ctx.get("web_goal")
        if goal is not None and goal.status in ("on_track", "achieved"):
            # the goal's own title in German; an English memo uses the title_en the notebook hands over
            title = goal.title if lang == "de" else ctx.get("web_goal_title_en", goal.title)
            return t("kpi_sw_leads_web_goal", lang, actual=fmt.number(goal.actual, lang),
                     baseline=fmt.number(goal.baseline, lang), goal=title,
                     status=t(goal.status if goal.status != "achieved" else "on_track", lang))
        if gap == gap and gap < 0:
            missing = tgt - kpi.value  # "1 Anfrage unter Plan", never "1 Anfragen"
            return tn("kpi_sw_leads_below_plan_n", round(missing), lang, n=fmt.number(missing, lang))
        if gap != gap:  # no plan: a count alone says nothing about enough or too few
            return t("kpi_sw_leads_no_plan", lang)
        return t("kpi_sw_leads_above_plan", lang)
    if kpi.key == "cost_per_qualified_lead":
        worst = ctx.get("worst_channel")
        if worst and kpi.year_ago == kpi.year_ago and kpi.value > kpi.year_ago:
            return t("kpi_sw_cpl_driver", lang, channel=worst["label"],
                     cpl=fmt.money(worst["cpl"], lang, currency=currency), delta=worst["delta"])
        if not tgt or tgt != tgt:  # no target: no verdict on the level
            return t("kpi_sw_cpl_no_target", lang)
        return t("kpi_sw_cpl_within" if kpi.value <= tgt else "kpi_sw_cpl_above", lang)
    if kpi.key == "sales_acceptance_rate":
        return t("kpi_sw_acceptance_low" if gap == gap and gap < -0.1 else "kpi_sw_acceptance_ok", lang)
    if kpi.key == "marketing_pipeline_value":
        cover = kpi.value / tgt if tgt else float("nan")
        if cover != cover:
            return t("kpi_sw_pipeline_no_target", lang)
        return t("kpi_sw_pipeline_cover", lang, cover=fmt.percent(cover, lang, 0))
    if kpi.key == "marketing_won_revenue":
        return kpi_figures.rich("kpi_sw_won_share", lang, share=kpi_figures.fig(kpi.extra["share"], lang, currency))
    if kpi.key == "romi_all_orders":
        back = 1 + kpi.value
        if back != back:  # the 12 months reach before the data: no return to state
            return t("kpi_sw_romi_no_data", lang)
        # all orders, new and existing customers: never worded like the review's first-order ROMI
        return t("kpi_sw_romi_all_orders", lang, back=fmt.money(back, lang, currency=currency, digits=2))
    return ""


def tiles(store: KpiStore, kpis: list[Kpi], lang: str, currency: str, ctx: dict[str, Any]) -> list[Tile]:
    """KPI tiles from the store: label with window, value, the catalogue's comparisons, so-what."""
    return [kpi_figures.tile(store, k.key, k.window_kind, lang, currency, so_what(k, lang, currency, ctx)) for k in kpis]


def _frame(found: list[chs.ChannelStake], lang: str) -> pd.DataFrame:
    """The channels' stakes (:mod:`cmo_workbook.metrics.channel_stake`) as the memo's table, costliest first."""
    cols = ["cpl", "cpl_ref", "leads", "spend", "change", "excess_cost", "segment", "window"]
    df = pd.DataFrame([[s.cpl, s.cpl_ref, s.leads, s.spend, s.change, s.excess, s.segment, s.window]
                       for s in chs.ranked(found)], index=[s.channel for s in chs.ranked(found)], columns=cols)
    df["label"] = [channel_label(c, lang) for c in df.index]
    return df


def channel_cpl_store(store: KpiStore, lang: str, min_leads: int = MIN_CHANNEL_LEADS, kind: str = "t3m") -> pd.DataFrame:
    """Cost per qualified inquiry per paid channel over the last 3 months vs the same months a year
    earlier, from the store (segments ``channel=...``), with the excess cost of :mod:`~cmo_workbook.metrics.channel_stake`."""
    return _frame(chs.stakes(store, kind, min_leads), lang)


def channel_cpl(by_channel_now: pd.DataFrame, by_channel_ref: pd.DataFrame, lang: str,
                min_leads: int = MIN_CHANNEL_LEADS) -> pd.DataFrame:
    """The same table from per-channel frames (``cost_per_qualified_lead``, ``qualified_leads``, ``spend``)."""
    ref = by_channel_ref["cost_per_qualified_lead"].reindex(by_channel_now.index)
    found = [chs.ChannelStake(str(c), "", "", float(r["spend"]), float(r["qualified_leads"]),
                              float(r["cost_per_qualified_lead"]), float(ref[c]))
             for c, r in by_channel_now.iterrows()
             if chs.comparable(float(r["spend"]), float(r["qualified_leads"]), float(ref[c]), min_leads)]
    return _frame(found, lang)


def worst_channel(cpl: pd.DataFrame, lang: str, threshold: float = chs.RISE, currency: str = "EUR") -> dict[str, Any] | None:
    """The paid channel whose rising cost per qualified lead costs the most money (rise above ``threshold``)."""
    worse = cpl[(cpl["change"] >= threshold) & (cpl["excess_cost"] > 0)]
    if worse.empty:
        return None
    row = worse.sort_values("excess_cost", ascending=False, kind="mergesort").iloc[0]
    cpl_fig = Fig(fmt.money(row["cpl"], lang, currency=currency), "cost_per_qualified_lead", row["window"], float(row["cpl"]),
                  row["segment"]) if row.get("window") else fmt.money(row["cpl"], lang, currency=currency)
    return {"channel": row.name, "label": row["label"], "cpl": row["cpl"], "cpl_ref": row["cpl_ref"], "cpl_fig": cpl_fig,
            "change": row["change"], "delta": fmt.pct_change(row["change"], lang), "excess_cost": row["excess_cost"],
            "spend": float(row["spend"]) if "spend" in row else float("nan")}


def headline(kpis: list[Kpi], period: Period, lang: str, currency: str, worst: dict[str, Any] | None,
             decision: chs.ChannelStake | None = None, budget: chb.BudgetStake | None = None,
             today: date | None = None) -> Rich:
    """Answer first: what marketing delivered this month and the one thing to act on. The channel decision with the
    most euros at stake leads, whatever channel it is in: the ``budget`` of a channel decided on its own (trade
    fairs, :mod:`cmo_workbook.metrics.channel_budget`) when it is at stake more than the channel shift, with the
    shift beside it; else, when the costliest channel is the one the quarter's channel-shift ``decision`` is
    about, its amount and window (the same in every memo)."""
    by = {k.key: k for k in kpis}
    ql, pipe = by["qualified_leads"], by["marketing_pipeline_value"]
    # the year-ago month when the data reach back that far, else the previous month (never a bare "–")
    year_ago = ql.year_ago == ql.year_ago
    d = fmt.delta(ql.value, ql.year_ago if year_ago else ql.previous, lang)
    vs = t("vs_prev_year" if year_ago else "kpi_vs_last_month", lang)
    cpl = by.get("cost_per_qualified_lead")
    cpl_known = cpl is not None and cpl.year_ago == cpl.year_ago  # a verdict on cost needs last year's cost
    n = Fig(fmt.number(ql.value, lang), ql.key, ql.window, ql.value)
    pipe_fig = Fig(fmt.money(pipe.value, lang, currency=currency, compact=True), pipe.key, pipe.window, pipe.value)
    fields = {"n": n, "delta": d.text, "vs": vs, "pipeline": pipe_fig}
    first = channel_decision.ordered([budget, decision])
    if first and first[0] is budget:
        bf = channel_decision.budget_fields(budget, lang, currency, today=today or date.today())
        bf = {k: bf[k] for k in ("channel", "span", "cost", "back")}
        if decision is not None:
            return kpi_figures.rich("kpi_headline_budget_shift", lang, **fields, **bf,
                                    amount=channel_decision.amount_text(decision, lang, currency),
                                    shift_channel=channel_label(decision.channel, lang))
        return kpi_figures.rich("kpi_headline_budget", lang, **fields, **bf)
    if worst:
        if decision is not None and decision.channel == worst["channel"]:
            # the decision the recommendations ask, in euros and with its quarter, on the first line
            return kpi_figures.rich("kpi_headline_worst_decision", lang, **fields, channel=worst["label"],
                                    cpl=worst["cpl_fig"], cpl_delta=worst["delta"],
                                    amount=channel_decision.amount_text(decision, lang, currency),
                                    window=fmt.quarter(channel_decision.decision_period(decision).start, lang))
        return kpi_figures.rich("kpi_headline_worst", lang, **fields, channel=worst["label"], cpl=worst["cpl_fig"],
                                cpl_delta=worst["delta"])
    return kpi_figures.rich("kpi_headline_in_line" if cpl_known else "kpi_headline_no_py", lang, **fields)


def goal_cost(g: GoalStatus, store: KpiStore) -> tuple[float, str] | None:
    """What closing a goal's gap costs per month at the company's own rates (store values of the last 3 months),
    with the basis as a message id: inquiries at the channels' own cost per inquiry, pipeline at the pipeline a
    marketing euro brought, a cost goal as the excess spend at this month's inquiries. None: no euro rate."""
    gap = abs(g.target - g.forecast)
    if g.metric == "qualified_leads_web":
        cpl = store.value("cost_per_qualified_lead", "t3m", "channel=paid_search")
        return (gap * cpl, "kpi_rec_goal_cost_web") if cpl == cpl else None
    if g.metric == "qualified_leads":
        return gap * store.value("cost_per_qualified_lead", "t3m"), "kpi_rec_goal_cost_leads"
    if g.metric == "marketing_pipeline_value":
        spend = store.value("marketing_spend", "t3m")  # no spend in 3 months: no rate (was ZeroDivisionError)
        per_euro = store.value("marketing_pipeline_value", "t3m") / spend if spend else float("nan")
        months = max(g.months_left, 1)  # a cumulative gap is spread over the months left
        return (gap / per_euro / months, "kpi_rec_goal_cost_pipeline") if per_euro == per_euro and per_euro else None
    if g.metric == "cost_per_qualified_lead":
        return gap * store.value("qualified_leads", "month"), "kpi_rec_goal_cost_cpl"
    return None


def recommendation_context(goal_params: Sequence[dict[str, Any]], matrix: Sequence[stakeholders.Stakeholder],
                           period: Period, today: date, lang: str) -> dict[str, Any]:
    """Owners and the review month for :func:`recommendations`: each goal's ``owner`` from params (in the memo
    language), the department the stakeholder matrix names for sales acceptance, and the month the shift is
    reviewed (8 weeks after the period, never before the generation month)."""
    from .consistency import deadline_month

    return {"goal_owners": {g["id"]: stakeholders.owner_label(str(g.get("owner") or ""), matrix, lang) for g in goal_params},
            "sales_owner": stakeholders.joint_owner("sql", matrix, lang, t("kpi_owner_marketing", lang)),
            "review_month": fmt.month(deadline_month(period, today, 2).start_time, lang), "today": today}


def recommendations(kpis: list[Kpi], goals: list[GoalStatus], cpl: pd.DataFrame, lang: str, currency: str,
                    goal_titles: dict[str, str], *, store: KpiStore | None = None,
                    goal_owners: dict[str, str] | None = None, sales_owner: str = "",
                    review_month: str = "", today: date | None = None,
                    budget: chb.BudgetStake | None = None) -> list[Recommendation]:
    """Actions by rule, each with what it costs, what it should bring and the decision asked: costly channels
    (a shift at the channels' own cost per inquiry), goals at risk (the gap at the company's own rates), lead
    acceptance below plan (the spend on rejected inquiries). Owners: the goal's ``owner`` from params, the
    department the stakeholder matrix names for sales acceptance (``sales_owner``), else marketing."""
    out: list[Recommendation] = []
    money = lambda v: fmt.money(v, lang, currency=currency)  # noqa: E731
    thousands = lambda v: fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)  # noqa: E731
    number = lambda v: fmt.number(v, lang)  # noqa: E731
    marketing = t("kpi_owner_marketing", lang)
    # the quarter's channel decisions, asked as the attribution review asks them, the most euros at stake first:
    # the budget of a channel decided on its own (metrics.channel_budget), the channel shift (metrics.channel_stake)
    decision = chs.decision(store) if store is not None else None
    for d in channel_decision.ordered([budget, decision]):
        if d is budget:
            out.append(channel_decision.budget_recommendation(d, lang, currency, owner=marketing, today=today,
                                                              cite=t("chs_memo_review", lang)))
        else:
            out.append(channel_decision.recommendation(
                d, store, lang, currency, today or date.today(), owner=marketing, cite=t("chs_memo_review", lang),
                effect=channel_decision.effect(d, lang, currency, follow=store)))
    for g in goals:
        if g.status in ("at_risk", "off_track", "missed"):
            title = goal_titles.get(g.goal_id, g.title)
            v = lambda x: goals_memo.value_text(g.metric, x, lang, currency)  # noqa: E731
            cost = goal_cost(g, store) if store is not None and g.months_left else None
            action = (t("kpi_rec_goal_decision", lang, goal=title, amount=thousands(cost[0])) if cost
                      else t("kpi_rec_goal_action", lang, goal=title))
            effect = t("kpi_rec_goal_effect", lang, gap=v(abs(g.target - g.forecast)), deadline=fmt.date(g.deadline, lang))
            if cost:
                effect += " " + t(cost[1], lang, amount=thousands(cost[0]))
            out.append(Recommendation(
                action=action,
                owner=(goal_owners or {}).get(g.goal_id) or marketing,
                evidence=t("kpi_rec_goal_evidence", lang, forecast=v(g.forecast), low=v(g.low), high=v(g.high),
                           target=v(g.target), status=t(g.status if g.status != "missed" else "off_track", lang)),
                effect=effect,
            ))
    by = {k.key: k for k in kpis}
    acc = by["sales_acceptance_rate"]
    if acc.target and acc.value < acc.target * 0.9 and not acc.extra.get("no_verdict"):
        leads, cpl_month = by["qualified_leads"].value, by["cost_per_qualified_lead"].value
        # accepted inquiries at the target rate, same spend; the amount is the product of the two figures as
        # printed (whole inquiries, whole euros), so "28 × 694 €" reads 19,4 Tsd. €, not 27,7 × 693,6 € = 19,2
        more, cpl_month = fmt.shown((acc.target - acc.value) * leads), fmt.shown(cpl_month)
        out.append(Recommendation(
            action=t("kpi_rec_acceptance_decision", lang),
            owner=sales_owner or t("kpi_owner_marketing_sales", lang),
            evidence=t("kpi_rec_acceptance_evidence", lang, rate=fmt.percent(acc.value, lang, 0),
                       target=fmt.percent(acc.target, lang, 0)),
            effect=t("kpi_rec_acceptance_gain", lang, more=number(more), cpl=money(cpl_month),
                     amount=thousands(more * cpl_month)),
        ))
    return out[:4]


def recommendation_blocks(recs: list[Recommendation], goals: Sequence[GoalStatus], lang: str) -> list[Block]:
    """The recommendations, or, when nothing asks for a decision, a sentence saying so (never a bare heading);
    it adds when goals wait for more months of data before they can be judged."""
    if recs:
        return [Recommendations(recs, recommendation_labels(lang))]
    waiting = sum(g.status == "no_forecast" for g in goals)
    text = t("kpi_rec_none", lang)
    if waiting:
        text += " " + tn("kpi_rec_none_goals_waiting", waiting, lang, months=str(MIN_FORECAST_MONTHS))
    return [Paragraph(text)]


def clv_paragraph(store: KpiStore, lang: str, currency: str, ratio_target: float) -> Rich:
    """CLV (the one model), CAC and their ratio from the store, with the target ratio and the so-what."""
    ratio = store.figure("clv_to_cac", "t12m")
    fields = {"clv_label": store.label("clv", "asof", lang), "clv": kpi_figures.fig(store.figure("clv", "asof"), lang, currency),
              "cac_label": store.label("cac", "t12m", lang), "cac": kpi_figures.fig(store.figure("cac", "t12m"), lang, currency)}
    years = fmt.number(store.catalogue.params["clv_horizon_years"], lang)
    if ratio.value != ratio.value:  # no CLV or CAC: no verdict on the payback (CLV still explained: jargon check)
        return kpi_figures.rich("kpi_clv_no_ratio_explained", lang, **fields, years=years)
    good = ratio.value >= ratio_target
    # a target of 3.5 : 1 as written (to whole units it read "4 : 1" beside a ratio of 2,9 : 1 that misses 3.5)
    target = fmt.number(ratio_target, lang, 0 if float(ratio_target).is_integer() else 1)
    return kpi_figures.rich("kpi_clv_ratio_good" if good else "kpi_clv_ratio_slow", lang, **fields, years=years,
                            ratio=kpi_figures.fig(ratio, lang, currency), target=target)


def cpl_chart_title(worst: dict[str, Any] | None, cpl: pd.DataFrame, lang: str) -> str:
    """The channel cost chart's message: the costliest channel's rise, "in line with last year", or, while
    no channel has a year-ago value, that the comparison is still missing (never a verdict without it)."""
    if worst:
        return t("kpi_cpl_title_worst", lang, channel=worst["label"], delta=worst["delta"])
    if len(cpl) and cpl["cpl_ref"].notna().any():
        return t("kpi_cpl_title_in_line", lang)
    return t("kpi_cpl_title_no_py", lang)


def cpl_chart_missing(lang: str, min_leads: int = MIN_CHANNEL_LEADS) -> str:
    """Said instead of an empty channel chart: no paid channel has enough inquiries to compare."""
    return t("kpi_cpl_missing", lang, min_leads=str(min_leads))


#: spend within this share of the budget counts as "on budget" (no action asked)
BUDGET_TOLERANCE = 0.02


def budget_tile(store: KpiStore, lang: str, currency: str) -> Tile:
    """Marketing spend year to date against the budget year to date, with the forecast to fiscal-year end
    (actual YTD + the remaining months' budget at this year's pace) and what to do about it."""
    spend, budget = store.figure("marketing_spend", "ytd"), store.figure("marketing_budget", "ytd")
    variance, forecast = store.figure("budget_variance", "ytd"), store.figure("spend_forecast_fy", "ytd")
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    # forecast and annual budget to the thousand: "1,1 Mio. € vs 1,1 Mio. €" would hide a 34 Tsd. € overrun
    thousands = lambda v: fmt.money_thousands(v, lang, currency)  # noqa: E731
    d = fmt.delta(spend.value, budget.value, lang, higher_is_better=False)
    comps = [Comparison(t("kpi_vs_budget", lang), d.text, d.good)]
    share = variance.value / budget.value if budget.value else float("nan")
    if share != share:
        return Tile(store.label("marketing_spend", "ytd", lang), kpi_figures.fig(spend, lang, currency), comps,
                    t("kpi_ctl_spend_no_plan", lang))
    key = ("kpi_ctl_spend_on_budget" if abs(share) <= BUDGET_TOLERANCE
           else "kpi_ctl_spend_over" if share > 0 else "kpi_ctl_spend_under")
    so = kpi_figures.rich(key, lang, variance=kpi_figures.fig(variance, lang, currency, shown=money(abs(variance.value))),
                          budget=kpi_figures.fig(budget, lang, currency),
                          forecast=kpi_figures.fig(forecast, lang, currency, shown=thousands(forecast.value)),
                          budget_fy=thousands(forecast.target))
    return Tile(store.label("marketing_spend", "ytd", lang), kpi_figures.fig(spend, lang, currency), comps, so)


def share_tile(store: KpiStore, metric: str, company_metric: str, lang: str, currency: str) -> Tile:
    """Marketing's share of the company's order intake or revenue, year to date, against the plan share,
    with the euros behind it (marketing's orders, the company figure, the gap to the plan share)."""
    f, company = store.figure(metric, "ytd"), store.figure(company_metric, "ytd")
    won = store.figure("marketing_won_revenue", "ytd")
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    if f.value != f.value:  # controlling has not reported every month of the year yet
        so: str = t("kpi_ctl_share_no_actuals", lang)
    elif f.target != f.target:
        so = t("kpi_ctl_share_no_plan", lang)
    else:
        kind = "order_intake" if company_metric == "company_order_intake" else "revenue"
        above = f.value >= f.target
        gap = (f.target - f.value) * company.value  # marketing orders missing to the plan share
        so = kpi_figures.rich(f"kpi_ctl_share_{kind}_{'above' if above else 'below'}", lang,
                              marketing=kpi_figures.fig(won, lang, currency, shown=money(won.value)),
                              company=kpi_figures.fig(company, lang, currency, shown=money(company.value)),
                              plan=fmt.percent(f.target, lang, 0), gap=money(abs(gap)))
    # against plan only: the year-ago share lies in the export's ramp-up months for most companies' first year
    return kpi_figures.tile(store, metric, "ytd", lang, currency, so, which=("target",))


def controlling_blocks(store: KpiStore, lang: str, currency: str) -> list[Block]:
    """First screen, second row: spend vs budget with the forecast to year end, and marketing's share of
    the company's order intake and revenue against plan; one sentence where controlling's inputs are missing."""
    if math.isnan(store.value("marketing_budget", "ytd")) and math.isnan(store.value("company_order_intake", "ytd")):
        return [Paragraph(t("kpi_ctl_missing", lang))]
    return [KpiTiles([budget_tile(store, lang, currency),
                      share_tile(store, "marketing_order_intake_share", "company_order_intake", lang, currency),
                      share_tile(store, "marketing_revenue_share_company", "company_revenue", lang, currency)],
                     columns=3)]


def memo_title(lang: str) -> str:
    """The memo's title in the header."""
    return t("kpi_memo_title", lang)


def leads_chart(store: KpiStore, period: pd.Period, lang: str, plan_value: float | None) -> Chart:
    """Qualified inquiries of the last 13 months against the same months a year earlier (and the plan)."""
    last13 = pd.period_range(period - 12, period, freq="M")
    ql = store.months("qualified_leads", 13)
    ql_py = store.months("qualified_leads", 13, back=12)
    change = fmt.delta(ql.iloc[-1], ql_py.iloc[-1], lang)
    title = t("kpi_leads_chart_title", lang, delta=change.text)
    plan = [plan_value] * len(last13) if plan_value else None
    fig = charts.columns_ac_py([x.start_time for x in last13], ql.to_numpy(), ql_py.to_numpy(), title=title,
                               subtitle=t("kpi_leads_chart_sub", lang), lang=lang, plan=plan)
    return Chart.from_figure(fig, title)


def channel_blocks(cpl: pd.DataFrame, worst: dict[str, Any] | None, lang: str, store: KpiStore | None = None,
                   kind: str = "t3m") -> list[Block]:
    """The section on where the inquiries come from: cost per inquiry per paid channel vs a year ago,
    or the sentence why there is no comparison yet. With the ``store`` that sentence names the real reason
    when a paid channel had enough inquiries but no year-ago value (a company whose exports begin this year),
    instead of "no channel had enough inquiries"."""
    paid = cpl.sort_values("cpl", ascending=False)
    if not len(paid):
        no_ref = chs.without_reference(store, kind, MIN_CHANNEL_LEADS) if store is not None else []
        if no_ref:
            names = ", ".join(channel_label(c, lang) for c in no_ref)
            text = tn("kpi_cpl_missing_no_reference", len(no_ref), lang, channels=names,
                      min_leads=str(MIN_CHANNEL_LEADS))
            return [Section(t("kpi_section_sources", lang)), Paragraph(text)]
        return [Section(t("kpi_section_sources", lang)), Paragraph(cpl_chart_missing(lang))]
    title = cpl_chart_title(worst, paid, lang)
    fig = charts.bars_variance(list(paid["label"]), paid["cpl"].to_numpy(), paid["cpl_ref"].to_numpy(), title=title,
                               subtitle=t("kpi_cpl_chart_sub", lang), lang=lang, reference_kind="PY",
                               higher_is_better=False, value_format=lambda v: fmt.number(v, lang))
    return [Section(t("kpi_section_sources", lang)), Chart.from_figure(fig, title)]


def comparison_note(lang: str) -> str:
    """The data note's line on what "–" means in the tiles."""
    return t("kpi_note_no_comparison", lang)
