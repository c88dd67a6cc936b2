"""The holdout test read out in the period after it ended (#11): difference in differences and the budget.

A test the attribution review proposed and marketing ran is declared in params::

    holdouts:
      - channel: linkedin
        region_column: region        # the lead column that places a lead in a sales region
        test_regions: [Nord, Ost]    # regions without the channel's advertising
        start: 2026-07-06            # a Monday
        weeks: 8

In the first period after the test's last week, :func:`readouts` compares the weekly qualified inquiries
per region of test and control regions, before and during the test
(:func:`cmo_workbook.metrics.experiments.did_readout`, 90 % interval), and says what it means for the
channel's budget: the inquiries the channel added per week in all regions, and what each added inquiry
cost (the channel's spend during the test ÷ those inquiries) against the cost of an average qualified inquiry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from ..render.wording import channel_label
from ..metrics import experiments
from ..metrics.budget import LUMPY_CHANNELS
from ..periods import Period
from ..render import fmt
from ..render.i18n import t

LEVEL = 0.9


@dataclass(frozen=True)
class Holdout:
    """One declared holdout test."""

    channel: str
    region_column: str
    test_regions: tuple[str, ...]
    start: pd.Timestamp
    weeks: int

    @property
    def last_day(self) -> pd.Timestamp:
        return self.start + pd.Timedelta(weeks=self.weeks) - pd.Timedelta(days=1)


def from_params(raw: Sequence[dict[str, Any]] | None) -> list[Holdout]:
    """The params' ``holdouts`` list (checked by the params schema)."""
    return [Holdout(str(h["channel"]), str(h.get("region_column") or "region"), tuple(map(str, h["test_regions"])),
                    pd.Timestamp(h["start"]), int(h["weeks"])) for h in raw or []]


def due(holdouts: Sequence[Holdout], period: Period) -> list[Holdout]:
    """The tests whose last week ended in the period before ``period`` (read out now, once)."""
    prev = period.previous()
    return [h for h in holdouts if prev.start <= h.last_day <= prev.last_day]


@dataclass(frozen=True)
class Result:
    """A readout with what it means: inquiries the channel adds per week in all regions, cost of each."""

    holdout: Holdout
    readout: experiments.Readout
    regions: int
    added_per_week: float  # inquiries the channel adds per week in all regions (−effect × regions)
    added_low: float
    added_high: float
    spend_per_week: float  # the channel's spend per week during the test, all regions
    cost_per_added: float  # spend ÷ added inquiries (NaN when the channel adds none measurably)
    channel: experiments.Readout | None  # DiD of the channel's own inquiries: did the pause take hold there?


def read_out(leads: pd.DataFrame, spend: pd.DataFrame, h: Holdout, *, level: float = LEVEL) -> Result:
    """DiD of ``h`` on the leads (qualified inquiries per region and week), scaled to all regions."""
    # trade fairs' badge imports land in one week: left out of the outcome as in the design (budget.holdout_design)
    weekly = experiments.test_control_weeks(leads, h.region_column, list(h.test_regions), h.start, h.weeks,
                                            exclude=LUMPY_CHANNELS)
    r = experiments.did_readout(weekly, level=level)
    try:
        own = experiments.test_control_weeks(leads[leads["channel"] == h.channel], h.region_column,
                                             list(h.test_regions), h.start, h.weeks)
        own_readout: experiments.Readout | None = experiments.did_readout(own, level=level)
    except ValueError:  # the channel's leads never reach some test or control region: nothing to check
        own_readout = None
    n = int(leads[h.region_column].dropna().astype(str).nunique())
    # effect is per region and week in the test regions; pausing everywhere would lose it in every region
    added, low, high = -r.effect * n, -r.high * n, -r.low * n
    during = spend[(spend["channel"] == h.channel) & (pd.to_datetime(spend["date"]) >= h.start)
                   & (pd.to_datetime(spend["date"]) <= h.last_day)]
    per_week = float(during["cost"].sum()) / h.weeks
    measurable = low > 0  # the whole interval says the channel adds inquiries
    return Result(h, r, n, added, low, high, per_week, per_week / added if measurable else float("nan"), own_readout)


def sentences(res: Result, lang: str, currency: str, avg_cost_per_inquiry: float) -> list[str]:
    """What the test found (with its interval), whether the pause took hold, what it means for the budget."""
    h, r = res.holdout, res.readout
    name = channel_label(h.channel, lang)
    found = t("hold_found", lang, channel=name, regions=", ".join(h.test_regions), weeks=fmt.number(h.weeks, lang),
              start=fmt.date(h.start, lang), effect=fmt.number(r.effect, lang, 1), low=fmt.number(r.low, lang, 1),
              high=fmt.number(r.high, lang, 1), level=fmt.percent(LEVEL, lang, 0))
    out = [found]
    if res.channel is not None and res.channel.high < 0:  # the pause took hold: the channel's own inquiries fell
        out.append(t("hold_channel_fell", lang, channel=name, drop=fmt.number(-res.channel.effect, lang, 1)))
    if res.cost_per_added != res.cost_per_added:
        # labelled as what it is (the channel's weekly spend in the test), so it never reads as another budget amount
        meaning = t("hold_no_effect_weekly_spend", lang, channel=name,
                    spend=fmt.money(res.spend_per_week, lang, currency=currency, compact=True))
    else:
        key = "hold_keep" if res.cost_per_added <= avg_cost_per_inquiry else "hold_cut"
        meaning = t(key, lang, channel=name, added=fmt.number(res.added_per_week, lang, 1),
                    low=fmt.number(res.added_low, lang, 1), high=fmt.number(res.added_high, lang, 1),
                    cost=fmt.money(res.cost_per_added, lang, currency=currency),
                    average=fmt.money(avg_cost_per_inquiry, lang, currency=currency))
    return out + [meaning]


def readouts(ds: Any, raw: Sequence[dict[str, Any]] | None, period: Period, lang: str, currency: str,
             avg_cost_per_inquiry: float) -> list[str]:
    """The sentences of every test that ended in the previous period ([] when none did)."""
    out: list[str] = []
    for h in due(from_params(raw), period):
        if not experiments.has_regions(ds.leads, h.region_column):  # absent, or empty in this export
            out.append(t("hold_unreadable", lang, channel=channel_label(h.channel, lang), column=h.region_column))
            continue
        out += sentences(read_out(ds.leads, ds.spend, h), lang, currency, avg_cost_per_inquiry)
    return out



def finished(holdouts: Sequence[Holdout], channel: str, period: Period) -> Holdout | None:
    """The latest declared test of ``channel`` whose last day lies before ``period`` ends (it has run)."""
    done = [h for h in holdouts if h.channel == channel and h.last_day < period.end]
    return max(done, key=lambda h: h.last_day) if done else None


def result(ds: Any, raw: Sequence[dict[str, Any]] | None, channel: str, period: Period, lang: str, currency: str,
           avg_cost_per_inquiry: float) -> list[str]:
    """What a test of ``channel`` that already ran found, in the words of its readout (:func:`sentences`): the one
    verdict every memo gives on that channel's test; [] when none ran or its leads carry no region."""
    h = finished(from_params(raw), channel, period)
    if h is None or not experiments.has_regions(ds.leads, h.region_column):
        return []
    return sentences(read_out(ds.leads, ds.spend, h), lang, currency, avg_cost_per_inquiry)
