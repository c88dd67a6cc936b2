"""Guards the simple CLV of the KPI memo: yearly won revenue per customer × gross margin × lifetime, and CLV:CAC.

Mutation it catches: CLV without the margin (the memo then showed 299 instead of 114 Tsd. € and a
ratio of 42,5 instead of 16,1 : 1), and a 12-month window that includes the period end or drops its start.
"""
import math

import pandas as pd
import pytest

from cmo_workbook.memos.kpi_dashboard import clv_simple
from cmo_workbook.periods import Period

OCT = Period.parse("2026-10")  # end = 2026-11-01, window [2025-11-01, 2026-11-01)


def _deals():
    return pd.DataFrame({
        "deal_id": ["D1", "D2", "D3", "D4", "D5", "D6"],
        "account_id": ["A", "A", "B", None, "C", "D"],
        "company": ["Alpha", "Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "status": ["won", "won", "won", "won", "lost", "won"],
        "amount": [20_000.0, 10_000.0, 30_000.0, 20_000.0, 99_000.0, 77_000.0],
        "close_date": pd.to_datetime(["2025-11-01", "2026-10-31", "2026-03-15", "2026-06-01", "2026-05-01",
                                      "2026-11-01"]),
    })


def test_clv_is_revenue_per_customer_times_margin_times_lifetime():
    r = clv_simple(_deals(), OCT, gross_margin=0.4, lifetime_years=5, marketing_spend_12m=60_000,
                   new_customers_12m=3)
    # won in the window: A 20 000 (on the first day) + 10 000, B 30 000, Gamma 20 000 (no account id:
    # counted by company); the lost deal and the deal won on 2026-11-01 (after the period) do not count
    assert r["customers"] == 3
    assert r["revenue_per_customer"] == pytest.approx(80_000 / 3)
    assert r["clv"] == pytest.approx(80_000 / 3 * 0.4 * 5)
    assert r["cac"] == pytest.approx(20_000)
    assert r["ratio"] == pytest.approx(80_000 / 3 * 0.4 * 5 / 20_000)


def test_without_new_customers_there_is_no_cac_and_no_ratio():
    r = clv_simple(_deals(), OCT, 0.4, 5, 60_000, 0)
    assert math.isnan(r["cac"]) and math.isnan(r["ratio"])


def test_no_won_deal_in_the_window_gives_no_clv():
    r = clv_simple(_deals(), Period.parse("2024-10"), 0.4, 5, 60_000, 3)
    assert r["customers"] == 0
    assert math.isnan(r["clv"]) and math.isnan(r["revenue_per_customer"])


def test_without_account_ids_customers_are_companies():
    r = clv_simple(_deals().drop(columns="account_id"), OCT, 0.5, 2, 10_000, 1)
    assert r["customers"] == 3
    assert r["clv"] == pytest.approx(80_000 / 3 * 0.5 * 2)
    assert r["ratio"] == pytest.approx(80_000 / 3 * 0.5 * 2 / 10_000)


def test_customers_are_accounts_and_the_window_is_twelve_months():
    deals = pd.DataFrame({
        "account_id": ["M1", "M2", "M1", "M3"], "company": ["Müller AG", "Müller AG", "Müller AG", "Old GmbH"],
        "status": ["won"] * 4, "amount": [10_000.0, 20_000.0, 30_000.0, 50_000.0],
        "close_date": pd.to_datetime(["2025-11-01", "2026-01-01", "2026-10-31", "2025-10-31"]),
    })
    r = clv_simple(deals, OCT, 0.5, 1, 1.0, 1)
    # two plants of one company with their own accounts are two customers; the deal of 2025-10-31 is 12 months
    # and one day before the period end: outside
    assert r["customers"] == 2 and r["revenue_per_customer"] == 30_000
