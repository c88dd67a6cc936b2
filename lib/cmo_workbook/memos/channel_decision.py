"""The channel-shift decision as every memo asks it: one id, one amount, one window, one wording (#11).

The numbers come from :mod:`cmo_workbook.metrics.channel_stake` (the last complete quarter of the memo's KPI
store); this module only words them (messages ``chs_*``). A memo whose own channel figures have another window
(the monthly KPI memo: the last 3 months) asks the same decision and cites the quarterly review that decides it.
"""
from __future__ import annotations

from datetime import date

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
