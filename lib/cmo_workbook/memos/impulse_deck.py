"""The quarter as a slide deck for the strategy round ("Impuls-Session", article 3.3 and 4.3).

Eight slides in fixed order (:data:`SLIDES`): title; what happened (three KPIs with comparisons); one
slide per strategic impulse (customer signal, competitor move, channel economics) with its IBCS
evidence chart and the euros at stake; the decisions asked of the round (cost and expected effect);
next quarter's goals; an appendix with the definitions. Every title states the message as a sentence
with a verb (IBCS); the body stays at or below :data:`MAX_BODY_WORDS` words; speaker notes carry the
sources and definitions.

Numbers come from the existing modules and are never recomputed here: KPIs through the one adapter
:func:`deck_figures` (quarter sums of :mod:`cmo_workbook.metrics.monthly` via
:func:`cmo_workbook.memos.attribution_review.quarterly`; swap it for the KPI period store when that
exists), customer signals from :mod:`cmo_workbook.voc` and :mod:`cmo_workbook.memos.strategy_memo`,
competitor moves from :mod:`cmo_workbook.memos.competitor_briefing`, channel cost from
:func:`cmo_workbook.memos.attribution_review.channel_cpl_change`. :func:`gather` collects them,
:func:`compose` writes the slides, :func:`write_pptx` builds the PowerPoint file (with the company's
template, params ``memo.slide_template``, when given). The same slides display as escaped HTML in
the notebook, which nbconvert's slides exporter turns into reveal.js.
"""
from __future__ import annotations

import base64
import html
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .. import voc
from ..errors import StaleDataError
from ..inputs.channels import channel_label
from ..metrics import monthly as metrics
from ..render import charts, fmt
from ..voc import chart as voc_chart
from . import attribution_review as review
from . import competitor_briefing as briefing
from . import strategy_memo as strategy
from . import voice_of_customer as vm

