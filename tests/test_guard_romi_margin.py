"""Guards ROMI = (marketing-sourced won revenue × gross margin − spend) / spend.

Mutation it catches: ROMI computed without the margin, ``(rev - spend) / spend`` (the memo
then showed 939 % instead of 295 %).
"""
import math

import pytest

from cmo_workbook.memos.kpi_dashboard import compute, romi_ttm
from cmo_workbook.periods import Period
from kpi_fixtures import kpi_month_frame, months


def test_romi_uses_the_gross_margin_of_revenue():
    df = kpi_month_frame()
    p = Period.parse("2026-10").to_pandas()
    # 12 × 40 000 € revenue, 12 × 10 000 € spend, margin 50 %: (240 000 − 120 000) / 120 000
    assert romi_ttm(df, p, 0.5) == pytest.approx(1.0)
    # margin 25 %: (120 000 − 120 000) / 120 000 = break-even
    assert romi_ttm(df, p, 0.25) == pytest.approx(0.0)


def test_romi_is_negative_when_contribution_does_not_cover_spend():
    df = months("2025-11", "2026-10", marketing_spend=10_000, marketing_won_revenue=20_000)
    # (12 × 20 000 × 0.3 − 120 000) / 120 000 = (72 000 − 120 000) / 120 000 = −0.4
    assert romi_ttm(df, Period.parse("2026-10").to_pandas(), 0.3) == pytest.approx(-0.4)


def test_romi_without_spend_is_not_a_number():
    df = months("2025-11", "2026-10", marketing_spend=0, marketing_won_revenue=20_000)
    assert math.isnan(romi_ttm(df, Period.parse("2026-10").to_pandas(), 0.5))


def test_romi_kpi_of_the_memo_carries_the_margin():
    kpis = {k.key: k for k in compute(kpi_month_frame(), Period.parse("2026-10"), {"romi": 1.5}, 0.5)}
    assert kpis["romi"].value == pytest.approx(1.0)
    assert kpis["romi"].target == 1.5
    assert kpis["romi"].kind == "ratio"
