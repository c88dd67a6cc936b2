"""Guards the comparisons of each KPI tile: previous month ``p-1`` and the same month last year ``p-12``.

Mutation it catches: year-ago comparison ``p - 12`` → ``p - 11`` (the memo then read "−36 %" instead of
"−5 % ggü. Vorjahr"), and the previous month taken from another month. Since issue 17 the comparisons
are the period store's ``prev``/``py`` windows (:func:`cmo_workbook.metrics.store.comparison_windows`),
which the memo's :class:`~cmo_workbook.memos.kpi_dashboard.Kpi` reads as ``previous``/``year_ago``.
"""
import math

import pandas as pd
import pytest

from cmo_workbook.memos.kpi_dashboard import compute
from cmo_workbook.metrics.store import Window, comparison_windows
from kpi_fixtures import kpi_month_frame, kpi_store


def _kpis(**kw):
    return {k.key: k for k in compute(kpi_store(kpi_month_frame(), {"qualified_leads": 110}, margin=0.5, **kw))}


def test_comparison_windows_are_one_month_and_twelve_months_back():
    oct_ = pd.Period("2026-10", freq="M")
    prev, py = comparison_windows(Window("month", oct_))
    assert (prev.id, py.id) == ("2026-09", "2025-10")
    prev, py = comparison_windows(Window("t12m", oct_))
    assert (prev.id, py.id) == ("2026-09/T12M", "2025-10/T12M")
    assert list(py.months) == list(pd.period_range("2024-11", "2025-10", freq="M"))


def test_count_kpi_compares_with_previous_month_and_same_month_last_year():
    ql = _kpis()["qualified_leads"]
    assert (ql.value, ql.previous, ql.year_ago, ql.target) == (120, 100, 80, 110)


def test_money_and_rate_kpis_use_the_same_months():
    k = _kpis()
    assert (k["marketing_pipeline_value"].value, k["marketing_pipeline_value"].previous,
            k["marketing_pipeline_value"].year_ago) == (300_000, 250_000, 200_000)
    # acceptance (issue 17: per MQL cohort) = accepted / decided of the month's MQLs: 60/120 now, 50/100 a month
    # ago, 40/80 a year ago (kpi_fixtures.fixture_leads)
    acc = k["sales_acceptance_rate"]
    assert (acc.value, acc.previous, acc.year_ago) == (0.5, 0.5, 0.5)
    assert k["cost_per_qualified_lead"].value == pytest.approx(10_000 / 120)
    assert k["cost_per_qualified_lead"].previous == pytest.approx(10_000 / 100)
    assert k["cost_per_qualified_lead"].year_ago == pytest.approx(10_000 / 80)
    assert k["cost_per_qualified_lead"].higher_is_better is False
    assert k["marketing_won_revenue"].extra["share"].value == 0.5


def test_acceptance_year_ago_is_the_cohort_of_the_same_month_last_year():
    # a distinct acceptance in each of the three months: 2026-10 60/120, 2026-09 30/100, 2025-10 20/80, 2025-11 54/60
    frame = kpi_month_frame()
    frame.loc[pd.Period("2026-09", freq="M"), "sql"] = 30
    frame.loc[pd.Period("2025-10", freq="M"), "sql"] = 20
    frame.loc[pd.Period("2025-11", freq="M"), "sql"] = 54
    acc = {k.key: k for k in compute(kpi_store(frame))}["sales_acceptance_rate"]
    assert (acc.value, acc.previous, acc.year_ago) == (0.5, 0.3, 0.25)
    assert acc.year_ago == pytest.approx(20 / 80)


def test_romi_year_ago_window_ends_twelve_months_earlier():
    romi = _kpis(ramp_up_months=0)["romi_all_orders"]
    # previous month: window 2025-10 .. 2026-09 = 1 000 000 + 11 × 40 000 revenue
    assert romi.previous == pytest.approx((0.5 * (1_000_000 + 11 * 40_000) - 120_000) / 120_000)
    # year ago: window 2024-11 .. 2025-10 = 11 × 24 000 + 1 000 000 revenue
    assert romi.year_ago == pytest.approx((0.5 * (11 * 24_000 + 1_000_000) - 120_000) / 120_000)


def test_romi_comparison_inside_the_ramp_up_is_left_out():
    # data starts 2024-11; with 9 ramp-up months (the catalogue default) a 12-month window must start in 2025-08 or later
    romi = _kpis()["romi_all_orders"]
    assert math.isnan(romi.year_ago)  # window starts 2024-11
    assert romi.previous == pytest.approx(5.0)  # window starts 2025-10
    # ramp-up of 11 months: 2024-11 + 11 = 2025-10, the previous month's window start, still mature
    assert _kpis(ramp_up_months=11)["romi_all_orders"].previous == pytest.approx(5.0)
    assert math.isnan(_kpis(ramp_up_months=12)["romi_all_orders"].previous)
