"""The monthly KPI memo (article section 1): three simple KPIs grown into a 6-tile dashboard.

Numbers come from the period store (:mod:`cmo_workbook.metrics.store`, catalogue ids and windows);
this module writes the "so what" sentence for each and derives the headline and the
recommendations, all by explicit rules in de and en.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..metrics.store import KpiStore
from ..render import fmt
from ..render.blocks import Fig, Recommendation, Rich, Tile
from . import kpi_figures
from ..render.wording import channel_label
from ..metrics.goals import GoalStatus
from ..render.i18n import t
from ..periods import Period

#: The six tiles: catalogue metric and the window it is shown for.
TILES = (("qualified_leads", "month"), ("cost_per_qualified_lead", "month"), ("sales_acceptance_rate", "month"),
         ("marketing_pipeline_value", "month"), ("marketing_won_revenue", "month"), ("romi_all_orders", "t12m"))


#: a paid channel needs this many qualified inquiries in 3 months before its cost per inquiry is compared
MIN_CHANNEL_LEADS = 5


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
    won = next(k for k in out if k.key == "marketing_won_revenue")
    won.extra["share"] = store.figure("marketing_revenue_share", "month")
    return out


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
        if gap != gap:  # no plan: a count alone says nothing about enough or too few
            return ("Kein Plan hinterlegt (params targets): Menge ohne Maßstab, Vergleich mit Vormonat oben." if de
                    else "No plan set (params targets): the count has no yardstick; see the comparison above.")
        return ("Über Plan: der Vertrieb hat genug qualifizierte Gespräche." if de
                else "Above plan: sales has enough qualified conversations.")
    if kpi.key == "cost_per_qualified_lead":
        worst = ctx.get("worst_channel")
        if worst and kpi.year_ago == kpi.year_ago and kpi.value > kpi.year_ago:
            return (f"Teurer als im Vorjahr; Treiber ist {worst['label']} "
                    f"({fmt.money(worst['cpl'], lang, currency=currency)} je Anfrage, {worst['delta']} ggü. Vorjahr)."
                    if de else
                    f"More expensive than last year, driven by {worst['label']} "
                    f"({fmt.money(worst['cpl'], lang, currency=currency)} per inquiry, {worst['delta']} vs last year).")
        if not tgt or tgt != tgt:  # no target: no verdict on the level
            return ("Kein Zielwert hinterlegt (params targets): Kosten je Anfrage ohne Maßstab." if de
                    else "No target set (params targets): cost per inquiry has no yardstick.")
        if kpi.value <= tgt:
            return ("Im Zielkorridor: jeder Euro bringt mehr Anfragen als geplant." if de
                    else "Within target: each euro buys more inquiries than planned.")
        return ("Über dem Zielwert: Budget zu den günstigsten Kanälen verschieben." if de
                else "Above target: shift budget to the cheapest channels.")
    if kpi.key == "sales_acceptance_rate":
        if gap == gap and gap < -0.1:
            return ("Der Vertrieb lehnt mehr Anfragen ab als vereinbart: Qualitätskriterien im Sales-Sync klären."
                    if de else "Sales rejects more inquiries than agreed: align the quality criteria in the sales sync.")
        return ("Der Vertrieb nimmt die Anfragen an: die Qualität der Anfragen stimmt." if de
                else "Sales accepts the inquiries: lead quality is where it should be.")
    if kpi.key == "marketing_pipeline_value":
        cover = kpi.value / tgt if tgt else float("nan")
        if cover != cover:
            return ("Kein Monatsziel hinterlegt; neue Pipeline wird in 3–9 Monaten zu Umsatz." if de
                    else "No monthly target set; new pipeline turns into revenue in 3–9 months.")
        return (f"Deckt {fmt.percent(cover, lang, 0)} des Monatsziels; wird in 3–9 Monaten zu Umsatz."
                if de else f"Covers {fmt.percent(cover, lang, 0)} of the monthly target; turns into revenue in 3–9 months.")
    if kpi.key == "marketing_won_revenue":
        share = kpi_figures.fig(kpi.extra["share"], lang, currency)
        return (Rich(share, " des Auftragseingangs stammen aus Marketing-Anfragen.") if de
                else Rich(share, " of order intake came from marketing inquiries."))
    if kpi.key == "romi_all_orders":
        back = 1 + kpi.value
        if back != back:  # the 12 months reach before the data: no return to state
            return ("Noch kein belastbarer ROMI: die 12 Monate reichen vor den Beginn der Daten." if de
                    else "No reliable ROMI yet: the 12 months reach back before the data begins.")
        return (f"Jeder Marketing-Euro brachte {fmt.money(back, lang, currency=currency, digits=2)} Deckungsbeitrag zurück."
                if de else f"Each marketing euro returned {fmt.money(back, lang, currency=currency, digits=2)} of contribution margin.")
    return ""


def tiles(store: KpiStore, kpis: list[Kpi], lang: str, currency: str, ctx: dict[str, Any]) -> list[Tile]:
    """KPI tiles from the store: label with window, value, the catalogue's comparisons, so-what."""
    return [kpi_figures.tile(store, k.key, k.window_kind, lang, currency, so_what(k, lang, currency, ctx)) for k in kpis]


