"""The quarterly attribution review: KPIs, channel ROMI, model comparison, pipeline.

Catalogue KPIs come from the period store (:mod:`cmo_workbook.metrics.store`); the analysis from :mod:`cmo_workbook.attribution`,
:mod:`cmo_workbook.metrics.funnel` and :mod:`cmo_workbook.metrics.clv`; this module compares them
(previous quarter, target), writes the "so what" of each and derives the headline and
the recommendations by explicit rules; every sentence is a catalogue message (ids ``attr_…``).

Window: a quarter holds too few won deals for stable channel figures and B2B deals
close quarters after the spend, so channel ROMI uses the four quarters ending with
the reported one (spend and new-business deals won in them, journeys up to 365 days).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

import numpy as np

import pandas as pd

from ..metrics import clv as clv_mod
from ..metrics import budget
from ..render import fmt
from . import channel_decision, kpi_figures
from .channel_decision import next_quarter  # noqa: F401  (the notebook's review.next_quarter)
from ..metrics import channel_budget as chb
from ..metrics import channel_stake as chs
from ..metrics.store import KpiStore, parse_window
from ..attribution import MIN_CONVERSIONS
from ..attribution.crm import outcomes_from_crm
from ..attribution.source import touches_for
from ..render.blocks import Comparison, Fig, Recommendation, Rich, Tile
from ..render.i18n import t, tn
from ..render.wording import channel_label, rich
from ..metrics.monthly import spend_by_channel  # noqa: F401  (the notebook's review.spend_by_channel)
from ..periods import Period

RULE_BASED = ("first_touch", "last_touch", "last_non_direct", "linear", "distinct_linear", "time_decay",
              "position_based", "w_shaped", "full_path")
#: data-driven models in the spread: order-3 Markov stays with the analyst (too many states for one company's deals)
DATA_DRIVEN = ("markov", "markov_2", "shapley")
#: the models whose range the memo's "across models" column shows
SPREAD_MODELS = RULE_BASED + DATA_DRIVEN
#: primary model: rule-based, fair to openers and closers, explainable to a CEO
PRIMARY_MODEL = "linear"
WINDOW_QUARTERS = chb.WINDOW_QUARTERS
LOOKBACK_DAYS = 365
#: the bootstrap's replicates and seed: the review's defaults, and what every memo citing its figures uses
N_BOOT = 200
SEED = 20240101

# --------------------------------------------------------------------------- windows


def window(period: Period, quarters: int = WINDOW_QUARTERS) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[start, end)`` of the ``quarters`` quarters ending with ``period``."""
    return period.shift(-(quarters - 1)).start, period.end


@dataclass
class YearAttribution:
    """The primary model over the four quarters ending with a quarter: journeys, outcomes, spend and bootstrap."""

    start: pd.Timestamp
    end: pd.Timestamp
    touches: Any  # :func:`cmo_workbook.attribution.source.touches_for`: in memory or in the engine
    outcomes: pd.DataFrame
    spend: pd.Series  # cost per channel in the window
    boot: pd.DataFrame  # :func:`cmo_workbook.attribution.bootstrap` with cost and ROMI


def year_attribution(ds: Any, quarter: Period, n_boot: int = N_BOOT, seed: int = SEED) -> YearAttribution:
    """New-business deals won in the four quarters to ``quarter``, journeys up to :data:`LOOKBACK_DAYS` back,
    attributed by :data:`PRIMARY_MODEL` with its journey bootstrap (``ds``: a dataset with leads, deals,
    touchpoints and spend). The review's channel table and every memo's budget decision rest on it."""
    start, end = window(quarter)
    # pandas for CSV/xlsx, DuckDB or the source database for Parquet/DuckDB/SQL entries (same figures)
    touches = touches_for(ds, channels=ds.params.marketing_channels)
    outcomes = outcomes_from_crm(ds.leads, ds.deals, window=(start, end))
    spend = spend_by_channel(ds.spend, start, end)
    boot = touches.bootstrap(outcomes, PRIMARY_MODEL, n_boot=n_boot, seed=seed, cost_by_channel=spend,
                             margin_rate=ds.params.gross_margin, lookback_days=LOOKBACK_DAYS)
    return YearAttribution(start, end, touches, outcomes, spend, boot)


def budget_stakes(ds: Any, quarter: Period, n_boot: int = N_BOOT) -> list[chb.BudgetStake]:
    """The channels decided on their own (trade fairs) over the four quarters to ``quarter``, from the review's
    attribution (:func:`year_attribution`); [] when the data lack touchpoints or spend. The memos that are not the
    review call this for the period pack's budget decision (:func:`cmo_workbook.metrics.channel_budget.decision`)."""
    if not all(ds.has(t) for t in ("leads", "deals", "touchpoints", "spend")):
        return []
    y = year_attribution(ds, quarter, n_boot)
    return chb.from_frame(chb.margins(y.boot, ds.params.gross_margin), str(quarter))


