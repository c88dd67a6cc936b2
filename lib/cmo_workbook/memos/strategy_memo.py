"""The quarterly strategy memo (at most two pages): customers, competitors and KPIs condensed.

Inputs are the quarter's voice-of-customer results (one :class:`~cmo_workbook.voc.VocResult`
per month), the quarter's competitor results (:class:`~cmo_workbook.memos.competitor_briefing.CompetitorResults`)
and KPI values from the quarter's KPI store (:func:`kpi_quarter`, the same values as every other
memo of the company, reports folder and period). Every sentence comes from an explicit rule
below, its wording from the message catalogues (``strat_*``); a recommendation is made only when its rule's evidence is there.

Euros at stake (:class:`Stakes`) order the recommendations, so the biggest amount leads the memo whatever its
source: the order intake of the customers who complain about deliveries (feedback linked to CRM accounts), the
order intake of the product lines a competitor's price cut touches, the year's budget of a channel decided on its
own (trade fairs, :mod:`cmo_workbook.metrics.channel_budget`) and a channel's cost above last year's cost per
inquiry. Each decision states its cost, its expected effect as a range and the yes/no question.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

import pandas as pd

from ..render import fmt
from ..metrics import channel_budget as chb
from ..metrics import channel_stake as chs
from ..metrics.store import KpiStore
from ..render.blocks import Fig, Rich
from ..render.i18n import t
from ..competitors.implications import PriceMoveStake
from ..voc.recommend import AccountStake, SafetyStock, account_stake
from . import arguments, channel_decision, kpi_figures
from .competitor_briefing import CompetitorResults, price_stakes
from .competitor_briefing import decision_text as briefing_decision
from .voice_of_customer import (account_links, crm_tables, feedback_months, month_items, stake_products, stock_values,
                                stock as vm_stock,
                                won_window)
from ..periods import Period
from ..render.wording import channel_label, rich

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
    won_revenue_target: float = float("nan")  #: the quarter's plan for order intake from marketing (params targets)

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
    decision: Any = ""
    stake: float = float("nan")  #: euros at stake (orders the recommendations; NaN: none in the data)
    stake_text: str = ""  #: what the amount is, with its window
    cost_text: str = ""  #: the decision's cost in a few words, for the headline ("" when the rule has none)
    key: str = ""  #: the decision log's id when it is not the rule (the channel shift: one id in every memo)
    amount: float = float("nan")  #: the euros the decision asks for (the channel shift's amount)


@dataclass
class Stakes:
    """Euros at stake behind the recommendations (each None when its evidence is missing)."""

    delivery: AccountStake | None = None
    price: PriceMoveStake | None = None
    channel: chs.ChannelStake | None = None  #: the quarter's channel-shift decision (metrics.channel_stake)
    stock: SafetyStock | None = None  #: the safety stock the delivery decision asks to approve, costed
    budget: chb.BudgetStake | None = None  #: the year's budget of a channel decided on its own (metrics.channel_budget)


@dataclass
class StrategyInputs:
    """Everything the memo condenses."""

    period: Period
    lang: str
    currency: str
    vocs: list[Any]  # VocResult per month with data, oldest first
    competitors: CompetitorResults
    kpi: KpiQuarter
    stakes: Stakes = field(default_factory=Stakes)
    store: KpiStore | None = None  #: the quarter's KPI store (the channel decision's figures)
    today: date = field(default_factory=date.today)  #: the generation date (the decision's quarter is never past)


def kpi_quarter(store: KpiStore) -> KpiQuarter:
    """The quarter's catalogue values and their same quarter last year, from the period store
    (deal-based year-ago values inside the export's ramp-up months are empty there)."""
    f = {name: store.figure(metric, "quarter") for name, metric in _FIELDS.items()}
    return KpiQuarter(f["qualified_leads"].value, f["qualified_leads"].py_value, f["cost_per_lead"].value,
                      f["cost_per_lead"].py_value, f["pipeline"].value, f["pipeline"].py_value,
                      f["won_revenue"].value, f["won_revenue"].py_value, store.window("quarter"),
                      f["won_revenue"].target)


def channel_stake(store: KpiStore) -> chs.ChannelStake | None:
    """The quarter's channel-shift decision (:func:`cmo_workbook.metrics.channel_stake.decision`): the channel with
    the largest excess cost among those whose cost per qualified inquiry rose at least ``channel_stake.RISE``."""
    return chs.decision(store)


def gather_stakes(vocs: Sequence[Any], comp: CompetitorResults, ds: Any, store: KpiStore, gross_margin: float,
                  lang: str, currency: str, params: Any = None) -> Stakes:
    """The quarter's euros at stake: delivery complaints of the last month with feedback (customers linked to CRM
    accounts), the largest matched price cut, the channel with the most excess cost, the budget of a channel
    decided on its own (the attribution review's figures; none when ``ds`` lacks touchpoints); with ``params`` (the
    company's holding-cost assumptions) the safety stock the delivery decision asks to approve, costed as the VoC
    memo does."""
    delivery = stock = None
    deals, leads = crm_tables(ds)
    if vocs:
        res = vocs[-1]
        links = account_links(res, ds.feedback, deals, leads)
        st = account_stake(month_items(res), links, deals, theme=DELIVERY_THEME, end=Period.parse(res.month).end)
        delivery = st if st.n_items else None
        stock = vm_stock(delivery, deals, params) if params is not None else None
    cut = _price_cut(comp)
    price = price_stakes(comp, deals, gross_margin).get(cut.name) if cut is not None else None
    from .attribution_review import budget_decision  # the review's attribution: one home for its figures

    return Stakes(delivery, price, channel_stake(store), stock, budget_decision(ds, store))


def _stake_money(v: float, lang: str, currency: str) -> str:
    return fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)


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
    parts = []
    cut, promise = _price_cut(comp), _delivery_promise(comp)
    if cut is not None:
        parts.append(t("strat_move_price_cut", lang, competitor=cut["competitor"], date=fmt.date(cut["first_seen"], lang),
                       product=cut["product"], pct=fmt.number(abs(cut["change_pct"]), lang, 0)))
    if promise is not None:
        parts.append(t("strat_move_promise", lang, competitor=promise["competitor"],
                       date=fmt.date(promise["date"], lang), promise=promise["started"]))
    return "; ".join(parts)


