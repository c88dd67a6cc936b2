"""A paid channel whose cost data begin inside the window is named with that reason, not as "fewer than 5
inquiries" (the fresh-clone user's lab company: Google Ads cost only from October, 5 paid-search inquiries in
Aug–Oct). Hand-made KPI store; figures in the comments."""
from __future__ import annotations

import math

import pandas as pd

from cmo_workbook.metrics import channel_stake as chs
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.store import COLUMNS, KpiStore
from cmo_workbook.periods import Period

NAN = math.nan


def _row(metric: str, window: str, kind: str, value: float, segment: str = "") -> tuple:
    unit = {"qualified_leads": "count"}.get(metric, "eur")
    return (metric, window, kind, segment, value, unit, value == value, "", NAN, "", NAN, NAN)


def _store(spend_by_month: dict[str, float], leads: dict[str, float], spent_in_oct: dict[str, float]) -> KpiStore:
    rows = [_row("marketing_spend", m, "month", v) for m, v in spend_by_month.items()]
    for ch, n in leads.items():
        seg = f"channel={ch}"
        rows += [_row("cost_per_qualified_lead", "2026-10/T3M", "t3m", NAN, seg),
                 _row("qualified_leads", "2026-10/T3M", "t3m", n, seg),
                 _row("marketing_spend", "2026-10/T3M", "t3m", NAN, seg)]
        if ch in spent_in_oct:
            rows.append(_row("marketing_spend", "2026-10", "month", spent_in_oct[ch], seg))
    return KpiStore(pd.DataFrame(rows, columns=list(COLUMNS)), Period.parse("2026-10"), catalogue())


LATE = {"2026-08": NAN, "2026-09": NAN, "2026-10": 3_558.06}  # the Ads export begins in October


def test_cost_start_is_the_first_month_with_cost_inside_the_window():
    s = _store(LATE, {}, {})
    assert chs.cost_start(s, "t3m") == "2026-10"
    assert chs.cost_start(s, "month") is None  # October alone: covered from its first month
    assert chs.cost_start(_store({"2026-08": 10.0, "2026-09": NAN, "2026-10": 5.0}, {}, {}), "t3m") is None
    assert chs.cost_start(_store({"2026-08": NAN, "2026-09": NAN, "2026-10": NAN}, {}, {}), "t3m") is None
    assert chs.cost_start(_store({"2026-08": NAN, "2026-09": 0.0, "2026-10": 5.0}, {}, {}), "t3m") == "2026-09"


def test_a_paid_channel_without_the_windows_cost_is_listed_with_its_inquiries():
    # paid search: 5 inquiries in Aug–Oct, 3,558.06 € cost in October → listed; LinkedIn: 6 inquiries, no cost line
    # anywhere (not a paid channel here) → not listed; webinars: spent, but 4 inquiries (< 5) → not listed
    s = _store(LATE, {"paid_search": 5, "linkedin": 6, "webinars": 4}, {"paid_search": 3_558.06, "webinars": 200.0})
    assert chs.without_cost(s, "t3m") == [("paid_search", 5)]
    assert chs.without_cost(s, "t3m", min_leads=4) == [("paid_search", 5), ("webinars", 4)]
    assert chs.without_cost(s, "t3m", min_leads=6) == []
    # a spend of 0 € is no cost: not a paid channel
    assert chs.without_cost(_store(LATE, {"paid_search": 5}, {"paid_search": 0.0}), "t3m") == []
    # cost data covering the whole window: nothing to explain
    full = {"2026-08": 1.0, "2026-09": 1.0, "2026-10": 1.0}
    assert chs.without_cost(_store(full, {"paid_search": 5}, {"paid_search": 3_558.06}), "t3m") == []
