"""The quarterly attribution review: KPIs, channel ROMI, model comparison, pipeline.

Catalogue KPIs come from the period store (:mod:`cmo_workbook.metrics.store`); the analysis from :mod:`cmo_workbook.attribution`,
:mod:`cmo_workbook.metrics.funnel` and :mod:`cmo_workbook.metrics.clv`; this module compares them
(previous quarter, target), writes the "so what" of each and derives the headline and
the recommendations by explicit rules in de and en.

Window: a quarter holds too few won deals for stable channel figures and B2B deals
close quarters after the spend, so channel ROMI uses the four quarters ending with
the reported one (spend and new-business deals won in them, journeys up to 365 days).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..metrics import clv as clv_mod
from ..metrics import budget
from ..render import fmt
from . import kpi_figures
from ..metrics.store import KpiStore
from ..attribution import MIN_CONVERSIONS
from ..render.blocks import Comparison, Fig, Recommendation, Rich, Tile
from ..inputs.channels import channel_label
from ..render.i18n import t
from ..metrics.monthly import spend_by_channel
from ..periods import Period

RULE_BASED = ("first_touch", "last_touch", "last_non_direct", "linear", "distinct_linear", "time_decay",
              "position_based", "w_shaped", "full_path")
#: data-driven models in the spread: order-3 Markov stays with the analyst (too many states for one company's deals)
DATA_DRIVEN = ("markov", "markov_2", "shapley")
#: the models whose range the memo's "across models" column shows
SPREAD_MODELS = RULE_BASED + DATA_DRIVEN
#: primary model: rule-based, fair to openers and closers, explainable to a CEO
PRIMARY_MODEL = "linear"
WINDOW_QUARTERS = 4
LOOKBACK_DAYS = 365

# --------------------------------------------------------------------------- windows


def window(period: Period, quarters: int = WINDOW_QUARTERS) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[start, end)`` of the ``quarters`` quarters ending with ``period``."""
    return period.shift(-(quarters - 1)).start, period.end


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
#: The one tile that is this memo's own analysis (attribution), not a catalogue value.
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
    de = lang == "de"
    tgt = k.target
    below = tgt is not None and k.value == k.value and (k.value < tgt if k.higher_is_better else k.value > tgt)
    money = lambda v: fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)  # noqa: E731
    if k.key == "qualified_leads":
        if below:
            gap = fmt.number(tgt - k.value, lang)
            return (f"{gap} Anfragen unter Plan: weniger Nachschub für die Aufträge der nächsten zwei bis drei Quartale."
                    if de else f"{gap} inquiries below plan: less supply for the orders of the next two to three quarters.")
        return ("Auf Plan: genug Nachschub für die Pipeline." if de else "On plan: enough supply for the pipeline.")
    if k.key == "cost_per_qualified_lead":
        worst = ctx.get("worst_cpl")
        if worst is not None and below:
            return (f"Über Ziel; Treiber ist {worst['label']} ({money(worst['cpl'])} je Anfrage, {worst['delta']} ggü. Vorjahresquartal)."
                    if de else f"Above target, driven by {worst['label']} ({money(worst['cpl'])} per inquiry, "
                    f"{worst['delta']} vs same quarter last year).")
        if below:
            return ("Über Ziel: Budget zu den günstigeren Kanälen verschieben." if de
                    else "Above target: move budget to the cheaper channels.")
        return ("Im Zielkorridor." if de else "Within target.")
    if k.key == "marketing_pipeline_value":
        cover = k.value / tgt if tgt else math.nan
        return (f"{fmt.percent(cover, lang, 0)} des Quartalsziels; wird in den nächsten zwei bis drei Quartalen zu Umsatz."
                if de else f"{fmt.percent(cover, lang, 0)} of the quarterly target; turns into revenue over the next two to three quarters.")
    if k.key == "marketing_won_revenue":
        return (f"Ernte früherer Quartale: Aufträge schließen im Median {fmt.number(ctx.get('cycle_days'), lang)} Tage "
                "nach Angebotsbeginn." if de else
                f"Harvest of earlier quarters: deals close a median {fmt.number(ctx.get('cycle_days'), lang)} days "
                "after the opportunity opens.")
    if k.key == ATTRIBUTED_ROMI:
        back = 1 + k.value
        return (f"Jeder Marketing-Euro brachte {fmt.money(back, lang, currency=currency, digits=2)} Deckungsbeitrag aus Erstaufträgen zurück."
                if de else f"Each marketing euro returned {fmt.money(back, lang, currency=currency, digits=2)} of margin from first orders.")
    if k.key == "clv_to_cac":
        cac, clv = ctx.get("cac"), ctx.get("clv")  # store figures (Fig) or plain numbers
        cac = cac if isinstance(cac, Fig) else money(cac)
        clv = clv if isinstance(clv, Fig) else money(clv)
        months = fmt.number(ctx.get("payback_months"), lang)
        return (Rich("Neukunde kostet ", cac, " und bringt ", clv, f" Deckungsbeitrag; Amortisation nach {months} Monaten.")
                if de else Rich("A new customer costs ", cac, " and brings ", clv, f" of margin; payback after {months} months."))
    return ""


