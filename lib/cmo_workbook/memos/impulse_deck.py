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
:mod:`cmo_workbook.metrics.channel_stake` (the KPI store's quarter), the trade fairs' year from the attribution
review (:func:`cmo_workbook.memos.attribution_review.budget_decision`, through the strategy memo's stakes; hence
touchpoints in :data:`TABLES`). The decisions slide holds every decision the pack asks, in the strategy memo's
order (the largest euro amount at stake first). :func:`gather` collects them,
:func:`compose` writes the slides, :func:`~cmo_workbook.render.slides.write_pptx` builds the PowerPoint file (with the company's
template, params ``memo.slide_template``, when given). The same slides display as escaped HTML in
the notebook, which nbconvert's slides exporter turns into reveal.js.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import voc
from ..errors import StaleDataError
from ..render.wording import channel_label
from ..render import charts, fmt
from ..render.i18n import t, tn
from ..render.slides import Slide
from ..voc import chart as voc_chart
from ..metrics import channel_stake as chs
from . import arguments, attribution_review as review, channel_decision
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
#: touchpoints: the attribution review's year of a channel decided on its own (trade fairs) for the decisions slide
TABLES = ["leads", "deals", "spend", "touchpoints", "feedback", "competitor_observations", "competitor_prices",
          "competitor_messaging"]


def _label(key: str, lang: str) -> str:
    """A deck KPI's row label (message ``deck_kpi_<key>``)."""
    return t(f"deck_kpi_{key}", lang)


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
    cpl: list[chs.ChannelStake]  #: the quarter's comparable paid channels from the KPI store (metrics.channel_stake)
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
                            vat=wb.params.company.get("vat_rate"), weak=arguments.weak(vocs))  # as the briefing
    # the strategy memo's euros at stake, so a slide and the memo name the same amount for the same decision
    stakes = strategy.gather_stakes(vocs, comp, wb.ds, wb.kpis(), wb.params.gross_margin, L, wb.currency,
                                    params=wb.params)
    inp = strategy.StrategyInputs(wb.period, L, wb.currency, vocs, comp,
                                  strategy.kpi_quarter(wb.kpis()), stakes, store=wb.kpis(), today=wb.generated)
    snap = review.deals_as_of(wb.ds.deals, wb.period.end)
    sources = [f"{s.name} ({fmt.number(s.rows, L)})" for s in wb.ds.sources if s.table in TABLES]
    return Evidence(vocs, comp, inp, strategy.recommendations(inp), chs.stakes(wb.kpis(), chs.DECISION_KIND),
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

    * customer: the delivery theme (strategy memo rule) or the VoC focus theme; at stake = the strategy memo's
      (order intake of the complaining customers, 12 months: ``basis`` "accounts"), else open pipeline of
      existing customers (reorders) at quarter end — what unhappy customers can take elsewhere;
    * competitor: the largest list-price cut in our segments; at stake = the strategy memo's (order intake of
      the product lines it touches, 12 months, ``basis`` "won"), else our open pipeline in those products; the
      decision's cost ceiling = that amount × the cut;
    * channel: the period pack's channel-shift decision (:func:`cmo_workbook.metrics.channel_stake.first_costly`):
      its excess cost and the shift every memo asks;
    * budget: the period pack's budget decision of a channel decided on its own (trade fairs), the strategy memo's
      stake from the attribution review (:func:`cmo_workbook.memos.attribution_review.budget_decision`): its year's
      cost and what a euro of it brought back; None without touchpoints.
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
    d = ev.strategy.stakes.delivery
    if d is not None and d.n_linked:
        out["customer"].update(at_stake=d.order_intake, basis="accounts", stake=d)
    cut = strategy._price_cut(ev.competitors)
    promise = strategy._delivery_promise(ev.competitors)
    comp: dict[str, Any] = {"cut": cut, "promise": promise}
    if cut is not None:
        ours = [p.strip() for p in str(cut["our_product"]).split(",") if p.strip()]
        comp["products"] = ours
        comp["at_stake"] = _product_pipeline(ev.open_deals, ours)
        comp["cut_pct"] = abs(float(cut["change_pct"])) / 100
        comp["discount_cost"] = comp["at_stake"] * comp["cut_pct"]
        p = ev.strategy.stakes.price
        if p is not None and p.known:
            comp.update(at_stake=p.order_intake, discount_cost=p.match_cost, products=list(p.products),
                        basis="won", stake=p)
    out["competitor"] = comp
    # the channel-shift decision of the period pack (the same channel, amount and window as every memo)
    worst = chs.first_costly(ev.cpl)
    ch: dict[str, Any] = {"worst": worst}
    if worst is not None:
        ch.update(spend=worst.spend, qualified_leads=worst.leads, excess=worst.excess, shift=worst.shift)
    out["channel"] = ch
    out["budget"] = {"stake": ev.strategy.stakes.budget}
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
    rows = [["", t("deck_actual", lang), t("deck_vs_prev_quarter", lang), t("deck_vs_plan", lang)]]
    for key in DECK_KPIS:
        k = kpis[key]
        rows.append([_label(key, lang), kpi_value_text(key, k["value"], lang, currency),
                     _delta(key, k["value"], k["previous"], lang), _delta(key, k["value"], k["target"], lang)])
    ql, cpl, pipe = (kpis[k] for k in DECK_KPIS)
    below = ql["value"] < ql["target"]
    gap = fmt.number(abs(ql["target"] - ql["value"]), lang)
    plan, cost = "below" if below else "on_plan", "over" if cpl["value"] > cpl["target"] else "on_cost"
    key = f"deck_happened_{plan}_{cost}"
    title = t(key, lang, quarter=label, n=fmt.number(ql["value"], lang), gap=gap)
    return Slide("happened", title, [t("deck_happened_body", lang)], t("deck_happened_notes", lang), table=rows)


