"""The quarter as a slide deck for the strategy round ("Impuls-Session", article 3.3 and 4.3).

Eight slides in fixed order (:data:`SLIDES`): title; what happened (three KPIs with comparisons); one
slide per strategic impulse (customer signal, competitor move, channel economics) with its IBCS
evidence chart and the euros at stake; the decisions asked of the round (cost and expected effect);
next quarter's goals; an appendix with the definitions. Every title states the message as a sentence
with a verb (IBCS); the body stays at or below :data:`MAX_BODY_WORDS` words; speaker notes carry the
sources and definitions.

Numbers come from the existing modules and are never recomputed here: KPIs through the one adapter
:func:`deck_figures` (the period's KPI store, the same values as every memo), customer signals from :mod:`cmo_workbook.voc` and :mod:`cmo_workbook.memos.strategy_memo`,
competitor moves from :mod:`cmo_workbook.memos.competitor_briefing`, channel cost from
:func:`cmo_workbook.memos.attribution_review.channel_cpl_change`. :func:`gather` collects them,
:func:`compose` writes the slides, :func:`~cmo_workbook.render.slides.write_pptx` builds the PowerPoint file (with the company's
template, params ``memo.slide_template``, when given). The same slides display as escaped HTML in
the notebook, which nbconvert's slides exporter turns into reveal.js.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .. import voc
from ..errors import StaleDataError
from ..inputs.channels import channel_label
from ..render import charts, fmt
from ..render.slides import Slide
from ..voc import chart as voc_chart
from . import attribution_review as review
from . import competitor_briefing as briefing
from . import strategy_memo as strategy
from . import voice_of_customer as vm

SLIDES = ("title", "happened", "customer", "competitor", "channel", "decisions", "goals", "appendix")
MAX_BODY_WORDS = 40
#: The three KPIs of "what happened": inquiries, their cost, the pipeline they opened.
DECK_KPIS = ("qualified_leads", "cost_per_qualified_lead", "marketing_pipeline_value")
_HIB = {"cost_per_qualified_lead": False}
_MONEY = ("cost_per_qualified_lead", "marketing_pipeline_value")
#: Slide charts: drawn smaller than the memo's 6.4 in and scaled up on the slide, so labels read from the back
#: of the room; rendered sharper for the projector.
CHART_SIZE = (5.6, 3.1)
CHART_DPI = 220
TABLES = ["leads", "deals", "spend", "feedback", "competitor_observations", "competitor_prices",
          "competitor_messaging"]

_LABELS = {
    "qualified_leads": ("Qualifizierte Anfragen", "Qualified inquiries"),
    "cost_per_qualified_lead": ("Kosten je Anfrage", "Cost per inquiry"),
    "marketing_pipeline_value": ("Pipeline aus Marketing", "Marketing pipeline"),
}


def _de(lang: str) -> bool:
    return lang == "de"


# --------------------------------------------------------------------------- the numbers


def deck_figures(wb: Any) -> dict[str, dict[str, float]]:
    """The quarter's KPI values: ``{metric: {value, previous, target}}`` for :data:`DECK_KPIS`.

    The deck's one door to KPI values: the period's KPI store (``wb.kpis()``), so the deck shows the
    same value per (metric, quarter) as every memo; the previous quarter is the comparison, the
    quarterly target in params ``targets.quarterly`` the plan.
    """
    store = wb.kpis()
    out = {}
    for k in DECK_KPIS:
        f = store.figure(k, "quarter")
        out[k] = {"value": f.value, "previous": f.prev_value, "target": f.target}
    return out


@dataclass
class Evidence:
    """What the three impulses rest on, from the analysis modules (nothing recomputed here)."""

    vocs: list[Any]
    competitors: briefing.CompetitorResults
    strategy: strategy.StrategyInputs
    recs: list[strategy.StrategyRec]
    cpl: pd.DataFrame  #: channel_cpl_change: spend, qualified_leads, cpl, cpl_ref, cpl_change per channel
    open_deals: pd.DataFrame  #: deals open at quarter end (as the CRM showed them then)
    sources: list[str] = field(default_factory=list)


def gather(wb: Any) -> Evidence:
    """Run the quarter's VoC (each month), competitor and channel analyses once for the deck."""
    L = wb.lang
    cfg = vm.settings(wb.params)  # the VoC memo's taxonomy and name policy: the same shares as that memo
    vocs = []
    for month in wb.period.month_periods():
        try:
            vocs.append(voc.analyse(wb.ds.feedback, month=str(month), taxonomy=cfg["taxonomy"],
                                    allow_names=cfg["allow_names"], lang=L))
        except StaleDataError:
            pass  # a month without feedback: the deck works from the months that have some
    comp = briefing.analyse(wb.ds, wb.params.raw["competitors"], wb.period, lang=L,
                            vat=wb.params.company.get("vat_rate"))
    inp = strategy.StrategyInputs(wb.period, L, wb.currency, vocs, comp,
                                  strategy.kpi_quarter(wb.kpis()))
    snap = review.deals_as_of(wb.ds.deals, wb.period.end)
    sources = [f"{s.name} ({fmt.number(s.rows, L)})" for s in wb.ds.sources if s.table in TABLES]
    return Evidence(vocs, comp, inp, strategy.recommendations(inp),
                    review.channel_cpl_change(wb.ds.leads, wb.ds.spend, wb.period),
                    snap[snap["status"] == "open"], sources)