def tiles(store: KpiStore, kpis: list[QKpi], lang: str, currency: str, ctx: dict[str, Any]) -> list[Tile]:
    """KPI tiles: catalogue values with the catalogue's comparisons; the attributed ROMI vs previous quarter and target."""
    out = []
    for k in kpis:
        if k.key == ATTRIBUTED_ROMI:
            cmps = [_cmp(k, k.previous, t("vs_prev_window_q", lang), lang)]
            if k.target is not None:
                cmps.append(_cmp(k, k.target, t("vs_target", lang), lang))
            value = Fig(_value_text(k, lang, currency), k.key, k.window, k.value)
            out.append(Tile(t("kpi_romi_new_business", lang), value, cmps, so_what(k, lang, currency, ctx)))
        else:
            out.append(kpi_figures.tile(store, k.key, k.window_kind, lang, currency, so_what(k, lang, currency, ctx)))
    return out


# --------------------------------------------------------------------------- channels


def channel_cpl_change(leads: pd.DataFrame, spend: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Cost per qualified lead per channel in the quarter vs the same quarter last year."""
    def cpl(p: Period) -> pd.DataFrame:
        mql = leads[(leads["mql_date"] >= p.start) & (leads["mql_date"] < p.end)].groupby("channel").size()
        sp = spend_by_channel(spend, p.start, p.end)
        df = pd.concat([sp.rename("spend"), mql.rename("qualified_leads")], axis=1).fillna(0.0)
        return df
    now, ref = cpl(period), cpl(period.shift(-4))
    df = pd.DataFrame({"spend": now["spend"], "qualified_leads": now["qualified_leads"]})
    df["cpl"] = df["spend"] / df["qualified_leads"].where(df["qualified_leads"] > 0)
    ref_cpl = ref["spend"] / ref["qualified_leads"].where(ref["qualified_leads"] > 0)
    df["cpl_ref"] = ref_cpl.reindex(df.index)
    df["cpl_change"] = df["cpl"] / df["cpl_ref"] - 1
    return df[df["spend"] > 0]


def worst_cpl(cpl: pd.DataFrame, lang: str, threshold: float = 0.3) -> dict[str, Any] | None:
    """The channel whose cost per qualified lead rose most (at least ``threshold``), by excess cost."""
    df = cpl[cpl["cpl_change"] >= threshold].copy()
    if df.empty:
        return None
    df["excess"] = (df["cpl"] - df["cpl_ref"]) * df["qualified_leads"]
    ch = df["excess"].sort_values(ascending=False, kind="mergesort").index[0]
    r = df.loc[ch]
    return {"channel": ch, "label": channel_label(ch, lang), "cpl": float(r["cpl"]), "cpl_ref": float(r["cpl_ref"]),
            "change": float(r["cpl_change"]), "delta": fmt.pct_change(r["cpl_change"], lang)}


def channel_frame(boot: pd.DataFrame, models: pd.DataFrame, gross_margin: float,
                  cpl: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per paid channel: cost, attributed margin (range), ROMI (range) and the ROMI spread across models.

    ``boot``: :func:`cmo_workbook.attribution.bootstrap` with cost and margin; ``models``:
    :func:`cmo_workbook.attribution.attribute_all` (value) on the same journeys.
    """
    df = boot[boot["cost"] > 0].copy()
    df["margin"] = df["value"] * gross_margin
    df["margin_low"] = df["value_low"] * gross_margin
    df["margin_high"] = df["value_high"] * gross_margin
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
    de = lang == "de"
    header = (["Kanal", "Kosten 4 Q.", "DB zugerechnet", "ROMI %", "90-%-Spanne", "über Modelle", f"Budget {period_label}"] if de
              else ["Channel", "Cost 4 q.", "Attributed margin", "ROMI %", "90 % range", "across models", f"Budget {period_label}"])
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    pct = lambda v: fmt.number(v * 100, lang)  # noqa: E731
    rows = []
    for c, r in ch.iterrows():
        nxt = fmt.MISSING
        if c in suggestion.index:
            sg = suggestion.loc[c]
            nxt = (("separat" if de else "separately") if sg["action"] == "separate"
                   else "±0" if sg["change"] == 0 else fmt.pct_change(sg["change_pct"], lang))
        rows.append([channel_label(c, lang), money(r["cost"]), money(r["margin"]), pct(r["romi"]),
                     f"{pct(r['romi_low'])}…{pct(r['romi_high'])}",
                     f"{pct(r['romi_model_min'])}…{pct(r['romi_model_max'])}", nxt])
    return header, rows


def budget_paragraph(suggestion: pd.DataFrame, effect: dict[str, float], biggest: str | None, lang: str,
                     currency: str, curves: pd.DataFrame | None = None) -> str:
    """The budget shift as a business case: what moves, what it should earn, and the caveat.

    With ``curves`` (:func:`cmo_workbook.metrics.budget.response_curves`) the gain is at marginal
    returns, and the channels whose return is only assumed (no supported curve) are named.
    """
    de = lang == "de"
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    cuts = suggestion[suggestion["action"] == "cut"]
    caveat = ("Aber: Zurechnung zeigt, wer an Aufträgen beteiligt war, nicht, was ohne den Kanal gefehlt hätte – "
              "deshalb höchstens 20 % je Kanal und Quartal und ein Test der größten Verschiebung" if de else
              "But crediting revenue to channels shows who took part in deals, not what would have been missing without "
              "the channel (it is not incrementality) – hence at most 20 % per channel and quarter and a test of the biggest shift")
    caveat += (f" ({channel_label(biggest, lang)}, Empfehlung 2)." if de else f" ({channel_label(biggest, lang)}, recommendation 2).") \
        if biggest else "."
    if cuts.empty:
        return ("Kein Kanal fällt so ab, dass sich eine Umschichtung lohnt. " if de
                else "No channel lags enough to justify a shift. ") + caveat
    freed = money(-cuts["change"].sum())
    gain = money(effect["net"])
    basis_de, basis_en = ("bei den Grenzrenditen (Sättigungskurve je Kanal)", "at marginal returns (saturation curve per channel)") \
        if curves is not None else ("bei den bisherigen Renditen", "at past returns")
    if de:
        out = (f"Die Umschichtung von {freed} (Empfehlung 1) bringt {basis_de} etwa {gain} mehr "
               "Deckungsbeitrag je Quartal, als sie kostet." if effect["net"] > 0 else
               f"Die Kürzung um {freed} spart Kosten ohne nennenswerten Verlust an Deckungsbeitrag.")
    else:
        out = (f"Shifting {freed} (recommendation 1) yields about {gain} more margin per quarter than it costs, "
               f"{basis_en}." if effect["net"] > 0 else f"Cutting {freed} saves cost without notable loss of margin.")
    assumed = [c for c in suggestion.index[suggestion["action"].isin(["cut", "grow"])]
               if curves is not None and budget.marginal_factor(curves, c) is None]
    if assumed and abs(effect.get("assumed_margin", 0.0)) >= 1.0:
        names = ", ".join(channel_label(c, lang) for c in assumed)
        part = money(abs(effect["assumed_margin"]))
        grown = any(suggestion.at[c, "action"] == "grow" for c in assumed)
        out += (f" {part} davon beruhen auf der Annahme durchschnittlicher Renditen ({names}: zu wenig Daten für eine Kurve)"
                + (", daher dort höchstens halb so viel Zuwachs." if grown else ".") if de else
                f" {part} of it assumes average returns ({names}: too little data for a curve)"
                + (", hence at most half the growth there." if grown else "."))
    return out + " " + caveat


def model_basis(reliability_window: dict, lang: str) -> str:
    """Which model the budget advice rests on, and why (the evidence: ``bench/attribution.py``'s truth table)."""
    de = lang == "de"
    primary = t(f"rv_model_{PRIMARY_MODEL}", lang)
    n = reliability_window["n"]
    if de:
        why = (f"es keine Mindestzahl an Abschlüssen braucht ({n} in 4 Quartalen sind für datengetriebene Modelle zu "
               "wenige)" if not reliability_window["reliable"] else "es leicht zu erklären ist und wenig schwankt")
        return (f"Grundlage: das Modell „{primary}“ (jeder Kontakt zählt gleich), weil {why}; auf Testdaten mit "
                "bekannter Wirkung überbewertet es Kanäle, die viele Personen erreichen, aber wenige zum Auftrag "
                "bringen, weniger als Erstkontakt-Modelle, aber mehr als das datengetriebene Shapley nach "
                "Abschlussquote (Spalte „über Modelle“).")
    why = (f"it needs no minimum number of deals ({n} in 4 quarters are too few for data-driven models)"
           if not reliability_window["reliable"] else "it is easy to explain and stable")
    return (f"Basis: the {primary} model (every touch counts the same) because {why}; on test data with known "
            "effects it over-credits channels that get to many people but win few deals less than first-touch models, "
            "but more than the data-driven Shapley by deal rate (column 'across models').")


def models_note(lang: str) -> str:
    """Footnote: the models behind the range column, each with its honest name."""
    if lang == "de":
        return (f"Spanne über Modelle: {len(RULE_BASED)} regelbasierte Modelle, darunter „gleich je Kanal“ (jeder Auftrag zu gleichen "
                "Teilen auf seine verschiedenen Kanäle; früher als Shapley bezeichnet), und datengetrieben Markov "
                "1. und 2. Ordnung (Abfolge der letzten ein bzw. zwei Kanäle) sowie Shapley nach Abschlussquote "
                "je Kanalkombination (Zhao et al. 2018, auch Kundenreisen ohne Auftrag zählen).")
    return (f"Range across models: {len(RULE_BASED)} rule-based models, among them 'even split per channel' (each deal split equally over "
            "its distinct channels; formerly called Shapley), and the data-driven Markov of order 1 and 2 (sequence "
            "of the last one or two channels) and Shapley by deal rate (share of journeys that win a deal) per channel combination (Zhao et al. "
            "2018; journeys without a deal count too).")


def model_comparison(models: pd.DataFrame, reliability_quarter: dict, reliability_window: dict, lang: str,
                     currency: str) -> list[str]:
    """Bullets: where the models disagree most, why it matters, and how far to trust data-driven models."""
    de = lang == "de"
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    cols = [c for c in models.columns if c in RULE_BASED + DATA_DRIVEN]
    share = models[cols].div(models[cols].sum(axis=0), axis=1)
    spread = (share.max(axis=1) - share.min(axis=1)).drop(index=[i for i in share.index if i.startswith("(")], errors="ignore")
    out = []
    for ch in spread.sort_values(ascending=False, kind="mergesort").index[:2]:
        lo_m, hi_m = share.loc[ch].idxmin(), share.loc[ch].idxmax()
        lo_v, hi_v = models.at[ch, lo_m], models.at[ch, hi_m]
        label = channel_label(ch, lang)
        role = _role(lo_m, hi_m, de)
        out.append(f"{label}: {money(lo_v)} ({t('rv_model_' + lo_m, lang)}) bis {money(hi_v)} ({t('rv_model_' + hi_m, lang)}) – {role}"
                   if de else
                   f"{label}: {money(lo_v)} ({t('rv_model_' + lo_m, lang)}) to {money(hi_v)} ({t('rv_model_' + hi_m, lang)}) – {role}")
    if "shapley" in models.columns:
        negative = models["shapley"].drop(index=[i for i in models.index if i.startswith("(")], errors="ignore")
        negative = negative[negative < 0]
        if len(negative):
            ch = negative.sort_values(kind="mergesort").index[0]
            label, v = channel_label(ch, lang), money(negative[ch])
            out.append(f"{label}: datengetrieben (Shapley nach Abschlussquote) negativ ({v}), weil Kundenreisen mit "
                       f"{label} seltener abschließen als ohne – vor einer Kürzung testen, ob {label} nur Unentschlossene "
                       "erreicht oder nicht wirkt." if de else
                       f"{label}: negative under the data-driven Shapley by deal rate ({v}) because journeys with "
                       f"{label} win deals less often than those without – before cutting, test whether it only gets to "
                       "undecided contacts or does not work.")
    nq, nw = reliability_quarter["n"], reliability_window["n"]
    if not reliability_quarter["reliable"]:
        out.append((f"Im Quartal nur {nq} Neukunden-Abschlüsse (unter {MIN_CONVERSIONS}): datengetriebene Modelle "
                    f"(Markov, Shapley) sind nicht belastbar; wir führen mit dem linearen Modell über 4 Quartale ({nw})")
                   if de else
                   (f"Only {nq} new-customer deals in the quarter – too few (below {MIN_CONVERSIONS}) for data-driven "
                    f"models (Markov, Shapley): unreliable; we lead with the rule-based linear model over 4 quarters ({nw})"))
        if not reliability_window["reliable"]:
            out[-1] += ("; auch dort bleiben datengetriebene Modelle nur eine Tendenz." if de
                        else "; even there, data-driven models are only indicative.")
        else:
            out[-1] += "."
    else:
        out.append(f"{nq} Abschlüsse im Quartal: genug für datengetriebene Modelle; sie bestätigen die Rangfolge."
                   if de else f"{nq} deals in the quarter: enough for data-driven models; they confirm the ranking.")
    return out


def _role(lo_model: str, hi_model: str, de: bool) -> str:
    openers = ("first_touch", "position_based", "w_shaped", "full_path")
    closers = ("last_touch", "last_non_direct", "time_decay")
    if hi_model in openers and lo_model in closers:
        return ("öffnet Kontakte; wer nur den letzten Kontakt zählt, kürzt hier zu viel."
                if de else "opens relationships; counting only the last touch would cut too much here.")
    if hi_model in closers and lo_model in openers:
        return ("schließt ab, was andere angebahnt haben; der letzte Kontakt allein überschätzt ihn."
                if de else "closes what others started; the last touch alone overrates it.")
    return ("die Modelle bewerten seinen Beitrag sehr unterschiedlich." if de
            else "the models value its contribution very differently.")


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
    de = lang == "de"
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    pct = lambda v: fmt.percent(v, lang, 0)  # noqa: E731
    cov = fmt.number(coverage, lang, 1)
    short = coverage < coverage_target
    vel = fmt.delta(velocity_month, velocity_prev, lang)
    if de:
        return [
            f"Offene Neugeschäfts-Pipeline am Quartalsende {money(open_value)} in {fmt.number(open_deals, lang)} Deals "
            f"({pct(aged_share)} älter als 180 Tage); Deckung {cov}-fach des nächsten Quartalsziels (Richtwert "
            f"{fmt.number(coverage_target, lang)}-fach) – " + ("zu dünn: mehr Anfragen nötig." if short else "ausreichend."),
            f"Geschwindigkeit {money(velocity_month)} Umsatz je Monat ({vel.text} ggü. Vorquartal); Gewinnquote "
            f"{pct(win_count)} nach Anzahl, {pct(win_value)} nach Wert; gewonnene Deals brauchen im Median "
            f"{fmt.number(cycle_median_days, lang)} Tage bis zum Auftrag"
            + (f", drei von vier höchstens {fmt.number(cycle_q75_days, lang)}" if cycle_q75_days == cycle_q75_days else "")
            + " (verlorene Deals zählen als verloren, nicht als noch offen)"
            + (f"; von den länger offenen gewinnen wir nur {pct(late_win_share)} – nachfassen oder schließen."
               if late_win_share == late_win_share and late_win_share < 0.5 else "."),
            f"Marketing erzeugte {pct(sourced_share)} der neuen Pipeline und beeinflusste {pct(influenced_share)} "
            "(Kontakt vor dem Angebot).",
        ]
    return [
        f"Open new-business pipeline at quarter end {money(open_value)} in {fmt.number(open_deals, lang)} deals "
        f"({pct(aged_share)} older than 180 days); coverage {cov}× next quarter's target (rule of thumb "
        f"{fmt.number(coverage_target, lang)}×) – " + ("too thin: more inquiries needed." if short else "sufficient."),
        f"Velocity {money(velocity_month)} revenue per month ({vel.text} vs previous quarter); win rate "
        f"{pct(win_count)} by count, {pct(win_value)} by value; won deals take a median {fmt.number(cycle_median_days, lang)} "
        "days to the order" + (f", three in four at most {fmt.number(cycle_q75_days, lang)}" if cycle_q75_days == cycle_q75_days else "")
        + " (lost deals count as lost, not as still pending)"
        + (f"; of those open longer we win only {pct(late_win_share)} – follow up or close them."
           if late_win_share == late_win_share and late_win_share < 0.5 else "."),
        f"Marketing sourced {pct(sourced_share)} of new pipeline and influenced {pct(influenced_share)} "
        "(a touch before the opportunity).",
    ]


# --------------------------------------------------------------------------- headline and actions


def headline(kpis: list[QKpi], channels: pd.DataFrame, suggestion: pd.DataFrame, period_label: str, lang: str,
             currency: str, holdout_readable: bool = True) -> Rich:
    """Answer first: what the quarter earned and where the money should move.

    ``holdout_readable``: whether a test region can verify the shift (False: leads carry no
    region, so the headline does not promise a test that cannot be read out).
    """
    de = lang == "de"
    by = {k.key: k for k in kpis}
    won = by["marketing_won_revenue"]
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    d = fmt.delta(won.value, won.previous, lang)
    cut = suggestion[suggestion["action"] == "cut"].sort_values("change", kind="mergesort")
    won_fig = Fig(money(won.value), won.key, won.window, won.value)
    s = (Rich(f"{period_label}: ", won_fig, f" Auftragseingang aus Marketing-Anfragen ({d.text} ggü. Vorquartal)") if de
         else Rich(f"{period_label}: ", won_fig, f" order intake from marketing inquiries ({d.text} vs previous quarter)"))
    if len(cut):
        ch = cut.index[0]
        r = channels.loc[ch] if ch in channels.index else None
        label = channel_label(ch, lang)
        rng = (f" (ROMI {_romi(r['romi'], lang)}, Spanne {_romi(r['romi_low'], lang)} bis {_romi(r['romi_high'], lang)})"
               if de else f" (ROMI {_romi(r['romi'], lang)}, range {_romi(r['romi_low'], lang)} to "
               f"{_romi(r['romi_high'], lang)})") if r is not None else ""
        amount = money(-cut["change"].iloc[0])
        if holdout_readable:
            s += (f"; {label} verdient seine Kosten nicht sicher zurück{rng} – {amount} je Quartal umschichten und mit einem Testgebiet ohne Werbung als Vergleichsgruppe prüfen."
                  if de else f"; {label} does not reliably earn back its cost{rng} – shift {amount} a quarter and verify it against a test region without ads as a control group.")
        else:
            s += (f"; {label} verdient seine Kosten nicht sicher zurück{rng} – {amount} je Quartal umschichten, in kleinen Schritten, "
                  "solange kein Testgebiet auswertbar ist."
                  if de else f"; {label} does not reliably earn back its cost{rng} – shift {amount} a quarter, in small steps "
                  "while no test region can be read out.")
    else:
        s += "; alle Kanäle verdienen ihre Kosten zurück." if de else "; every channel earns back its cost."
    return s


def recommendations(s: pd.DataFrame, holdout: str | None, biggest: str | None, business: Any, lang: str,
                    currency: str, next_quarter: str, holdout_readable: bool = True) -> list[Recommendation]:
    """Actions by rule: the budget shift with its test, the fair decision, the business case."""
    de = lang == "de"
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    out = []
    cuts = s[s["action"] == "cut"]
    grows = s[s["action"] == "grow"]
    if len(cuts):
        cut_txt = ", ".join(f"{channel_label(c, lang)} {money(-r['change'])}" for c, r in cuts.iterrows())
        grow_txt = ", ".join(f"{channel_label(c, lang)} +{money(r['change'])}" for c, r in grows.iterrows())
        reserve = s.attrs.get("reserve", 0.0)
        lumpy = [channel_label(c, lang) for c in s.index[s["action"] == "separate"]]
        lumpy_txt = ((f" {', '.join(lumpy)}: separat je Veranstaltung entscheiden (Kosten gegen Anfragen, Pipeline, Aufträge)."
                      if de else f" {', '.join(lumpy)}: decide separately, event by event (cost against inquiries, pipeline, orders).")
                     if lumpy else "")
        out.append(Recommendation(
            action=(f"Budget {next_quarter} umschichten: {cut_txt} weniger" + (f"; {grow_txt}" if grow_txt else "")
                    + (f"; {money(reserve)} Reserve." if reserve > 0 else ".") + lumpy_txt) if de else
                   (f"Shift the {next_quarter} budget: {cut_txt} less" + (f"; {grow_txt}" if grow_txt else "")
                    + (f"; {money(reserve)} reserve." if reserve > 0 else ".") + lumpy_txt),
            owner="Marketing", due=next_quarter,
        ))
    if biggest and holdout:
        out.append(Recommendation(
            action=holdout + ((" Danach über weitere 20 % entscheiden." if de else " Then decide on a further 20 %.")
                              if holdout_readable else ""),
            owner="Marketing" if holdout_readable else ("Marketing & Vertrieb" if de else "Marketing & sales"),
            due=next_quarter,
        ))
    return out[:4]


def net_chart_title(ch: pd.DataFrame, lang: str) -> str:
    """The chart's message: how many channels with costs are in the black with confidence."""
    safe = int((ch["margin_low"] - ch["cost"] > 0).sum())
    n = len(ch)
    return (f"Nur {safe} von {n} Kanälen mit Kosten sicher im Plus" if _is_de(lang) and safe < n
            else f"Alle {n} Kanäle mit Kosten sicher im Plus" if _is_de(lang)
            else f"Only {safe} of {n} channels with costs safely in the black" if safe < n
            else f"All {n} channels with costs safely in the black")


def _is_de(lang: str) -> bool:
    return lang == "de"