def _chart_png(fig: Any) -> bytes:
    return charts.to_png(fig, dpi=CHART_DPI)


def _customer(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
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
            subtitle=vm.chart_subtitle(lang),
            lang=lang, current_label=fmt.month(pd.Period(res.month, "M").start_time, lang),
            baseline_label=vm._base_label(res, lang), size=CHART_SIZE)
        chart = _chart_png(fig)
    if sig is None:
        title = t("deck_customer_none", lang)
        body = []
    else:
        share, base = fmt.percent(sig.share, lang, 0), fmt.percent(sig.baseline, lang, 0)
        month = fmt.month(pd.Period(sig.month, "M").start_time, lang)
        title = t("deck_customer_title", lang, label=vm.in_sentence(sig.label, lang), share=share, base=base)
        body = [t("deck_customer_signal", lang, label=sig.label, share=share, month=month, base=base, n=sig.n)]
    if nps is not None:
        body.append(t("deck_customer_nps", lang, nps=fmt.number(nps[0], lang), nps_before=fmt.number(nps[1], lang),
                      n=nps[2]))
    d = c.get("stake")
    body.append(t("deck_customer_stake_accounts_months", lang, stake=stake, accounts=fmt.number(d.accounts, lang),
                  months=vm.feedback_months(d, lang), window=vm.stake_window(d, lang)) if d is not None else t("deck_customer_stake", lang, stake=stake))
    months = ", ".join(v.month for v in ev.vocs)
    notes = (t("deck_customer_notes_accounts", lang, months=months, stake=stake) if c.get("stake") is not None else
             t("deck_customer_notes", lang, months=months, deals=c["deals"], stake=stake))
    return Slide("customer", title, body, notes, chart=chart, chart_alt=alt)