def _theme(label: str, lang: str) -> str:
    # English lowercases a theme name inside a sentence; German nouns keep their capital
    return label if lang == "de" else label.lower()


def situation(inp: StrategyInputs) -> list[str]:
    """Three sentences: the competitive move, the customers' voice, marketing's numbers."""
    lang = inp.lang
    comp, k = inp.competitors, inp.kpi
    move = _competitor_move(comp, lang)
    s1 = (t("strat_sit_competition", lang, move=move) if move else
          t("strat_sit_competition_quiet", lang, n=len(comp.events)))
    sig = theme_signal(inp.vocs, DELIVERY_THEME)
    nps = _nps(inp.vocs)
    if sig is not None and sig.rising:
        s2 = t("strat_sit_customers_rising", lang, theme=_theme(sig.label, lang), share=fmt.percent(sig.share, lang, 0),
               month=_month_label(sig.month, lang), baseline=fmt.percent(sig.baseline, lang, 0))
    else:
        top = inp.vocs[-1].themes.iloc[0] if inp.vocs and len(inp.vocs[-1].themes) else None
        s2 = (t("strat_sit_customers_top", lang, theme=top["label"], share=fmt.percent(top["share"], lang, 0))
              if top is not None else t("strat_sit_customers_none", lang))
    if nps is not None:
        s2 = t("strat_sit_customers_nps", lang, customers=s2, nps=fmt.number(nps[0], lang),
               baseline=fmt.number(nps[1], lang), n=nps[2])
    else:
        s2 = t("strat_sit_customers_end", lang, customers=s2)
    cur = inp.currency
    ql, cpl, pipe = (k.fig(x, lang, cur) for x in ("qualified_leads", "cost_per_lead", "pipeline"))
    s3 = rich("strat_sit_marketing", lang, leads=ql, leads_change=_pct_vs(k.qualified_leads, k.qualified_leads_py, lang),
              cpl=cpl, cpl_change=_pct_vs(k.cost_per_lead, k.cost_per_lead_py, lang, False), pipeline=pipe)
    # the euros marketing delivered, against plan: the CEO's "are we on track" on the first screen
    won = k.fig("won_revenue", lang, cur)
    if k.won_revenue_target == k.won_revenue_target and k.won_revenue_target > 0:
        s3 = rich("strat_sit_marketing_won_plan", lang, marketing=s3, won=won,
                  change=_pct_vs(k.won_revenue, k.won_revenue_target, lang),
                  target=fmt.money(k.won_revenue_target, lang, currency=cur, compact=True))
    elif k.won_revenue == k.won_revenue:
        s3 = rich("strat_sit_marketing_won", lang, marketing=s3, won=won)
    return [s1, s2, s3]


