"""The period store's parts on hand-made inputs (metrics/store.py), values derived by hand.

The monthly inputs are replaced by hand frames (as in tests/kpi_fixtures.py), with per-channel frames where
segments matter: windows and fiscal years, segment rows and their comparisons, trend rows, quarterly and
monthly targets, the cohort acceptance with and without sales feedback, the ramp-up flag, reading a store
(figures, months back), the CLV cache and the wait for a runner that still writes the store.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pandas as pd
import pytest

from cmo_workbook.metrics import store
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.periods import Period
from kpi_fixtures import fixture_leads, kpi_month_frame, kpi_store, months, table_store

OCT = Period.parse("2026-10")


def _ds(frame, *, raw=None, company=None, leads=None, deals=None, channels=("web",)):
    return SimpleNamespace(params=SimpleNamespace(gross_margin=0.5, marketing_channels=list(channels), raw=raw or {},
                                                  company=company or {}),
                           leads=fixture_leads(frame) if leads is None else leads, deals=deals, tables={},
                           has=lambda name: name == "leads" or (name == "deals" and deals is not None))


def _build(monkeypatch, frame, per_channel=None, period=OCT, **kw):
    ds = _ds(frame, **{k: v for k, v in kw.items() if k in ("raw", "company", "leads", "deals")})
    monkeypatch.setattr(store, "monthly_inputs", lambda _ds: (frame, per_channel or {}))
    table = store.build(ds, period, cache_dir=kw.get("cache_dir"))
    return store.KpiStore(table, period, catalogue(ds.params.raw)), table


# ------------------------------------------------------------------------------------------------ windows


def test_fiscal_year_start_moves_the_year_to_date_window():
    ytd = {w.kind: w for w in store.base_windows(OCT, fy_start=4)}["ytd"]
    assert ytd.id == "2026-10/YTD" and ytd.fy_start == 4
    assert [str(p) for p in ytd.months] == [f"2026-{m:02d}" for m in range(4, 11)]
    assert all(w.fy_start == 4 for w in store.base_windows(OCT, fy_start=4))
    # the default fiscal year is the calendar year, for ids read back too
    assert str(store.parse_window("2026-10/YTD").months[0]) == "2026-01"
    assert store.parse_window("2026-Q3", 4) == store.Window("quarter", pd.Period("2026-09", freq="M"), 4)
    assert store.parse_window("2026-10/YTD", 4).months[0] == pd.Period("2026-04", freq="M")


def test_the_company_fiscal_year_reaches_the_stored_ytd_sum(monkeypatch):
    # spend 10 000 € a month: April to October are 7 months
    s, _ = _build(monkeypatch, kpi_month_frame(), company={"fiscal_year_start": 4})
    assert s.value("marketing_spend", window="2026-10/YTD") == 70_000
    # an empty fiscal_year_start is January, as without one
    s, _ = _build(monkeypatch, kpi_month_frame(), company={"fiscal_year_start": None})
    assert s.value("marketing_spend", window="2026-10/YTD") == 100_000


# ------------------------------------------------------------------------------------- segments and trends


def _per_channel():
    spend = pd.DataFrame({"web": [4_000.0] * 24, "fair": [6_000.0] * 24},
                         index=pd.period_range("2024-11", "2026-10", freq="M"))
    spend.loc[pd.Period("2026-09", freq="M"), "web"] = 1_000.0
    spend.loc[pd.Period("2025-10", freq="M"), "fair"] = 9_000.0
    # a channel without any spend row in the first months (a new channel): missing months are 0
    ql = pd.DataFrame({"web": [30] * 3}, index=pd.period_range("2026-08", "2026-10", freq="M"))
    return {"marketing_spend": spend, "qualified_leads": ql}


def test_segment_rows_carry_their_own_comparisons(monkeypatch):
    s, _ = _build(monkeypatch, kpi_month_frame(), _per_channel())
    web = s.figure("marketing_spend", "month", "channel=web")
    assert (web.value, web.prev_value, web.py_value) == (4_000.0, 1_000.0, 4_000.0)
    fair = s.figure("marketing_spend", "month", "channel=fair")
    assert (fair.value, fair.prev_value, fair.py_value) == (6_000.0, 6_000.0, 9_000.0)
    assert s.value("qualified_leads", "t12m", "channel=web") == 90.0
    assert s.value("qualified_leads", "month", "channel=fair") == 0.0  # no row: none, not missing
    # only segmented metrics get segment rows; every channel of any input is a segment
    assert s.segments("marketing_spend", "month") == ["channel=fair", "channel=web"]
    assert s.segments("leads", "month") == [] and s.segments("sql", "month") == []


def test_trend_rows_of_sums_ratios_and_rates_and_no_comparisons_on_them(monkeypatch):
    s, table = _build(monkeypatch, kpi_month_frame())
    # cost per qualified lead = 10 000 € / qualified leads: 2026-08 50, 2026-09 100, 2026-10 120
    assert s.months("cost_per_qualified_lead", 3).tolist() == pytest.approx([200.0, 100.0, 10_000 / 120])
    assert s.months("sales_acceptance_rate", 2).tolist() == [0.5, 0.5]
    trend = table[(table["metric"] == "qualified_leads") & (table["window"] == "2026-09")].iloc[0]
    assert (trend["prev_window"], trend["py_window"]) == ("", "")
    assert math.isnan(trend["prev_value"]) and math.isnan(trend["py_value"])


def test_months_reads_the_store_back_and_a_year_back():
    s = kpi_store()
    # qualified leads: 50 in 2026-08, 100 in 2026-09, 120 in 2026-10; 50 in 2025-09, 80 in 2025-10
    got = s.months("qualified_leads", 3)
    assert got.tolist() == [50.0, 100.0, 120.0] and got.name == "qualified_leads" and got.dtype == float
    assert list(got.index) == list(pd.period_range("2026-08", "2026-10", freq="M"))
    assert s.months("qualified_leads", 2, back=12).tolist() == [50.0, 80.0]
    assert len(s.months("qualified_leads")) == 13
    # months before the store's trend are missing, not zero
    assert math.isnan(s.months("qualified_leads", 30).iloc[0])
    quarterly = kpi_store(period="2026-Q3")
    assert quarterly.months("qualified_leads", 3).tolist() == [50.0, 50.0, 100.0]


# ------------------------------------------------------------------------------------------------ targets


def test_quarterly_targets_apply_to_the_quarter_and_monthly_ones_to_the_month():
    s = kpi_store(targets={"qualified_leads": 130, "quarterly": {"qualified_leads": 400}})
    assert s.figure("qualified_leads", "month").target == 130.0
    assert s.figure("qualified_leads", window="2026-Q3").target == 400.0
    assert math.isnan(s.figure("qualified_leads", "t12m").target)
    q = kpi_store(targets={"quarterly": {"clv_to_cac": 3}}, period="2026-Q3")
    assert q.figure("clv_to_cac", "quarter").target == 3.0
    # a monthly alias names the catalogue metric; ROMI's monthly target is for the trailing 12 months
    s = kpi_store(targets={"romi": 2.5, "mql_to_sql_rate": 0.4})
    assert s.figure("romi_all_orders", "t12m").target == 2.5 and s.figure("sales_acceptance_rate", "month").target == 0.4


def test_a_company_metric_from_params_is_stored_without_passing_the_catalogue(monkeypatch):
    raw = {"kpis": {"custom": [{"id": "cost_per_sql", "name_de": "Kosten je SQL", "name_en": "Cost per SQL",
                                "definition_de": "Kosten ÷ SQL.", "definition_en": "Cost ÷ SQL.",
                                "numerator": "marketing_spend", "denominator": "sql", "unit": "eur"}]}}
    s, _ = _build(monkeypatch, kpi_month_frame(), raw=raw)
    assert s.value("cost_per_sql", "month") == pytest.approx(10_000 / 60)


# ------------------------------------------------------------------------------------- acceptance, ramp-up


def test_acceptance_counts_marketing_cohorts_and_needs_sales_feedback(monkeypatch):
    frame = kpi_month_frame()
    leads = fixture_leads(frame)
    # an outbound lead with an MQL date, rejected in the month: not marketing's cohort
    extra = pd.DataFrame({"channel": ["outbound"], "mql_date": [pd.Timestamp("2026-10-05")], "sql_date": [pd.NaT],
                          "sales_feedback_date": [pd.Timestamp("2026-10-06")]})
    s, _ = _build(monkeypatch, frame, leads=pd.concat([leads, extra], ignore_index=True))
    f = s.figure("sales_acceptance_rate", "month")
    assert f.value == 0.5 and f.n == 120.0  # 60 accepted of 120 decided
    # without any feedback date a rejection is never seen: not measured, never 100 %
    s, _ = _build(monkeypatch, frame, leads=leads.assign(sales_feedback_date=pd.NaT))
    assert math.isnan(s.value("sales_acceptance_rate", "month"))
    s, _ = _build(monkeypatch, frame, leads=leads.drop(columns="sales_feedback_date"))
    assert math.isnan(s.value("sales_acceptance_rate", "month"))


def test_ramp_up_counts_from_the_later_of_monthly_data_and_first_deal(monkeypatch):
    # monthly data from 2024-11, first deal created 2025-06, ramp-up 9 months: mature from 2026-03
    deals = pd.DataFrame({"account_id": ["A"], "company": ["Alpha"], "status": ["won"], "amount": [1000.0],
                          "created_date": [pd.Timestamp("2025-06-10")], "close_date": [pd.Timestamp("2025-07-01")],
                          "channel": ["web"], "deal_type": ["new business"]})
    s, _ = _build(monkeypatch, kpi_month_frame(), deals=deals)
    assert s.figure("marketing_won_revenue", "month").reliable is True
    assert s.figure("romi_all_orders", "t12m").reliable is False  # starts 2025-11
    assert s.figure("marketing_won_revenue", "month").prev_value == 40_000  # 2026-09 is mature


def test_reliable_at_the_maturity_month_and_clv_looks_a_year_back():
    calc = object.__new__(store._Calc)
    calc.mature_from = pd.Period("2025-10", freq="M")
    calc.table_start = {}  # every export covers every month here (the export starts: the next test)
    cat = catalogue()
    month = lambda p: store.Window("month", pd.Period(p, freq="M"))  # noqa: E731
    asof = lambda p: store.Window("asof", pd.Period(p, freq="M"))  # noqa: E731
    assert calc.reliable(cat["marketing_won_revenue"], month("2025-10")) is True
    assert calc.reliable(cat["marketing_won_revenue"], month("2025-09")) is False
    assert calc.reliable(cat["leads"], month("2024-01")) is True  # not deal-based
    # the CLV as of a month's end rests on the year before it
    assert calc.reliable(cat["clv"], asof("2026-09")) is True
    assert calc.reliable(cat["clv"], asof("2026-08")) is False


def test_a_window_before_an_export_begins_has_no_value_and_is_unreliable():
    calc = object.__new__(store._Calc)
    calc.mature_from = None
    calc.table_start = {"leads": pd.Period("2025-06", freq="M")}  # the contacts export begins in June 2025
    cat = catalogue()
    month = lambda p: store.Window("month", pd.Period(p, freq="M"))  # noqa: E731
    assert calc.inputs_cover(cat["leads"], month("2025-06")) and calc.reliable(cat["leads"], month("2025-06"))
    assert not calc.inputs_cover(cat["leads"], month("2025-05")) and not calc.reliable(cat["leads"], month("2025-05"))
    assert math.isnan(calc.value(cat["leads"], month("2025-05")))  # no value, never 0
    # a table whose start is unknown does not hold a metric back
    assert calc.inputs_cover(cat["marketing_spend"], month("2024-01"))


def test_new_business_is_found_in_any_case_and_an_unknown_type_counts_as_new():
    deals = pd.DataFrame({"deal_type": ["New Business", "NEUKUNDE new", None, "Bestandskunde", "existing"]})
    assert store._is_new(deals).tolist() == [True, True, True, False, False]


# ------------------------------------------------------------------------------------------------ reading


def test_figure_carries_the_reliable_flag_and_names_what_is_missing():
    s = table_store([{"metric": "leads", "kind": "month", "value": 7}])
    f = s.figure("leads")
    assert f.reliable is True and math.isnan(f.n) and f.value == 7.0
    with pytest.raises(KeyError) as e:
        s.figure("sql")
    assert e.value.args[0] == ("the KPI store  has no sql for 2026-10; rebuild it with `cmo-workbook run` "
                               "(the runner computes the store before the notebooks)")
    with pytest.raises(KeyError, match=r"has no leads for 2026-10 channel=web; "):
        s.figure("leads", segment="channel=web")


def test_stored_unreliable_flag_reads_back_false(monkeypatch, tmp_path):
    deals = pd.DataFrame({"account_id": ["A"], "company": ["Alpha"], "status": ["won"], "amount": [1000.0],
                          "created_date": [pd.Timestamp("2025-06-10")], "close_date": [pd.Timestamp("2025-07-01")],
                          "channel": ["web"], "deal_type": ["new business"]})
    _, table = _build(monkeypatch, kpi_month_frame(), deals=deals, cache_dir=tmp_path)
    back = store.KpiStore(store.read(store.write(table, tmp_path, OCT)), OCT, catalogue())
    assert back.figure("romi_all_orders", "t12m").reliable is False
    assert back.figure("leads", "month").reliable is True
    # the CLV model's result is cached beside the history, keyed by the deals it was fitted on
    assert (tmp_path / "clv_cache.json").is_file()


# ------------------------------------------------------------------------------------------ waiting, cache


def test_wait_for_runner_returns_at_once_for_a_stale_or_unreadable_marker(tmp_path):
    marker = tmp_path / "kpis.csv.pending"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for text in (dead.stdout.strip(), "not a pid"):
        marker.write_text(text, encoding="utf-8")
        started = time.monotonic()
        store._wait_for_runner(marker, timeout=5.0)
        assert time.monotonic() - started < 2.0
    marker.write_text(str(os.getpid()), encoding="utf-8")  # alive: waits until the timeout
    started = time.monotonic()
    store._wait_for_runner(marker, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 3.0


def test_plan_targets_and_the_trend_of_company_actuals():
    from test_controlling_kpis import actuals_2026, plan_2026

    s = kpi_store(plan=plan_2026(), actuals=actuals_2026())
    # one plan column: its sum over the window; two: their ratio (40 000 / 160 000 a month)
    assert s.figure("company_order_intake", "month").target == 160_000.0
    assert s.figure("company_revenue", "quarter").target == 600_000.0
    assert s.figure("marketing_order_intake_share", "month").target == 0.25
    # company actuals are kept per month for the trend: 200 000 € order intake, 180 000 € revenue a month
    assert s.months("company_order_intake", 2).tolist() == [200_000.0, 200_000.0]
    assert s.months("company_revenue", 3).tolist() == [180_000.0] * 3
