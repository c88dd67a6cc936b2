"""Budget edges on hand-made numbers: the order lag with competing outcomes, the quarters a curve may use, the
curve's spread and range, the business case's wording and the suggestion's boundaries (values by hand)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cmo_workbook.metrics import budget

MQL = pd.Timestamp("2026-01-01")
AS_OF = "2026-12-31"  # 364 days after MQL


def _lag_tables():
    """Six paid-search leads (and one e-mail lead first, so the frame's index does not start at the kept rows):
    A1, A2 win after 10 days, B's only deal is lost after 5, C wins after 100, E1, E2 came in 50 days before the
    cut-off and still wait (E1's won upsell is no new business)."""
    ids = ["X", "A1", "A2", "B", "C", "E1", "E2"]
    late = pd.Timestamp(AS_OF) - pd.Timedelta(days=50)
    leads = pd.DataFrame({"lead_id": ids, "channel": ["email"] + ["paid_search"] * 6,
                          "mql_date": [MQL] * 5 + [late, late]})
    day = lambda n: MQL + pd.Timedelta(days=n)  # noqa: E731
    deals = pd.DataFrame({
        "lead_id": ["A1", "A2", "B", "C", "E1"], "status": ["won", "won", "lost", "won", "won"],
        "deal_type": ["New Business"] * 4 + ["Upsell"],
        "close_date": [day(10), day(10), day(5), day(100), late + pd.Timedelta(days=3)]})
    return leads, deals


def test_order_lag_a_lost_lead_leaves_the_risk_set_when_it_is_lost():
    leads, deals = _lag_tables()
    lag = budget.order_lag(leads, deals, ["paid_search"], as_of=AS_OF)
    # Aalen–Johansen: day 5 B lost (6 at risk, S = 5/6); day 10 two of 5 win: CIF = 5/6 × 2/5 = 1/3, S = 1/2;
    # E1, E2 censored at day 50; day 100 C wins (1 at risk): CIF = 1/3 + 1/2 = 5/6. Half of 5/6 = 5/12 > 1/3:
    # reached on day 100. (Were B lost only at the cut-off, or not lost at all, day 100 would add 2/3 × 1/2 = 1/3:
    # final 2/3, half 1/3 reached on day 10.)
    assert lag["median_days"] == 100.0
    assert (lag["n_won"], lag["n_lost"], lag["n_waiting"]) == (3, 1, 2)  # E1's upsell does not make it won
    assert lag["plain_median_days"] == 10.0  # 10, 10, 100


def test_order_lag_without_a_lead_is_empty():
    leads, deals = _lag_tables()
    lag = budget.order_lag(leads.assign(mql_date=pd.NaT), deals, as_of=AS_OF)
    assert math.isnan(lag["median_days"]) and math.isnan(lag["plain_median_days"])
    assert (lag["n_won"], lag["n_lost"], lag["n_waiting"]) == (0, 0, 0)


def test_full_quarters_start_with_the_first_whole_quarter_of_spend():
    spend = pd.DataFrame({"date": pd.to_datetime(["2025-04-15", "2026-06-30"]), "cost": [1.0, 1.0]})
    quarters = [pd.Period(q, "Q") for q in ("2025Q3", "2025Q4", "2026Q1", "2026Q2")]
    # 8 quarters back from 2026-Q2 reach 2024-Q3; 2025-Q2 began before the first spend (15 April)
    assert budget.full_quarters(spend, pd.Period("2026Q2", "Q")) == quarters
    # a first spend on 1 July at 09:30 covers that quarter from its first day
    timed = spend.assign(date=pd.to_datetime(["2025-07-01 09:30", "2026-06-30 00:00"]))
    assert budget.full_quarters(timed, pd.Period("2026Q2", "Q"), n=3) == quarters[1:]


def _history(spend, leads) -> dict[str, pd.DataFrame]:
    n = len(spend)
    return {"ch": pd.DataFrame({"spend": spend, "qualified_leads": leads, "won": [1.0] * n, "won_value": [1e4] * n},
                               index=[f"q{i}" for i in range(n)])}


def test_response_curve_spread_counts_quarters_with_spend_and_inquiries():
    # the third quarter has spend but no inquiry: left out; spread of 1000 and 3000: sd 1414.2 / mean 2000 = 0.7071
    row = budget.response_curves(_history([1000.0, 3000.0, 5000.0], [10.0, 20.0, 0.0])).loc["ch"]
    assert row["quarters"] == 2 and row["spend_cv"] == pytest.approx(math.sqrt(2) / 2)
    assert row["reason"] == "2 quarters with spend and inquiries (needs 6)" and not row["supported"]


def test_response_curve_range_is_the_80_percent_t_interval():
    spend = [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 32000.0]
    leads = [10.0, 15.0, 19.0, 30.0, 38.0, 60.0]
    fit = stats.linregress(np.log(spend), np.log(leads))
    q = stats.t.ppf(0.9, 4)  # 80 % two-sided, 6 quarters - 2
    row = budget.response_curves(_history(spend, leads)).loc["ch"]
    assert row["beta"] == pytest.approx(fit.slope) and row["supported"]
    assert row["beta_low"] == pytest.approx(fit.slope - q * fit.stderr)
    assert row["beta_high"] == pytest.approx(fit.slope + q * fit.stderr)
    strict = budget.response_curves(_history(spend, leads), max_beta_se=0.0).loc["ch"]
    assert not strict["supported"] and strict["reason"].startswith("curve too uncertain (β = ")


def test_business_case_draws_deal_values_from_the_channels_own_deals():
    hist = pd.DataFrame({"spend": [10_000.0, 20_000.0], "qualified_leads": [20.0, 40.0], "won": [2.0, 2.0],
                         "won_value": [100_000.0, 60_000.0]}, index=["2026Q2", "2026Q3"])
    p = budget.project(50_000, hist, 0.4, deal_amounts=[10_000.0] * 3, n_sim=500)
    # every drawn deal is worth 10 000 (not the average 40 000): revenue = deals × 10 000 in every case
    assert p.high["conversions"] > 0 and p.high["revenue"] == 10_000 * p.high["conversions"]
    assert p.point["revenue"] == pytest.approx(100 * 4 / 60 * 40_000)  # the point stays on the average deal


def test_business_case_without_spend_history_has_no_average_leads():
    hist = pd.DataFrame({"spend": [0.0], "qualified_leads": [5.0], "won": [1.0], "won_value": [1e4]}, index=["2026Q3"])
    p = budget.project(10_000, hist, 0.4, n_sim=50)
    assert p.rates["average_leads"] == 0.0 and p.point["leads"] == 0.0


def _curve_case(**rates) -> budget.Projection:
    base = {"cost_per_lead": 500.0, "lead_to_won": 0.05, "avg_deal": 40_000.0, "gross_margin": 0.4,
            "average_leads": 100.0, "beta": 0.5, "marginal_cost": math.inf, "curve_quarters": 6.0,
            "last_spend": 10_000.0, "last_leads": 30.0}
    zero = dict.fromkeys(("leads", "conversions", "revenue", "margin", "payback_months"), 0.0)
    return budget.Projection(50_000.0, "linkedin", zero, zero, zero, {**base, **rates}, 6, "curve", 2.0)


def _nb(text: str) -> str:
    """``~`` marks the no-break spaces of the German number formats (12~%, 10~Tsd.~€)."""
    return text.replace("~", "\u00a0")


def test_basis_text_on_a_curve_names_the_marginal_cost_and_its_low_end():
    tail = _nb("5,0~% der Anfragen werden Aufträge, 40~Tsd.~€ je Auftrag, 40~% Marge; Spanne simuliert (Zahl der "
               "Anfragen und Aufträge, Auftragswerte); Amortisation einschließlich 2 Monaten von der Anfrage bis zum "
               "Auftrag.")
    # 10 000 € is shown compact (from 10 000 on); no low end known, an infinite marginal cost is beyond reach
    assert budget.basis_text(_curve_case(), "de", "EUR") == _nb(
        "Grundlage: Sättigungskurve aus 6 Quartalen – bei zuletzt 10~Tsd.~€ je Quartal und 30 Anfragen kostet die "
        "nächste Anfrage etwa unbezahlbar (Durchschnitt 500~€); zum Durchschnitt wären es 100 Anfragen. ") + tail
    low = budget.basis_text(_curve_case(marginal_cost=1_250.0, marginal_cost_low=800.0, last_spend=9_999.0), "de", "EUR")
    assert low.startswith(_nb("Grundlage: Sättigungskurve aus 6 Quartalen – bei zuletzt 9.999~€ je Quartal und 30 "
                              "Anfragen kostet die nächste Anfrage etwa 1.250~€, mindestens 800~€ (Durchschnitt 500~€);"))
    nan_low = budget.basis_text(_curve_case(marginal_cost=1_250.0, marginal_cost_low=math.nan), "de", "EUR")
    assert "mindestens" not in nan_low and _nb("etwa 1.250~€ (Durchschnitt") in nan_low


def test_mean_note_gives_the_mean_deals_revenue_and_no_deal_share():
    zero = dict.fromkeys(("leads", "conversions", "revenue", "margin", "payback_months"), 0.0)
    point = {**zero, "conversions": 0.44, "revenue": 12_000.0}
    p = budget.Projection(50_000.0, "linkedin", point, zero, zero, {}, 2, median=zero, no_deal_share=0.93)
    assert budget.mean_note(p, "de", "EUR") == _nb("Im Mittel 0,4 Aufträge und 12~Tsd.~€ Umsatz, doch in 93~% der "
                                                   "Simulationen kein Auftrag: darum zeigt die Tabelle den Median.")
    assert budget.mean_note(p, "en", "EUR") == ("On average 0.4 deals and €12k revenue, but 93% of the simulations "
                                                "bring no deal: so the table shows the median.")


def _leads_for_design() -> pd.DataFrame:
    return pd.DataFrame({"lead_id": [f"L{i}" for i in range(40)], "channel": ["webinars", "linkedin"] * 20,
                         "mql_date": pd.date_range("2026-01-05", periods=40, freq="3D")})


def test_holdout_design_runs_eight_weeks_unless_told():
    assert budget.holdout_design(_leads_for_design(), "webinars").weeks == 8
    assert budget.holdout_design(_leads_for_design(), "webinars", weeks=12).weeks == 12


def test_holdout_test_asks_for_a_larger_share_when_more_weeks_do_not_reach_80_percent():
    d = dataclasses.replace(budget.holdout_design(_leads_for_design(), "webinars"), power=0.5, weeks_for_power=40,
                            share_for_power=0.6)
    text = budget.holdout_test("webinars", "de", design=d)
    assert text.endswith(_nb(" Aber: so nur 50~% Chance, die Wirkung zu erkennen; für 80 % 60~% der Gebiete pausieren."))


def test_suggest_boundaries_tiny_budget_and_growth_without_money_to_move():
    df = pd.DataFrame({"budget": [10_000.0, 20_000.0, 0.5], "romi": [2.0, 0.5, 1.0], "romi_low": [0.5, 0.1, 0.2],
                       "romi_high": [3.0, 1.0, 2.0]}, index=["a", "b", "c"])
    s = budget.suggest(df)
    # nothing loses money, so nothing is cut: a (ROMI above the portfolio) would grow but there is no money to move
    assert s.at["a", "change"] == 0 and s.at["a", "action"] == "hold" and s.attrs["reserve"] == 0
    # a budget of 0.5 € is a budget: its change (0) is 0 % of it, not unknown
    assert s.at["c", "change_pct"] == 0.0