def channel_cpl_store(store: KpiStore, lang: str, min_leads: int = MIN_CHANNEL_LEADS) -> pd.DataFrame:
    """Cost per qualified inquiry per paid channel over the last 3 months vs the same months a year
    earlier, from the store (segments ``channel=...`` of window ``t3m``)."""
    rows = {}
    for seg in store.segments("cost_per_qualified_lead", "t3m"):
        f = store.figure("cost_per_qualified_lead", "t3m", seg)
        rows[seg.split("=", 1)[1]] = {"cpl": f.value, "cpl_ref": f.py_value, "segment": seg, "window": f.window,
                                     "leads": store.value("qualified_leads", "t3m", seg),
                                     "spend": store.value("marketing_spend", "t3m", seg)}
    df = pd.DataFrame.from_dict(rows, orient="index")
    if df.empty:
        return df
    df = df[(df["spend"] > 0) & (df["leads"] >= min_leads) & df["cpl_ref"].notna()]
    df["change"] = df["cpl"] / df["cpl_ref"] - 1
    # What the worse efficiency costs: the same leads at last year's cost per lead would have been cheaper.
    df["excess_cost"] = (df["cpl"] - df["cpl_ref"]) * df["leads"]
    df["label"] = [channel_label(c, lang) for c in df.index]
    return df.sort_values("excess_cost", ascending=False)


def channel_cpl(by_channel_now: pd.DataFrame, by_channel_ref: pd.DataFrame, lang: str,
                min_leads: int = MIN_CHANNEL_LEADS) -> pd.DataFrame:
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


def worst_channel(cpl: pd.DataFrame, lang: str, threshold: float = 0.3, currency: str = "EUR") -> dict[str, Any] | None:
    """The paid channel whose rising cost per qualified lead costs the most money (rise above ``threshold``)."""
    worse = cpl[(cpl["change"] >= threshold) & (cpl["excess_cost"] > 0)]
    if worse.empty:
        return None
    row = worse.sort_values("excess_cost", ascending=False).iloc[0]
    cpl_fig = Fig(fmt.money(row["cpl"], lang, currency=currency), "cost_per_qualified_lead", row["window"], float(row["cpl"]),
                  row["segment"]) if "window" in row else fmt.money(row["cpl"], lang, currency=currency)
    return {"channel": row.name, "label": row["label"], "cpl": row["cpl"], "cpl_ref": row["cpl_ref"], "cpl_fig": cpl_fig,
            "change": row["change"], "delta": fmt.pct_change(row["change"], lang), "excess_cost": row["excess_cost"]}


def headline(kpis: list[Kpi], period: Period, lang: str, currency: str, worst: dict[str, Any] | None) -> Rich:
    """Answer first: what marketing delivered this month and the one thing to act on."""
    by = {k.key: k for k in kpis}
    ql, pipe = by["qualified_leads"], by["marketing_pipeline_value"]
    # the year-ago month when the data reach back that far, else the previous month (never a bare "–")
    year_ago = ql.year_ago == ql.year_ago
    d = fmt.delta(ql.value, ql.year_ago if year_ago else ql.previous, lang)
    vs_de, vs_en = ("ggü. Vorjahresmonat", "vs same month last year") if year_ago else ("ggü. Vormonat", "vs last month")
    cpl = by.get("cost_per_qualified_lead")
    cpl_known = cpl is not None and cpl.year_ago == cpl.year_ago  # a verdict on cost needs last year's cost
    n = Fig(fmt.number(ql.value, lang), ql.key, ql.window, ql.value)
    pipe_fig = Fig(fmt.money(pipe.value, lang, currency=currency, compact=True), pipe.key, pipe.window, pipe.value)
    if lang == "de":
        s = Rich("Marketing lieferte ", n, f" qualifizierte Anfragen ({d.text} {vs_de}) und ", pipe_fig,
                 " neue Pipeline")
        if worst:
            s += Rich(f"; bei {worst['label']} steigen die Kosten je Anfrage (letzte 3 Monate) auf ", worst["cpl_fig"],
                      f" ({worst['delta']} ggü. Vorjahr) – Budget umschichten.")
        elif cpl_known:
            s += " – die Kosten je Anfrage bleiben in allen Kanälen im Rahmen des Vorjahres."
        else:
            s += " – ob ein Kanal teurer wird, zeigt sich erst mit dem Vorjahresvergleich der Kosten je Anfrage."
    else:
        s = Rich("Marketing delivered ", n, f" qualified inquiries ({d.text} {vs_en}) and ", pipe_fig,
                 " of new pipeline")
        if worst:
            s += Rich(f"; {worst['label']}'s cost per inquiry (last 3 months) rose to ", worst["cpl_fig"],
                      f" ({worst['delta']} vs last year) – shift budget.")
        elif cpl_known:
            s += " – cost per inquiry stays in line with last year in every channel."
        else:
            s += " – whether a channel gets more expensive shows only once cost per inquiry has a year-ago comparison."
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
    acc = by["sales_acceptance_rate"]
    if acc.target and acc.value < acc.target * 0.9:
        out.append(Recommendation(
            action=("Im nächsten Sales-Marketing-Sync die Ablehnungsgründe durchgehen und die Kriterien für qualifizierte Anfragen anpassen."
                    if de else "Review rejection reasons in the next sales-marketing sync and adjust the criteria for qualified inquiries."),
            owner="Marketing & Vertrieb" if de else "Marketing & Sales",
            evidence=(f"Akzeptanzquote {fmt.percent(acc.value, lang, 0)} ggü. Ziel {fmt.percent(acc.target, lang, 0)}." if de
                      else f"Acceptance rate {fmt.percent(acc.value, lang, 0)} vs target {fmt.percent(acc.target, lang, 0)}."),
        ))
    return out[:4]


