"""The quarterly strategy memo (at most two pages): customers, competitors and KPIs condensed.

Inputs are the quarter's voice-of-customer results (one :class:`~cmo_workbook.voc.VocResult`
per month), the quarter's competitor results (:class:`~cmo_workbook.memos.competitor_briefing.CompetitorResults`)
and KPI values from the quarter's KPI store (:func:`kpi_quarter`, the same values as every other
memo of the company, reports folder and period). Every sentence comes from an explicit rule
below, in de and en; a recommendation is made only when its rule's evidence is there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from ..render import fmt
from ..metrics.store import KpiStore
from ..render.blocks import Fig, Rich
from .competitor_briefing import CompetitorResults
from ..periods import Period

#: VoC theme and words that tie a customer complaint to a competitor's promise (rule ``delivery_promise``).
DELIVERY_THEME = "delivery_delay"
DELIVERY_WORDS = ("liefer", "48h", "24h", "ab lager", "deliver", "in stock", "lead time")
#: A theme counts as rising when its share in the quarter's last month is this many times its baseline.
RISING_FACTOR = 1.5


@dataclass
class ThemeSignal:
    """A VoC theme in the quarter's last month against its baseline."""

    theme: str
    label: str
    share: float
    baseline: float
    n: int
    rising: bool
    month: str


@dataclass
class KpiQuarter:
    """Marketing KPIs of the quarter and the same quarter last year (values from the KPI store)."""

    qualified_leads: float
    qualified_leads_py: float
    cost_per_lead: float
    cost_per_lead_py: float
    pipeline: float
    pipeline_py: float
    won_revenue: float
    won_revenue_py: float
    window: str = ""  # the store's quarter window, e.g. "2026-Q3"

    def fig(self, field_name: str, lang: str, currency: str) -> Fig:
        """A value as a memo figure with its catalogue id and window."""
        metric = _FIELDS[field_name]
        v = getattr(self, field_name)
        text = (fmt.number(v, lang) if metric == "qualified_leads" else
                fmt.money(v, lang, currency=currency, compact=metric != "cost_per_qualified_lead"))
        return Fig(text, metric, self.window, v)


_FIELDS = {"qualified_leads": "qualified_leads", "cost_per_lead": "cost_per_qualified_lead",
           "pipeline": "marketing_pipeline_value", "won_revenue": "marketing_won_revenue"}


@dataclass
class StrategyRec:
    """A meta-level recommendation with its three kinds of evidence, owner and next step."""

    rule: str
    action: str
    owner: str
    next_step: str
    customer: str = ""
    competitor: str = ""
    kpi: str = ""
    decision: str = ""


@dataclass
class StrategyInputs:
    """Everything the memo condenses."""

    period: Period
    lang: str
    currency: str
    vocs: list[Any]  # VocResult per month with data, oldest first
    competitors: CompetitorResults
    kpi: KpiQuarter


def kpi_quarter(store: KpiStore) -> KpiQuarter:
    """The quarter's catalogue values and their same quarter last year, from the period store
    (deal-based year-ago values inside the export's ramp-up months are empty there)."""
    f = {name: store.figure(metric, "quarter") for name, metric in _FIELDS.items()}
    return KpiQuarter(f["qualified_leads"].value, f["qualified_leads"].py_value, f["cost_per_lead"].value,
                      f["cost_per_lead"].py_value, f["pipeline"].value, f["pipeline"].py_value,
                      f["won_revenue"].value, f["won_revenue"].py_value, store.window("quarter"))


def theme_signal(vocs: Sequence[Any], theme: str) -> ThemeSignal | None:
    """The theme in the last month with data, against that month's baseline (``None`` if never seen)."""
    for res in reversed(list(vocs)):
        rows = res.themes[res.themes["theme"] == theme]
        if len(rows):
            r = rows.iloc[0]
            share, base = float(r["share"]), float(r["share_baseline"])
            rising = r.get("flag") == "rising" or (base > 0 and share >= RISING_FACTOR * base)
            return ThemeSignal(theme, str(r["label"]), share, base, int(r["n"]), bool(rising), res.month)
    return None


def _nps(vocs: Sequence[Any]) -> tuple[float, float, int] | None:
    if not vocs:
        return None
    k = vocs[-1].kpis.set_index("metric")
    if "nps" not in k.index or pd.isna(k.at["nps", "current"]):
        return None
    return float(k.at["nps", "current"]), float(k.at["nps", "baseline"]), int(k.at["nps", "n_current"])


