"""A channel decided on its own (trade fairs) and its budget decision: one definition, one home (#11).

Lumpy channels (:data:`cmo_workbook.metrics.budget.LUMPY_CHANNELS`: a trade fair is booked a year ahead and paid
in one sum) are left out of the quarterly budget shift; their **year's budget** is a decision of its own. Its
figures, for the four quarters ending with the last complete quarter (:data:`WINDOW_QUARTERS`, the attribution
review's window):

    cost   = the channel's spend in the four quarters                      (the amount the decision asks)
    margin = the channel's attributed first-order value × gross margin     (linear model, with its bootstrap range)
    ROMI   = (margin − cost) ÷ cost

The analyses that attribute the value live above this layer (:mod:`cmo_workbook.attribution`); this module takes
their per-channel frame (:func:`from_frame`), so every memo of a period pack states the same cost, margin and ROMI.
The decision (:func:`decision`) is the lumpy channel with the most euros at stake (its cost), asked as
"Freigabe von 471 Tsd. € ja / nein" under one id in the decision log (:func:`decision_key`). Memos order their
channel decisions by :func:`at_stake`: this decision's cost, the channel shift's excess cost
(:mod:`cmo_workbook.metrics.channel_stake`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from .budget import LUMPY_CHANNELS

#: the window of the decision: four quarters (a year of fairs), ending with the last complete quarter
WINDOW_QUARTERS = 4
#: the decision's id prefix in the decision log (``channel_budget.trade_fairs``)
DECISION = "channel_budget"


@dataclass(frozen=True)
class BudgetStake:
    """One lumpy channel's year: what it cost and what its first orders brought (with the bootstrap range)."""

    channel: str
    window: str  # the last of the four quarters ("2026-Q3"): the quarter the decision rests on
    cost: float
    margin: float
    margin_low: float
    margin_high: float

    def _romi(self, margin: float) -> float:
        return (margin - self.cost) / self.cost if self.cost else math.nan

    @property
    def romi(self) -> float:
        """(margin − cost) ÷ cost: −0,31 = every euro brought back 69 cents of margin."""
        return self._romi(self.margin)

    @property
    def romi_low(self) -> float:
        return self._romi(self.margin_low)

    @property
    def romi_high(self) -> float:
        return self._romi(self.margin_high)

    @property
    def at_stake(self) -> float:
        """The euros the decision is about: the year's budget at today's scale (= the cost of the four quarters)."""
        return self.cost

    @property
    def amount(self) -> float:
        """The amount the decision asks to approve (the decision log's ``amount``)."""
        return self.cost


def from_frame(channels: pd.DataFrame, window: str, lumpy: Iterable[str] = LUMPY_CHANNELS) -> list[BudgetStake]:
    """The lumpy channels of a per-channel frame with ``cost``, ``margin``, ``margin_low``, ``margin_high`` (the
    attribution review's channel frame over the four quarters ending with ``window``) that cost money, the largest
    cost first (ties by channel id)."""
    out = []
    for c in lumpy:
        if c not in channels.index:
            continue
        r = channels.loc[c]
        if float(r["cost"]) > 0:
            out.append(BudgetStake(str(c), window, float(r["cost"]), float(r["margin"]), float(r["margin_low"]),
                                   float(r["margin_high"])))
    return sorted(out, key=lambda s: (-s.cost, s.channel))


def margins(boot: pd.DataFrame, gross_margin: float) -> pd.DataFrame:
    """The bootstrap's paid channels (:func:`cmo_workbook.attribution.bootstrap` with cost) with their attributed
    margin and range (value × gross margin): the columns :func:`from_frame` reads."""
    df = boot[boot["cost"] > 0].copy()
    for col in ("", "_low", "_high"):
        df[f"margin{col}"] = df[f"value{col}"] * gross_margin
    return df


def decision(found: list[BudgetStake]) -> BudgetStake | None:
    """The period pack's budget decision: the lumpy channel with the most euros at stake (None: none cost money)."""
    return found[0] if found else None


def decision_key(stake: BudgetStake) -> str:
    """The decision's id in the decision log, the same in every memo that asks it."""
    return f"{DECISION}.{stake.channel}"


def at_stake(decision: Any) -> float:
    """The euros a channel decision is about, for ordering them: a budget decision's cost, a channel shift's
    excess cost (:class:`cmo_workbook.metrics.channel_stake.ChannelStake`); NaN for anything else."""
    if isinstance(decision, BudgetStake):
        return decision.at_stake
    excess = getattr(decision, "excess", math.nan)
    return float(excess)