def _product_pipeline(open_deals: pd.DataFrame, products: Sequence[str]) -> float:
    """Open pipeline whose deal names one of ``products`` (the CRM names deals "Company - Product")."""
    if not products:
        return 0.0
    names = open_deals["deal_name"].astype("string").fillna("")
    hit = pd.Series(False, index=open_deals.index)
    for p in products:
        hit |= names.str.contains(p, regex=False)
    return float(open_deals.loc[hit, "amount"].sum())


def impulse_figures(ev: Evidence) -> dict[str, Any]:
    """The impulses' numbers: signal shares, price cut, channel excess cost and the euros at stake.

    * customer: the delivery theme (strategy memo rule) or the VoC focus theme; at stake = open
      pipeline of existing customers (reorders) at quarter end — what unhappy customers can take elsewhere;
    * competitor: the largest list-price cut in our segments; at stake = our open pipeline in the products
      it targets; the decision's cost ceiling = that pipeline × the cut;
    * channel: the channel whose cost per qualified inquiry rose most on last year; its excess cost =
      spend − last year's cost per inquiry × this quarter's inquiries.
    """
    out: dict[str, Any] = {}
    sig = strategy.theme_signal(ev.vocs, strategy.DELIVERY_THEME)
    if sig is None or not sig.rising:
        focus = vm.focus_theme(ev.vocs[-1]) if ev.vocs else None
        sig = (strategy.ThemeSignal(focus["theme"], str(focus["label"]), float(focus["share"]),
                                    float(focus["share_baseline"]), int(focus["n"]), True, ev.vocs[-1].month)
               if focus else None)
    existing = ev.open_deals[~ev.open_deals["deal_type"].astype("string").str.contains("new", case=False, na=True)]
    out["customer"] = {"signal": sig, "at_stake": float(existing["amount"].sum()), "deals": int(len(existing))}
    nps = strategy._nps(ev.vocs)
    out["customer"]["nps"] = nps
    cut = strategy._price_cut(ev.competitors)
    promise = strategy._delivery_promise(ev.competitors)
    comp: dict[str, Any] = {"cut": cut, "promise": promise}
    if cut is not None:
        ours = [p.strip() for p in str(cut["our_product"]).split(",") if p.strip()]
        comp["products"] = ours
        comp["at_stake"] = _product_pipeline(ev.open_deals, ours)
        comp["cut_pct"] = abs(float(cut["change_pct"])) / 100
        comp["discount_cost"] = comp["at_stake"] * comp["cut_pct"]
    out["competitor"] = comp
    worst = review.worst_cpl(ev.cpl, "de")
    ch: dict[str, Any] = {"worst": worst}
    if worst is not None:
        row = ev.cpl.loc[worst["channel"]]
        ch["spend"] = float(row["spend"])
        ch["qualified_leads"] = float(row["qualified_leads"])
        ch["excess"] = float(row["spend"] - row["cpl_ref"] * row["qualified_leads"])
    out["channel"] = ch
    return out


# --------------------------------------------------------------------------- slides