def _competitor(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    c = imp["competitor"]
    cut, promise = c["cut"], c["promise"]
    cats, values, alt, _memo_sub = briefing.price_position(ev.competitors)
    chart = None
    if cats:
        # the memo's subtitle is too long for a slide chart; the "(n) = comparable products" goes to the notes
        sub = t("deck_competitor_subtitle", lang, date=fmt.date(ev.competitors.as_of, lang))
        fig = charts.dot_position(cats, values, 100.0, title=alt, subtitle=sub, lang=lang,
                                  value_format=lambda v: fmt.number(v, lang, 0), size=(CHART_SIZE[0], 2.4))
        chart = _chart_png(fig)
    body = []
    if cut is not None:
        pct = fmt.percent(c["cut_pct"], lang, 0)
        stake = _money(c["at_stake"], lang, currency)
        products = ", ".join(c["products"])
        # the title says what follows (IBCS): the cut, what matching costs on the intake it touches, and the answer
        # (the briefing's verdict from the losses since the cut; the strategy memo and the decisions slide say the same)
        p = c.get("stake")
        cost = _money(c["discount_cost"], lang, currency)
        key = ("deck_competitor_cut_pipeline" if p is None else
               "deck_competitor_cut_yes" if p.match_pays else "deck_competitor_cut_no")
        title = t(key, lang, competitor=cut["competitor"], pct=pct, cost=cost, stake=stake)
        body.append(t("deck_competitor_since", lang, date=fmt.date(cut["first_seen"], lang), product=cut["product"]))
        if promise is not None:
            body.append(t("deck_competitor_also_promise", lang, promise=promise["started"])
                        if promise["competitor"] == cut["competitor"] else
                        t("deck_competitor_other_promise", lang, competitor=promise["competitor"],
                          promise=promise["started"]))
        body.append(t("deck_competitor_stake_won", lang, stake=stake, products=products,
                      window=vm.won_window(p.start, p.end, lang)) if p is not None else
                    t("deck_competitor_stake", lang, stake=stake, products=products))
    elif promise is not None:
        title = t("deck_competitor_promise", lang, competitor=promise["competitor"], promise=promise["started"])
    else:
        title = t("deck_competitor_none", lang)
    notes = t("deck_competitor_notes", lang)
    return Slide("competitor", title, body, notes, chart=chart, chart_alt=alt)


def _channel(ev: Evidence, imp: dict[str, Any], lang: str, currency: str) -> Slide:
    c = imp["channel"]
    worst = c["worst"]
    paid = sorted(ev.cpl, key=lambda s: (-s.cpl, s.channel))
    labels = [channel_label(s.channel, lang) for s in paid]
    alt = (t("deck_channel_chart", lang, channel=channel_label(worst.channel, lang), change=fmt.pct_change(worst.change, lang))
           if worst else t("deck_channel_chart_steady", lang))
    fig = charts.bars_variance(labels, np.array([s.cpl for s in paid]), np.array([s.cpl_ref for s in paid]), title=alt,
                               subtitle=t("deck_channel_subtitle", lang),
                               lang=lang, reference_kind="PY", higher_is_better=False,
                               value_format=lambda v: fmt.number(v, lang), size=CHART_SIZE)
    chart = _chart_png(fig)
    if worst is None:
        title = t("deck_channel_none", lang)
        body = []
    else:
        label = channel_label(worst.channel, lang)
        excess = _money(c["excess"], lang, currency)
        m = lambda v: fmt.money(v, lang, currency=currency)  # noqa: E731
        rise = fmt.percent(worst.change, lang, 0)
        title = t("deck_channel_title", lang, channel=label, rise=rise)
        body = [t("deck_channel_cpl", lang, cpl=m(worst.cpl), cpl_before=m(worst.cpl_ref)),
                t("deck_channel_volume", lang, n=fmt.number(c["qualified_leads"], lang),
                  spend=_money(c["spend"], lang, currency)),
                t("deck_channel_stake", lang, excess=excess)]
    notes = t("deck_channel_notes", lang)
    return Slide("channel", title, body, notes, chart=chart, chart_alt=alt)


def _decisions(ev: Evidence, imp: dict[str, Any], lang: str, currency: str, wb: Any = None) -> Slide:
    """Every decision the period pack asks of the CEO, one row each (the ask with its yes/no, cost, effect), in the
    strategy memo's order (:func:`cmo_workbook.memos.strategy_memo.by_stake`: the largest euro amount at stake first);
    the speaker notes ask them in the memos' words, in the same order."""
    found: list[tuple[str, list[str], str]] = []  # (strategy rule, row, question for the notes)
    rules = {r.rule: r for r in ev.recs}
    cust, comp, ch = imp["customer"], imp["competitor"], imp["channel"]
    fair = imp.get("budget", {}).get("stake")
    today = wb.generated if wb is not None else None  # the decision's quarter is never one already past
    if "delivery_promise" in rules:
        d = cust.get("stake")
        at_stake = _money(cust["at_stake"], lang, currency)
        products = vm.stake_products(d, lang, short=True) if d is not None else t("voc_stake_products_unknown", lang)
        sk = ev.strategy.stakes.stock
        stock = vm.stock_values(sk, lang, currency, short=True) if sk is not None else None
        found.append(("delivery_promise", [
            t("deck_dec_stock_amount", lang, **stock) if stock else t("deck_dec_stock", lang, products=products),
            t("deck_dec_stock_cost_year", lang, **stock) if stock else t("deck_dec_stock_cost", lang),
            # with the stock's amount and cost the row keeps to the slide's word budget: the product lines and the
            # customers are on the customer slide and in the notes
            t("deck_dec_stock_effect_upto", lang, stake=at_stake) if stock else
            t("deck_dec_stock_effect_accounts", lang, stake=at_stake, accounts=fmt.number(d.accounts, lang))
            if d is not None else t("deck_dec_stock_effect", lang, stake=at_stake)],
            str(rules["delivery_promise"].decision)))
    if comp.get("cut") is not None:
        pct = fmt.percent(comp["cut_pct"], lang, 0)
        cost, at_stake = _money(comp["discount_cost"], lang, currency), _money(comp["at_stake"], lang, currency)
        won = comp.get("stake") is not None
        pays = won and comp["stake"].match_pays  # the briefing's and the strategy memo's verdict, not an open "ja/nein?"
        found.append(("price_pressure", [
            t("deck_dec_discount_yes" if pays else "deck_dec_discount_no", lang, pct=pct),
            t("deck_dec_discount_cost_range" if won else "deck_dec_discount_cost", lang, cost=cost),
            t("deck_dec_discount_effect_won" if won else "deck_dec_discount_effect", lang, stake=at_stake)],
            str(rules["price_pressure"].decision) if "price_pressure" in rules else ""))
    if fair is not None:  # the attribution review's year of trade fairs: its cost and what a euro of it brought back
        f = channel_decision.budget_fields(fair, lang, currency, today=today)
        found.append(("channel_budget_year", [
            t("deck_dec_budget_year", lang, **f), t("deck_dec_stock_cost_year", lang, cost=f["cost"]),
            t("deck_dec_budget_year_effect", lang, **f)],
            str(rules["channel_budget_year"].decision) if "channel_budget_year" in rules else
            channel_decision.budget_ask(fair, lang, currency, today=today)))
    if ch.get("worst") is not None and ch["shift"] > 0:
        label = channel_label(ch["worst"].channel, lang)
        amount = channel_decision.amount_text(ch["worst"], lang, currency)  # the decision's amount, as in every memo
        # the amount once, in the decision cell (the slide's word budget); the speaker notes ask it in the memos' words
        question = (str(channel_decision.action(ch["worst"], wb.kpis(), lang, currency, wb.generated))
                    if wb is not None else "")
        found.append(("channel_budget", [t("deck_dec_budget", lang, channel=label, excess=amount),
                                         t("deck_dec_budget_cost", lang), t("deck_dec_budget_effect", lang)], question))
    # the strategy memo's order (its recommendations are sorted by euros at stake); a row without one comes last
    order = {r.rule: i for i, r in enumerate(ev.recs)}
    found.sort(key=lambda x: order.get(x[0], len(order)))
    rows = [[t("deck_dec_decision", lang), t("deck_dec_cost", lang), t("deck_dec_effect", lang)]]
    rows += [row for _, row, _ in found]
    notes = [q for *_, q in found if q]
    n = len(found)
    title = tn("deck_dec_title", n, lang, count=fmt.number(n, lang))
    if n == 0:
        title = t("deck_dec_none", lang)
        rows = []
    return Slide("decisions", title, [], t("deck_dec_notes", lang, questions=" ".join(notes)), table=rows)


def _goals(wb: Any, kpis: dict[str, dict[str, float]], lang: str, currency: str) -> Slide:
    nxt = fmt.quarter(wb.period.shift(1).start, lang)
    now = fmt.quarter(wb.period.start, lang)
    rows = [[t("deck_goals_kpi", lang), t("deck_goals_target", lang, quarter=nxt), t("deck_goals_actual", lang, quarter=now)]]
    for key in DECK_KPIS:
        k = kpis[key]
        if math.isnan(k["target"]):
            continue
        rows.append([_label(key, lang), kpi_value_text(key, k["target"], lang, currency),
                     kpi_value_text(key, k["value"], lang, currency)])
    ql = kpis["qualified_leads"]
    more = ql["target"] - ql["value"]
    if not math.isnan(more) and more > 0:
        title = t("deck_goals_more", lang, next=nxt, n=fmt.number(more, lang), now=now)
    else:
        title = t("deck_goals_hold", lang, next=nxt, now=now)
    return Slide("goals", title, [], t("deck_goals_notes", lang), table=rows)


def _appendix(ev: Evidence, lang: str) -> Slide:
    body = [t(f"deck_appendix_{i}", lang) for i in range(1, 6)]
    return Slide("appendix", t("deck_appendix_title", lang), body, t("deck_sources", lang, sources="; ".join(ev.sources)))


def _title_slide(wb: Any, ev: Evidence, lang: str) -> Slide:
    first = ev.recs[0].rule if ev.recs else ""
    title = t("deck_title_delivery" if first == "delivery_promise" else
              "deck_title_impulses" if ev.recs else "deck_title_calm", lang)
    sub = t("deck_subtitle", lang, period=wb.period_label, company=wb.params.name)
    notes = strategy.headline(ev.strategy, ev.recs)
    return Slide("title", title, [], notes, subtitle=sub)


def compose(wb: Any, kpis: dict[str, dict[str, float]], ev: Evidence) -> Deck:
    """All eight slides for ``wb.period`` in ``wb.lang`` from the KPI adapter and the evidence."""
    lang, cur = wb.lang, wb.currency
    imp = impulse_figures(ev)
    slides = [
        _title_slide(wb, ev, lang), _happened(kpis, wb.period_label, lang, cur), _customer(ev, imp, lang, cur),
        _competitor(ev, imp, lang, cur), _channel(ev, imp, lang, cur), _decisions(ev, imp, lang, cur, wb),
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