def _kpi_leads(inp: StrategyInputs) -> Rich:
    k, lang = inp.kpi, inp.lang
    return rich("strat_kpi_leads", lang, value=k.fig("qualified_leads", lang, inp.currency),
                change=_pct_vs(k.qualified_leads, k.qualified_leads_py, lang))


def _kpi_revenue(inp: StrategyInputs) -> Rich:
    k, lang = inp.kpi, inp.lang
    return rich("strat_kpi_revenue", lang, value=k.fig("won_revenue", lang, inp.currency),
                change=_pct_vs(k.won_revenue, k.won_revenue_py, lang))


def recommendations(inp: StrategyInputs) -> list[StrategyRec]:
    """3-5 meta-level recommendations, each only when its rule's evidence is present (in this order).

    Rules: ``delivery_promise`` (customers complain about delivery while a competitor advertises
    fast delivery), ``price_pressure`` (a list-price cut in our segments), ``new_customer_topic``
    (words customers never used before), ``marketing_efficiency`` (cost per qualified inquiry up
    more than 10 % on last year), ``monitoring_gap`` (competitors without observations).
    """
    lang = inp.lang
    comp = inp.competitors
    out: list[StrategyRec] = []
    sig = theme_signal(inp.vocs, DELIVERY_THEME)
    promise, cut = _delivery_promise(comp), _price_cut(comp)
    customer_delivery = ""
    if sig is not None:
        customer_delivery = t("strat_customer_delivery", lang, theme=sig.label, share=fmt.percent(sig.share, lang, 0),
                              month=_month_label(sig.month, lang), baseline=fmt.percent(sig.baseline, lang, 0), n=sig.n)
    cur, st = inp.currency, inp.stakes
    if sig is not None and sig.rising and promise is not None:
        name = promise["competitor"]
        rec = StrategyRec(
            "delivery_promise", t("strat_rec_delivery_action", lang, competitor=name),
            t("strat_rec_delivery_owner", lang), t("strat_rec_delivery_next", lang),
            customer_delivery, _competitor_move(comp, lang), _kpi_revenue(inp),
            t("strat_rec_delivery_decision", lang, competitor=name),
        )
        d = st.delivery
        if d is not None and d.n_linked:
            window = won_window(d.start, d.end, lang)
            rec.stake = d.order_intake
            rec.stake_text = t("strat_stake_delivery_months", lang, intake=_stake_money(d.order_intake, lang, cur),
                               accounts=fmt.number(d.accounts, lang), months=feedback_months(d, lang), window=window)
            if st.stock is not None:  # the VoC memo's figure: the same stock, cost and break-even
                values = stock_values(st.stock, lang, cur)
                rec.cost_text = t("strat_cost_delivery_stock", lang, **values)
                rec.decision = t("strat_dec_delivery_stock", lang, competitor=name, **values)
            else:
                rec.cost_text = t("strat_cost_delivery", lang)
                rec.decision = t("strat_dec_delivery_months", lang, competitor=name, months=feedback_months(d, lang),
                                 products=stake_products(d, lang),
                                 intake=_stake_money(d.order_intake, lang, cur), accounts=fmt.number(d.accounts, lang),
                                 window=window)
        out.append(rec)
    if cut is not None:
        pct = fmt.percent(abs(cut["change_pct"]) / 100, lang, 0)
        price_sig = ""
        if inp.vocs:
            k = inp.vocs[-1].kpis.set_index("metric")
            if "price_mention_share" in k.index:
                cur_share, base_share = k.at["price_mention_share", "current"], k.at["price_mention_share", "baseline"]
                share, base = fmt.percent(cur_share, lang, 0), fmt.percent(base_share, lang, 0)
                # the direction in words: a falling share cited bare beside a price cut read as proof of pressure
                key = ("strat_price_signal" if share == base else
                       "strat_price_signal_up" if cur_share > base_share else "strat_price_signal_down")
                price_sig = t(key, lang, share=share, baseline=base)
        note = comp.notes[comp.notes["item"] == cut.name]
        p = st.price
        # the action follows the briefing's verdict as the cost and decision lines below do (one answer per memo):
        # "value, not discount" unless the losses since the cut make matching pay (briefing.verdict)
        matching = p is not None and p.known and p.match_pays
        # never sell on what customers complain about more and more (memos.arguments: late deliveries rising)
        args = arguments.text(arguments.kept(arguments.weak(inp.vocs)), lang)
        action = (t("strat_rec_price_action_match", lang, competitor=cut["competitor"], pct=pct,
                    products=", ".join(p.products), share=fmt.percent(p.break_even_share, lang, 0), arguments=args)
                  if matching else t("strat_rec_price_action", lang, competitor=cut["competitor"], arguments=args))
        rec = StrategyRec(
            "price_pressure", action,
            str(note["owner"].iloc[0]) if len(note) and not pd.isna(note["owner"].iloc[0]) else t("strat_owner_sales", lang),
            str(note["response"].iloc[0]) if len(note) else "",
            price_sig, _competitor_move(comp, lang).split("; ")[0], _kpi_revenue(inp),
            t("strat_rec_price_decision", lang, product=cut["our_product"], competitor=cut["competitor"], pct=pct),
        )
        if p is not None and p.known:
            window = won_window(p.start, p.end, lang)
            rec.stake = p.order_intake
            rec.stake_text = t("strat_stake_price", lang, intake=_stake_money(p.order_intake, lang, cur),
                               products=", ".join(p.products), window=window)
            # the memo recommends "Wert statt Rabatt": its headline and the CEO's question say the same answer (no
            # blanket discount; exceptions by the approval rule) instead of asking to approve what it argues against
            rec.cost_text = t("strat_cost_price_no", lang, pct=pct, cost=_stake_money(p.match_cost, lang, cur))
            if p.match_pays:  # the briefing's answer from the same losses (one home: briefing.verdict)
                rec.cost_text = t("strat_cost_price_yes", lang, pct=pct, cost=_stake_money(p.match_cost, lang, cur),
                                  share=fmt.percent(p.break_even_share, lang, 0))
            rec.decision = briefing_decision(p, lang, cur) if p.match_pays else t("strat_dec_price_no", lang, products=", ".join(p.products), competitor=cut["competitor"],
                             pct=pct, cost=_stake_money(p.match_cost, lang, cur),
                             intake=_stake_money(p.order_intake, lang, cur), window=window,
                             share=fmt.percent(p.break_even_share, lang, 0))
        out.append(rec)
    new = _new_terms(inp.vocs)
    if new:
        # German capitalises the (noun) terms customers use; English keeps them as written
        words = ", ".join(w.capitalize() if lang == "de" else w for w in new)
        out.append(StrategyRec(
            "new_customer_topic", t("strat_rec_topic_action", lang, words=words),
            t("strat_rec_topic_owner", lang), t("strat_rec_topic_next", lang),
            t("strat_rec_topic_customer", lang, words=words), "", _kpi_leads(inp),
        ))
    k = inp.kpi
    if k.cost_per_lead_py and k.cost_per_lead > 1.1 * k.cost_per_lead_py:
        campaigns = int((comp.events["topic"] == "campaign").sum()) if len(comp.events) else 0
        out.append(StrategyRec(
            "marketing_efficiency", t("strat_rec_efficiency_action", lang),
            t("strat_owner_head_of_marketing", lang), t("strat_rec_efficiency_next", lang),
            "", t("strat_rec_efficiency_competitor", lang, n=campaigns),
            rich("strat_kpi_cpl", lang, value=k.fig("cost_per_lead", lang, inp.currency),
                 change=_pct_vs(k.cost_per_lead, k.cost_per_lead_py, lang, False)),
        ))
    ch = st.channel
    if ch is not None and inp.store is not None:
        label = channel_label(ch.channel, lang)
        fig = lambda m: kpi_figures.figure(inp.store, m, ch.kind, lang, cur, ch.segment)  # noqa: E731
        cpl, cpl_py = fig("cost_per_qualified_lead"), fmt.money(ch.cpl_ref, lang, currency=cur)
        out.append(StrategyRec(
            "channel_budget", rich("strat_rec_channel_action", lang, channel=label, cpl=cpl, cpl_py=cpl_py,
                                   spend=fig("marketing_spend")),
            t("strat_owner_head_of_marketing", lang), t("strat_rec_channel_next_now", lang), "", "",
            rich("strat_rec_channel_kpi", lang, channel=label, cpl=cpl,
                 change=_pct_vs(ch.cpl, ch.cpl_ref, lang, False), leads=fig("qualified_leads")),
            # the same decision, amount and words as the attribution review and the KPI memo ask
            channel_decision.action(ch, inp.store, lang, cur, inp.today),
            ch.excess, channel_decision.stake_text(ch, lang, cur), key=chs.decision_key(ch), amount=ch.shift,
        ))
    fair = st.budget
    if fair is not None:
        label = channel_label(fair.channel, lang)
        out.append(StrategyRec(
            "channel_budget_year", t("strat_rec_budget_action", lang, **channel_decision.budget_fields(
                fair, lang, cur, today=inp.today)),
            t("strat_owner_head_of_marketing", lang), t("strat_rec_budget_next", lang, channel=label), "", "", "",
            # the same decision, amount and words as the attribution review and the KPI memo ask
            channel_decision.budget_ask(fair, lang, cur, today=inp.today),
            fair.at_stake, channel_decision.budget_stake_text(fair, lang, cur), key=chb.decision_key(fair),
            amount=fair.amount,
        ))
    out = by_stake(out)
    if len(comp.quiet) and len(out) < 5:
        names = ", ".join(comp.quiet["competitor"])
        out.append(StrategyRec(
            "monitoring_gap", t("strat_rec_monitoring_action", lang, names=names),
            t("strat_owner_head_of_marketing", lang), t("strat_rec_monitoring_next", lang),
            "", "; ".join(comp.quiet["note_de" if lang == "de" else "note_en"]), "",
        ))
    return out[:5]


