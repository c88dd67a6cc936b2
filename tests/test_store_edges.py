"""Edges of metrics/store.py found by mutation testing, on the hand-made monthly frame of tests/kpi_fixtures.py: a decision at the very end of a window is not yet known, the sample size belongs
to the acceptance rate only, a zero plan gives no forecast or planned share, a segment's ratio is the segment's own,
and the CLV cache keys deals without account ids and gives back what it was given."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.metrics import store
from kpi_fixtures import fixture_leads, kpi_month_frame, kpi_store
from test_controlling_kpis import plan_2026
from test_kpi_store_units import _build, _per_channel


def test_a_decision_at_the_window_end_is_not_yet_known(monkeypatch):
    frame = kpi_month_frame()
    # an October MQL rejected at midnight on 1 November: after October was reported
    late = pd.DataFrame({"channel": ["web"], "mql_date": [pd.Timestamp("2026-10-05")], "sql_date": [pd.NaT],
                         "sales_feedback_date": [pd.Timestamp("2026-11-01")]})
    s, _ = _build(monkeypatch, frame, leads=pd.concat([fixture_leads(frame), late], ignore_index=True))
    f = s.figure("sales_acceptance_rate", "month")
    assert f.value == 0.5 and f.n == 120.0  # 60 of the 120 decided in October, the 121st undecided then
    # the sample size belongs to the rate, not to a count
    assert math.isnan(s.figure("qualified_leads", "month").n)


def test_a_segments_ratio_divides_the_segments_own_figures(monkeypatch):
    s, _ = _build(monkeypatch, kpi_month_frame(), _per_channel())
    # web in October: 4 000 € spend ÷ 30 qualified leads (not the 10 000 € of all channels)
    assert s.value("cost_per_qualified_lead", "month", "channel=web") == pytest.approx(4_000 / 30)


def test_a_zero_plan_gives_no_forecast_and_no_planned_share():
    plan = plan_2026()
    plan["marketing_budget"] = plan["marketing_budget"] * 0.0
    plan["order_intake_plan"] = plan["order_intake_plan"] * 0.0
    s = kpi_store(plan=plan)
    assert math.isnan(s.value("spend_forecast_fy", "ytd"))  # no budget: pacing by it is undefined
    assert math.isnan(s.figure("marketing_order_intake_share", "month").target)  # 40 000 ÷ 0


def _won() -> pd.DataFrame:
    return pd.DataFrame({"company": ["Alpha", "Beta"], "status": ["won", "won"], "amount": [1_000.0, 2_000.0],
                         "close_date": pd.to_datetime(["2026-03-01", "2026-05-01"])})


def test_clv_cache_keys_deals_without_account_ids_and_returns_what_it_stored(tmp_path):
    cache = store._ClvCache(tmp_path)
    as_of = pd.Timestamp("2026-11-01")
    key = cache.key(_won(), as_of, 0.4, 36, 0.1)
    renamed = _won().assign(company=["Alpha", "Gamma"])
    assert len(key) == 40 and cache.key(renamed, as_of, 0.4, 36, 0.1) != key  # the customers are part of the key
    cache.put(key, 1_234.5)
    assert cache.get(key) == 1_234.5 and store._ClvCache(tmp_path).get(key) == 1_234.5  # in memory and on disk
    assert store._ClvCache(None).get(key) is None


def test_clv_to_cac_has_no_value_when_new_customers_cost_nothing():
    # no spend, 2 new customers a month: CAC = 0 / 24 = 0 €; CLV ÷ 0 is no ratio (never a crash or infinity)
    frame = kpi_month_frame()
    frame["marketing_spend"] = 0.0
    frame["new_customers_marketing"] = 2.0
    s = kpi_store(frame)
    assert s.value("cac", "t12m") == 0.0 and math.isnan(s.value("clv_to_cac", "t12m"))