def clv_paragraph(store: KpiStore, lang: str, currency: str, ratio_target: float) -> Rich:
    """CLV (the one model), CAC and their ratio from the store, with the target ratio and the so-what."""
    clv_f = kpi_figures.fig(store.figure("clv", "asof"), lang, currency)
    cac_f = kpi_figures.fig(store.figure("cac", "t12m"), lang, currency)
    ratio = store.figure("clv_to_cac", "t12m")
    r = kpi_figures.fig(ratio, lang, currency)
    years = fmt.number(store.catalogue.params["clv_horizon_years"], lang)
    good = ratio.value >= ratio_target if ratio.value == ratio.value else False
    if ratio.value != ratio.value:  # no CLV or CAC: no verdict on the payback
        return (Rich(f"{store.label('clv', 'asof', lang)}: ", clv_f, f"; {store.label('cac', 't12m', lang)}: ", cac_f,
                     " – noch kein Verhältnis berechenbar (zu wenige gewonnene Neukunden); kein Urteil.") if lang == "de"
                else Rich(f"{store.label('clv', 'asof', lang)}: ", clv_f, f"; {store.label('cac', 't12m', lang)}: ", cac_f,
                          " – no ratio yet (too few won new customers); no verdict."))
    if lang == "de":
        return Rich(f"{store.label('clv', 'asof', lang)} (Deckungsbeitrag über {years} Jahre, abgezinst): ", clv_f,
                    f" je Kunde; {store.label('cac', 't12m', lang)}: ", cac_f, " – Verhältnis ", r,
                    f" ggü. Zielwert {fmt.number(ratio_target, lang)} : 1 – ",
                    "jeder Neukunde verdient seine Akquisekosten mehrfach zurück." if good
                    else "Neukunden verdienen ihre Akquisekosten zu langsam zurück: Kanäle mit hohem CAC prüfen.")
    return Rich(f"{store.label('clv', 'asof', lang)} (contribution margin over {years} years, discounted): ", clv_f,
                f" per customer; {store.label('cac', 't12m', lang)}: ", cac_f, " – a ratio of ", r,
                f" vs a target of {fmt.number(ratio_target, lang)} : 1 – ",
                "each new customer pays back its acquisition cost several times." if good
                else "new customers pay back their acquisition cost too slowly: review the channels with a high CAC.")


def cpl_chart_title(worst: dict[str, Any] | None, cpl: pd.DataFrame, lang: str) -> str:
    """The channel cost chart's message: the costliest channel's rise, "in line with last year", or, while
    no channel has a year-ago value, that the comparison is still missing (never a verdict without it)."""
    de = lang == "de"
    if worst:
        return (f"{worst['label']}: Kosten je Anfrage {worst['delta']} ggü. Vorjahr" if de
                else f"{worst['label']}: cost per inquiry {worst['delta']} vs last year")
    if len(cpl) and cpl["cpl_ref"].notna().any():
        return "Kosten je Anfrage je Kanal im Rahmen des Vorjahres" if de else "Cost per inquiry per channel in line with last year"
    return ("Kosten je Anfrage je Kanal – noch ohne Vorjahreswert zum Vergleich" if de
            else "Cost per inquiry per channel – no year-ago value to compare with yet")


def cpl_chart_missing(lang: str, min_leads: int = MIN_CHANNEL_LEADS) -> str:
    """Said instead of an empty channel chart: no paid channel has enough inquiries to compare."""
    return (f"Noch kein Kanalvergleich: kein bezahlter Kanal hat in den letzten 3 Monaten {min_leads} oder mehr "
            "qualifizierte Anfragen – die Kosten je Anfrage wären Zufall." if lang == "de" else
            f"No channel comparison yet: no paid channel had {min_leads} or more qualified inquiries in the last "
            "3 months – cost per inquiry would be noise.")
