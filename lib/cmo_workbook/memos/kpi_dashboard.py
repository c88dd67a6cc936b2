"""The monthly KPI memo (article section 1): three simple KPIs grown into a 6-tile dashboard.

Numbers come from :mod:`cmo_workbook.metrics.monthly`; this module compares them (previous
month, same month last year, target), writes the "so what" sentence for each and
derives the headline and the recommendations, all by explicit rules in de and en.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..render import fmt
from ..render.blocks import Comparison, Recommendation, Tile
from ..inputs.channels import channel_label
from ..metrics.goals import GoalStatus
from ..render.i18n import register, t
from ..periods import Period

register({
    "kpi_qualified_leads": {"de": "Qualifizierte Anfragen", "en": "Qualified inquiries"},
    "kpi_cost_per_qualified_lead": {"de": "Kosten je qualif. Anfrage", "en": "Cost per qualified inquiry"},
    "kpi_mql_to_sql_rate": {"de": "Vom Vertrieb akzeptiert", "en": "Accepted by sales"},
    "kpi_marketing_pipeline_value": {"de": "Neue Pipeline aus Marketing", "en": "New pipeline from marketing"},
    "kpi_marketing_won_revenue": {"de": "Umsatz aus Marketing-Anfragen", "en": "Revenue from marketing inquiries"},
    "kpi_romi": {"de": "ROMI (12 Monate)", "en": "ROMI (12 months)"},
    "vs_target_short": {"de": "ggü. Ziel", "en": "vs target"},
})


@dataclass
class Kpi:
    key: str
    value: float
    previous: float
    year_ago: float
    target: float | None
    kind: str  # count | money | rate | ratio
    higher_is_better: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _get(df: pd.DataFrame, col: str, p: pd.Period) -> float:
    return float(df.at[p, col]) if col in df and p in df.index and pd.notna(df.at[p, col]) else float("nan")


def _ttm(df: pd.DataFrame, col: str, p: pd.Period) -> float:
    window = df.loc[(df.index > p - 12) & (df.index <= p), col] if col in df else pd.Series(dtype=float)
    return float(window.sum()) if len(window) == 12 else float("nan")


def romi_ttm(df: pd.DataFrame, p: pd.Period, gross_margin: float) -> float:
    """(marketing-sourced won revenue × margin − marketing spend) / spend over the 12 months to ``p``."""
    spend = _ttm(df, "marketing_spend", p)
    rev = _ttm(df, "marketing_won_revenue", p)
    return (rev * gross_margin - spend) / spend if spend and spend == spend else float("nan")


#: Months at the start of an export in which deals from earlier leads are missing (B2B cycles
#: of up to 9 months): comparisons reaching into them would flatter every later number.
RAMP_UP_MONTHS = 9


def compute(monthly: pd.DataFrame, period: Period, targets: dict[str, Any], gross_margin: float,
            ramp_up_months: int = RAMP_UP_MONTHS) -> list[Kpi]:
    """The six KPIs of the month with previous month, same month last year and target.

    A 12-month figure whose window starts in the first ``ramp_up_months`` of the data has no
    comparison (shown as "–") rather than a misleading one.
    """
    p = period.to_pandas()
    pm, py = p - 1, p - 12
    df = monthly.copy()
    df["mql_to_sql_rate"] = df["sql"] / df["qualified_leads"].where(df["qualified_leads"] > 0)
    mature_from = df.index.min() + ramp_up_months if len(df) else p

    def romi(at: pd.Period) -> float:
        return romi_ttm(df, at, gross_margin) if at - 11 >= mature_from else float("nan")

    def k(key: str, kind: str, hib: bool = True) -> Kpi:
        return Kpi(key, _get(df, key, p), _get(df, key, pm), _get(df, key, py), targets.get(key), kind, hib)

    share = _get(df, "marketing_revenue_share", p)
    won = k("marketing_won_revenue", "money")
    won.extra["share"] = share
    return [
        k("qualified_leads", "count"),
        k("cost_per_qualified_lead", "money", hib=False),
        k("mql_to_sql_rate", "rate"),
        k("marketing_pipeline_value", "money"),
        won,
        Kpi("romi", romi_ttm(df, p, gross_margin), romi(pm), romi(py), targets.get("romi"), "ratio"),
    ]


def _value_text(kpi: Kpi, lang: str, currency: str) -> str:
    if kpi.kind == "money":
        v = kpi.value
        return fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)
    if kpi.kind == "rate":
        return fmt.percent(kpi.value, lang, digits=0)
    if kpi.kind == "ratio":
        return fmt.percent(kpi.value, lang, digits=0)
    return fmt.number(kpi.value, lang)


def _cmp(kpi: Kpi, other: float, label_key: str, lang: str) -> Comparison:
    kind = "pp" if kpi.kind in ("rate", "ratio") else "pct"
    d = fmt.delta(kpi.value, other, lang, kind=kind, higher_is_better=kpi.higher_is_better)
    return Comparison(t(label_key, lang), d.text, d.good)


def so_what(kpi: Kpi, lang: str, currency: str, ctx: dict[str, Any]) -> str:
    """The consequence of the number, by rule; ``ctx`` carries goal and channel findings."""
    de = lang == "de"
    tgt = kpi.target
    gap = (kpi.value - tgt) / tgt if tgt else float("nan")
    if kpi.key == "qualified_leads":
        goal: GoalStatus | None = ctx.get("web_goal")
        if goal is not None and goal.status in ("on_track", "achieved"):
            return (f"Website-Anfragen {fmt.number(goal.actual, lang)} ggü. Ausgangswert {fmt.number(goal.baseline, lang)}: "
                    f"Ziel „{goal.title}“ {t(goal.status if goal.status != 'achieved' else 'on_track', lang)} – "
                    "ohne zusätzliche Kaltakquise." if de else
                    f"Website inquiries {fmt.number(goal.actual, lang)} vs baseline {fmt.number(goal.baseline, lang)}: "
                    f"goal '{ctx.get('web_goal_title_en', goal.title)}' {t('on_track', lang)} without extra cold calling.")
        if gap == gap and gap < 0:
            missing = fmt.number(tgt - kpi.value, lang)
            return (f"{missing} Anfragen unter Plan: weniger Nachschub für die Pipeline der nächsten Monate."
                    if de else f"{missing} inquiries below plan: less supply for the coming months' pipeline.")
        return ("Über Plan: der Vertrieb hat genug qualifizierte Gespräche." if de
                else "Above plan: sales has enough qualified conversations.")
    if kpi.key == "cost_per_qualified_lead":
        worst = ctx.get("worst_channel")
        if worst and kpi.value > kpi.year_ago:
            return (f"Teurer als im Vorjahr; Treiber ist {worst['label']} "
                    f"({fmt.money(worst['cpl'], lang, currency=currency)} je Anfrage, {worst['delta']} ggü. Vorjahr)."
                    if de else
                    f"More expensive than last year, driven by {worst['label']} "
                    f"({fmt.money(worst['cpl'], lang, currency=currency)} per inquiry, {worst['delta']} vs last year).")
        if kpi.value <= (tgt or float("inf")):
            return ("Im Zielkorridor: jeder Euro bringt mehr Anfragen als geplant." if de
                    else "Within target: each euro buys more inquiries than planned.")
        return ("Über dem Zielwert: Budget zu den günstigsten Kanälen verschieben." if de
                else "Above target: shift budget to the cheapest channels.")
    if kpi.key == "mql_to_sql_rate":
        if gap == gap and gap < -0.1:
            return ("Der Vertrieb lehnt mehr Anfragen ab als vereinbart: Qualitätskriterien im Sales-Sync klären."
                    if de else "Sales rejects more inquiries than agreed: align the quality criteria in the sales sync.")
        return ("Der Vertrieb nimmt die Anfragen an: die Qualität der Anfragen stimmt." if de
                else "Sales accepts the inquiries: lead quality is where it should be.")
    if kpi.key == "marketing_pipeline_value":
        cover = kpi.value / tgt if tgt else float("nan")
        return (f"Deckt {fmt.percent(cover, lang, 0)} des Monatsziels; wird in 3–9 Monaten zu Umsatz."
                if de else f"Covers {fmt.percent(cover, lang, 0)} of the monthly target; turns into revenue in 3–9 months.")
    if kpi.key == "marketing_won_revenue":
        share = kpi.extra.get("share")
        return (f"{fmt.percent(share, lang, 0)} des gewonnenen Umsatzes stammen aus Marketing-Anfragen." if de
                else f"{fmt.percent(share, lang, 0)} of revenue won came from marketing leads.")
    if kpi.key == "romi":
        back = 1 + kpi.value
        return (f"Jeder Marketing-Euro brachte {fmt.money(back, lang, currency=currency, digits=2)} Deckungsbeitrag zurück."
                if de else f"Each marketing euro returned {fmt.money(back, lang, currency=currency, digits=2)} of contribution margin.")
    return ""


def tiles(kpis: list[Kpi], lang: str, currency: str, ctx: dict[str, Any]) -> list[Tile]:
    """KPI tiles: value, three comparisons, so-what."""
    out = []
    for kpi in kpis:
        cmps = [_cmp(kpi, kpi.previous, "vs_prev_month", lang), _cmp(kpi, kpi.year_ago, "vs_prev_year", lang)]
        if kpi.target is not None:
            cmps.append(_cmp(kpi, kpi.target, "vs_target_short", lang))
        out.append(Tile(t(f"kpi_{kpi.key}", lang), _value_text(kpi, lang, currency), cmps, so_what(kpi, lang, currency, ctx)))
    return out


def channel_cpl(by_channel_now: pd.DataFrame, by_channel_ref: pd.DataFrame, lang: str,
                min_leads: int = 5) -> pd.DataFrame:
    """Cost per qualified lead per paid channel now vs reference, with the change."""
    df = pd.DataFrame({
        "cpl": by_channel_now["cost_per_qualified_lead"],
        "cpl_ref": by_channel_ref["cost_per_qualified_lead"].reindex(by_channel_now.index),
        "leads": by_channel_now["qualified_leads"],
        "spend": by_channel_now["spend"],
    })
    df = df[(df["spend"] > 0) & (df["leads"] >= min_leads) & df["cpl_ref"].notna()]
    df["change"] = df["cpl"] / df["cpl_ref"] - 1
    # What the worse efficiency costs: the same leads at last year's cost per lead would have been cheaper.
    df["excess_cost"] = (df["cpl"] - df["cpl_ref"]) * df["leads"]
    df["label"] = [channel_label(c, lang) for c in df.index]
    return df.sort_values("excess_cost", ascending=False)


def worst_channel(cpl: pd.DataFrame, lang: str, threshold: float = 0.3) -> dict[str, Any] | None:
    """The paid channel whose rising cost per qualified lead costs the most money (rise above ``threshold``)."""
    worse = cpl[(cpl["change"] >= threshold) & (cpl["excess_cost"] > 0)]
    if worse.empty:
        return None
    row = worse.sort_values("excess_cost", ascending=False).iloc[0]
    return {"channel": row.name, "label": row["label"], "cpl": row["cpl"], "cpl_ref": row["cpl_ref"],
            "change": row["change"], "delta": fmt.pct_change(row["change"], lang), "excess_cost": row["excess_cost"]}


def headline(kpis: list[Kpi], period: Period, lang: str, currency: str, worst: dict[str, Any] | None) -> str:
    """Answer first: what marketing delivered this month and the one thing to act on."""
    by = {k.key: k for k in kpis}
    ql, pipe = by["qualified_leads"], by["marketing_pipeline_value"]
    d = fmt.delta(ql.value, ql.year_ago, lang)
    pipe_text = fmt.money(pipe.value, lang, currency=currency, compact=True)
    if lang == "de":
        s = (f"Marketing lieferte {fmt.number(ql.value, lang)} qualifizierte Anfragen ({d.text} ggü. Vorjahr) "
             f"und {pipe_text} neue Pipeline")
        if worst:
            s += (f"; bei {worst['label']} steigen die Kosten je Anfrage auf {fmt.money(worst['cpl'], lang, currency=currency)} "
                  f"({worst['delta']} ggü. Vorjahr) – Budget umschichten.")
        else:
            s += " – die Kosten je Anfrage bleiben in allen Kanälen im Rahmen des Vorjahres."
    else:
        s = (f"Marketing delivered {fmt.number(ql.value, lang)} qualified inquiries ({d.text} vs last year) "
             f"and {pipe_text} of new pipeline")
        if worst:
            s += (f"; {worst['label']}'s cost per inquiry rose to {fmt.money(worst['cpl'], lang, currency=currency)} "
                  f"({worst['delta']} vs last year) – shift budget.")
        else:
            s += " – cost per inquiry stays in line with last year in every channel."
    return s


def recommendations(kpis: list[Kpi], goals: list[GoalStatus], cpl: pd.DataFrame, lang: str, currency: str,
                    goal_titles: dict[str, str]) -> list[Recommendation]:
    """Actions by rule: costly channels, goals at risk, lead acceptance below plan."""
    de = lang == "de"
    out: list[Recommendation] = []
    worst = worst_channel(cpl, lang)
    if worst is not None:
        best = cpl[cpl.index != worst["channel"]].sort_values("cpl").iloc[0]
        out.append(Recommendation(
            action=(f"{worst['label']}-Budget um 20 % kürzen und in {best['label']} umschichten; Wirkung nach 8 Wochen prüfen."
                    if de else f"Cut the {worst['label']} budget by 20 % and move it to {best['label']}; review after 8 weeks."),
            owner="Marketing",
            evidence=(f"{worst['label']}: {fmt.money(worst['cpl'], lang, currency=currency)} je qualifizierter Anfrage "
                      f"({worst['delta']} ggü. Vorjahr); {best['label']}: {fmt.money(best['cpl'], lang, currency=currency)}."
                      if de else
                      f"{worst['label']}: {fmt.money(worst['cpl'], lang, currency=currency)} per qualified inquiry "
                      f"({worst['delta']} vs last year); {best['label']}: {fmt.money(best['cpl'], lang, currency=currency)}."),
            effect=("Gleiche Anfragenzahl bei geringeren Kosten je Anfrage." if de
                    else "Same number of inquiries at a lower cost per inquiry."),
        ))
    for g in goals:
        if g.status in ("at_risk", "off_track", "missed"):
            title = goal_titles.get(g.goal_id, g.title)
            out.append(Recommendation(
                action=(f"Maßnahmenplan für Ziel „{title}“ vorlegen." if de else f"Present an action plan for the goal '{title}'."),
                owner=f"{g.metric}" if not g.goal_id else "Marketing",
                evidence=(f"Prognose {fmt.number(g.forecast, lang)} (Spanne {fmt.number(g.low, lang)}–{fmt.number(g.high, lang)}) "
                          f"ggü. Ziel {fmt.number(g.target, lang)}: {t(g.status if g.status != 'missed' else 'off_track', lang)}."
                          if de else
                          f"Forecast {fmt.number(g.forecast, lang)} (range {fmt.number(g.low, lang)}–{fmt.number(g.high, lang)}) "
                          f"vs target {fmt.number(g.target, lang)}: {t(g.status if g.status != 'missed' else 'off_track', lang)}."),
                effect=(f"Schließt die Lücke von {fmt.number(abs(g.target - g.forecast), lang)} zum Ziel bis "
                        f"{fmt.date(g.deadline, lang)}." if de else
                        f"Closes the gap of {fmt.number(abs(g.target - g.forecast), lang)} to the target by "
                        f"{fmt.date(g.deadline, lang)}."),
            ))
    by = {k.key: k for k in kpis}
    acc = by["mql_to_sql_rate"]
    if acc.target and acc.value < acc.target * 0.9:
        out.append(Recommendation(
            action=("Im nächsten Sales-Marketing-Sync die Ablehnungsgründe durchgehen und die MQL-Kriterien anpassen."
                    if de else "Review rejection reasons in the next sales-marketing sync and adjust the MQL criteria."),
            owner="Marketing & Vertrieb" if de else "Marketing & Sales",
            evidence=(f"Akzeptanzquote {fmt.percent(acc.value, lang, 0)} ggü. Ziel {fmt.percent(acc.target, lang, 0)}." if de
                      else f"Acceptance rate {fmt.percent(acc.value, lang, 0)} vs target {fmt.percent(acc.target, lang, 0)}."),
        ))
    return out[:4]


def clv_simple(deals: pd.DataFrame, period: Period, gross_margin: float, lifetime_years: float,
               marketing_spend_12m: float, new_customers_12m: float) -> dict[str, float]:
    """Simple CLV: yearly won revenue per active customer × margin × expected lifetime; CAC and CLV:CAC."""
    end = period.end
    won = deals[(deals["status"] == "won") & (deals["close_date"] >= end - pd.DateOffset(years=1)) & (deals["close_date"] < end)]
    key = won["account_id"].fillna(won["company"]) if "account_id" in won else won["company"]
    customers = key.nunique()
    per_customer = won["amount"].sum() / customers if customers else float("nan")
    clv = per_customer * gross_margin * lifetime_years
    cac = marketing_spend_12m / new_customers_12m if new_customers_12m else float("nan")
    return {"clv": clv, "cac": cac, "ratio": clv / cac if cac == cac and cac else float("nan"),
            "revenue_per_customer": per_customer, "customers": float(customers)}