def _new_terms(vocs: Sequence[Any], limit: int = 3) -> list[str]:
    """Words customers use now and never in the baseline (a theme the taxonomy does not know yet)."""
    if not vocs:
        return []
    em = vocs[-1].emerging_terms
    if em.empty:
        return []
    new = em[(em["count_baseline"] == 0) & (em["z"] >= 2)].sort_values(["z", "term"], ascending=[False, True])
    return list(new["term"].head(limit))


def _pct_vs(now: float, ref: float, lang: str, hib: bool = True) -> str:
    return fmt.delta(now, ref, lang, higher_is_better=hib).text


def _month_label(month: str, lang: str) -> str:
    return fmt.month(pd.Period(month, "M").start_time, lang)


def _delivery_promise(comp: CompetitorResults) -> pd.Series | None:
    """The first messaging change that started a delivery promise (e.g. 'Lieferzeit 48h')."""
    msgs = comp.items[comp.items["topic"] == "messaging"]
    for _, r in msgs.iterrows():
        terms = [str(t) for t in (r.get("started_terms") or [])]
        if any(w in t.casefold() for t in terms for w in DELIVERY_WORDS):
            return r
    return None


def _price_cut(comp: CompetitorResults) -> pd.Series | None:
    """The largest list-price cut in the quarter that a rule matched (our segments)."""
    noted = set(comp.notes["item"])
    cuts = comp.items[(comp.items["topic"] == "price") & (comp.items["origin"] == "snapshot")
                      & (comp.items.index.isin(noted))]
    cuts = cuts[cuts["change_pct"] < 0]
    return None if cuts.empty else cuts.sort_values("change_pct", kind="stable").iloc[0]


def _competitor_move(comp: CompetitorResults, lang: str) -> str:
    de = lang == "de"
    parts = []
    cut, promise = _price_cut(comp), _delivery_promise(comp)
    if cut is not None:
        parts.append((f"{cut['competitor']} senkt seit {fmt.date(cut['first_seen'], lang)} die Listenpreise von {cut['product']} "
                      f"um {fmt.number(abs(cut['change_pct']), lang, 0)} %") if de else
                     (f"{cut['competitor']} cut the list prices of {cut['product']} by "
                      f"{fmt.number(abs(cut['change_pct']), lang, 0)}% from {fmt.date(cut['first_seen'], lang)}"))
    if promise is not None:
        parts.append((f"{promise['competitor']} wirbt seit {fmt.date(promise['date'], lang)} mit {promise['started']}" if de
                      else f"{promise['competitor']} has advertised {promise['started']} since {fmt.date(promise['date'], lang)}"))
    return "; ".join(parts)


def situation(inp: StrategyInputs) -> list[str]:
    """Three sentences: the competitive move, the customers' voice, marketing's numbers."""
    lang, de = inp.lang, inp.lang == "de"
    comp, k = inp.competitors, inp.kpi
    move = _competitor_move(comp, lang)
    if move:
        s1 = (f"Wettbewerb: {move}." if de else f"Competition: {move}.")
    else:
        n = len(comp.events)
        s1 = (f"Wettbewerb: {n} Beobachtungen im Quartal, keine Listenpreisänderung in unseren Segmenten." if de
              else f"Competition: {n} observations this quarter, no list-price change in our segments.")
    sig = theme_signal(inp.vocs, DELIVERY_THEME)
    nps = _nps(inp.vocs)
    if sig is not None and sig.rising:
        s2 = (f"Kunden: Beschwerden über {sig.label} steigen auf {fmt.percent(sig.share, lang, 0)} der Rückmeldungen "
              f"im {_month_label(sig.month, lang)} (Basis {fmt.percent(sig.baseline, lang, 0)})" if de else
              f"Customers: complaints about {sig.label.lower()} rose to {fmt.percent(sig.share, lang, 0)} of feedback "
              f"in {_month_label(sig.month, lang)} (baseline {fmt.percent(sig.baseline, lang, 0)})")
    else:
        top = inp.vocs[-1].themes.iloc[0] if inp.vocs and len(inp.vocs[-1].themes) else None
        s2 = ((f"Kunden: häufigstes Thema ist {top['label']} ({fmt.percent(top['share'], lang, 0)} der Rückmeldungen)" if de
               else f"Customers: the most frequent theme is {top['label']} ({fmt.percent(top['share'], lang, 0)} of feedback)")
              if top is not None else ("Kunden: keine Rückmeldungen im Quartal" if de else "Customers: no feedback this quarter"))
    if nps is not None:
        s2 += (f"; NPS {fmt.number(nps[0], lang)} nach {fmt.number(nps[1], lang)} im Mittel der Vormonate (n = {nps[2]})."
               if de else f"; NPS {fmt.number(nps[0], lang)} after {fmt.number(nps[1], lang)} on average before (n = {nps[2]}).")
    else:
        s2 += "."
    cur = inp.currency
    ql, cpl, pipe = (k.fig(x, lang, cur) for x in ("qualified_leads", "cost_per_lead", "pipeline"))
    s3 = (Rich("Marketing: ", ql, " qualifizierte Anfragen im Quartal "
               f"({_pct_vs(k.qualified_leads, k.qualified_leads_py, lang)} ggü. Vorjahresquartal) zu ", cpl, " je Anfrage "
               f"({_pct_vs(k.cost_per_lead, k.cost_per_lead_py, lang, False)} ggü. Vorjahresquartal); ", pipe,
               " neue Pipeline – Nachschub für den Auftragseingang der nächsten Quartale.") if de else
          Rich("Marketing: ", ql, " qualified inquiries this quarter "
               f"({_pct_vs(k.qualified_leads, k.qualified_leads_py, lang)} vs same quarter last year) at ", cpl, " each "
               f"({_pct_vs(k.cost_per_lead, k.cost_per_lead_py, lang, False)} vs same quarter last year); ", pipe,
               " of new pipeline – the order intake of the coming quarters."))
    return [s1, s2, s3]