SLIDE_MIME = "application/vnd.cmo-slide+json"
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

    The deck's one door to KPI values (the previous quarter is the comparison, the quarterly target in
    params ``targets.quarterly`` the plan); at merge this adapter reads the KPI period store instead.
    """
    q = review.quarterly(metrics.monthly(wb.ds))
    targets = (wb.params.targets or {}).get("quarterly", {})
    p = wb.period.to_pandas()

    def get(col: str, at: pd.Period) -> float:
        return float(q.at[at, col]) if at in q.index and pd.notna(q.at[at, col]) else math.nan

    return {k: {"value": get(k, p), "previous": get(k, p - 1),
                "target": float(targets[k]) if targets.get(k) is not None else math.nan} for k in DECK_KPIS}


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
                                  strategy.kpi_quarter(metrics.monthly(wb.ds), wb.period))
    snap = review.deals_as_of(wb.ds.deals, wb.period.end)
    sources = [f"{s.file.name} ({fmt.number(s.rows, L)})" for s in wb.ds.sources if s.table in TABLES]
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
class Slide:
    """One slide: the message as title, at most ~40 words of body, an optional chart, speaker notes.

    ``body`` holds bullet lines; ``table`` rows (header first) replace bullets where a grid reads better
    (KPIs, decisions). All text is plain; :meth:`html` escapes it.
    """

    kind: str
    title: str
    body: list[str] = field(default_factory=list)
    notes: str = ""
    subtitle: str = ""
    table: list[list[str]] = field(default_factory=list)
    chart: bytes | None = None
    chart_alt: str = ""

    def words(self) -> int:
        """Body words on the slide (bullets, table cells, subtitle; not the title, not the notes)."""
        text = " ".join([self.subtitle, *self.body, *(c for row in self.table for c in row)])
        return len([w for w in re.split(r"\s+", text) if re.search(r"\w", w)])

    def record(self) -> dict[str, Any]:
        rec = {"kind": self.kind, "title": self.title, "body": list(self.body), "notes": self.notes,
               "subtitle": self.subtitle, "table": [list(r) for r in self.table], "chart_alt": self.chart_alt}
        if self.chart is not None:
            rec["chart"] = base64.b64encode(self.chart).decode()
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Slide":
        chart = base64.b64decode(rec["chart"]) if rec.get("chart") else None
        return cls(rec["kind"], rec["title"], list(rec.get("body", [])), rec.get("notes", ""), rec.get("subtitle", ""),
                   [list(r) for r in rec.get("table", [])], chart, rec.get("chart_alt", ""))

    def html(self) -> str:
        """The slide for JupyterLab and reveal.js; every text escaped (customer and competitor names are data)."""
        e = html.escape
        parts = [f'<div class="cmo-slide" style="font-family:Arial,Helvetica,sans-serif;color:#262626;text-align:left">',
                 f'<h2 style="font-size:1.15em;line-height:1.25;margin:0 0 .4em 0;text-transform:none">{e(self.title)}</h2>']
        if self.subtitle:
            parts.append(f'<p style="font-size:.8em;color:#6E6E6E;margin:0 0 .6em 0">{e(self.subtitle)}</p>')
        inner = []
        if self.table:
            head, *rows = self.table
            th = "".join(f'<th style="text-align:left;padding:4px 10px;border-bottom:1px solid #404040">{e(c)}</th>' for c in head)
            trs = "".join("<tr>" + "".join(f'<td style="padding:4px 10px;vertical-align:top">{e(c)}</td>' for c in r) + "</tr>"
                          for r in rows)
            inner.append(f'<table style="font-size:.6em;border-collapse:collapse;margin:0"><tr>{th}</tr>{trs}</table>')
        if self.body:
            lis = "".join(f"<li>{e(b)}</li>" for b in self.body)
            inner.append(f'<ul style="font-size:.62em;line-height:1.35;margin:.3em 0 0 1em">{lis}</ul>')
        text = "".join(inner)
        if self.chart is not None:
            img = (f'<img src="data:image/png;base64,{base64.b64encode(self.chart).decode()}" alt="{e(self.chart_alt)}" '
                   'style="width:100%;margin:0">')
            parts.append(f'<div style="display:flex;gap:18px;align-items:flex-start"><div style="flex:0 0 38%">{text}</div>'
                         f'<div style="flex:1 1 auto">{img}</div></div>')
        else:
            parts.append(text)
        parts.append("</div>")
        return "".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        plain = "\n".join([self.title, *self.body, *(" | ".join(r) for r in self.table)])
        return {"text/html": self.html(), "text/plain": plain, SLIDE_MIME: self.record()}


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
    notes = ("Quelle: CRM (Leads, Deals) und Kostenexporte, Quartalssummen der Monatskennzahlen; Vergleich mit dem "
             "Vorquartal und dem Quartalsplan (params targets.quarterly). Qualifizierte Anfrage = MQL-Datum im Quartal, "
             "Marketingkanal. Kosten je Anfrage = Marketingkosten ÷ qualifizierte Anfragen. Pipeline aus Marketing = "
             "Wert der im Quartal angelegten Deals aus Marketing-Anfragen." if de else
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
              f"Basis = Mittel der drei Vormonate. Auf dem Spiel = offene Deals bestehender Kunden am Quartalsende "
              f"({c['deals']} Deals, {stake}).") if de else
             (f"Source: customer feedback (tickets, reviews, NPS survey, sales calls), months "
              f"{', '.join(v.month for v in ev.vocs)}; share = items with the theme ÷ all items of the month, baseline = "
              f"mean of the three months before. At stake = open deals of existing customers at quarter end "
              f"({c['deals']} deals, {stake})."))
    return Slide("customer", title, body, notes, chart=chart, chart_alt=alt)


def _competitor(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    de = _de(lang)
    c = imp["competitor"]
    cut, promise = c["cut"], c["promise"]
    cats, values, alt, sub = briefing.price_position(ev.competitors)
    chart = None
    if cats:
        fig = charts.dot_position(cats, values, 100.0, title=alt, subtitle=sub, lang=lang,
                                  value_format=lambda v: fmt.number(v, lang, 0), size=(7.0, 2.4))
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
              "Preisindex = Netto-Listenpreis des Wettbewerbers ÷ unser Preis × 100. Auf dem Spiel = offene Deals am "
              "Quartalsende, deren Name eines der betroffenen eigenen Produkte nennt.") if de else
             ("Source: competitor price and messaging snapshots, observations by sales and marketing; price index = "
              "competitor's net list price ÷ ours × 100. At stake = open deals at quarter end whose name mentions one "
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
                     "Operations beziffert" if de else "Operations to quantify",
                     (f"sichert {_money(cust['at_stake'], lang, currency)} Nachbestellungen" if de else
                      f"protects {_money(cust['at_stake'], lang, currency)} of reorders")])
        notes.append(rules["delivery_promise"].decision)
    if comp.get("cut") is not None:
        pct = fmt.percent(comp["cut_pct"], lang, 0)
        rows.append([(f"Rabatt bis {pct} freigeben" if de else f"Approve discounts up to {pct}"),
                     (f"höchstens {_money(comp['discount_cost'], lang, currency)}" if de else
                      f"at most {_money(comp['discount_cost'], lang, currency)}"),
                     (f"verteidigt {_money(comp['at_stake'], lang, currency)} Pipeline" if de else
                      f"defends {_money(comp['at_stake'], lang, currency)} of pipeline")])
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
             "Pipeline: Wert neuer Deals aus Marketing-Anfragen",
             "Auf dem Spiel: offene Deals am Quartalsende, die das Thema betrifft",
             "Mehrkosten: Kosten − Vorjahreskosten je Anfrage × Anfragen"] if de else
            ["Qualified inquiry: MQL from marketing channels",
             "Cost per inquiry: marketing cost ÷ qualified inquiries",
             "Pipeline: value of new deals from marketing inquiries",
             "At stake: open deals at quarter end the topic affects",
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


# --------------------------------------------------------------------------- PowerPoint


def slides_from_notebook(nb: Any) -> list[Slide]:
    """The slides an executed ``impulse_deck`` notebook displayed, in cell order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            rec = o.get("data", {}).get(SLIDE_MIME)
            if isinstance(rec, dict):
                out.append(Slide.from_record(dict(rec)))
    return out


