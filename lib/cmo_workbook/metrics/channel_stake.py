"""A channel's excess cost and the channel-shift decision: one definition, one home (#11).

Definition, read from the KPI store (segments ``channel=...``) for one window:

    excess cost = spend − reference cost per qualified inquiry × qualified inquiries

with the reference = the same window a year earlier (the store's ``py_value``): what the same inquiries would
have cost at last year's rate. A channel is compared only when it cost money, brought at least
:data:`MIN_LEADS` qualified inquiries and has a reference; it puts budget at stake when its cost per inquiry
rose at least :data:`RISE` on the reference and the excess is positive (:func:`costliest`).

The decision every memo asks about that channel is the **channel shift** (:func:`decision`): move
``min(excess, MAX_SHIFT × spend)`` of the channel's budget next quarter (towards zero to 100 €, as the
attribution review's budget rule does), decided on the last complete quarter (:data:`DECISION_KIND`). Its id in
the decision log is :func:`decision_key` (the same in every memo of a period pack, so one decision has one
status and one amount).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..render.i18n import t
from .history import window_text
from .store import KpiStore, parse_window

#: a channel's cost per qualified inquiry must have risen this much on the reference to put its budget at stake
RISE = 0.30
#: qualified inquiries a channel needs in the window before its cost per inquiry is compared (fewer: noise)
MIN_LEADS = 5
#: largest budget change per channel and quarter (share of its spend in the window); the budget rule's cap too
MAX_SHIFT = 0.20
#: the shift is rounded towards zero to this many euros (never beyond the cap)
STEP = 100.0
#: a budget shift is a quarter's decision: budgets are planned and reviewed per quarter, and one month of a
#: channel's inquiries is too noisy to move money on; monthly stores carry the last complete quarter for it
DECISION_KIND = "quarter"
#: the decision's id prefix in the decision log (``channel_shift.linkedin``)
DECISION = "channel_shift"


@dataclass(frozen=True)
class ChannelStake:
    """One paid channel's cost per inquiry against the reference, in one store window."""

    channel: str
    kind: str  # the store's window kind (quarter, t3m, ...)
    window: str  # the store's window id (2026-Q3, 2026-10/T3M)
    spend: float
    leads: float
    cpl: float
    cpl_ref: float  # the same window a year earlier

    @property
    def segment(self) -> str:
        return f"channel={self.channel}"

    @property
    def change(self) -> float:
        """Rise of the cost per inquiry on the reference (0.82 = +82 %)."""
        return self.cpl / self.cpl_ref - 1

    @property
    def excess(self) -> float:
        """Spend − reference cost per inquiry × inquiries (what the worse rate cost)."""
        return self.spend - self.cpl_ref * self.leads

    @property
    def shift(self) -> float:
        """The euros the channel-shift decision moves: the excess, at most :data:`MAX_SHIFT` of the spend.

        excess = spend × change ÷ (1 + change), so a channel that rose :data:`RISE` (30 %) or more has an excess of
        at least 23 % of its spend: the cap binds, and the shift equals the budget rule's full cut of the channel
        (:func:`cmo_workbook.metrics.budget.suggest`) — one amount in the review's table and in every memo."""
        return math.trunc(max(0.0, min(self.excess, MAX_SHIFT * self.spend)) / STEP) * STEP

    @property
    def leads_at_risk(self) -> float:
        """Inquiries the shift would cost at worst: at the window's own cost per inquiry."""
        return self.shift / self.cpl if self.cpl else math.nan


def comparable(spend: float, leads: float, cpl_ref: float, min_leads: int = MIN_LEADS) -> bool:
    """Whether a channel's cost per inquiry is compared at all: it cost money, brought enough inquiries and has
    a reference (NaN in any of them: not compared)."""
    return bool(spend > 0 and leads >= min_leads and cpl_ref == cpl_ref and cpl_ref > 0)


def ranked(found: list[ChannelStake]) -> list[ChannelStake]:
    """The largest excess cost first (ties by channel id, so the order never depends on the input's)."""
    return sorted(found, key=lambda s: (-s.excess, s.channel))