def by_stake(recs: Sequence[StrategyRec]) -> list[StrategyRec]:
    """The biggest euro amount at stake first, whatever its source; those without one keep rule order after them."""
    return sorted(recs, key=lambda r: -r.stake if r.stake == r.stake else float("inf"))


def risks(inp: StrategyInputs, recs: Sequence[StrategyRec]) -> list[str]:
    """What could go wrong if we do nothing, and what the numbers cannot tell."""
    lang = inp.lang
    out = []
    rules = {r.rule for r in recs}
    if "delivery_promise" in rules:
        promise = _delivery_promise(inp.competitors)
        out.append(t("strat_risk_delivery", lang, competitor=promise["competitor"]))
    if "price_pressure" in rules:
        out.append(t("strat_risk_price", lang))
    nps = _nps(inp.vocs)
    if nps is not None and nps[0] < nps[1] - 10:
        out.append(t("strat_risk_nps", lang, nps=fmt.number(nps[0], lang), baseline=fmt.number(nps[1], lang), n=nps[2]))
    if len(inp.competitors.quiet):
        out.append(t("strat_risk_quiet", lang, names=", ".join(inp.competitors.quiet["competitor"])))
    for v in inp.vocs[-1:]:
        out.extend(v.caveats[:1])
    return out[:4]


