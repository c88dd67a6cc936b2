"""CLV models against the published CDNOW results and hand-computed values."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.metrics import clv
from cmo_workbook.errors import DataError

CDNOW = Path(__file__).parent / "data" / "cdnow_customers_summary.csv"


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW).set_index("ID")


@pytest.fixture(scope="module")
def cdnow_bg(cdnow) -> clv.BGNBDParams:
    return clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_bgnbd_fit_reproduces_fader_hardie_lee_2005(cdnow_bg):
    # FHL 2005, Marketing Science, section 5: r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4
    assert (sig3(cdnow_bg.r), sig3(cdnow_bg.alpha), sig3(cdnow_bg.a), sig3(cdnow_bg.b)) == (
        0.243, 4.41, 0.793, 2.43)
    assert cdnow_bg.alpha == pytest.approx(4.414, abs=5e-4)
    assert cdnow_bg.b == pytest.approx(2.426, abs=5e-4)
    assert cdnow_bg.loglik == pytest.approx(-9582.4, abs=0.05)


def test_bgnbd_conditional_expectation_matches_paper(cdnow_bg):
    # FHL 2005: customer with x=2, t_x=30.43, T=38.86 expects 1.226 purchases in the next 39 weeks
    value = clv.expected_purchases(cdnow_bg, 39, [2], [30.43], [38.86])[0]
    assert value == pytest.approx(1.226, abs=5e-4)


def test_gamma_gamma_fit_reproduces_published_cdnow_values(cdnow):
    # Published (FHL 2005, JMR): p=6.25, q=3.74, gamma=15.44 on the 946 repeat customers;
    # lifetimes' docs print v=15.45 on this very file. Both round to 15.4 at 3 significant
    # digits; the fit gives 15.448.
    repeat = cdnow[cdnow["frequency"] > 0]
    assert len(repeat) == 946
    gg = clv.fit_gamma_gamma(cdnow["frequency"], cdnow["monetary_value"])
    assert (sig3(gg.p), sig3(gg.q), sig3(gg.v)) == (6.25, 3.74, 15.4)
    assert gg.v == pytest.approx(15.45, abs=0.01)


def test_bgnbd_likelihood_by_hand():
    # r=2, alpha=3, a=1, b=2, x=2, t_x=4, T=6:
    #   Γ(r+x)/Γ(r) * α^r = Γ(4)/Γ(2) * 9 = 54;  B(1,2)=1/2, B(1,4)=1/4, B(2,3)=1/12
    #   L = (1/4)/(1/2) * 54/(3+6)^4 + (1/12)/(1/2) * 54/(3+4)^4 = 27/6561 + 9/2401
    # x=0, T=6: L = 1 * 9 / 9^2 = 1/9
    got = clv.bgnbd_log_likelihood(2.0, 3.0, 1.0, 2.0, [2, 0], [4.0, 0.0], [6.0, 6.0])
    assert got == pytest.approx([math.log(27 / 6561 + 9 / 2401), math.log(1 / 9)], rel=1e-12)


def test_prob_alive_and_expected_purchases_by_hand():
    params = clv.BGNBDParams(r=2.0, alpha=3.0, a=1.0, b=2.0, loglik=float("nan"))
    # P(alive) = 1 / (1 + a/(b+x-1) * ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 1/3 * (9/7)^4)
    alive = clv.prob_alive(params, [2, 0], [4.0, 0.0], [6.0, 6.0])
    assert alive == pytest.approx([1 / (1 + (9 / 7) ** 4 / 3), 1.0], rel=1e-12)
    # For a tiny horizon h: E[Y(h)] ≈ h * P(alive) * E[λ | alive] = h * P(alive) * (r+x)/(α+T).
    # a = 1 takes the numerical-integration path (eq. 10 divides by a - 1), a = 2 takes eq. 10.
    h = 1e-6
    for a in (1.0, 2.0):
        params = clv.BGNBDParams(r=2.0, alpha=3.0, a=a, b=2.0, loglik=float("nan"))
        rate = clv.expected_purchases(params, h, [2], [4.0], [6.0])[0] / h
        assert rate == pytest.approx(1 / (1 + a / 3 * (9 / 7) ** 4) * 4 / 9, rel=1e-4)
        assert clv.expected_purchases(params, 0.0, [2], [4.0], [6.0])[0] == 0.0


def test_expected_purchases_integration_path_matches_eq10(cdnow_bg):
    bg = cdnow_bg
    closed_form = clv.expected_purchases(bg, 39, [2], [30.43], [38.86])[0]
    integrated = clv._expected_purchases_alive(bg.r, bg.alpha, bg.a, bg.b, 2, 38.86, 39) * clv.prob_alive(
        bg, [2], [30.43], [38.86])[0]
    assert integrated == pytest.approx(closed_form, rel=1e-8)


def test_expected_purchases_near_poisson_limit():
    # r, alpha -> inf with r/alpha = 0.5 and b -> inf (no dropout): purchases are Poisson(0.5 t),
    # so 10 periods bring 5 purchases; eq. 10 loses every digit to cancellation here
    params = clv.BGNBDParams(r=1e8, alpha=2e8, a=2.0, b=1e8, loglik=float("nan"))
    assert clv.expected_purchases(params, 10.0, [0, 3], [0.0, 5.0], [20.0, 20.0]) == pytest.approx(
        [5.0, 5.0], rel=1e-4)


def test_gamma_gamma_formulas_by_hand():
    # p=1, q=2, v=1, x=1, z̄=1: Γ(3)/(Γ(1)Γ(2)) * 1 * 1 * 1 / (1+1)^3 = 2/8
    assert clv.gamma_gamma_log_likelihood(1.0, 2.0, 1.0, [1], [1.0])[0] == pytest.approx(math.log(0.25))
    params = clv.GammaGammaParams(p=6.0, q=4.0, v=15.0)
    # p (v + x z̄) / (p x + q - 1) = 6 * (15 + 40) / (12 + 3) = 22; x=0: p v / (q-1) = 30
    assert clv.expected_avg_value(params, [2, 0], [20.0, 0.0]) == pytest.approx([22.0, 30.0])


def test_fit_gamma_gamma_rejects_zero_spend_of_repeat_customer():
    with pytest.raises(DataError, match=r'column "monetary_value": 0.0 is not a positive mean spend'):
        clv.fit_gamma_gamma([1, 2, 3], [10.0, 0.0, 5.0])


def test_rfm_summary_follows_lifetimes_convention():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "a", "a"],
        # 2024-01-01 is a Monday; weeks run Monday to Sunday
        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-20", "2024-01-05", "2024-03-01", "2024-01-03"]),
        "value": [10.0, 20.0, 30.0, 5.0, 1000.0, 7.0],
    })
    weekly = clv.rfm_summary(tx, observation_end="2024-02-01", freq="W")
    # weeks: first week (Jan 1-7) holds 10+20+7, Jan 20 is week +2, Feb 1 is week +4; Mar 1 is ignored
    assert weekly.loc["a"].tolist() == [1.0, 2.0, 4.0, 30.0]
    assert weekly.loc["b"].tolist() == [0.0, 0.0, 4.0, 0.0]
    daily = clv.rfm_summary(tx, observation_end="2024-02-01", freq="D")
    # days: Jan 1 (first), Jan 2, Jan 3, Jan 20 -> 3 repeats, mean (20+7+30)/3 = 19
    assert daily.loc["a"].tolist() == [3.0, 19.0, 31.0, 19.0]
    assert daily.loc["b"].tolist() == [0.0, 0.0, 27.0, 0.0]


def test_clv_probabilistic_telescopes_without_discount():
    bg = clv.BGNBDParams(r=0.5, alpha=5.0, a=0.8, b=2.5, loglik=float("nan"))
    gg = clv.GammaGammaParams(p=6.0, q=4.0, v=15.0)
    summary = pd.DataFrame(
        {"frequency": [2.0, 0.0], "recency": [30.0, 0.0], "T": [40.0, 40.0], "monetary_value": [20.0, 0.0]},
        index=["x", "y"],
    )
    undiscounted = clv.clv_probabilistic(summary, bg, gg, horizon_months=12, margin_rate=0.4,
                                         discount_rate_annual=0.0)
    weeks = 12 * 365.25 / 12 / 7
    expected = (clv.expected_purchases(bg, weeks, [2.0, 0.0], [30.0, 0.0], [40.0, 40.0])
                * np.array([22.0, 30.0]) * 0.4)
    assert undiscounted.to_numpy() == pytest.approx(expected, rel=1e-12)
    discounted = clv.clv_probabilistic(summary, bg, gg, horizon_months=12, margin_rate=0.4,
                                       discount_rate_annual=0.08)
    # every month's margin is discounted by a factor between 1/1.08^(1/12) and 1/1.08
    assert (discounted < undiscounted * 1.08 ** (-1 / 12)).all()
    assert (discounted > undiscounted / 1.08).all()


def test_clv_historical_cohort_table_by_hand():
    deals = pd.DataFrame({
        "account_id": ["A", "A", "A", "A", "A", "B", None, "C", "C"],
        "company": ["Acme", "Acme", "Acme", "Acme", "Acme", "Beta", "Delta", "Cora", "Cora"],
        "status": ["won", "won", "won", "lost", "won", "won", "won", "won", "won"],
        "close_date": pd.to_datetime([
            "2023-03-01", "2023-12-01", "2024-02-01", "2023-04-01", "2024-06-01",
            "2023-06-15", "2023-09-01", "2024-05-01", "2024-07-01"]),
        "amount": [1000.0, 500.0, 200.0, 99999.0, 400.0, 2000.0, 600.0, 300.0, 100.0],
    })
    table = clv.clv_historical(deals, margin_rate=0.5, cohort="Y", as_of="2025-06-30")
    # 2023: A (1000+500+200 within a year of 2023-03-01), B 2000, Delta 600 -> margins 850, 1000, 300
    # year 2 of 2023 and year 1 of 2024 end after 2025-06-30: not fully observed
    assert table.index.tolist() == ["2023", "2024"]
    assert table["customers"].tolist() == [3, 1]
    assert table.columns.tolist() == ["customers", "margin_year_1"]
    assert table.loc["2023", "margin_year_1"] == pytest.approx((850 + 1000 + 300) / 3)
    assert math.isnan(table.loc["2024", "margin_year_1"])
    assert table.attrs["historical_clv"] == pytest.approx((850 + 1000 + 300) / 3)
    assert table.attrs["historical_clv_years"] == 1
    # a year later the 2023 cohort's second year and 2024's first are complete
    later = clv.clv_historical(deals, margin_rate=0.5, cohort="Y", as_of="2025-12-31")
    assert later.loc["2023", "margin_year_2"] == pytest.approx((850 + 200 + 1000 + 300) / 3)
    assert later.loc["2024", "margin_year_1"] == pytest.approx(200.0)
    assert later.attrs["historical_clv_years"] == 2


def test_clv_historical_names_missing_customer_column():
    with pytest.raises(DataError, match="needs account_id or company"):
        clv.clv_historical(pd.DataFrame({"close_date": [], "amount": []}), margin_rate=0.4)


def test_fit_without_repeat_buyers_is_flagged_not_converged():
    # nobody repeats: the likelihood keeps rising as r -> 0, so the fit stops on its bound
    fit = clv.fit_bgnbd([0, 0, 0, 0], [0.0, 0.0, 0.0, 0.0], [10.0, 20.0, 30.0, 40.0])
    assert fit.converged is False
    assert np.isfinite(clv.expected_purchases(fit, 52.0, [0], [0.0], [10.0])).all()


# ----------------------------------------------------------------- edges found by mutation testing

def test_rfm_purchase_on_the_observation_end_counts_and_errors_name_the_table():
    tx = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                       "value": [10.0, 20.0]})
    assert clv.rfm_summary(tx, observation_end="2024-02-01", freq="D").loc["a", "frequency"] == 1.0
    with pytest.raises(DataError) as e:
        clv.rfm_summary(tx.drop(columns="value"), observation_end="2024-02-01")
    assert str(e.value).startswith("transactions")
    with pytest.raises(ValueError, match=r"^freq 'M' is not 'W' \(weeks\) or 'D' \(days\)$"):
        clv.rfm_summary(tx, observation_end="2024-02-01", freq="M")


def test_clv_probabilistic_defaults_to_36_months_and_keeps_the_customer_index():
    bg = clv.BGNBDParams(r=0.5, alpha=5.0, a=0.8, b=2.5, loglik=float("nan"))
    gg = clv.GammaGammaParams(p=6.0, q=4.0, v=15.0)
    summary = pd.DataFrame({"frequency": [2.0], "recency": [30.0], "T": [40.0], "monetary_value": [20.0]},
                           index=pd.Index(["x"], name="customer_id"))
    default = clv.clv_probabilistic(summary, bg, gg, margin_rate=0.4)
    assert default.equals(clv.clv_probabilistic(summary, bg, gg, horizon_months=36, margin_rate=0.4))
    assert default.iloc[0] != clv.clv_probabilistic(summary, bg, gg, horizon_months=37, margin_rate=0.4).iloc[0]
    assert default.name == "clv" and list(default.index) == ["x"] and default.index.name == "customer_id"
    with pytest.raises(ValueError, match=r"^horizon_months 0 must be a whole number of months >= 1$"):
        clv.clv_probabilistic(summary, bg, gg, horizon_months=0, margin_rate=0.4)
    with pytest.raises(DataError) as e:
        clv.clv_probabilistic(summary.drop(columns="T"), bg, gg, margin_rate=0.4)
    assert str(e.value).startswith("rfm summary")


def test_expected_purchases_of_a_certain_buyer_limit():
    # a -> 0 (never drops out): E[Y(t)] = (r + x) t / (alpha + T)
    bg = clv.BGNBDParams(r=2.0, alpha=10.0, a=1e-12, b=1.0, loglik=float("nan"))
    assert clv.expected_purchases(bg, 20.0, [3.0], [30.0], [40.0])[0] == pytest.approx((2 + 3) * 20 / (10 + 40), rel=1e-6)


def test_clv_historical_with_account_ids_only_string_dates_and_default_as_of():
    deals = pd.DataFrame({"account_id": ["A", "A", "B"], "close_date": ["2023-01-10", "2023-06-01", "2024-03-01"],
                          "amount": [1000.0, 500.0, 800.0]})
    t = clv.clv_historical(deals, margin_rate=0.5, cohort="Y")
    # as_of defaults to the latest close date, 2024-03-01: no cohort has a full year yet
    assert t.attrs["historical_clv_years"] == 0
    assert t.index.name == "cohort" and t["customers"].to_dict() == {"2023": 1, "2024": 1}
    later = clv.clv_historical(deals, margin_rate=0.5, cohort="Y", as_of="2024-12-31")
    assert later.loc["2023", "margin_year_1"] == pytest.approx(750.0)
    # quarterly cohorts: B (acquired 2024-03-01) has 800 × 0.5 in its first year
    q = clv.clv_historical(deals.assign(company="X"), margin_rate=0.5, cohort="Q", as_of="2025-06-30")
    assert q.loc["2024Q1", "margin_year_1"] == pytest.approx(400.0)
    with pytest.raises(DataError) as e:
        clv.clv_historical(pd.DataFrame({"close_date": [], "amount": []}), margin_rate=0.4)
    assert str(e.value).startswith("deals: no customer column: historical CLV needs account_id or company")


def test_gamma_gamma_input_errors_name_column_value_and_fix():
    with pytest.raises(DataError) as e:
        clv.fit_gamma_gamma([0, 3, 0], [0.0, 50.0, 0.0])
    text = str(e.value)
    assert text.startswith('rfm summary, column "frequency"')
    assert "customers with repeat purchases; at least 2 are needed to fit spend" in text
    assert "use a longer observation window or the historical CLV (clv_historical)" in text and "1" in text
    with pytest.raises(DataError) as e:
        clv.fit_gamma_gamma([1, 2], [30.0, 0.0])
    text = str(e.value)
    assert text.startswith('rfm summary, column "monetary_value"')
    assert "is not a positive mean spend for a customer with repeat purchases" in text
    assert "drop zero-value or credit-note transactions before rfm_summary" in text


def test_gamma_gamma_reports_the_log_likelihood_of_its_fit():
    x, m = np.array([1.0, 2.0, 3.0, 1.0]), np.array([20.0, 35.0, 50.0, 10.0])
    g = clv.fit_gamma_gamma(x, m)
    assert g.loglik == pytest.approx(float(np.sum(clv.gamma_gamma_log_likelihood(g.p, g.q, g.v, x, m))))


def test_rfm_checks_name_row_column_and_count():
    with pytest.raises(DataError) as e:
        clv.prob_alive(clv.BGNBDParams(1.0, 1.0, 1.0, 1.0, float("nan")), [1, 2, 3], [1.0, 9.0, 9.0], [5.0, 5.0, 5.0])
    text = str(e.value)
    assert text.startswith('rfm summary, row 2, column "recency"')
    assert "is not between 0 and T (2 such rows)" in text