def stakes(store: KpiStore, kind: str, min_leads: int = MIN_LEADS) -> list[ChannelStake]:
    """Every comparable paid channel of the window, the largest excess cost first."""
    out = []
    for seg in store.segments("cost_per_qualified_lead", kind):
        f = store.figure("cost_per_qualified_lead", kind, seg)
        spend, leads = (store.value(m, kind, seg) if store.has(m, f.window, seg) else math.nan
                        for m in ("marketing_spend", "qualified_leads"))  # a hand-made store may lack a row
        if comparable(spend, leads, f.py_value, min_leads):
            out.append(ChannelStake(seg.split("=", 1)[1], kind, f.window, spend, leads, f.value, f.py_value))
    return ranked(out)


def without_reference(store: KpiStore, kind: str, min_leads: int = MIN_LEADS) -> list[str]:
    """Paid channels left out of :func:`stakes` only for want of a reference: they cost money and brought at
    least ``min_leads`` qualified inquiries in the window, but the same window a year earlier has no cost per
    inquiry (the exports do not reach back that far). Sorted by channel id."""
    out = []
    for seg in store.segments("cost_per_qualified_lead", kind):
        f = store.figure("cost_per_qualified_lead", kind, seg)
        spend, leads = (store.value(m, kind, seg) if store.has(m, f.window, seg) else math.nan
                        for m in ("marketing_spend", "qualified_leads"))
        if spend > 0 and leads >= min_leads and not comparable(spend, leads, f.py_value, min_leads):
            out.append(seg.split("=", 1)[1])
    return sorted(out)


def cost_start(store: KpiStore, kind: str) -> str | None:
    """The first month (``YYYY-MM``) of the window of ``kind`` with marketing cost data when the cost data begin
    inside the window (its earlier months have no cost: the spend export begins later); None when they cover the
    whole window or none of it."""
    months = [str(m) for m in parse_window(store.window(kind)).months]
    known = [m for m in months if store.has("marketing_spend", m) and not math.isnan(store.value("marketing_spend", window=m))]
    return known[0] if known and known[0] != months[0] else None


def without_cost(store: KpiStore, kind: str, min_leads: int = MIN_LEADS) -> list[tuple[str, float]]:
    """Paid channels left out of :func:`stakes` because the cost data begin inside the window (:func:`cost_start`):
    the channel has cost (spend above 0 in some window of the period's store) and at least ``min_leads`` qualified
    inquiries in the window, but the window's spend is unknown. (channel id, inquiries), sorted by channel id."""
    if cost_start(store, kind) is None:
        return []
    t, wid = store.table, store.window(kind)
    spent = t[(t["metric"] == "marketing_spend") & (t["value"] > 0)]["segment"].fillna("")
    out = []
    for seg in store.segments("cost_per_qualified_lead", kind):
        leads, spend = (store.value(m, window=wid, segment=seg) if store.has(m, wid, seg) else math.nan
                        for m in ("qualified_leads", "marketing_spend"))
        if seg in set(spent) and leads >= min_leads and spend != spend:
            out.append((seg.split("=", 1)[1], leads))
    return sorted(out)


def first_costly(found: list[ChannelStake], rise: float = RISE) -> ChannelStake | None:
    """The first (costliest) of ranked stakes whose cost per inquiry rose at least ``rise`` at a positive excess."""
    return next((s for s in ranked(found) if s.change >= rise and s.excess > 0), None)


def costliest(store: KpiStore, kind: str, rise: float = RISE, min_leads: int = MIN_LEADS) -> ChannelStake | None:
    """The channel whose risen cost per inquiry (at least ``rise``) costs the most money; None when none did."""
    return first_costly(stakes(store, kind, min_leads), rise)


def decision(store: KpiStore) -> ChannelStake | None:
    """The period pack's channel-shift decision: the costliest channel of the last complete quarter, when its
    shift moves money (None: no channel-shift decision this period)."""
    s = costliest(store, DECISION_KIND)
    return s if s is not None and s.shift > 0 else None


def decision_key(stake: ChannelStake) -> str:
    """The decision's id in the decision log, the same in every memo that asks it."""
    return f"{DECISION}.{stake.channel}"


def label(store: KpiStore, metric: str, window: str, lang: str) -> str:
    """A KPI's name with its window in words ("Kosten je qualifizierter Anfrage, Q3 2026")."""
    return t("kpi_label_window", lang, name=store.catalogue[metric].name(lang), window=window_text(window, lang))