@dataclass
class Deck:
    """The slides by kind, in :data:`SLIDES` order, and what they were built from."""

    slides: dict[str, Slide]
    kpis: dict[str, dict[str, float]]
    impulses: dict[str, Any]
    lang: str

    def __getitem__(self, kind: str) -> Slide:
        return self.slides[kind]

    def ordered(self) -> list[Slide]:
        return [self.slides[k] for k in SLIDES if k in self.slides]


def _money(v: float, lang: str, currency: str) -> str:
    return fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)


def kpi_value_text(key: str, value: float, lang: str, currency: str) -> str:
    """A deck KPI as it appears on the slide (money compact above 10,000; counts whole)."""
    return _money(value, lang, currency) if key in _MONEY else fmt.number(value, lang)


def _delta(key: str, value: float, ref: float, lang: str) -> str:
    return fmt.delta(value, ref, lang, higher_is_better=_HIB.get(key, True)).text


def _happened(kpis: dict[str, dict[str, float]], label: str, lang: str, currency: str) -> Slide:
    de = _de(lang)
    vs_prev, vs_plan = ("ggü. Vorquartal", "ggü. Plan") if de else ("vs prev. quarter", "vs plan")
    rows = [["" , "Ist" if de else "Actual", vs_prev, vs_plan]]
    for key in DECK_KPIS:
        k = kpis[key]
        rows.append([_LABELS[key][0 if de else 1], kpi_value_text(key, k["value"], lang, currency),
                     _delta(key, k["value"], k["previous"], lang), _delta(key, k["value"], k["target"], lang)])
    ql, cpl, pipe = (kpis[k] for k in DECK_KPIS)
    below = ql["value"] < ql["target"]
    gap = fmt.number(abs(ql["target"] - ql["value"]), lang)
    if de:
        title = (f"Im {label} lieferte Marketing {fmt.number(ql['value'], lang)} qualifizierte Anfragen – "
                 + (f"{gap} unter Plan" if below else "auf Plan")
                 + (", und jede kostete mehr als geplant." if cpl["value"] > cpl["target"] else ", zu Kosten im Plan."))
    else:
        title = (f"Marketing delivered {fmt.number(ql['value'], lang)} qualified inquiries in {label} – "
                 + (f"{gap} below plan" if below else "on plan")
                 + (", and each cost more than planned." if cpl["value"] > cpl["target"] else ", at planned cost."))
    body = [("Pipeline wird in zwei bis drei Quartalen zu Umsatz." if de
             else "Pipeline turns into revenue within two to three quarters.")]
    notes = ("Quelle: CRM (Leads, Verkaufschancen) und Kostenexporte, Quartalssummen der Monatskennzahlen; Vergleich mit dem "
             "Vorquartal und dem Quartalsplan (params targets.quarterly). Qualifizierte Anfrage = MQL-Datum im Quartal, "
             "Marketingkanal. Kosten je Anfrage = Marketingkosten ÷ qualifizierte Anfragen. Pipeline aus Marketing = "
             "Wert der im Quartal angelegten Verkaufschancen aus Marketing-Anfragen." if de else
             "Source: CRM (leads, deals) and cost exports, quarter sums of the monthly KPIs; compared with the previous "
             "quarter and the quarterly plan (params targets.quarterly). Qualified inquiry = MQL date in the quarter, "
             "marketing channel. Cost per inquiry = marketing cost ÷ qualified inquiries. Marketing pipeline = value of "
             "deals created in the quarter from marketing inquiries.")
    return Slide("happened", title, body, notes, table=rows)


def _chart_png(fig: Any) -> bytes:
    return charts.to_png(fig, dpi=CHART_DPI)


