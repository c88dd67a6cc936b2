"""The channel decisions as every memo asks them: one id, one amount, one window, one wording (#11).

Two decisions: the **channel shift** (numbers from :mod:`cmo_workbook.metrics.channel_stake`, the last complete
quarter of the memo's KPI store; messages ``chs_*``) and the **budget of a channel decided on its own** (trade
fairs: numbers from :mod:`cmo_workbook.metrics.channel_budget`, the four quarters ending with that quarter;
messages ``chb_*``). This module only words them. A memo whose own channel figures have another window (the
monthly KPI memo: the last 3 months) asks the same decisions and cites the quarterly review that decides them;
:func:`ordered` puts them in the order of their euros at stake.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from ..metrics import channel_budget as chb
from ..metrics import channel_stake as chs
from ..metrics.store import KpiStore
from ..periods import Period
from ..render import fmt
from ..render.blocks import Recommendation, Rich
from ..render.i18n import t
from ..render.wording import channel_label
from . import kpi_figures


def next_quarter(period: Period, today: date) -> Period:
    """The quarter a decision is for: the one after ``period``, never one already past on ``today``
    (a memo generated late, e.g. for an earlier quarter, asks about the current quarter)."""
    nxt = period.shift(1)
    while nxt.end.date() <= today:
        nxt = nxt.shift(1)
    return nxt


def decision_period(stake: chs.ChannelStake) -> Period:
    """The quarter the decision rests on (the stake's store window)."""
    return Period.parse(stake.window)


def _money(v: float, lang: str, currency: str) -> str:
    # compact as the review's budget table and plan ("8,7 Tsd. €"): one amount reads the same in every memo
    return fmt.money(v, lang, currency=currency, compact=True)


def amount_text(stake: chs.ChannelStake, lang: str, currency: str) -> str:
    """The decision's amount as every memo writes it."""
    return _money(stake.shift, lang, currency)


def plan_cuts(stake: chs.ChannelStake | None) -> dict[str, float]:
    """The decision's cut as the review's budget plan takes it (``decided`` of
    :func:`cmo_workbook.metrics.budget.suggest`): the plan cuts the decision's channel by the decision's amount,
    never by a second one (#11). Empty without a decision."""
    return {stake.channel: stake.shift} if stake is not None else {}


def fields(stake: chs.ChannelStake, store: KpiStore, lang: str, currency: str, today: date) -> dict[str, object]:
    """The decision's placeholders: channel, amount, the quarter it is for, its window and the evidence figures
    (the channel's cost per inquiry as a store figure, the year-ago rate, the excess cost)."""
    base = decision_period(stake)
    return {"channel": channel_label(stake.channel, lang), "amount": _money(stake.shift, lang, currency),
            "quarter": fmt.quarter(next_quarter(base, today).start, lang), "window": fmt.quarter(base.start, lang),
            "share": fmt.percent(chs.MAX_SHIFT, lang, 0),
            "cpl": kpi_figures.figure(store, "cost_per_qualified_lead", stake.kind, lang, currency, stake.segment),
            "cpl_ref": fmt.money(stake.cpl_ref, lang, currency=currency),
            "excess": _money(stake.excess, lang, currency)}


def action(stake: chs.ChannelStake, store: KpiStore, lang: str, currency: str, today: date) -> Rich:
    """"Freigabe von 8,7 Tsd. € Umschichtung aus LinkedIn in Q4 2026 (20 % des Budgets von Q3 2026): ja / nein."""
    return kpi_figures.rich("chs_decision", lang, **fields(stake, store, lang, currency, today))


def evidence(stake: chs.ChannelStake, store: KpiStore, lang: str, currency: str, today: date) -> Rich:
    """"LinkedIn in Q3 2026: 740 € je qualifizierter Anfrage ggü. 407 € im Vorjahresquartal – 19,7 Tsd. € Mehrkosten."""
    return kpi_figures.rich("chs_evidence", lang, **fields(stake, store, lang, currency, today))


def stake_text(stake: chs.ChannelStake, lang: str, currency: str) -> str:
    """The euros at stake in words, with the window ("19,7 Tsd. € Mehrkosten von LinkedIn in Q3 2026 ...")."""
    return t("chs_stake", lang, excess=_money(stake.excess, lang, currency), channel=channel_label(stake.channel, lang),
             window=fmt.quarter(decision_period(stake).start, lang))


def recommendation(stake: chs.ChannelStake, store: KpiStore, lang: str, currency: str, today: date, *,
                   owner: str, effect: object = "", cite: str = "") -> Recommendation:
    """The decision as a recommendation (id :func:`~cmo_workbook.metrics.channel_stake.decision_key`, amount).
    ``cite``: the memo that decides it, for a memo whose own figures have another window."""
    act: object = action(stake, store, lang, currency, today)
    if cite:
        act = Rich(act, " ", t("chs_cite", lang, memo=cite, window=fmt.quarter(decision_period(stake).start, lang)))
    return Recommendation(action=act, owner=owner, due=fmt.quarter(next_quarter(decision_period(stake), today).start, lang),
                          evidence=evidence(stake, store, lang, currency, today), effect=effect,
                          key=chs.decision_key(stake), amount=stake.shift)


def effect(stake: chs.ChannelStake, lang: str, currency: str, follow: KpiStore | None = None,
           follow_kind: str = "t3m") -> str | Rich:
    """What the shift frees and what it risks at the channel's OWN cost per inquiry in the decision's window.

    ``follow``: a monthly memo's store; the effect then names the KPI the next months' memos measure the decision
    by (the channel's cost per inquiry of ``follow_kind``, labelled with its window), whose value the decision log
    keeps: the next month's memo shows it then → now (the quarter stays the same until the next one is complete)."""
    text = t("chs_effect", lang, amount=_money(stake.shift, lang, currency), channel=channel_label(stake.channel, lang),
             leads=fmt.number(round(stake.leads_at_risk), lang), window=fmt.quarter(decision_period(stake).start, lang))
    if follow is None or not follow.has("cost_per_qualified_lead", follow.window(follow_kind), stake.segment):
        return text
    return Rich(text, " ", kpi_figures.rich(
        "chs_follow", lang, label=follow.label("cost_per_qualified_lead", follow_kind, lang),
        channel=channel_label(stake.channel, lang),
        cpl=kpi_figures.figure(follow, "cost_per_qualified_lead", follow_kind, lang, currency, stake.segment)))


# --------------------------------------------------------------------------- a channel decided on its own


def budget_span(decide_from: Period, lang: str) -> str:
    """"Q4 2026–Q3 2027": the four quarters a yearly budget decision covers."""
    return f"{fmt.quarter(decide_from.start, lang)}–{fmt.quarter(decide_from.shift(3).start, lang)}"


def budget_window(stake: chb.BudgetStake, lang: str) -> str:
    """"Q4 2025–Q3 2026": the four quarters the decision's figures come from."""
    last = Period.parse(stake.window)
    return f"{fmt.quarter(last.shift(1 - chb.WINDOW_QUARTERS).start, lang)}–{fmt.quarter(last.start, lang)}"


def budget_start(stake: chb.BudgetStake, *, today: date | None = None, decide_from: Period | None = None) -> Period:
    """The first quarter a yearly budget decision covers: ``decide_from``, else the quarter after the stake's, never
    one already past on ``today``."""
    return decide_from or next_quarter(Period.parse(stake.window), today or date.today())


def budget_fields(stake: chb.BudgetStake, lang: str, currency: str, *, today: date | None = None,
                  decide_from: Period | None = None) -> dict[str, object]:
    """The budget decision's placeholders: channel, amount (the year's cost), the quarters it is for (from
    ``decide_from``, else the quarter after the stake's, never one already past on ``today``), the window of its
    figures, the margin with its range, what a euro of cost brought back and the ROMI with its range (as the
    review's headline says it)."""
    start = budget_start(stake, today=today, decide_from=decide_from)
    return {"channel": channel_label(stake.channel, lang), "cost": _money(stake.cost, lang, currency),
            "span": budget_span(start, lang), "window": budget_window(stake, lang),
            "margin": _money(stake.margin, lang, currency), "low": _money(stake.margin_low, lang, currency),
            "high": _money(stake.margin_high, lang, currency),
            "back": fmt.money(1 + stake.romi, lang, currency=currency, digits=2),
            "romi": fmt.percent(stake.romi, lang, 0), "romi_low": fmt.percent(stake.romi_low, lang, 0),
            "romi_high": fmt.percent(stake.romi_high, lang, 0)}


def budget_action(stake: chb.BudgetStake, lang: str, currency: str, **when: Any) -> str:
    """"Budget Messen Q4 2026–Q3 2027: Freigabe von 471 Tsd. € (Umfang der letzten 4 Quartale) – ja / nein."
    ``when``: ``today`` or ``decide_from`` as for :func:`budget_fields`."""
    return t("chb_decision", lang, **budget_fields(stake, lang, currency, **when))


def budget_advice(stake: chb.BudgetStake, lang: str, currency: str, start: Period) -> str:
    """Marketing's own answer to the budget question, from the first orders' range: the whole range above the
    cost: yes; the whole range below it: half of it for the first two quarters, the rest once each event's
    inquiries and orders are on the table (the first-order count leaves out repeat orders, so no cut to zero);
    a range across the cost: yes, with that evidence after two quarters."""
    if stake.romi_low >= 0:
        return t("chb_advice_yes", lang)
    if stake.romi_high < 0:
        first = round(stake.amount / 2, -3)  # a round first tranche; the rest adds up to the amount asked
        return t("chb_advice_staged", lang, first=_money(first, lang, currency), rest=_money(stake.amount - first, lang, currency),
                 span=f"{fmt.quarter(start.start, lang)}–{fmt.quarter(start.shift(1).start, lang)}")
    return t("chb_advice_open", lang)


def budget_ask(stake: chb.BudgetStake, lang: str, currency: str, **when: Any) -> str:
    """The budget question with marketing's answer (:func:`budget_action` + :func:`budget_advice`): the words every
    memo that asks it uses. ``when``: ``today`` or ``decide_from`` as for :func:`budget_fields`."""
    advice = budget_advice(stake, lang, currency, budget_start(stake, **when))
    return f"{budget_action(stake, lang, currency, **when)} {advice}"


def budget_evidence(stake: chb.BudgetStake, lang: str, currency: str) -> str:
    """The decision's figures in plain words (no ratio jargon): cost, first-order margin with range, per euro."""
    return t("chb_evidence", lang, **budget_fields(stake, lang, currency))


def budget_stake_text(stake: chb.BudgetStake, lang: str, currency: str) -> str:
    """The euros at stake in words, with the window ("471 Tsd. € Messe-Budget in Q4 2025–Q3 2026 ...")."""
    return t("chb_stake", lang, **budget_fields(stake, lang, currency))


def budget_recommendation(stake: chb.BudgetStake, lang: str, currency: str, *, owner: str, today: date | None = None,
                          decide_from: Period | None = None, evidence: object = None, effect: object = "",
                          cite: str = "") -> Recommendation:
    """The budget decision as a recommendation (id :func:`~cmo_workbook.metrics.channel_budget.decision_key`,
    amount = the year's cost). ``evidence``: a memo's own (None: :func:`budget_evidence`); ``cite``: the memo that
    decides it, for a memo whose own figures have another window."""
    when = {"decide_from": decide_from} if decide_from is not None else {"today": today}
    start = budget_start(stake, **when)
    act: object = budget_ask(stake, lang, currency, **when)
    if cite:
        act = Rich(act, " ", t("chs_cite", lang, memo=cite, window=fmt.quarter(Period.parse(stake.window).start, lang)))
    return Recommendation(action=act, owner=owner, due=fmt.quarter(start.start, lang),
                          evidence=budget_evidence(stake, lang, currency) if evidence is None else evidence,
                          effect=effect, key=chb.decision_key(stake), amount=stake.amount)


def ordered(decisions: Sequence[Any]) -> list[Any]:
    """Channel decisions (budget stakes, channel shifts; None left out) by euros at stake, the largest first
    (:func:`cmo_workbook.metrics.channel_budget.at_stake`)."""
    found = [d for d in decisions if d is not None]
    return sorted(found, key=lambda d: -chb.at_stake(d))