def budget_decision(ds: Any, store: KpiStore, n_boot: int = N_BOOT) -> chb.BudgetStake | None:
    """The period pack's budget decision (:func:`cmo_workbook.metrics.channel_budget.decision`) on the last
    complete quarter of ``store`` (a monthly store carries it): the same channel, amount and window in the review,
    the KPI memo and the strategy memo."""
    return chb.decision(budget_stakes(ds, Period.parse(store.window("quarter")), n_boot))


def deals_as_of(deals: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Deals as the CRM showed them at ``as_of`` (exclusive): created before it; deals decided
    later count as open, in the stage ``(decided later)`` since their stage back then is unknown.
    """
    df = deals[deals["created_date"] < as_of].copy()
    later = df["status"].isin(["won", "lost"]) & (df["close_date"] >= as_of)
    df.loc[later, "status"] = "open"
    df.loc[later, "stage"] = "(decided later)"
    df.loc[later, "close_date"] = pd.NaT
    return df


# --------------------------------------------------------------------------- customer value


def customer_value(deals: pd.DataFrame, as_of: pd.Timestamp, gross_margin: float, *,
                   horizon_months: int = 60, discount_rate: float = 0.08) -> dict[str, Any]:
    """The workbook's one CLV model (:func:`cmo_workbook.metrics.clv.customer_value`)."""
    return clv_mod.customer_value(deals, as_of, gross_margin, horizon_months=horizon_months, discount_rate=discount_rate)


# --------------------------------------------------------------------------- KPIs


@dataclass
class QKpi:
    key: str
    value: float
    previous: float
    target: float | None
    kind: str  # count | money | ratio | factor
    higher_is_better: bool = True
    window_kind: str = "quarter"
    window: str = ""


def romi_from_attribution(attributed_value: pd.Series, spend: pd.Series, gross_margin: float) -> float:
    """(attributed margin − cost) ÷ cost over the channels that cost money."""
    paid = spend[spend > 0]
    margin = float(attributed_value.reindex(paid.index).fillna(0.0).sum()) * gross_margin
    cost = float(paid.sum())
    return (margin - cost) / cost if cost else math.nan


#: Tiles read from the period store: catalogue metric and window.
STORE_TILES = (("qualified_leads", "quarter"), ("cost_per_qualified_lead", "quarter"),
               ("marketing_pipeline_value", "quarter"), ("marketing_won_revenue", "quarter"))
#: The one tile the store does not compute: the catalogue KPI of kind ``attribution`` (this memo's linear model).
ATTRIBUTED_ROMI = "romi_first_orders_attributed"


def compute_kpis(store: KpiStore, targets: dict[str, Any], *, romi_now: float, romi_prev: float,
                 window: str) -> list[QKpi]:
    """The six KPI tiles of the quarter: four catalogue values and CLV:CAC from the store, plus the
    attributed first-order ROMI of the linear model over the four quarters ``window``."""
    kinds = {"count": "count", "eur": "money", "rate": "ratio", "ratio": "ratio", "factor": "factor"}
    out = []
    for metric, kind in STORE_TILES + (("clv_to_cac", "t12m"),):
        f = store.figure(metric, kind)
        out.append(QKpi(metric, f.value, f.prev_value, None if math.isnan(f.target) else f.target, kinds[f.unit],
                        store.catalogue[metric].higher_is_better is not False, kind, f.window))
    out.insert(4, QKpi(ATTRIBUTED_ROMI, romi_now, romi_prev, targets.get("romi"), "ratio", window_kind="t12m",
                       window=window))
    return out


def _value_text(k: QKpi, lang: str, currency: str) -> str:
    if k.kind == "money":
        return fmt.money(k.value, lang, currency=currency, compact=abs(k.value) >= 10_000)
    if k.kind == "ratio":
        return fmt.percent(k.value, lang, digits=0)
    if k.kind == "factor":
        return f"{fmt.number(k.value, lang, 1)} : 1"
    return fmt.number(k.value, lang)


def _cmp(k: QKpi, other: float | None, label: str, lang: str) -> Comparison:
    kind = "pp" if k.kind == "ratio" else "pct"
    d = fmt.delta(k.value, other, lang, kind=kind, higher_is_better=k.higher_is_better,
                  digits=0 if kind == "pp" else None)
    return Comparison(label, d.text, d.good)


def so_what(k: QKpi, lang: str, currency: str, ctx: dict[str, Any]) -> str:
    """The consequence of a KPI, by rule; ``ctx`` carries channel and unit-economics findings."""
    tgt = k.target
    below = tgt is not None and k.value == k.value and (k.value < tgt if k.higher_is_better else k.value > tgt)
    money = lambda v: fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)  # noqa: E731
    if k.key == "qualified_leads":
        if below:
            return tn("attr_sw_leads_below_n", round(tgt - k.value), lang, n=fmt.number(tgt - k.value, lang))
        return t("attr_sw_leads_on_plan", lang)
    if k.key == "cost_per_qualified_lead":
        worst = ctx.get("worst_cpl")
        if worst is not None and below:
            return t("attr_sw_cpl_driver", lang, channel=worst["label"], cpl=money(worst["cpl"]), delta=worst["delta"])
        return t("attr_sw_cpl_above" if below else "attr_sw_cpl_within", lang)
    if k.key == "marketing_pipeline_value":
        cover = k.value / tgt if tgt else math.nan
        return t("attr_sw_pipeline", lang, share=fmt.percent(cover, lang, 0))
    if k.key == "marketing_won_revenue":
        return t("attr_sw_won", lang, days=fmt.number(ctx.get("cycle_days"), lang))
    if k.key == ATTRIBUTED_ROMI:
        # first orders only: never worded like the KPI memo's ROMI on all orders, which it names with its window
        back = fmt.money(1 + k.value, lang, currency=currency, digits=2)
        total = ctx.get("romi_all_orders")
        if not isinstance(total, Fig) or total.value != total.value:
            return t("attr_sw_romi_first_orders", lang, back=back)
        return rich("attr_sw_romi_first_orders_vs_total", lang, back=back, romi_all=total,
                    label=t("kpi_romi_all_orders", lang), window=ctx.get("romi_all_orders_window", ""))
    if k.key == "clv_to_cac":
        cac, clv = ctx.get("cac"), ctx.get("clv")  # store figures (Fig) or plain numbers
        cac = cac if isinstance(cac, Fig) else money(cac)
        clv = clv if isinstance(clv, Fig) else money(clv)
        return rich("attr_sw_clv", lang, cac=cac, clv=clv, months=fmt.number(ctx.get("payback_months"), lang))
    return ""


