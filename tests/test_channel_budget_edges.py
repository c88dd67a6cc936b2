"""Edges of metrics/channel_budget.py found by mutation testing (hand-made frames): every lumpy channel is looked
at, the largest cost leads with ties by channel id, any cost is a cost, and a stake without cost has no ROMI."""
from __future__ import annotations

import math

import pandas as pd

from cmo_workbook.metrics import channel_budget as chb


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"cost": [50_000.0, 400_000.0, 50_000.0, 0.5], "margin": [10.0, 20.0, 30.0, 1.0],
                         "margin_low": [1.0, 2.0, 3.0, 0.0], "margin_high": [100.0, 200.0, 300.0, 2.0]},
                        index=["print", "trade_fairs", "events", "roadshow"])


def test_every_lumpy_channel_counts_largest_cost_first_ties_by_id():
    # "catalogue" is not in the frame: skipped, the others still looked at; 0.50 € of cost is a cost
    found = chb.from_frame(_frame(), "2026-Q3", lumpy=("catalogue", "print", "events", "trade_fairs", "roadshow"))
    assert [(s.channel, s.cost) for s in found] == [("trade_fairs", 400_000.0), ("events", 50_000.0),
                                                    ("print", 50_000.0), ("roadshow", 0.5)]
    assert chb.decision(found).channel == "trade_fairs"


def test_margins_keep_every_paid_channel():
    boot = pd.DataFrame({"cost": [0.5, 0.0], "value": [10.0, 5.0], "value_low": [4.0, 1.0], "value_high": [20.0, 9.0]},
                        index=["roadshow", "organic"])
    m = chb.margins(boot, 0.5)
    assert list(m.index) == ["roadshow"] and m.loc["roadshow", ["margin", "margin_low", "margin_high"]].tolist() == [
        5.0, 2.0, 10.0]


def test_a_stake_without_cost_has_no_romi_and_other_decisions_no_stake():
    free = chb.BudgetStake("trade_fairs", "2026-Q3", 0.0, 100.0, 50.0, 150.0)
    assert math.isnan(free.romi) and math.isnan(free.romi_low) and math.isnan(free.romi_high)
    assert math.isnan(chb.at_stake("not a decision")) and math.isnan(chb.at_stake(None))