def _kpi_leads(inp: StrategyInputs) -> Rich:
    k, lang = inp.kpi, inp.lang
    n = k.fig("qualified_leads", lang, inp.currency)
    return (Rich("Qualifizierte Anfragen, Quartal ", n,
                 f" ({_pct_vs(k.qualified_leads, k.qualified_leads_py, lang)} ggü. Vorjahresquartal)") if lang == "de" else
            Rich("Qualified inquiries, quarter ", n,
                 f" ({_pct_vs(k.qualified_leads, k.qualified_leads_py, lang)} vs same quarter last year)"))


def _kpi_revenue(inp: StrategyInputs) -> Rich:
    k, lang = inp.kpi, inp.lang
    m = k.fig("won_revenue", lang, inp.currency)
    return (Rich("Auftragseingang aus Marketing-Anfragen, Quartal ", m,
                 f" ({_pct_vs(k.won_revenue, k.won_revenue_py, lang)} ggü. Vorjahresquartal)") if lang == "de" else
            Rich("Order intake from marketing inquiries, quarter ", m,
                 f" ({_pct_vs(k.won_revenue, k.won_revenue_py, lang)} vs same quarter last year)"))


def recommendations(inp: StrategyInputs) -> list[StrategyRec]:
    """3-5 meta-level recommendations, each only when its rule's evidence is present (in this order).

    Rules: ``delivery_promise`` (customers complain about delivery while a competitor advertises
    fast delivery), ``price_pressure`` (a list-price cut in our segments), ``new_customer_topic``
    (words customers never used before), ``marketing_efficiency`` (cost per qualified inquiry up
    more than 10 % on last year), ``monitoring_gap`` (competitors without observations).
    """
    lang, de = inp.lang, inp.lang == "de"
    comp = inp.competitors
    out: list[StrategyRec] = []
    sig = theme_signal(inp.vocs, DELIVERY_THEME)
    promise, cut = _delivery_promise(comp), _price_cut(comp)
    customer_delivery = ""
    if sig is not None:
        customer_delivery = (f"{sig.label}: {fmt.percent(sig.share, lang, 0)} der Rückmeldungen im {_month_label(sig.month, lang)} "
                             f"(Basis {fmt.percent(sig.baseline, lang, 0)}, n = {sig.n})" if de else
                             f"{sig.label}: {fmt.percent(sig.share, lang, 0)} of feedback in {_month_label(sig.month, lang)} "
                             f"(baseline {fmt.percent(sig.baseline, lang, 0)}, n = {sig.n})")
    if sig is not None and sig.rising and promise is not None:
        name = promise["competitor"]
        out.append(StrategyRec(
            "delivery_promise",
            (f"Lieferfähigkeit zur Chefsache machen: erst die eigene Liefertreue sichern, dann offensiv versprechen – "
             f"{name} besetzt genau die Schwäche, über die unsere Kunden klagen." if de else
             f"Make delivery reliability a top-management issue: secure our own on-time delivery first, then promise it – "
             f"{name} is claiming exactly the weakness our customers complain about."),
            "Geschäftsführung mit Operations" if de else "Management with operations",
            ("Ursachen der Lieferverzögerungen mit Produktion und Einkauf klären; Liefertermintreue je Produktlinie monatlich im KPI-Memo."
             if de else "Find the causes of the delivery delays with production and purchasing; report on-time delivery per product line monthly in the KPI memo."),
            customer_delivery, _competitor_move(comp, lang), _kpi_revenue(inp),
            (f"Sicherheitsbestand für die am stärksten betroffenen Produktlinien finanzieren, um gegen das Lieferversprechen von {name} zu bestehen?" if de
             else f"Fund safety stock for the most affected product lines to stand up to {name}'s delivery promise?"),
        ))
    if cut is not None:
        pct = fmt.percent(abs(cut["change_pct"]) / 100, lang, 0)
        price_sig = ""
        if inp.vocs:
            k = inp.vocs[-1].kpis.set_index("metric")
            if "price_mention_share" in k.index:
                price_sig = (f"Preis in {fmt.percent(k.at['price_mention_share', 'current'], lang, 0)} der Rückmeldungen "
                             f"(Basis {fmt.percent(k.at['price_mention_share', 'baseline'], lang, 0)})" if de else
                             f"Price in {fmt.percent(k.at['price_mention_share', 'current'], lang, 0)} of feedback "
                             f"(baseline {fmt.percent(k.at['price_mention_share', 'baseline'], lang, 0)})")
        note = comp.notes[comp.notes["item"] == cut.name]
        out.append(StrategyRec(
            "price_pressure",
            (f"Auf die Preissenkung von {cut['competitor']} mit Wert statt Rabatt antworten: Gesamtkosten, Lieferfähigkeit "
             f"und Service belegen, Rabatte nur nach klarer Regel." if de else
             f"Answer {cut['competitor']}'s price cut with value, not discounts: prove total cost, availability and service; "
             f"discounts only by a clear rule."),
            str(note["owner"].iloc[0]) if len(note) and not pd.isna(note["owner"].iloc[0]) else ("Vertrieb" if de else "Sales"),
            str(note["response"].iloc[0]) if len(note) else "",
            price_sig, _competitor_move(comp, lang).split("; ")[0], _kpi_revenue(inp),
            (f"Darf der Vertrieb bei Angeboten zu {cut['our_product']} gegen {cut['competitor']} bis {pct} Rabatt selbst freigeben?" if de
             else f"May sales approve discounts of up to {pct} on {cut['our_product']} against {cut['competitor']} on its own?"),
        ))
    new = _new_terms(inp.vocs)
    if new:
        words = ", ".join(w.capitalize() if de else w for w in new)
        out.append(StrategyRec(
            "new_customer_topic",
            (f"Neues Kundenthema aufnehmen, bevor es zur Beschwerdewelle wird: Kunden schreiben neu über „{words}“." if de
             else f"Pick up a new customer topic before it becomes a wave of complaints: customers newly write about '{words}'."),
            "Service mit Marketing" if de else "Service with marketing",
            ("Stichprobe der Rückmeldungen lesen, Thema in die VoC-Taxonomie aufnehmen, Ursache an IT/Service." if de
             else "Read a sample of the feedback, add the topic to the VoC taxonomy, pass the cause to IT/service."),
            (f"Begriffe ohne Vorkommen in den Vormonaten: {words}" if de else f"Terms absent in the previous months: {words}"),
            "", _kpi_leads(inp),
        ))
    k = inp.kpi
    if k.cost_per_lead_py and k.cost_per_lead > 1.1 * k.cost_per_lead_py:
        campaigns = int((comp.events["topic"] == "campaign").sum()) if len(comp.events) else 0
        out.append(StrategyRec(
            "marketing_efficiency",
            ("Marketingbudget konsequent nach Kosten je qualifizierter Anfrage steuern und teure Kanäle umschichten." if de
             else "Steer the marketing budget strictly by cost per qualified inquiry and shift money out of expensive channels."),
            "Marketingleitung" if de else "Head of marketing",
            ("Kanal-Budgets für das nächste Quartal nach Kosten je Anfrage neu verteilen; Wirkung im KPI-Memo prüfen." if de
             else "Re-allocate channel budgets for next quarter by cost per inquiry; check the effect in the KPI memo."),
            "",
            (f"{campaigns} Kampagnen von Wettbewerbern im Quartal beobachtet" if de else f"{campaigns} competitor campaigns observed this quarter"),
            (Rich("Kosten je qualifizierter Anfrage, Quartal ", k.fig("cost_per_lead", lang, inp.currency),
                  f" ({_pct_vs(k.cost_per_lead, k.cost_per_lead_py, lang, False)} ggü. Vorjahresquartal)") if de else
             Rich("Cost per qualified inquiry, quarter ", k.fig("cost_per_lead", lang, inp.currency),
                  f" ({_pct_vs(k.cost_per_lead, k.cost_per_lead_py, lang, False)} vs same quarter last year)")),
        ))
    if len(comp.quiet) and len(out) < 5:
        names = ", ".join(comp.quiet["competitor"])
        out.append(StrategyRec(
            "monitoring_gap",
            (f"Blinde Flecken in der Wettbewerbsbeobachtung schließen: zu {names} fehlen aktuelle Beobachtungen." if de
             else f"Close the blind spots in competitor monitoring: no recent observations of {names}."),
            "Marketingleitung" if de else "Head of marketing",
            ("Verantwortlichen je Wettbewerber benennen; Vertrieb fragt in Kundengesprächen gezielt nach." if de
             else "Name an owner per competitor; sales asks about them in customer meetings."),
            "", "; ".join(comp.quiet["note_de" if de else "note_en"]), "",
        ))
    return out[:5]


