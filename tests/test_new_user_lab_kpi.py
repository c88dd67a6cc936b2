"""The KPI memo's figures on a second new user's hand-written company (tests/fixtures/exports/new_user_lab: 30 HubSpot
contacts Aug–Oct 2026, 10 deals, a Google Ads report of October only, a feedback list; DERIVATION.md holds the
hand-derived figures). Qualified marketing inquiries in October 2026: L19 L21 L23 L24 L26 L27 L30 plus one more by
its status = 8 (the user's 7 was their own slip); by channel paid search 3 (L21 L23 L30), one each for direct,
e-mail, LinkedIn, organic search and trade fairs. Paid search has 5 over Aug–Oct (DERIVATION: L04 L14 + the 3).
The only cost source is the Google Ads report: 3.558,06 € in October, paid search alone."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics import store
from cmo_workbook.periods import Period

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "new_user_lab"
PERIOD = Period.parse("2026-10")
TODAY = date(2026, 11, 20)


def _dataset(tables=("leads", "deals", "spend")):
    return load_dataset(load_params(FIXTURE / "params.yaml"), list(tables), today=TODAY)


def _kpis(ds) -> store.KpiStore:
    return store.KpiStore(store.build(ds, PERIOD), PERIOD, store.catalogue(ds.params.raw))


@pytest.fixture(scope="module")
def kpis() -> store.KpiStore:
    return _kpis(_dataset())


def test_channels_without_any_cost_line_have_no_cost_per_inquiry_not_zero(kpis):
    # before: trade fairs, LinkedIn, e-mail, direct and organic search read 0 € per inquiry, reliable
    for ch in ("trade_fairs", "linkedin", "email", "direct", "organic_search"):
        f = kpis.figure("cost_per_qualified_lead", "month", f"channel={ch}")
        assert math.isnan(f.value) and not f.reliable, ch
        assert kpis.value("qualified_leads", "month", f"channel={ch}") == 1, ch  # one inquiry each, no cost known
    # paid search has its Google Ads lines: 3.558,06 € / 3 inquiries = 1.186,02 €
    f = kpis.figure("cost_per_qualified_lead", "month", "channel=paid_search")
    assert f.value == pytest.approx(3558.06 / 3) and f.reliable
    # the company's cost per inquiry stays the spend over all 8 marketing inquiries: 444,76 €
    assert kpis.value("cost_per_qualified_lead", "month") == pytest.approx(3558.06 / 8)


def test_a_cost_line_of_zero_is_a_known_cost_no_line_is_none():
    ds = _dataset()
    # hand-built costs for October: paid search 300 € on two lines, LinkedIn one line of 0 € (a paused campaign),
    # nothing for e-mail or trade fairs
    ds.tables["spend"] = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-05", "2026-10-20", "2026-10-06"]),
        "channel": ["paid_search", "paid_search", "linkedin"], "cost": [200.0, 100.0, 0.0],
        "campaign": ["A", "B", "C"]})
    kpis = _kpis(ds)
    seg = lambda ch: kpis.figure("cost_per_qualified_lead", "month", f"channel={ch}")  # noqa: E731
    assert seg("paid_search").value == pytest.approx(100.0) and seg("paid_search").reliable  # 300 € / 3
    assert seg("linkedin").value == 0.0 and seg("linkedin").reliable  # 0 € / 1: the line says it cost nothing
    for ch in ("email", "trade_fairs"):
        assert math.isnan(seg(ch).value) and not seg(ch).reliable, ch
    # the channel's spend itself stays 0 € (no cost line: nothing spent in the cost tables)
    assert kpis.value("marketing_spend", "month", "channel=email") == 0.0
