"""Guards ROMI = (marketing-sourced won revenue × gross margin − spend) / spend.

Mutation it catches: ROMI computed without the margin, ``(rev - spend) / spend`` (the memo
then showed 939 % instead of 295 %). Since issue 17 ROMI is computed once, in the period store
(:meth:`cmo_workbook.metrics.store._Calc.value`, kind ``romi``), under two catalogue ids:
``romi_all_orders`` (all marketing-sourced orders) and ``romi_first_orders`` (first orders only).
"""
import math

import pytest

from cmo_workbook.memos.kpi_dashboard import compute
from kpi_fixtures import kpi_month_frame, kpi_store, months


def test_romi_uses_the_gross_margin_of_revenue():
    # 12 × 40 000 € revenue, 12 × 10 000 € spend, margin 50 %: (240 000 − 120 000) / 120 000
    assert kpi_store(margin=0.5).value("romi_all_orders", "t12m") == pytest.approx(1.0)
    # margin 25 %: (120 000 − 120 000) / 120 000 = break-even
    assert kpi_store(margin=0.25).value("romi_all_orders", "t12m") == pytest.approx(0.0)


def test_romi_is_negative_when_contribution_does_not_cover_spend():
    df = months("2025-11", "2026-10", marketing_spend=10_000, marketing_won_revenue=20_000)
    # (12 × 20 000 × 0.3 − 120 000) / 120 000 = (72 000 − 120 000) / 120 000 = −0.4
    assert kpi_store(df, margin=0.3).value("romi_all_orders", "t12m") == pytest.approx(-0.4)


def test_romi_of_first_orders_carries_the_margin_too():
    df = months("2025-11", "2026-10", marketing_spend=10_000, marketing_won_revenue=40_000,
                marketing_first_order_value=30_000)
    # first orders only: (12 × 30 000 × 0.5 − 120 000) / 120 000 = 0.5; all orders: (240 000 − 120 000) / 120 000 = 1.0
    s = kpi_store(df, margin=0.5)
    assert s.value("romi_first_orders", "t12m") == pytest.approx(0.5)
    assert s.value("romi_all_orders", "t12m") == pytest.approx(1.0)


def test_romi_without_spend_is_not_a_number():
    df = months("2025-11", "2026-10", marketing_spend=0, marketing_won_revenue=20_000)
    assert math.isnan(kpi_store(df).value("romi_all_orders", "t12m"))


def test_romi_kpi_of_the_memo_carries_the_margin():
    kpis = {k.key: k for k in compute(kpi_store(kpi_month_frame(), {"romi": 1.5}, margin=0.5))}
    assert kpis["romi_all_orders"].value == pytest.approx(1.0)
    assert kpis["romi_all_orders"].target == 1.5
    assert kpis["romi_all_orders"].kind == "ratio"
    assert kpis["romi_all_orders"].window == "2026-10/T12M"