def tiles(store: KpiStore, kpis: list[QKpi], lang: str, currency: str, ctx: dict[str, Any]) -> list[Tile]:
    """KPI tiles: catalogue values with the catalogue's comparisons; the attributed ROMI vs previous quarter and target,
    its so-what naming the store's ROMI on all orders (its months spelled out) so the two never read as one KPI."""
    out = []
    if store.has("romi_all_orders", store.window("t12m")):
        total = store.figure("romi_all_orders", "t12m")
        w = parse_window(total.window)
        ctx = {**ctx, "romi_all_orders": kpi_figures.fig(total, lang, currency),
               "romi_all_orders_window": fmt.month_span(w.start, w.end.start_time, lang)}
    for k in kpis:
        if k.key == ATTRIBUTED_ROMI:
            cmps = [_cmp(k, k.previous, t("vs_prev_window_q", lang), lang)]
            if k.target is not None:
                cmps.append(_cmp(k, k.target, t("vs_target", lang), lang))
            value = Fig(_value_text(k, lang, currency), k.key, k.window, k.value)
            out.append(Tile(store.label(k.key, k.window_kind, lang), value, cmps, so_what(k, lang, currency, ctx)))
        else:
            out.append(kpi_figures.tile(store, k.key, k.window_kind, lang, currency, so_what(k, lang, currency, ctx)))
    return out


# --------------------------------------------------------------------------- channels


def channel_cpl_change(store: KpiStore) -> pd.DataFrame:
    """Cost per qualified lead per comparable paid channel in the quarter vs the same quarter last year, from the
    KPI store (:func:`cmo_workbook.metrics.channel_stake.stakes`: the rules every memo applies)."""
    rows = {s.channel: {"spend": s.spend, "qualified_leads": s.leads, "cpl": s.cpl, "cpl_ref": s.cpl_ref,
                        "cpl_change": s.change} for s in chs.stakes(store, "quarter")}
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["spend", "qualified_leads", "cpl", "cpl_ref", "cpl_change"])


def worst_cpl(store: KpiStore, lang: str) -> dict[str, Any] | None:
    """The quarter's costliest channel (:func:`cmo_workbook.metrics.channel_stake.costliest`), for the sentences."""
    s = chs.costliest(store, "quarter")
    if s is None:
        return None
    return {"channel": s.channel, "label": channel_label(s.channel, lang), "cpl": s.cpl, "cpl_ref": s.cpl_ref,
            "change": s.change, "delta": fmt.pct_change(s.change, lang)}


