"""Guards the costly-channel rule of the KPI memo: a paid channel whose cost per qualified lead rose by
at least 30 % and costs money, the most expensive first.

Mutation it catches: the threshold doubled (or compared with ``>``), the excess-cost ranking reversed,
and channels with too few leads or no spend judged.
"""
import pandas as pd
import pytest

from cmo_workbook.memos.kpi_dashboard import channel_cpl, recommendations, worst_channel

NBSP = "\u00a0"


def _cpl(change: float, excess: float = 1_000.0) -> pd.DataFrame:
    return pd.DataFrame({"cpl": [130.0], "cpl_ref": [100.0], "leads": [10], "spend": [1_300.0],
                         "change": [change], "excess_cost": [excess], "label": ["LinkedIn Ads"]},
                        index=pd.Index(["paid_social"], name="channel"))


def test_exactly_thirty_percent_is_flagged_just_below_is_not():
    assert worst_channel(_cpl(0.3), "de")["channel"] == "paid_social"
    assert worst_channel(_cpl(0.2999), "de") is None
    assert worst_channel(_cpl(0.59), "de")["change"] == 0.59


def test_a_rise_that_costs_nothing_is_not_flagged():
    assert worst_channel(_cpl(0.5, excess=0.0), "de") is None


def _by_channel(rows: dict) -> pd.DataFrame:
    return pd.DataFrame(rows, index=["paid_search", "paid_social", "events", "newsletter"]).rename_axis("channel")


def test_channel_cpl_and_worst_channel_from_hand_figures():
    now = _by_channel({"cost_per_qualified_lead": [50.0, 130.0, 300.0, 20.0],
                       "qualified_leads": [40, 10, 4, 30], "spend": [2_000.0, 1_300.0, 1_200.0, 0.0]})
    ref = _by_channel({"cost_per_qualified_lead": [40.0, 100.0, 100.0, 10.0],
                       "qualified_leads": [50, 13, 12, 30], "spend": [2_000.0, 1_300.0, 1_200.0, 0.0]})
    cpl = channel_cpl(now, ref, "de")
    # events has 4 leads (< 5) and newsletter no spend: neither is judged
    assert list(cpl.index) == ["paid_search", "paid_social"]
    # excess cost: paid_social (130 − 100) × 10 = 300, paid_search (50 − 40) × 40 = 400: paid search first
    assert cpl.loc["paid_search", "excess_cost"] == pytest.approx(400)
    assert cpl.loc["paid_social", "excess_cost"] == pytest.approx(300)
    assert cpl.loc["paid_search", "change"] == pytest.approx(0.25)
    assert cpl.loc["paid_social", "change"] == pytest.approx(0.30)
    w = worst_channel(cpl, "de")
    # paid search rose 25 % (< 30 %): only paid social qualifies
    assert w["channel"] == "paid_social"
    assert (w["cpl"], w["cpl_ref"]) == (130.0, 100.0)
    assert w["excess_cost"] == pytest.approx(300)
    assert w["delta"] == f"+30{NBSP}%"
    assert channel_cpl(now, ref, "de", min_leads=4).index.tolist() == ["events", "paid_search", "paid_social"]


def test_the_most_expensive_rise_wins():
    cpl = pd.DataFrame({"cpl": [200.0, 150.0], "cpl_ref": [100.0, 100.0], "leads": [5, 20], "spend": [1.0, 1.0],
                        "change": [1.0, 0.5], "excess_cost": [500.0, 1_000.0], "label": ["A", "B"]},
                       index=["a", "b"])
    assert worst_channel(cpl, "en")["channel"] == "b"

