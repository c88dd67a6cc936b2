"""Guards the trailing 12-month window of the ROMI tile: months ``p-11 .. p``, exactly twelve.

Mutation it catches: ``index > p - 12`` → ``index >= p - 12`` (13 months, so the tile went blank),
and a window that sums fewer or other months.
"""
import math

import pytest

from cmo_workbook.memos.kpi_dashboard import _ttm, romi_ttm
from cmo_workbook.periods import Period
from kpi_fixtures import kpi_month_frame, months

OCT = Period.parse("2026-10").to_pandas()


def test_window_is_the_twelve_months_up_to_the_report_month():
    df = kpi_month_frame()
    # 2025-11 .. 2026-10 = 12 × 40 000; the 1 000 000 of 2025-10 lies outside
    assert _ttm(df, "marketing_won_revenue", OCT) == 480_000
    # one month earlier the window 2025-10 .. 2026-09 holds the 1 000 000 and 11 × 40 000
    assert _ttm(df, "marketing_won_revenue", OCT - 1) == 1_000_000 + 11 * 40_000


def test_exactly_twelve_months_of_data_is_enough():
    df = months("2025-11", "2026-10", marketing_spend=1_000, marketing_won_revenue=5_000)
    assert _ttm(df, "marketing_spend", OCT) == 12_000
    assert romi_ttm(df, OCT, 0.5) == pytest.approx((12 * 5_000 * 0.5 - 12_000) / 12_000)


def test_eleven_months_or_one_month_give_no_figure():
    assert math.isnan(_ttm(months("2025-12", "2026-10", marketing_spend=1_000), "marketing_spend", OCT))
    assert math.isnan(_ttm(months("2026-10", "2026-10", marketing_spend=1_000), "marketing_spend", OCT))
    # a missing column is an empty window
    assert math.isnan(_ttm(months("2025-11", "2026-10", marketing_spend=1_000), "nothing", OCT))


def test_months_after_the_report_month_do_not_count():
    df = months("2025-11", "2027-03", marketing_spend={"2027-01": 99_999, **{str(p): 1_000 for p in
                                                        months("2025-11", "2026-10").index}})
    assert _ttm(df, "marketing_spend", OCT) == 12_000
