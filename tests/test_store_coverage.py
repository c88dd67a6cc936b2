"""Months an export does not cover are not zeros (#11): a contacts export that begins after the deals and the spend
leaves the KPI store's inquiry figures of the months before it empty and unreliable, and the KPI memo's chart draws
no column there. Figures derived from the sample by plain pandas in the test."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics import store
from cmo_workbook.metrics.monthly import table_starts
from cmo_workbook.periods import Period

LATE = pd.Timestamp("2025-06-01")  # the contacts export begins here; deals and spend go back to Nov/Dec 2024


@pytest.fixture(scope="module")
def late(sample_dir, tmp_path_factory):
    ds = load_dataset(load_params("params/example.yaml"), ["leads", "deals", "spend"])
    leads = ds.tables["leads"]
    ds.tables["leads"] = leads[leads["created_date"] >= LATE].reset_index(drop=True)
    period = Period.parse("2026-03")
    table = store.build(ds, period, cache_dir=tmp_path_factory.mktemp("cache"))
    return ds, store.KpiStore(table, period, store.catalogue(ds.params.raw))


def _row(kpis: store.KpiStore, metric: str, window: str) -> pd.Series:
    t = kpis.table
    return t[(t["metric"] == metric) & (t["window"] == window) & (t["segment"] == "")].iloc[0]


def test_months_before_the_contacts_export_are_not_covered_not_zero(late):
    ds, kpis = late
    assert table_starts(ds)["leads"] == pd.Period("2025-06", "M") and table_starts(ds)["spend"] < pd.Period("2025-06", "M")
    for month in ("2025-03", "2025-05"):
        for metric in ("qualified_leads", "leads", "cost_per_qualified_lead"):
            row = _row(kpis, metric, month)
            assert math.isnan(row["value"]) and not row["reliable"], (metric, month)
        # the spend export covers the month: its cost stays, a real figure
        spend = ds.spend
        cost = spend.loc[spend["date"].dt.to_period("M") == pd.Period(month, "M"), "cost"].sum()
        row = _row(kpis, "marketing_spend", month)
        assert cost > 0 and row["value"] == pytest.approx(cost) and row["reliable"]
    # from the export's first month on, the inquiries are counted as before (plain pandas on the same leads)
    mkt = ds.leads[ds.leads["channel"].isin(ds.params.marketing_channels) & ds.leads["mql_date"].notna()]
    june = int((mkt["mql_date"].dt.to_period("M") == pd.Period("2025-06", "M")).sum())
    assert june > 0 and _row(kpis, "qualified_leads", "2025-06")["value"] == june
    # a window reaching before the export (12 months to March 2026 start in April 2025) has no value either
    assert math.isnan(kpis.value("qualified_leads", "t12m")) and not kpis.figure("qualified_leads", "t12m").reliable
    assert kpis.value("qualified_leads", "month") > 0  # March 2026 itself is covered
    # the store's month series for the chart: NaN before June 2025, never 0
    series = kpis.months("qualified_leads", 13)  # Mar 2025 – Mar 2026
    assert series[:3].isna().all() and (series[3:] > 0).all()


def test_the_leads_chart_draws_no_column_where_the_store_has_no_value(late):
    from cmo_workbook.render import charts

    _, kpis = late
    # the KPI memo's chart (memos.kpi_dashboard.leads_chart) on the store's series: Mar 2025 – Mar 2026 and a year before
    ql, ql_py = kpis.months("qualified_leads", 13), kpis.months("qualified_leads", 13, back=12)
    fig = charts.columns_ac_py([p.start_time for p in ql.index], ql.to_numpy(), ql_py.to_numpy(), title="t",
                               subtitle="s", lang="de")
    bars = {gid: [b for b in fig.axes[0].patches if b.get_gid() == gid] for gid in ("AC", "PY")}
    # 10 covered months (Jun 2025 – Mar 2026) drawn; the three before the export get no column, not one of height 0;
    # a year earlier (Mar 2024 – Mar 2025) nothing is covered: no previous-year column at all
    assert len(bars["AC"]) == 10 and all(b.get_height() > 0 for b in bars["AC"]) and bars["PY"] == []
    assert "0" not in [t.get_text() for t in fig.axes[0].texts]