def risks(inp: StrategyInputs, recs: Sequence[StrategyRec]) -> list[str]:
    """What could go wrong if we do nothing, and what the numbers cannot tell."""
    lang, de = inp.lang, inp.lang == "de"
    out = []
    rules = {r.rule for r in recs}
    if "delivery_promise" in rules:
        promise = _delivery_promise(inp.competitors)
        out.append((f"Kunden mit Lieferproblemen wechseln zu {promise['competitor']}, wenn wir bis zum Jahresende keine verlässlichen Liefertermine zusagen können."
                    if de else f"Customers with delivery problems switch to {promise['competitor']} if we cannot promise reliable dates by year end."))
    if "price_pressure" in rules:
        out.append(("Unkontrollierte Rabatte im Kernsegment kosten Marge, ohne die Lieferschwäche zu lösen." if de
                    else "Uncontrolled discounts in the core segment cost margin without fixing the delivery weakness."))
    nps = _nps(inp.vocs)
    if nps is not None and nps[0] < nps[1] - 10:
        out.append((f"NPS fällt auf {fmt.number(nps[0], lang)} (Basis {fmt.number(nps[1], lang)}; n = {nps[2]}, kleine Stichprobe – Trend im nächsten Quartal bestätigen)."
                    if de else f"NPS drops to {fmt.number(nps[0], lang)} (baseline {fmt.number(nps[1], lang)}; n = {nps[2]}, small sample – confirm the trend next quarter)."))
    if len(inp.competitors.quiet):
        out.append((f"Keine Nachricht ist keine gute Nachricht: zu {', '.join(inp.competitors.quiet['competitor'])} wissen wir nichts Aktuelles."
                    if de else f"No news is not good news: we know nothing recent about {', '.join(inp.competitors.quiet['competitor'])}."))
    for v in inp.vocs[-1:]:
        out.extend(v.caveats[:1])
    return out[:4]


