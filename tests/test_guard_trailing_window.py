"""Guards the trailing 12-month window of the ROMI tile: months ``p-11 .. p``, exactly twelve.

Mutation it catches: a window of 13 months (old ``index > p - 12`` → ``index >= p - 12``, so the tile
went blank), and a window that sums fewer or other months. Since issue 17 the window is the period
store's ``t12m`` :class:`~cmo_workbook.metrics.store.Window` (``2026-10/T12M``), summed by the store.
"""
import math

import pandas as pd
import pytest

from cmo_workbook.metrics.store import Window
from kpi_fixtures import kpi_month_frame, kpi_store, months

OCT = pd.Period("2026-10", freq="M")


def test_t12m_window_is_the_twelve_months_up_to_the_report_month():
    w = Window("t12m", OCT)
    assert list(w.months) == list(pd.period_range("2025-11", "2026-10", freq="M"))
    assert w.id == "2026-10/T12M"
    assert w.start == pd.Timestamp("2025-11-01") and w.stop == pd.Timestamp("2026-11-01")


def test_window_is_the_twelve_months_up_to_the_report_month():
    f = kpi_store(kpi_month_frame()).figure("marketing_won_revenue", "t12m")
    # 2025-11 .. 2026-10 = 12 × 40 000; the 1 000 000 of 2025-10 lies outside
    assert f.value == 480_000
    # one month earlier the window 2025-10 .. 2026-09 holds the 1 000 000 and 11 × 40 000
    assert f.prev_window == "2026-09/T12M"
    assert f.prev_value == 1_000_000 + 11 * 40_000


def test_exactly_twelve_months_of_data_is_enough():
    df = months("2025-11", "2026-10", marketing_spend=1_000, marketing_won_revenue=5_000)
    s = kpi_store(df, margin=0.5)
    assert s.value("marketing_spend", "t12m") == 12_000
    assert s.value("romi_all_orders", "t12m") == pytest.approx((12 * 5_000 * 0.5 - 12_000) / 12_000)


def test_eleven_months_or_one_month_give_no_figure():
    assert math.isnan(kpi_store(months("2025-12", "2026-10", marketing_spend=1_000)).value("marketing_spend", "t12m"))
    assert math.isnan(kpi_store(months("2026-10", "2026-10", marketing_spend=1_000)).value("marketing_spend", "t12m"))
    # a missing column is an empty window
    assert math.isnan(kpi_store(months("2025-11", "2026-10", marketing_spend=1_000))
                      .value("marketing_won_revenue", "t12m"))


def test_months_after_the_report_month_do_not_count():
    df = months("2025-11", "2027-03", marketing_spend={"2027-01": 99_999, **{str(p): 1_000 for p in
                                                        months("2025-11", "2026-10").index}})
    assert kpi_store(df).value("marketing_spend", "t12m") == 12_000
