"""Selling arguments against a competitor's move, and the rule that drops one (#11): one home for both.

The competitor briefing (the response of a rule in ``competitors.implication_rules``, template field
``{arguments}``) and the strategy memo (answer a price cut with value) sell on the same arguments,
:data:`ARGUMENTS`, in this order. An argument the customer feedback names as a rising weakness is left out of
both: the voice of customer's complaints about late deliveries rise, so "Lieferfähigkeit" is no argument to sell on
(:data:`WEAKNESS_THEMES`; a theme rises as the strategy memo judges it, :func:`~cmo_workbook.memos.strategy_memo.
theme_signal`). The consistency check (:mod:`cmo_workbook.memos.consistency`, rule ``argument``) finds a memo
that sells on one anyway.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from ..render.i18n import t

#: the arguments, in the order the memos list them (message ``arg_<key>``)
ARGUMENTS = ("total_cost", "delivery", "service")
#: the VoC theme whose rising complaints make an argument our weakness
WEAKNESS_THEMES = {"delivery": "delivery_delay"}


def weak(vocs: Sequence[Any]) -> set[str]:
    """The arguments whose VoC theme rises in the last month with feedback on it (``vocs``: one
    :class:`~cmo_workbook.voc.VocResult` per month of the quarter, oldest first)."""
    from .strategy_memo import theme_signal  # the strategy memo's rising rule: one judgement for both memos

    out = set()
    for key, theme in WEAKNESS_THEMES.items():
        sig = theme_signal(vocs, theme)
        if sig is not None and sig.rising:
            out.add(key)
    return out


def kept(weak_ones: Iterable[str] = ()) -> list[str]:
    """The arguments to sell on: all but the weak ones (in :data:`ARGUMENTS` order)."""
    drop = set(weak_ones)
    return [a for a in ARGUMENTS if a not in drop]


def text(keys: Sequence[str], lang: str) -> str:
    """"Gesamtkosten, Lieferfähigkeit und Service" / "total cost and service": the arguments as one phrase."""
    names = [t(f"arg_{k}", lang) for k in keys]
    if len(names) < 2:
        return "".join(names)
    return t("arg_and", lang, first=", ".join(names[:-1]), last=names[-1])


def quarter_vocs(feedback: Any, period: Any, taxonomy: str | Path | None, lang: str) -> list[Any]:
    """The voice of customer of each month of a quarter that has feedback (oldest first): what the strategy memo
    and the briefing judge customer weaknesses by."""
    from .. import voc
    from ..errors import StaleDataError

    out = []
    for month in period.month_periods():
        try:
            out.append(voc.analyse(feedback, month=str(month), taxonomy=taxonomy, lang=lang))
        except StaleDataError:
            pass  # a month without feedback: the memos work from the months that have some
    return out