def _customer(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    de = _de(lang)
    c = imp["customer"]
    sig, nps = c["signal"], c["nps"]
    stake = _money(c["at_stake"], lang, currency)
    chart, alt = None, ""
    if ev.vocs:
        res = ev.vocs[-1]
        top = vm.top_themes(res, 5)
        polarity = [1 if s == "praise" else -1 if s == "complaint" else 0 for s in top["signal_type"]]
        alt = vm.chart_title(res, lang)
        fig = voc_chart.theme_shares(
            list(top["label"]), top["share"].to_numpy(), top["share_baseline"].to_numpy(), polarity, title=alt,
            subtitle=("Anteil der Rückmeldungen je Thema in %" if de else "Share of feedback items per theme, %"),
            lang=lang, current_label=fmt.month(pd.Period(res.month, "M").start_time, lang),
            baseline_label=vm._base_label(res, lang), size=CHART_SIZE)
        chart = _chart_png(fig)
    if sig is None:
        title = ("Kunden melden im Quartal kein Thema, das deutlich zunimmt." if de
                 else "Customers raise no theme that grows markedly this quarter.")
        body = []
    else:
        share, base = fmt.percent(sig.share, lang, 0), fmt.percent(sig.baseline, lang, 0)
        month = fmt.month(pd.Period(sig.month, "M").start_time, lang)
        title = (f"Kunden klagen öfter über {sig.label}: {share} der Rückmeldungen statt {base}." if de else
                 f"Customers complain more about {sig.label.lower()}: {share} of feedback instead of {base}.")
        body = [(f"{sig.label}: {share} im {month} (Basis {base}, n = {sig.n})" if de else
                 f"{sig.label}: {share} in {month} (baseline {base}, n = {sig.n})")]
    if nps is not None:
        body.append(f"NPS {fmt.number(nps[0], lang)} nach {fmt.number(nps[1], lang)} (n = {nps[2]})" if de else
                    f"NPS {fmt.number(nps[0], lang)} after {fmt.number(nps[1], lang)} (n = {nps[2]})")
    body.append((f"Auf dem Spiel: {stake} offene Nachbestellungen bestehender Kunden" if de else
                 f"At stake: {stake} of open reorders from existing customers"))
    notes = ((f"Quelle: Kundenrückmeldungen (Tickets, Bewertungen, NPS-Umfrage, Vertriebsgespräche), Monate "
              f"{', '.join(v.month for v in ev.vocs)}; Anteil = Rückmeldungen mit dem Thema ÷ alle Rückmeldungen des Monats, "
              f"Basis = Mittel der drei Vormonate. Auf dem Spiel = offene Verkaufschancen bestehender Kunden am Quartalsende "
              f"({c['deals']} Verkaufschancen, {stake}).") if de else
             (f"Source: customer feedback (tickets, reviews, NPS survey, sales calls), months "
              f"{', '.join(v.month for v in ev.vocs)}; share = items with the theme ÷ all items of the month, baseline = "
              f"mean of the three months before. At stake = open deals of existing customers at quarter end "
              f"({c['deals']} deals, {stake})."))
    return Slide("customer", title, body, notes, chart=chart, chart_alt=alt)


def _competitor(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    de = _de(lang)
    c = imp["competitor"]
    cut, promise = c["cut"], c["promise"]
    cats, values, alt, _memo_sub = briefing.price_position(ev.competitors)
    chart = None
    if cats:
        # the memo's subtitle is too long for a slide chart; the "(n) = comparable products" goes to the notes
        as_of = fmt.date(ev.competitors.as_of, lang)
        sub = (f"Preisindex netto, eigener Preis = 100, Stand {as_of}" if de else
               f"Net price index, own price = 100, as of {as_of}")
        fig = charts.dot_position(cats, values, 100.0, title=alt, subtitle=sub, lang=lang,
                                  value_format=lambda v: fmt.number(v, lang, 0), size=(CHART_SIZE[0], 2.4))
        chart = _chart_png(fig)
    body = []
    if cut is not None:
        pct = fmt.percent(c["cut_pct"], lang, 0)
        stake = _money(c["at_stake"], lang, currency)
        products = ", ".join(c["products"])
        title = (f"{cut['competitor']} senkt die Listenpreise in unserem Kernsegment um {pct}." if de else
                 f"{cut['competitor']} cuts list prices in our core segment by {pct}.")
        body.append((f"Seit {fmt.date(cut['first_seen'], lang)}: {cut['product']}" if de else
                     f"Since {fmt.date(cut['first_seen'], lang)}: {cut['product']}"))
        if promise is not None:
            body.append((f"Wirbt zugleich mit {promise['started']}" if de else f"Also advertises {promise['started']}")
                        if promise["competitor"] == cut["competitor"] else
                        (f"{promise['competitor']} wirbt mit {promise['started']}" if de else
                         f"{promise['competitor']} advertises {promise['started']}"))
        body.append((f"Auf dem Spiel: {stake} offene Pipeline zu {products}" if de else
                     f"At stake: {stake} open pipeline in {products}"))
    elif promise is not None:
        title = (f"{promise['competitor']} wirbt neu mit {promise['started']}." if de else
                 f"{promise['competitor']} newly advertises {promise['started']}.")
    else:
        title = ("Kein Wettbewerber ändert im Quartal Preise in unseren Segmenten." if de else
                 "No competitor changes prices in our segments this quarter.")
    notes = (("Quelle: Preis- und Botschafts-Snapshots der Wettbewerber, Beobachtungen von Vertrieb und Marketing; "
              "Preisindex = Netto-Listenpreis des Wettbewerbers ÷ unser Preis × 100, in Klammern die Zahl der "
              "Vergleichsprodukte. Auf dem Spiel = offene Verkaufschancen am "
              "Quartalsende, deren Name eines der betroffenen eigenen Produkte nennt.") if de else
             ("Source: competitor price and messaging snapshots, observations by sales and marketing; price index = "
              "competitor's net list price ÷ ours × 100, in brackets the number of comparable products. At stake = open deals at quarter end whose name mentions one "
              "of our affected products."))
    return Slide("competitor", title, body, notes, chart=chart, chart_alt=alt)


def _channel(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    de = _de(lang)
    c = imp["channel"]
    worst = c["worst"]
    paid = ev.cpl.sort_values("cpl", ascending=False, kind="mergesort")
    labels = [channel_label(ch, lang) for ch in paid.index]
    alt = ((f"{channel_label(worst['channel'], lang)}: Kosten je Anfrage {fmt.pct_change(worst['change'], lang)} ggü. Vorjahr"
            if de else f"{channel_label(worst['channel'], lang)}: cost per inquiry {fmt.pct_change(worst['change'], lang)} vs last year")
           if worst else ("Kosten je Anfrage je Kanal im Rahmen des Vorjahres" if de
                          else "Cost per inquiry per channel in line with last year"))
    fig = charts.bars_variance(labels, paid["cpl"].to_numpy(), paid["cpl_ref"].to_numpy(), title=alt,
                               subtitle=("Kosten je qualifizierter Anfrage in €, Quartal ggü. Vorjahresquartal" if de
                                         else "Cost per qualified inquiry in EUR, quarter vs same quarter last year"),
                               lang=lang, reference_kind="PY", higher_is_better=False,
                               value_format=lambda v: fmt.number(v, lang), size=CHART_SIZE)
    chart = _chart_png(fig)
    if worst is None:
        title = ("Alle Kanäle halten ihre Kosten je Anfrage auf Vorjahresniveau." if de
                 else "Every channel keeps its cost per inquiry at last year's level.")
        body = []
    else:
        label = channel_label(worst["channel"], lang)
        excess = _money(c["excess"], lang, currency)
        m = lambda v: fmt.money(v, lang, currency=currency)  # noqa: E731
        rise = fmt.percent(worst["change"], lang, 0)
        title = (f"{label} kostet je Anfrage {rise} mehr als vor einem Jahr." if de else
                 f"{label} costs {rise} more per inquiry than a year ago.")
        body = [(f"{m(worst['cpl'])} je Anfrage statt {m(worst['cpl_ref'])}" if de else
                 f"{m(worst['cpl'])} per inquiry instead of {m(worst['cpl_ref'])}"),
                (f"{fmt.number(c['qualified_leads'], lang)} Anfragen für {_money(c['spend'], lang, currency)}" if de else
                 f"{fmt.number(c['qualified_leads'], lang)} inquiries for {_money(c['spend'], lang, currency)}"),
                (f"Auf dem Spiel: {excess} Mehrkosten im Quartal" if de else f"At stake: {excess} extra cost this quarter")]
    notes = (("Quelle: Kostenexporte der Werbeplattformen und Budgetliste, Leads aus dem CRM. Kosten je Anfrage = Kosten "
              "des Kanals ÷ qualifizierte Anfragen des Kanals im Quartal, verglichen mit dem Vorjahresquartal. Mehrkosten "
              "= Kosten − Vorjahreskosten je Anfrage × Anfragen des Quartals.") if de else
             ("Source: ad-platform cost exports and the budget list, leads from the CRM. Cost per inquiry = the channel's "
              "cost ÷ its qualified inquiries in the quarter, against the same quarter last year. Extra cost = cost − "
              "last year's cost per inquiry × this quarter's inquiries."))
    return Slide("channel", title, body, notes, chart=chart, chart_alt=alt)


def _decisions(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    de = _de(lang)
    rows = [["Entscheidung", "Kosten", "Erwartete Wirkung"] if de else ["Decision", "Cost", "Expected effect"]]
    notes = []
    rules = {r.rule: r for r in ev.recs}
    cust, comp, ch = imp["customer"], imp["competitor"], imp["channel"]
    if "delivery_promise" in rules:
        rows.append(["Sicherheitsbestand finanzieren" if de else "Fund safety stock",
                     "Operations beziffert" if de else "open (Operations)",
                     (f"schützt bis zu {_money(cust['at_stake'], lang, currency)} Nachbestellungen" if de else
                      f"protects up to {_money(cust['at_stake'], lang, currency)} reorders")])
        notes.append(rules["delivery_promise"].decision)
    if comp.get("cut") is not None:
        pct = fmt.percent(comp["cut_pct"], lang, 0)
        rows.append([(f"Rabatt bis {pct} freigeben" if de else f"Approve discounts up to {pct}"),
                     (f"höchstens {_money(comp['discount_cost'], lang, currency)}" if de else
                      f"at most {_money(comp['discount_cost'], lang, currency)}"),
                     (f"verteidigt bis zu {_money(comp['at_stake'], lang, currency)} Pipeline" if de else
                      f"defends up to {_money(comp['at_stake'], lang, currency)} pipeline")])
        if "price_pressure" in rules:
            notes.append(rules["price_pressure"].decision)
    if ch.get("worst") is not None and ch["excess"] > 0:
        label = channel_label(ch["worst"]["channel"], lang)
        excess = _money(ch["excess"], lang, currency)
        rows.append([(f"{label}-Budget um {excess} kürzen" if de else f"Cut {label} budget by {excess}"),
                     "keine" if de else "none",
                     (f"{excess} je Quartal für günstigere Kanäle" if de else f"{excess} a quarter for cheaper channels")])
        notes.append((f"{label}: Budget um die Mehrkosten ggü. den Vorjahreskosten je Anfrage kürzen und in Kanäle mit "
                      "niedrigeren Kosten je Anfrage umschichten." if de else
                      f"{label}: cut the budget by the extra cost against last year's cost per inquiry and move it to "
                      "channels with lower cost per inquiry."))
    n = len(rows) - 1
    title = ((f"Die Runde entscheidet heute über {fmt.number(n, lang)} Maßnahmen." if n != 1 else
              "Die Runde entscheidet heute über eine Maßnahme.") if de else
             (f"The round decides on {fmt.number(n, lang)} measures today." if n != 1 else
              "The round decides on one measure today."))
    if n == 0:
        title = ("Die Runde muss heute nichts entscheiden." if de else "The round need not decide anything today.")
        rows = []
    head = "Fragen an die Runde: " if de else "Questions for the round: "
    cost_note = (" Kosten des Rabatts = offene Pipeline der Produkte × Preissenkung des Wettbewerbers (Obergrenze)." if de
                 else " Discount cost = open pipeline of the products × the competitor's price cut (upper bound).")
    return Slide("decisions", title, [], head + " ".join(notes) + cost_note, table=rows)


def _goals(wb: Any, kpis: dict[str, dict[str, float]], lang: str, currency: str) -> Slide:
    de = _de(lang)
    nxt = fmt.quarter(wb.period.shift(1).start, lang)
    now = fmt.quarter(wb.period.start, lang)
    rows = [["Kennzahl" if de else "KPI", f"Ziel {nxt}" if de else f"Target {nxt}", f"Ist {now}" if de else f"Actual {now}"]]
    for key in DECK_KPIS:
        k = kpis[key]
        if math.isnan(k["target"]):
            continue
        rows.append([_LABELS[key][0 if de else 1], kpi_value_text(key, k["target"], lang, currency),
                     kpi_value_text(key, k["value"], lang, currency)])
    ql = kpis["qualified_leads"]
    more = ql["target"] - ql["value"]
    if not math.isnan(more) and more > 0:
        title = (f"Im {nxt} brauchen wir {fmt.number(more, lang)} qualifizierte Anfragen mehr als im {now}." if de else
                 f"In {nxt} we need {fmt.number(more, lang)} more qualified inquiries than in {now}.")
    else:
        title = (f"Im {nxt} halten wir das Niveau des {now} und senken die Kosten je Anfrage." if de else
                 f"In {nxt} we hold the level of {now} and bring down the cost per inquiry.")
    notes = ("Ziele = Quartalsplan aus params targets.quarterly; Ist = dieselbe Kennzahl im abgelaufenen Quartal. "
             "Die Jahresziele mit Prognose stehen im monatlichen KPI-Memo." if de else
             "Targets = the quarterly plan in params targets.quarterly; actual = the same KPI in the quarter just ended. "
             "The annual goals with forecast are in the monthly KPI memo.")
    return Slide("goals", title, [], notes, table=rows)


def _appendix(ev: Evidence, lang: str) -> Slide:
    de = _de(lang)
    body = (["Qualifizierte Anfrage: MQL aus Marketingkanälen",
             "Kosten je Anfrage: Marketingkosten ÷ qualifizierte Anfragen",
             "Pipeline: Wert neuer Verkaufschancen aus Marketing-Anfragen",
             "Auf dem Spiel: offene Verkaufschancen zum Quartalsende",
             "Mehrkosten: Kosten − Vorjahreskosten je Anfrage × Anfragen"] if de else
            ["Qualified inquiry: MQL from marketing channels",
             "Cost per inquiry: marketing cost ÷ qualified inquiries",
             "Pipeline: value of new deals from marketing inquiries",
             "At stake: open deals at quarter end",
             "Extra cost: cost − last year's cost per inquiry × inquiries"])
    title = "Der Anhang definiert jede Zahl dieser Präsentation." if de else "The appendix defines every number in this deck."
    notes = ("Quellen: " if de else "Sources: ") + "; ".join(ev.sources)
    return Slide("appendix", title, body, notes)


def _title_slide(wb: Any, ev: Evidence, lang: str) -> Slide:
    de = _de(lang)
    first = ev.recs[0].rule if ev.recs else ""
    if first == "delivery_promise":
        title = ("Lieferfähigkeit wird im nächsten Quartal zur strategischen Priorität." if de
                 else "Delivery reliability becomes the strategic priority next quarter.")
    elif ev.recs:
        title = ("Drei Impulse aus Kunden, Wettbewerb und Kanälen verlangen Entscheidungen." if de
                 else "Three impulses from customers, competitors and channels call for decisions.")
    else:
        title = ("Kunden, Wettbewerb und Kanäle zeigen im Quartal keine auffällige Veränderung." if de
                 else "Customers, competitors and channels show no notable change this quarter.")
    sub = (f"Impuls-Session Marketing · {wb.period_label} · {wb.params.name}" if de else
           f"Marketing impulse session · {wb.period_label} · {wb.params.name}")
    notes = strategy.headline(ev.strategy, ev.recs)
    return Slide("title", title, [], notes, subtitle=sub)


def compose(wb: Any, kpis: dict[str, dict[str, float]], ev: Evidence) -> Deck:
    """All eight slides for ``wb.period`` in ``wb.lang`` from the KPI adapter and the evidence."""
    lang, cur = wb.lang, wb.currency
    imp = impulse_figures(ev)
    slides = [
        _title_slide(wb, ev, lang), _happened(kpis, wb.period_label, lang, cur), _customer(ev, imp, lang, cur),
        _competitor(ev, imp, lang, cur), _channel(ev, imp, lang, cur), _decisions(ev, imp, lang, cur),
        _goals(wb, kpis, lang, cur), _appendix(ev, lang),
    ]
    return Deck({s.kind: s for s in slides}, kpis, imp, lang)


def slide_template(params: Any) -> Path | None:
    """params ``memo.slide_template`` (relative to the params file), or None for the default layout."""
    value = (params.memo or {}).get("slide_template")
    if not value:
        return None
    p = Path(value)
    return p if p.is_absolute() else (params.path.parent / p).resolve()
