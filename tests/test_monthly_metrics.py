"""Unit tests of :mod:`cmo_workbook.metrics.monthly`, the one home of the memo's monthly figures.

Hand fixture (marketing channels: paid_search, organic_search, events, direct; sales_outbound is not):

leads  L1 paid_search  created 09-20, MQL 10-01, SQL 10-15
       L2 organic      created 10-02, MQL 10-03
       L3 events       created 10-05, MQL 11-02, SQL 11-03
       L4 outbound     created 10-06, MQL 10-07, SQL 10-08   (not marketing)
       L5 direct       created 08-31 23:59, MQL 10-31 23:59
spend  10-01 paid_search 300, 10-31 events 600, 11-01 paid_search 100
deals  D1 paid_search new business 10 000 created 10-10 won 10-20
       D2 outbound existing business 50 000 created 10-11 won 10-25
       D3 events 20 000 created 09-01 lost 10-02
       D4 organic 5 000 created 10-12 open
       D5 direct (no deal type) 7 000 created 11-01 won 11-30
"""
import math

import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import Dataset
from cmo_workbook.metrics.monthly import by_channel, monthly, spend_by_channel

MKT = ["paid_search", "organic_search", "events", "direct"]
D = pd.Timestamp


def _leads():
    return pd.DataFrame({
        "lead_id": ["L1", "L2", "L3", "L4", "L5"],
        "channel": ["paid_search", "organic_search", "events", "sales_outbound", "direct"],
        "created_date": pd.to_datetime(["2026-09-20", "2026-10-02", "2026-10-05", "2026-10-06", "2026-08-31 23:59"], format="ISO8601"),
        "mql_date": pd.to_datetime(["2026-10-01", "2026-10-03", "2026-11-02", "2026-10-07", "2026-10-31 23:59"], format="ISO8601"),
        "sql_date": pd.to_datetime(["2026-10-15", None, "2026-11-03", "2026-10-08", None]),
    })


def _spend():
    return pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-31", "2026-11-01"]),
                         "channel": ["paid_search", "events", "paid_search"], "cost": [300.0, 600.0, 100.0]})


def _deals():
    return pd.DataFrame({
        "deal_id": ["D1", "D2", "D3", "D4", "D5"],
        "channel": ["paid_search", "sales_outbound", "events", "organic_search", "direct"],
        "created_date": pd.to_datetime(["2026-10-10", "2026-10-11", "2026-09-01", "2026-10-12", "2026-11-01"]),
        "close_date": pd.to_datetime(["2026-10-20", "2026-10-25", "2026-10-02", None, "2026-11-30"]),
        "status": ["won", "won", "lost", "open", "won"],
        "amount": [10_000.0, 50_000.0, 20_000.0, 5_000.0, 7_000.0],
        "deal_type": ["New Business", "Existing Business", "New Business", None, None],
    })


def _ds(**tables):
    return Dataset(params=None, tables=tables, sources=[])


# function scope on purpose: mutmut maps each test to the functions it calls, and a module-scoped
# fixture would tie monthly() to the first test only (cheap to recompute)
@pytest.fixture
def m():
    return monthly(_ds(leads=_leads(), spend=_spend(), deals=_deals()), marketing_channels=MKT)


def _col(m, name):
    return {str(p): v for p, v in m[name].items()}


def test_months_cover_the_whole_data_range(m):
    assert [str(p) for p in m.index] == ["2026-08", "2026-09", "2026-10", "2026-11"]


def test_lead_counts_by_their_own_date(m):
    assert _col(m, "leads") == {"2026-08": 1, "2026-09": 1, "2026-10": 3, "2026-11": 0}
    # marketing channels only, counted in the month of the MQL date
    assert _col(m, "qualified_leads") == {"2026-08": 0, "2026-09": 0, "2026-10": 3, "2026-11": 1}
    assert _col(m, "qualified_leads_web") == {"2026-08": 0, "2026-09": 0, "2026-10": 3, "2026-11": 0}
    assert _col(m, "sql") == {"2026-08": 0, "2026-09": 0, "2026-10": 1, "2026-11": 1}


def test_spend_and_cost_per_qualified_lead(m):
    assert _col(m, "marketing_spend") == {"2026-08": 0, "2026-09": 0, "2026-10": 900, "2026-11": 100}
    cpl = _col(m, "cost_per_qualified_lead")
    assert (cpl["2026-10"], cpl["2026-11"]) == (300, 100)
    assert math.isnan(cpl["2026-08"])  # no qualified lead: no cost per lead, not 0 and not inf


def test_pipeline_revenue_share_and_new_customers(m):
    assert _col(m, "marketing_pipeline_value") == {"2026-08": 0, "2026-09": 20_000, "2026-10": 15_000, "2026-11": 7_000}
    assert _col(m, "won_revenue") == {"2026-08": 0, "2026-09": 0, "2026-10": 60_000, "2026-11": 7_000}
    assert _col(m, "marketing_won_revenue") == {"2026-08": 0, "2026-09": 0, "2026-10": 10_000, "2026-11": 7_000}
    share = _col(m, "marketing_revenue_share")
    assert share["2026-10"] == pytest.approx(10_000 / 60_000) and share["2026-11"] == 1.0
    assert math.isnan(share["2026-09"])
    # existing business is not a new customer; a won deal without a deal type counts as new
    assert _col(m, "new_customers") == {"2026-08": 0, "2026-09": 0, "2026-10": 1, "2026-11": 1}


def test_leads_only_no_spend_or_deal_columns():
    m = monthly(_ds(leads=_leads()), marketing_channels=MKT)
    assert "marketing_spend" not in m and "cost_per_qualified_lead" not in m and "won_revenue" not in m
    assert _col(m, "qualified_leads")["2026-10"] == 3


def test_marketing_channels_default_to_params():
    class P:
        marketing_channels = ["events"]

    m = monthly(Dataset(params=P(), tables={"leads": _leads()}, sources=[]))
    assert _col(m, "qualified_leads") == {"2026-08": 0, "2026-09": 0, "2026-10": 0, "2026-11": 1}


def test_spend_by_channel_window_is_half_open():
    s = spend_by_channel(_spend(), D("2026-10-01"), D("2026-11-01"))
    assert s.to_dict() == {"events": 600.0, "paid_search": 300.0}
    assert spend_by_channel(_spend(), D("2026-10-02"), D("2026-11-02")).to_dict() == {"events": 600.0, "paid_search": 100.0}


def test_by_channel_in_a_month():
    df = by_channel(_ds(leads=_leads(), spend=_spend()), D("2026-10-01"), D("2026-11-01"))
    assert list(df.index) == ["direct", "events", "organic_search", "paid_search", "sales_outbound"]
    assert df["qualified_leads"].to_dict() == {"direct": 1, "events": 0, "organic_search": 1, "paid_search": 1,
                                               "sales_outbound": 1}
    assert df["spend"].to_dict() == {"direct": 0, "events": 600, "organic_search": 0, "paid_search": 300,
                                     "sales_outbound": 0}
    assert df.loc["paid_search", "cost_per_qualified_lead"] == 300
    assert df.loc["direct", "cost_per_qualified_lead"] == 0
    assert math.isnan(df.loc["events", "cost_per_qualified_lead"])
    no_spend = by_channel(_ds(leads=_leads()), D("2026-10-01"), D("2026-11-01"))
    assert list(no_spend.columns) == ["qualified_leads"]
