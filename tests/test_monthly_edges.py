"""Edges of metrics/monthly.py found by mutation testing: cost per qualified lead per channel divides (two leads
in a channel), the channel window is half-open, and the first month each metric's input tables all cover."""
from __future__ import annotations

import pandas as pd

from cmo_workbook.inputs.loaders import Dataset
from cmo_workbook.metrics.monthly import by_channel, covered_from

D = pd.Timestamp


def _leads():
    return pd.DataFrame({
        "lead_id": ["L1", "L2", "L3"], "channel": ["paid_search", "paid_search", "paid_search"],
        "created_date": pd.to_datetime(["2026-09-20", "2026-10-02", "2026-10-20"]),
        # L3 is qualified on the first instant after the window: it belongs to November
        "mql_date": pd.to_datetime(["2026-10-01", "2026-10-03", "2026-11-01"]),
    })


def _spend():
    return pd.DataFrame({"date": pd.to_datetime(["2026-03-15", "2026-10-01"]), "channel": ["paid_search"] * 2,
                         "cost": [50.0, 300.0]})


def test_cost_per_qualified_lead_per_channel_divides_and_the_window_is_half_open():
    df = by_channel(Dataset(params=None, tables={"leads": _leads(), "spend": _spend()}, sources=[]),
                    D("2026-10-01"), D("2026-11-01"))
    assert df.loc["paid_search", "qualified_leads"] == 2
    assert df.loc["paid_search", "cost_per_qualified_lead"] == 150.0  # 300 € / 2 leads


def test_covered_from_is_the_latest_first_month_of_a_metrics_tables():
    deals = pd.DataFrame({"deal_id": ["D1"], "created_date": pd.to_datetime(["2026-05-10"])})
    leads = _leads().assign(created_date=pd.to_datetime(["2025-11-20", "2026-10-02", "2026-10-20"]))
    ds = Dataset(params=None, tables={"leads": leads, "spend": _spend(), "deals": deals}, sources=[])
    got = covered_from(ds, ["qualified_leads", "marketing_spend", "cost_per_qualified_lead", "won_revenue", "romi_all_orders"])
    assert got == {"qualified_leads": pd.Period("2025-11", freq="M"), "marketing_spend": pd.Period("2026-03", freq="M"),
                   "cost_per_qualified_lead": pd.Period("2026-03", freq="M"),  # spend and leads: the later
                   "won_revenue": pd.Period("2026-05", freq="M"),
                   "romi_all_orders": pd.Period("2026-05", freq="M")}  # deals and spend: the later; sql not asked
    # a table without its date column, or with no date at all, covers nothing
    empty = Dataset(params=None, tables={"leads": leads.assign(created_date=pd.NaT),
                                         "spend": _spend().drop(columns="date")}, sources=[])
    assert covered_from(empty, ["qualified_leads", "marketing_spend"]) == {}


def test_a_month_without_any_row_is_there_and_spend_without_leads_has_no_cost_per_lead():
    from cmo_workbook.metrics.monthly import monthly

    # September has no row in any table; October has spend but no lead
    leads = pd.DataFrame({"lead_id": ["L1", "L2"], "channel": ["paid_search"] * 2,
                          "created_date": pd.to_datetime(["2026-08-05", "2026-11-05"]),
                          "mql_date": pd.to_datetime(["2026-08-06", "2026-11-06"]), "sql_date": pd.NaT})
    spend = pd.DataFrame({"date": pd.to_datetime(["2026-08-01", "2026-10-01"]), "channel": ["paid_search"] * 2,
                          "cost": [100.0, 200.0]})
    m = monthly(Dataset(params=None, tables={"leads": leads, "spend": spend}, sources=[]),
                marketing_channels=["paid_search"])
    assert [str(p) for p in m.index] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert m["qualified_leads"].tolist() == [1, 0, 0, 1] and m["marketing_spend"].tolist() == [100, 0, 200, 0]
    cpl = m["cost_per_qualified_lead"].tolist()
    assert cpl[0] == 100.0 and pd.isna(cpl[1]) and pd.isna(cpl[2]) and cpl[3] == 0.0  # 200 € and no lead: not inf
    # every monthly column of leads and spend, both first dated in August
    aug = pd.Period("2026-08", freq="M")
    assert m.attrs["covered_from"] == {k: aug for k in ("leads", "qualified_leads", "qualified_leads_web", "sql",
                                                        "marketing_spend", "cost_per_qualified_lead")}


class _HeldTouchpoints:
    """Stands in for an engine-held table (inputs.engine_table.EngineTable): only its profile's first date."""

    def __init__(self, first):
        self.first = first


def test_a_table_held_in_the_engine_starts_with_its_profiles_first_date():
    from cmo_workbook.metrics.monthly import table_starts

    ds = Dataset(params=None, tables={"spend": _spend()}, sources=[],
                 engine={"touchpoints": _HeldTouchpoints(pd.Timestamp("2025-07-14 08:30"))})
    assert table_starts(ds) == {"spend": pd.Period("2026-03", freq="M"), "touchpoints": pd.Period("2025-07", freq="M")}
    # an engine table without any date starts nowhere
    ds.engine["touchpoints"] = _HeldTouchpoints(pd.NaT)
    assert table_starts(ds) == {"spend": pd.Period("2026-03", freq="M")}


def test_a_table_the_schema_does_not_know_is_skipped_not_the_end():
    from cmo_workbook.metrics.monthly import table_starts

    # dicts keep their order: the unknown table comes first, the spend after it still counts
    ds = Dataset(params=None, tables={"aaa_notes": pd.DataFrame({"date": [D("2020-01-01")]}), "spend": _spend()},
                 sources=[])
    assert table_starts(ds) == {"spend": pd.Period("2026-03", freq="M")}