def _open_template(template: Path | None):
    """A Presentation from the company's .pptx/.potx, or python-pptx's default in 16:9."""
    from pptx import Presentation
    from pptx.util import Inches

    if template is None:
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
        return prs, False
    if not template.is_file():
        raise FileNotFoundError(f"memo.slide_template: {template} does not exist; give the path of the company's "
                                ".potx or .pptx relative to the params file, or remove the key for the default layout")
    if template.suffix.lower() == ".potx":
        # python-pptx opens presentations only: a .potx differs in one content type, so copy and relabel it.
        buf = io.BytesIO()
        with zipfile.ZipFile(template) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(b"presentationml.template.main+xml", b"presentationml.presentation.main+xml")
                dst.writestr(item, data)
        buf.seek(0)
        prs = Presentation(buf)
    else:
        prs = Presentation(str(template))
    # The template's own example slides are not part of the deck.
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)
    return prs, True


def _layout(prs: Any, want: str):
    """The template's layout for ``want`` ('title' or 'title_only'), found by its placeholders, not its name."""
    from pptx.enum.shapes import PP_PLACEHOLDER as PH

    def kinds(layout):
        return {ph.placeholder_format.type for ph in layout.placeholders}

    layouts = list(prs.slide_layouts)
    if want == "title":
        for lay in layouts:
            k = kinds(lay)
            if PH.CENTER_TITLE in k and PH.SUBTITLE in k:
                return lay
    for lay in layouts:
        k = kinds(lay) - {PH.DATE, PH.FOOTER, PH.SLIDE_NUMBER}
        if k == {PH.TITLE}:
            return lay
    for lay in layouts:
        if PH.TITLE in kinds(lay):
            return lay
    return layouts[0]


def _fill_text(frame: Any, lines: Sequence[str], size_pt: float, styled: bool, *, bullets: bool = False) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = ("• " if bullets else "") + line
        run.font.size = Pt(size_pt)
        para.space_after = Pt(size_pt * 0.5)
        if styled:  # the default look only; a company template's theme fonts and colours stay in charge
            run.font.name = "Arial"
            run.font.color.rgb = RGBColor(0x26, 0x26, 0x26)