def channel_frame(boot: pd.DataFrame, models: pd.DataFrame, gross_margin: float,
                  cpl: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per paid channel: cost, attributed margin (range), ROMI (range) and the ROMI spread across models.

    ``boot``: :func:`cmo_workbook.attribution.bootstrap` with cost and margin; ``models``:
    :func:`cmo_workbook.attribution.attribute_all` (value) on the same journeys.
    """
    df = chb.margins(boot, gross_margin)
    romi_models = (models.reindex(df.index) * gross_margin).sub(df["cost"], axis=0).div(df["cost"], axis=0)
    df["romi_model_min"] = romi_models.min(axis=1)
    df["romi_model_max"] = romi_models.max(axis=1)
    df["model_min"] = romi_models.idxmin(axis=1)
    df["model_max"] = romi_models.idxmax(axis=1)
    if cpl is not None:
        df["cpl_change"] = cpl["cpl_change"].reindex(df.index)
    return df.sort_values("romi", ascending=False, kind="mergesort")


def _romi(v: float, lang: str) -> str:
    return fmt.percent(v, lang, 0)


def channel_rows(ch: pd.DataFrame, suggestion: pd.DataFrame, lang: str, currency: str,
                 period_label: str) -> tuple[list[str], list[list[str]]]:
    """One table for the CEO: cost, attributed margin, ROMI in percent with its 90 % range and its
    range across models, and next quarter's budget change (lumpy channels: decided separately)."""
    header = [t(f"attr_col_{c}", lang) for c in ("channel", "cost", "margin", "romi", "range", "models")]
    header.append(t("attr_col_budget", lang, quarter=period_label))
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    pct = lambda v: fmt.number(v * 100, lang)  # noqa: E731
    rows = []
    for c, r in ch.iterrows():
        nxt = fmt.MISSING
        if c in suggestion.index:
            sg = suggestion.loc[c]
            nxt = (t("attr_budget_separate", lang) if sg["action"] == "separate"
                   else "±0" if sg["change"] == 0 else fmt.pct_change(sg["change_pct"], lang))
        rows.append([channel_label(c, lang), money(r["cost"]), money(r["margin"]), pct(r["romi"]),
                     f"{pct(r['romi_low'])}…{pct(r['romi_high'])}",
                     f"{pct(r['romi_model_min'])}…{pct(r['romi_model_max'])}", nxt])
    return header, rows


def budget_paragraph(suggestion: pd.DataFrame, effect: dict[str, float], biggest: str | None, lang: str,
                     currency: str, curves: pd.DataFrame | None = None, shift_no: int = 1,
                     test_ran: bool = False, decision: chs.ChannelStake | None = None) -> str:
    """The budget shift as a business case: what moves, what it should earn, and the caveat.

    With ``curves`` (:func:`cmo_workbook.metrics.budget.response_curves`) the gain is at marginal
    returns, and the channels whose return is only assumed (no supported curve) are named.
    ``decision``: the period pack's channel-shift decision; when the plan cuts its channel, the money moved is
    named as that decision's amount and the rest of the plan's cuts (:func:`freed_text`), never as one sum that
    would read as a second amount for the same decision (#11).
    """
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    cuts = suggestion[suggestion["action"] == "cut"]
    # the shift's and its test's numbers in the recommendations (a bigger separate decision may come first)
    # ``test_ran``: the biggest shift's channel was tested already; its result stands, no new test is proposed
    caveat = (t("attr_caveat_test_ran" if test_ran else "attr_caveat_test_no", lang, channel=channel_label(biggest, lang),
                no=shift_no + 1) if biggest else t("attr_caveat", lang))
    if cuts.empty:
        return t("attr_budget_no_shift", lang) + " " + caveat
    freed = freed_text(cuts, decision, lang, currency)
    if effect["net"] > 0:
        out = t("attr_budget_gain_curve_no" if curves is not None else "attr_budget_gain_past_no", lang, no=shift_no,
                freed=freed, gain=money(effect["net"]))
    else:
        out = t("attr_budget_cut_only", lang, freed=freed)
    assumed = [c for c in suggestion.index[suggestion["action"].isin(["cut", "grow"])]
               if curves is not None and budget.marginal_factor(curves, c) is None]
    if assumed and abs(effect.get("assumed_margin", 0.0)) >= 1.0:
        grown = any(suggestion.at[c, "action"] == "grow" for c in assumed)
        out += " " + t("attr_budget_assumed_grown" if grown else "attr_budget_assumed", lang,
                       amount=money(abs(effect["assumed_margin"])),
                       channels=", ".join(channel_label(c, lang) for c in assumed))
    return out + " " + caveat


def rest_of_plan(cuts: pd.DataFrame, decision: chs.ChannelStake | None) -> pd.DataFrame:
    """The plan's cuts other than the channel-shift decision's channel (all cuts when the plan does not cut it)."""
    if decision is None or decision.channel not in cuts.index:
        return cuts
    return cuts.drop(index=decision.channel)


def freed_text(cuts: pd.DataFrame, decision: chs.ChannelStake | None, lang: str, currency: str) -> str:
    """The money the plan's cuts free, in words: '8,7 Tsd. € aus LinkedIn und 7 Tsd. € aus Suchmaschinenwerbung,
    Partner' when the plan cuts the decision's channel (its amount is the decision's, as in every memo), else the
    sum ('15,7 Tsd. €')."""
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    rest = rest_of_plan(cuts, decision)
    if decision is None or len(rest) == len(cuts):
        return money(-cuts["change"].sum())
    own = t("attr_budget_freed_decision", lang, amount=channel_decision.amount_text(decision, lang, currency),
            channel=channel_label(decision.channel, lang))
    if rest.empty:
        return own
    return t("attr_budget_freed_split", lang, decision=own, rest=money(-rest["change"].sum()),
             channels=", ".join(channel_label(c, lang) for c in rest.index))


def model_basis(reliability_window: dict, lang: str) -> str:
    """Which model the budget advice rests on, and why (the evidence: ``bench/attribution.py``'s truth table)."""
    primary = t(f"rv_model_{PRIMARY_MODEL}", lang)
    if reliability_window["reliable"]:
        return t("attr_basis_stable", lang, model=primary)
    return t("attr_basis_few_deals", lang, model=primary, n=reliability_window["n"])


def models_note(lang: str) -> str:
    """Footnote: the models behind the range column, each with its honest name."""
    return t("attr_models_note", lang, n_rule=len(RULE_BASED))


def model_comparison(models: pd.DataFrame, reliability_quarter: dict, reliability_window: dict, lang: str,
                     currency: str) -> list[str]:
    """Bullets: where the models disagree most, why it matters, and how far to trust data-driven models."""
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    cols = [c for c in models.columns if c in RULE_BASED + DATA_DRIVEN]
    share = models[cols].div(models[cols].sum(axis=0), axis=1)
    spread = (share.max(axis=1) - share.min(axis=1)).drop(index=[i for i in share.index if i.startswith("(")], errors="ignore")
    out = []
    for ch in spread.sort_values(ascending=False, kind="mergesort").index[:2]:
        lo_m, hi_m = share.loc[ch].idxmin(), share.loc[ch].idxmax()
        out.append(t("attr_cmp_range", lang, channel=channel_label(ch, lang),
                     low=money(models.at[ch, lo_m]), low_model=t("rv_model_" + lo_m, lang),
                     high=money(models.at[ch, hi_m]), high_model=t("rv_model_" + hi_m, lang),
                     role=_role(lo_m, hi_m, lang)))
    if "shapley" in models.columns:
        negative = models["shapley"].drop(index=[i for i in models.index if i.startswith("(")], errors="ignore")
        negative = negative[negative < 0]
        if len(negative):
            ch = negative.sort_values(kind="mergesort").index[0]
            out.append(t("attr_cmp_shapley_negative", lang, channel=channel_label(ch, lang), value=money(negative[ch])))
    nq, nw = reliability_quarter["n"], reliability_window["n"]
    if not reliability_quarter["reliable"]:
        out.append(t("attr_cmp_unreliable" if reliability_window["reliable"] else "attr_cmp_unreliable_window", lang,
                     n_quarter=nq, n_window=nw, minimum=MIN_CONVERSIONS))
    else:
        out.append(t("attr_cmp_reliable", lang, n_quarter=nq))
    return out


def _role(lo_model: str, hi_model: str, lang: str) -> str:
    openers = ("first_touch", "position_based", "w_shaped", "full_path")
    closers = ("last_touch", "last_non_direct", "time_decay")
    if hi_model in openers and lo_model in closers:
        return t("attr_role_opener", lang)
    if hi_model in closers and lo_model in openers:
        return t("attr_role_closer", lang)
    return t("attr_role_differs", lang)


# --------------------------------------------------------------------------- pipeline


def pipeline_bullets(*, open_value: float, open_deals: int, aged_share: float, coverage: float, coverage_target: float,
                     velocity_month: float, velocity_prev: float, win_count: float, win_value: float,
                     cycle_median_days: float, sourced_share: float, influenced_share: float, lang: str,
                     currency: str, cycle_q75_days: float = float("nan"),
                     late_win_share: float = float("nan")) -> list[str]:
    """Pipeline and velocity in four sentences, each with its consequence.

    ``cycle_median_days``/``cycle_q75_days``: days to the order among deals that win, with
    lost deals as a competing outcome (:func:`cmo_workbook.metrics.funnel.cycle_length`);
    ``late_win_share``: share of the deals still open after ``cycle_q75_days`` that win.
    """
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    pct = lambda v: fmt.percent(v, lang, 0)  # noqa: E731
    short = coverage < coverage_target
    # the velocity sentence names the upper quartile and the late deals only when they are known
    q75 = cycle_q75_days == cycle_q75_days
    late = late_win_share == late_win_share and late_win_share < 0.5
    velocity_id = {(False, False): "attr_pipe_velocity", (True, False): "attr_pipe_velocity_q75",
                   (False, True): "attr_pipe_velocity_late", (True, True): "attr_pipe_velocity_q75_late"}[(q75, late)]
    return [
        t("attr_pipe_open_thin" if short else "attr_pipe_open_ok", lang, value=money(open_value),
          deals=fmt.number(open_deals, lang), aged=pct(aged_share), coverage=fmt.number(coverage, lang, 1),
          target=fmt.number(coverage_target, lang)),
        t(velocity_id, lang, velocity=money(velocity_month), delta=fmt.delta(velocity_month, velocity_prev, lang).text,
          win_count=pct(win_count), win_value=pct(win_value), days=fmt.number(cycle_median_days, lang),
          **({"q75_days": fmt.number(cycle_q75_days, lang)} if q75 else {}),
          **({"late_share": pct(late_win_share)} if late else {})),
        t("attr_pipe_sourced", lang, sourced=pct(sourced_share), influenced=pct(influenced_share)),
    ]


# --------------------------------------------------------------------------- headline and actions


def headline(kpis: list[QKpi], channels: pd.DataFrame, suggestion: pd.DataFrame, period_label: str, lang: str,
             currency: str, holdout_readable: bool = True, stakes: list[chb.BudgetStake] | None = None,
             decide_from: Period | None = None, decision: chs.ChannelStake | None = None) -> Rich:
    """Answer first: what the quarter earned and the decision with the most euros at stake, whatever channel
    it is in: a channel decided separately (trade fairs: its year's budget,
    :mod:`cmo_workbook.metrics.channel_budget`) when it costs more than the whole budget shift moves, else the shift.

    ``holdout_readable``: whether a test region can verify the shift (False: leads carry no
    region, so the headline does not promise a test that cannot be read out).
    ``decision``: the period pack's channel-shift decision; beside a bigger separate decision the headline names it
    with its amount and channel, as the KPI memo does ('daneben 8,7 Tsd. € Umschichtung aus LinkedIn'), not the
    plan's sum of cuts (#11).
    """
    by = {k.key: k for k in kpis}
    won = by["marketing_won_revenue"]
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    cut = suggestion[suggestion["action"] == "cut"].sort_values("change", kind="mergesort")
    fields: dict[str, object] = {"period": period_label, "won": Fig(money(won.value), won.key, won.window, won.value),
                                 "delta": fmt.delta(won.value, won.previous, lang).text}
    moved = float(-cut["change"].sum()) if len(cut) else 0.0
    if stakes and stakes[0].at_stake > moved and decide_from is not None:
        st = stakes[0]
        if decision is not None:
            return rich("attr_headline_stake_shift", lang, **fields, channel=channel_label(st.channel, lang),
                        cost=money(st.cost), margin=money(st.margin), romi=_romi(st.romi, lang),
                        low=_romi(st.romi_low, lang), high=_romi(st.romi_high, lang),
                        span=channel_decision.budget_span(decide_from, lang),
                        amount=channel_decision.amount_text(decision, lang, currency),
                        shift_channel=channel_label(decision.channel, lang))
        return rich("attr_headline_stake", lang, **fields, channel=channel_label(st.channel, lang),
                    cost=money(st.cost), margin=money(st.margin), romi=_romi(st.romi, lang),
                    low=_romi(st.romi_low, lang), high=_romi(st.romi_high, lang),
                    span=channel_decision.budget_span(decide_from, lang), moved=money(moved))
    if not len(cut):
        return rich("attr_headline_all_earn", lang, **fields)
    ch = cut.index[0]
    r = channels.loc[ch] if ch in channels.index else None
    fields |= {"channel": channel_label(ch, lang), "amount": money(-cut["change"].iloc[0])}
    if r is not None:
        fields |= {"romi": _romi(r["romi"], lang), "low": _romi(r["romi_low"], lang), "high": _romi(r["romi_high"], lang)}
    key = {(True, True): "attr_headline_shift_test", (False, True): "attr_headline_shift_steps",
           (True, False): "attr_headline_shift_test_no_range",
           (False, False): "attr_headline_shift_steps_no_range"}[(holdout_readable, r is not None)]
    return rich(key, lang, **fields)


def leading_stakes(stakes: list[chb.BudgetStake] | None, suggestion: pd.DataFrame) -> int:
    """How many separate decisions come before the budget shift in the recommendations (those costing more
    than the shift moves), so the text can name the shift's number."""
    cuts = suggestion[suggestion["action"] == "cut"]
    moved = float(-cuts["change"].sum()) if len(cuts) else 0.0
    return sum(1 for st in stakes or [] if st.at_stake > moved)


def shift_range(suggestion: pd.DataFrame, curves: pd.DataFrame | None = None) -> tuple[float, float]:
    """The shift's net margin per quarter at the ends of the channels' own ROMI ranges (90 % from the
    resampled journeys): pessimistic = cut channels at their high end, grown ones at their low end."""
    out = []
    for cut_end, grow_end in (("romi_high", "romi_low"), ("romi_low", "romi_high")):
        s = suggestion.copy()
        s["romi"] = np.where(s["change"] < 0, s[cut_end], s[grow_end])
        out.append(budget.expected_effect(s, curves)["net"])
    return min(out), max(out)


def stake_recommendation(st: chb.BudgetStake, decide_from: Period, lang: str, currency: str,
                         store: KpiStore | None = None) -> Recommendation:
    """The separate channel's year as the decision every memo asks (:func:`channel_decision.budget_recommendation`),
    with the review's own evidence: the quarter store's 12 months (its inquiries at its own cost per inquiry, all
    orders incl. existing customers) beside the attributed first-order margin and range."""
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    label = channel_label(st.channel, lang)
    evidence: object = ""
    effect: object = ""
    seg = f"channel={st.channel}"
    if store is not None and store.has("qualified_leads", store.window("t12m"), seg):
        fig = lambda m: kpi_figures.fig(store.figure(m, "t12m", seg), lang, currency)  # noqa: E731
        leads = fig("qualified_leads")
        evidence = rich("attr_rec_stake_evidence", lang, channel=label, cost=fig("marketing_spend"), leads=leads,
                        cpl=fig("cost_per_qualified_lead"), margin=money(st.margin), low=money(st.margin_low),
                        high=money(st.margin_high), romi=_romi(st.romi, lang))
        effect = rich("attr_rec_stake_effect", lang, channel=label, won_all=fig("marketing_won_revenue"),
                      cost=money(st.cost), leads=leads)
    return channel_decision.budget_recommendation(st, lang, currency, decide_from=decide_from,
                                                  owner=t("attr_owner_marketing", lang), evidence=evidence,
                                                  effect=effect)


def recommendations(s: pd.DataFrame, holdout: str | None, biggest: str | None, business: Any, lang: str,
                    currency: str, next_quarter: str, holdout_readable: bool = True, *,
                    stakes: list[chb.BudgetStake] | None = None, decide_from: Period | None = None,
                    effect: dict[str, float] | None = None, effect_range: tuple[float, float] | None = None,
                    test_stake: float | None = None, store: KpiStore | None = None,
                    decision: chs.ChannelStake | None = None, today: date | None = None,
                    test_result: Sequence[str] = ()) -> list[Recommendation]:
    """Actions by rule, each with euros and the decision asked, the biggest euro amount first: a channel decided
    separately (its year's budget), the budget shift (amount, expected margin and range), its test.

    ``decision``: the period pack's channel-shift decision (:func:`cmo_workbook.metrics.channel_stake.decision`);
    the shift recommendation asks it first, in the words and with the amount every memo uses (its id in the
    decision log), when the budget rule cuts that channel (then by the same amount); else it is asked on its own.
    ``test_result``: the readout of a test of ``biggest`` that already ran (:func:`cmo_workbook.memos.holdout.result`,
    the verdict the strategy memo reads out too): cited instead of proposing a new test."""
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    out = []
    cuts = s[s["action"] == "cut"]
    grows = s[s["action"] == "grow"]
    if len(cuts):
        reserve = s.attrs.get("reserve", 0.0)
        key = {(False, False): "attr_rec_shift", (True, False): "attr_rec_shift_grow",
               (False, True): "attr_rec_shift_reserve", (True, True): "attr_rec_shift_grow_reserve"}[(len(grows) > 0, reserve > 0)]
        action = t(key, lang, quarter=next_quarter,
                   cuts=", ".join(t("attr_rec_cut_item", lang, channel=channel_label(c, lang), amount=money(-r["change"]))
                                  for c, r in cuts.iterrows()),
                   **({"grows": ", ".join(t("attr_rec_grow_item", lang, channel=channel_label(c, lang),
                                            amount=money(r["change"])) for c, r in grows.iterrows())}
                      if len(grows) else {}),
                   **({"reserve": money(reserve)} if reserve > 0 else {}))
        lumpy = [channel_label(c, lang) for c in s.index[s["action"] == "separate"]]
        if lumpy and not stakes:  # no figures for them: at least say they are decided separately
            action += " " + t("attr_rec_lumpy", lang, channels=", ".join(lumpy))
        asked = decision is not None and store is not None and decision.channel in cuts.index
        rest = rest_of_plan(cuts, decision if asked else None)
        if not asked:
            action += " " + t("attr_rec_shift_approve", lang, amount=money(float(-cuts["change"].sum())),
                              quarter=next_quarter)
        elif len(rest):  # the decision is asked first with its own amount; the other cuts are a decision of their own
            action += " " + t("attr_rec_shift_rest_approve", lang, amount=money(float(-rest["change"].sum())),
                              channels=", ".join(channel_label(c, lang) for c in rest.index), quarter=next_quarter)
        gain = ""
        if effect is not None and effect_range is not None:
            gain = t("attr_rec_shift_gain", lang, net=fmt.money(effect["net"], lang, currency=currency, compact=True),
                     low=money(effect_range[0]), high=money(effect_range[1]))
        evidence: object = ""
        first = cuts.sort_values("change", kind="mergesort").index[0]  # the biggest cut: its own cost per inquiry
        if store is not None and store.has("cost_per_qualified_lead", store.window("quarter"), f"channel={first}"):
            evidence = rich("attr_rec_shift_evidence", lang, channel=channel_label(first, lang),
                            cpl=kpi_figures.figure(store, "cost_per_qualified_lead", "quarter", lang, currency,
                                                   f"channel={first}"),
                            romi=_romi(float(s.at[first, "romi"]), lang),
                            portfolio=_romi(float(s.attrs.get("portfolio_romi", math.nan)), lang))
        if asked:  # the pack's decision first, then the rest of the budget rule's plan it is part of
            action = Rich(channel_decision.action(decision, store, lang, currency, today or date.today()), " ",
                          t("attr_rec_shift_also", lang), " ", action)
        out.append(Recommendation(action=action, owner=t("attr_owner_marketing", lang), due=next_quarter, effect=gain,
                                  evidence=evidence, key=chs.decision_key(decision) if asked else "",
                                  amount=decision.shift if asked else float("nan")))
    if decision is not None and store is not None and decision.channel not in cuts.index:
        out.append(channel_decision.recommendation(decision, store, lang, currency, today or date.today(),
                                                   owner=t("attr_owner_marketing", lang),
                                                   effect=channel_decision.effect(decision, lang, currency)))
    if biggest and test_result:  # what it means for the budget leads, what the test measured is the evidence
        credit = float(s.at[biggest, "romi"]) if biggest in s.index and "romi" in s else math.nan
        # the test (what is missing without the channel) and the table's attributed return (what it took part in)
        # measure different things: said in one clause, so "no measurable effect" beside "81 %" is no contradiction
        action = t("attr_rec_test_ran", lang, channel=channel_label(biggest, lang)) + " " + test_result[-1]
        if credit == credit:
            action += " " + t("attr_rec_test_vs_credit", lang, channel=channel_label(biggest, lang),
                              romi=_romi(credit, lang))
        out.append(Recommendation(action=action, owner=t("attr_owner_marketing", lang), due=next_quarter,
                                  evidence=" ".join(test_result[:-1])))
    elif biggest and holdout:
        out.append(Recommendation(
            action=holdout + (" " + t("attr_rec_then_decide", lang) if holdout_readable else ""),
            owner=t("attr_owner_marketing" if holdout_readable else "attr_owner_marketing_sales", lang),
            due=next_quarter,
            effect=t("attr_rec_test_stake", lang, channel=channel_label(biggest, lang), amount=money(test_stake))
            if test_stake else "",
        ))
    if stakes and decide_from is not None:
        lead = leading_stakes(stakes, s)  # stakes are sorted by cost: the first ``lead`` cost more than the shift
        big = [stake_recommendation(st, decide_from, lang, currency, store) for st in stakes]
        # the biggest euro amount leads: a separate channel's year before a smaller shift
        out = big[:lead] + out + big[lead:]
    return out[:4]


def net_chart_title(ch: pd.DataFrame, lang: str) -> str:
    """The chart's message: how many channels with costs are in the black with confidence."""
    safe = int((ch["margin_low"] - ch["cost"] > 0).sum())
    n = len(ch)
    return t("attr_chart_title_some", lang, safe=safe, n=n) if safe < n else t("attr_chart_title_all", lang, n=n)


def attribution_note(window_start: pd.Timestamp, period: Period, reliability_window: dict, reliability_quarter: dict,
                     gross_margin: float, n_boot: int, lang: str) -> str:
    """Footnote: the attribution window, the margin and ROMI definitions, how the ranges are made."""
    return t("attr_note", lang, first=fmt.quarter(window_start, lang), last=fmt.quarter(period.start, lang),
             n_window=reliability_window["n"], n_quarter=reliability_quarter["n"],
             margin=fmt.percent(gross_margin, lang, 0), n_boot=n_boot)


def business_case_title(amount: float, channel: str, lang: str, currency: str) -> str:
    """Section title of the business case of a proposed measure."""
    return t("attr_bc_title", lang, amount=fmt.money(amount, lang, currency=currency), channel=channel_label(channel, lang))
