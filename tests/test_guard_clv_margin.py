"""Guards the CLV of the KPI memo and CLV:CAC: the customer value is contribution margin, not revenue.

Mutation it catches: CLV without the margin (the memo then showed 299 instead of 114 Tsd. € and a
ratio of 42,5 instead of 16,1 : 1), and a window that includes the period end. Since issue 17 CLV is one
model (:func:`cmo_workbook.metrics.clv.customer_value`: BG/NBD + Gamma-Gamma, falling back to the
historical cohort margin when the fit does not converge) and CLV:CAC is the store's ``clv_to_cac``.
The old simple CLV (revenue per customer × margin × lifetime) is gone; the hand derivations below are
of the historical fallback (no repeat buyer: the BG/NBD fit cannot converge) and of the model's
linearity in the margin.
"""
import math

import pandas as pd
import pytest

from cmo_workbook.metrics import clv
from kpi_fixtures import kpi_store, months

AS_OF = pd.Timestamp("2026-11-01")  # end of 2026-10


def _deals():
    # one won deal per customer, all acquired in 2025-Q1 (cohort fully observed for a year by 2026-03-31);
    # the lost deal and the deal won on 2026-11-01 (after the period end) do not count
    return pd.DataFrame({
        "deal_id": ["D1", "D2", "D3", "D4", "D5"],
        "account_id": ["A", "B", None, "C", "D"],
        "company": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "status": ["won", "won", "won", "lost", "won"],
        "amount": [20_000.0, 30_000.0, 10_000.0, 99_000.0, 77_000.0],
        "close_date": pd.to_datetime(["2025-01-15", "2025-02-10", "2025-03-01", "2025-02-01", "2026-11-01"]),
        "created_date": pd.to_datetime(["2024-12-01", "2025-01-05", "2025-01-20", "2025-01-10", "2026-10-01"]),
    })


def test_historical_customer_value_is_margin_per_customer():
    r = clv.customer_value(_deals(), AS_OF, 0.4)
    # nobody bought twice: the model falls back to the cohort value = mean margin of the first year
    # (20 000 + 30 000 + 10 000) / 3 customers × 40 % = 8 000 (without the margin it would be 20 000)
    assert r["method"] == "historical"
    assert r["clv"] == pytest.approx(60_000 / 3 * 0.4)
    assert clv.customer_value(_deals(), AS_OF, 0.25)["clv"] == pytest.approx(60_000 / 3 * 0.25)


def test_probabilistic_customer_value_is_proportional_to_the_margin():
    bg = clv.BGNBDParams(r=0.5, alpha=5.0, a=0.8, b=2.5, loglik=float("nan"))
    gg = clv.GammaGammaParams(p=6.0, q=4.0, v=15.0)
    summary = pd.DataFrame({"frequency": [2.0, 1.0], "recency": [30.0, 10.0], "T": [40.0, 40.0],
                            "monetary_value": [20.0, 50.0]}, index=["x", "y"])
    full = clv.clv_probabilistic(summary, bg, gg, horizon_months=12, margin_rate=1.0)
    part = clv.clv_probabilistic(summary, bg, gg, horizon_months=12, margin_rate=0.4)
    # margin is a factor of every month's expected order value: 40 % of the margin-1 value
    assert (full > 0).all()
    assert part.to_numpy() == pytest.approx(0.4 * full.to_numpy(), rel=1e-12)


def test_clv_to_cac_of_the_store_uses_the_margin_clv():
    frame = months("2024-11", "2026-10", marketing_spend=10_000, new_customers_marketing=1)
    s = kpi_store(frame, margin=0.4, deals=_deals())
    # CLV at the end of 2026-10: 8 000 (above); CAC over 12 months: 120 000 € / 12 new customers = 10 000 €
    assert s.value("clv", "asof") == pytest.approx(8_000)
    assert s.value("cac", "t12m") == pytest.approx(10_000)
    assert s.value("clv_to_cac", "t12m") == pytest.approx(0.8)
    # margin 50 %: CLV 10 000, ratio 1.0
    assert kpi_store(frame, margin=0.5, deals=_deals()).value("clv_to_cac", "t12m") == pytest.approx(1.0)


def test_without_new_customers_there_is_no_cac_and_no_ratio():
    frame = months("2024-11", "2026-10", marketing_spend=10_000, new_customers_marketing=0)
    s = kpi_store(frame, margin=0.4, deals=_deals())
    assert math.isnan(s.value("cac", "t12m")) and math.isnan(s.value("clv_to_cac", "t12m"))


def test_no_won_deal_before_the_period_end_gives_no_clv():
    r = clv.customer_value(_deals(), pd.Timestamp("2025-01-01"), 0.4)
    assert math.isnan(r["clv"])


def test_customers_are_accounts_or_companies():
    deals = _deals()
    assert clv.customer_value(deals, AS_OF, 0.4)["clv"] == pytest.approx(8_000)
    # without account ids the companies are the customers: the same three
    assert clv.customer_value(deals.drop(columns="account_id"), AS_OF, 0.4)["clv"] == pytest.approx(8_000)
    # a second account of the company Alpha is a fourth customer: (20 000 + 30 000 + 10 000 + 40 000) / 4
    more = pd.concat([deals, pd.DataFrame({"deal_id": ["D6"], "account_id": ["A2"], "company": ["Alpha"],
                                           "status": ["won"], "amount": [40_000.0],
                                           "close_date": pd.to_datetime(["2025-03-20"]),
                                           "created_date": pd.to_datetime(["2025-03-01"])})], ignore_index=True)
    assert clv.customer_value(more, AS_OF, 0.5)["clv"] == pytest.approx(100_000 / 4 * 0.5)