def _set_title(shape: Any, text: str, size_pt: float, styled: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    tf = shape.text_frame
    tf.clear()
    tf.word_wrap = True
    run = tf.paragraphs[0].add_run()
    run.text = text
    if styled:
        from pptx.enum.text import PP_ALIGN

        tf.paragraphs[0].alignment = PP_ALIGN.LEFT  # IBCS: the message reads like a sentence, from the left
        run.font.size = Pt(size_pt)
        run.font.bold = True
        run.font.name = "Arial"
        run.font.color.rgb = RGBColor(0x26, 0x26, 0x26)


def _add_table(slide: Any, rows: list[list[str]], left: int, top: int, width: int, size_pt: float, styled: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    n_rows, n_cols = len(rows), len(rows[0])
    height = Emu(int(Pt(size_pt * 2.6)) * n_rows)
    shape = slide.shapes.add_table(n_rows, n_cols, left, top, width, height)
    table = shape.table
    first = int(width * (0.4 if n_cols > 3 else 0.42))
    table.columns[0].width = Emu(first)
    for j in range(1, n_cols):
        table.columns[j].width = Emu(int((width - first) / (n_cols - 1)))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = text
            run.font.size = Pt(size_pt)
            run.font.bold = i == 0
            if styled:
                run.font.name = "Arial"
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor(0xE8, 0xE8, 0xE8) if i == 0 else RGBColor(0xFF, 0xFF, 0xFF)
                run.font.color.rgb = RGBColor(0x26, 0x26, 0x26)


def write_pptx(slides: Sequence[Slide], path: str | Path, *, template: str | Path | None = None) -> Path:
    """Write the deck as .pptx: the template's masters, layouts and fonts when given, a clean 16:9 default otherwise.

    Titles go into the layout's title placeholder (so the template's title font applies); body text,
    tables and the chart are placed in the free area below it; speaker notes carry sources and definitions.
    """
    from pptx.util import Emu, Pt

    prs, from_template = _open_template(Path(template) if template else None)
    styled = not from_template
    W, H = prs.slide_width, prs.slide_height
    margin = int(W * 0.05)
    for s in slides:
        slide = prs.slides.add_slide(_layout(prs, "title" if s.kind == "title" else "title_only"))
        title_ph = slide.shapes.title
        if s.kind == "title":
            if title_ph is not None:
                if styled:
                    title_ph.left, title_ph.top, title_ph.width, title_ph.height = margin, int(H * 0.28), W - 2 * margin, int(H * 0.26)
                _set_title(title_ph, s.title, 36, styled)
            subs = [ph for ph in slide.placeholders if ph.placeholder_format.idx != 0]
            if subs:
                if styled:
                    subs[0].left, subs[0].top, subs[0].width, subs[0].height = margin, int(H * 0.58), W - 2 * margin, int(H * 0.12)
                    subs[0].text_frame.clear()
                    _fill_text(subs[0].text_frame, [s.subtitle], 20, styled)
                    from pptx.enum.text import PP_ALIGN

                    subs[0].text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
                else:
                    subs[0].text_frame.text = s.subtitle
            else:
                box = slide.shapes.add_textbox(margin, int(H * 0.62), W - 2 * margin, int(H * 0.15))
                _fill_text(box.text_frame, [s.subtitle], 20, styled)
        else:
            if title_ph is None:
                title_ph = slide.shapes.add_textbox(margin, int(H * 0.05), W - 2 * margin, int(H * 0.16))
            elif styled:
                title_ph.left, title_ph.top, title_ph.width, title_ph.height = margin, int(H * 0.05), W - 2 * margin, int(H * 0.16)
            _set_title(title_ph, s.title, 26, styled)
            top = max(int(title_ph.top + title_ph.height + H * 0.03), int(H * 0.24))
            avail_h = H - top - int(H * 0.06)
            text_w = int((W - 2 * margin) * (0.34 if s.chart else 1.0))
            y = top
            if s.table:
                _add_table(slide, s.table, margin, y, text_w if s.chart else int((W - 2 * margin) * 0.9),
                           12 if s.chart else 16, styled)
                y += int(Pt((12 if s.chart else 16) * 2.6)) * len(s.table) + int(H * 0.04)
            if s.body:
                box = slide.shapes.add_textbox(margin, y, text_w, max(H - y - int(H * 0.06), int(H * 0.1)))
                _fill_text(box.text_frame, s.body, 16 if s.chart else 20, styled, bullets=True)
            if s.chart:
                from PIL import Image

                with Image.open(io.BytesIO(s.chart)) as im:
                    ratio = im.height / im.width
                cx = margin + text_w + int(W * 0.02)
                cw = W - cx - margin
                ch = int(cw * ratio)
                if ch > avail_h:
                    ch = avail_h
                    cw = int(ch / ratio)
                pic = slide.shapes.add_picture(io.BytesIO(s.chart), Emu(cx), Emu(top), Emu(cw), Emu(ch))
                pic.name = f"chart {s.kind}"
                # alt text for screen readers and for the CMO's edits
                pic._element.nvPicPr.cNvPr.set("descr", s.chart_alt)
        slide.notes_slide.notes_text_frame.text = s.notes
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    prs.save(str(tmp))
    tmp.replace(path)
    return path


def slide_template(params: Any) -> Path | None:
    """params ``memo.slide_template`` (relative to the params file), or None for the default layout."""
    value = (params.memo or {}).get("slide_template")
    if not value:
        return None
    p = Path(value)
    return p if p.is_absolute() else (params.path.parent / p).resolve()


# --------------------------------------------------------------------------- reveal.js for print

#: One landscape page per reveal section when printed without reveal.js (offline, headless Chromium).
PRINT_CSS = ("<style>@page { size: 338.7mm 190.5mm; margin: 0; } "
             "@media print { html, body { background: #fff !important; } .reveal .slides > section, section { "
             "display: block !important; position: relative !important; page-break-after: always; break-after: page; "
             "height: 190.5mm; box-sizing: border-box; padding: 14mm 16mm; overflow: hidden; font-size: 28px; } "
             ".jp-OutputPrompt, .jp-InputPrompt { display: none !important; } }</style>")


def print_html(slides_html: str) -> str:
    """The reveal.js deck made printable without network: scripts dropped, one page per slide."""
    text = re.sub(r"<script\b[^>]*>.*?</script>", "", slides_html, flags=re.S | re.I)
    return text.replace("</head>", PRINT_CSS + "</head>", 1)