def decisions(recs: Sequence[StrategyRec]) -> list[str]:
    """The questions only the CEO can answer, from the recommendations that raise one."""
    return [r.decision for r in recs if r.decision]


def evidence_text(rec: StrategyRec, lang: str) -> Rich:
    """Customer signal · competitor move · KPI, each labelled; missing parts are left out."""
    labels = (("Kunden", "Wettbewerb", "Kennzahl") if lang == "de" else ("Customers", "Competition", "KPI"))
    parts = [Rich(f"{label}: ", text) for label, text in zip(labels, (rec.customer, rec.competitor, rec.kpi)) if text]
    return Rich(*[x for i, p in enumerate(parts) for x in ((" · ", p) if i else (p,))])


def headline(inp: StrategyInputs, recs: Sequence[StrategyRec]) -> str:
    """Answer first: the most important recommendation as the conclusion of the quarter."""
    de = inp.lang == "de"
    if not recs:
        return ("Keine Entscheidung nötig: Kunden, Wettbewerb und Kennzahlen ohne auffällige Veränderung im Quartal." if de
                else "No decision needed: customers, competitors and KPIs show no notable change this quarter.")
    first = recs[0]
    if first.rule == "delivery_promise":
        promise = _delivery_promise(inp.competitors)
        return (f"Unsere Kunden klagen über Lieferverzögerungen, während {promise['competitor']} mit schneller Lieferung wirbt und die Preise senkt – "
                "Lieferfähigkeit wird im nächsten Quartal zur strategischen Priorität." if de else
                f"Our customers complain about delivery delays while {promise['competitor']} advertises fast delivery and cuts prices – "
                "delivery reliability becomes the strategic priority next quarter.")
    return first.action