def decisions(recs: Sequence[StrategyRec]) -> list[str]:
    """The questions only the CEO can answer, from the recommendations that raise one."""
    return [r.decision for r in recs if r.decision]


def evidence_text(rec: StrategyRec, lang: str) -> Rich:
    """Euros at stake · customer signal · competitor move · KPI, each labelled; missing parts are left out."""
    labels = (t("strat_evidence_stake", lang), t("strat_evidence_customers", lang), t("strat_evidence_competition", lang),
              t("strat_evidence_kpi", lang))
    parts = [Rich(f"{label}: ", text) for label, text in
             zip(labels, (rec.stake_text, rec.customer, rec.competitor, rec.kpi)) if text]
    return Rich(*[x for i, p in enumerate(parts) for x in ((" · ", p) if i else (p,))])


def headline(inp: StrategyInputs, recs: Sequence[StrategyRec]) -> str:
    """Answer first: the recommendation with the most euros at stake, with the amount and its window."""
    if not recs:
        return t("strat_headline_none", inp.lang)
    first = recs[0]
    if first.rule == "delivery_promise":
        promise = _delivery_promise(inp.competitors)
        text = t("strat_headline_delivery", inp.lang, competitor=promise["competitor"])
    else:
        text = str(first.action)
    if first.stake_text and first.cost_text:  # what it costs to decide, on the first line too
        return t("strat_headline_stake_cost", inp.lang, headline=text.rstrip("."), stake=first.stake_text,
                 cost=first.cost_text)
    if first.stake_text:
        return t("strat_headline_stake", inp.lang, headline=text.rstrip("."), stake=first.stake_text)
    return text


def rec_labels(lang: str) -> dict[str, str]:
    """The labels of the recommendations block (owner, due, evidence, next step)."""
    return {"owner": t("strat_label_owner", lang), "due": t("strat_label_due", lang),
            "evidence": t("strat_label_evidence", lang), "effect": t("strat_label_next_step", lang), "stakeholder": ""}


def voc_months_line(vocs: Sequence[Any], lang: str) -> str:
    """The data note's line naming the months of customer feedback the memo used."""
    return t("strat_voc_months", lang, months=", ".join(fmt.month(v.month, lang) for v in vocs))  # words, not 2026-07
