"""Sales regions of the sample company's leads and the LinkedIn holdout test planted in them (#11).

Every contact carries the custom HubSpot property ``Vertriebsgebiet``, the regional sales team that
owns it: Nord, Ost, Süd or West, drawn from its own random stream so that no other value of the sample
changes. The four regions are equal parts of the company, as the holdout design and readout assume
(with unequal regions the company's growth alone would move the difference between them).

The planted test (:data:`TEST_REGIONS`, :func:`holdout`): LinkedIn ads paused in Nord and Ost for
:data:`TEST_WEEKS` weeks ending in the quarter before the sample's last full quarter. In those weeks
LinkedIn-sourced leads become rarer in the test regions (:data:`PAUSE_LOSS` of them are labelled with a
control region), but most of those inquiries came anyway through other channels (:data:`CAME_ANYWAY`):
the sample's LinkedIn harvests demand that exists (its qualified inquiries stay flat while its spend
rises), so the test finds little that LinkedIn adds. No lead is added, removed or moved in time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .common import Window, choice

HEADER = "Vertriebsgebiet"
#: four regional sales teams; export accounts are split among them like German ones
REGIONS = ("Nord", "Ost", "Süd", "West")
CHANNEL = "linkedin"
TEST_REGIONS = ("Nord", "Ost")
TEST_WEEKS = 12
#: share of the test regions' LinkedIn leads that the pause took away (labelled with a control region)
PAUSE_LOSS = 0.8
#: share of those that came anyway through another channel (a lead of that channel and week moves in)
CAME_ANYWAY = 0.75


@dataclass(frozen=True)
class Holdout:
    """The planted test as params declare it (``holdouts:`` in params/example.yaml)."""

    channel: str
    test_regions: tuple[str, ...]
    start: pd.Timestamp  # a Monday
    weeks: int

    @property
    def end(self) -> pd.Timestamp:
        """The Monday after the last test week (exclusive)."""
        return self.start + pd.Timedelta(weeks=self.weeks)


def holdout(window: Window) -> Holdout:
    """The test: :data:`TEST_WEEKS` weeks ending on the last Sunday of the quarter before the last full one.

    For the reference date 2026-11-01 the last full quarter is Q3 2026: the test ran 06.04.–28.06.2026
    (Q2) and the Q3 strategy memo reads it out.
    """
    quarter = pd.Period(pd.Timestamp(window.reference), freq="Q") - 2
    last = quarter.end_time.normalize()
    last_sunday = last - pd.Timedelta(days=(last.day_of_week + 1) % 7)
    return Holdout(CHANNEL, TEST_REGIONS, last_sunday + pd.Timedelta(days=1) - pd.Timedelta(weeks=TEST_WEEKS),
                   TEST_WEEKS)


def assign_regions(rng: np.random.Generator, leads: list, window: Window) -> None:
    """Set ``lead.region`` on every lead: one region each, then the planted pause relabels a few.

    A paused LinkedIn lead of a test region gets a control region; with probability
    :data:`CAME_ANYWAY` a non-LinkedIn lead of the same week and qualification (a control region's
    lead, created in the test weeks) takes the vacated test region: the inquiry came anyway, through
    search, e-mail or a partner. Totals per week stay as drawn; only labels move.
    """
    h = holdout(window)
    controls = tuple(r for r in REGIONS if r not in h.test_regions)
    for lead in leads:
        lead.region = choice(rng, REGIONS)

    def key(lead) -> tuple:
        mql = lead.dates.get("mql")
        return lead.created.to_period("W-SUN"), None if mql is None else mql.to_period("W-SUN")

    during = [lead for lead in leads if h.start <= lead.created < h.end]
    for lead in during:
        if lead.channel != h.channel or lead.region not in h.test_regions or rng.random() >= PAUSE_LOSS:
            continue
        vacated, lead.region = lead.region, choice(rng, controls)
        if rng.random() < CAME_ANYWAY:
            pool = [o for o in during if o.channel != h.channel and o.region in controls and key(o) == key(lead)]
            if pool:
                pool[int(rng.integers(len(pool)))].region = vacated
