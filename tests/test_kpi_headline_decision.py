"""The KPI memo's headline when a channel got costlier (memos/kpi_dashboard.headline): the decision in euros on the
first line, 20 % of the channel's spend of the last 3 months rounded to 100 (shift_amount), in the memo's currency (Babel writes US dollars "US$" in English).
Fixture (kpi_fixtures): 120 qualified inquiries in 2026-10 vs 80 a year earlier (+50 %), pipeline 300 000 €."""
from __future__ import annotations

import math

import pandas as pd

from cmo_workbook.memos import kpi_dashboard
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Fig

from kpi_fixtures import kpi_store

OCT = Period.parse("2026-10")


def plain(s: str) -> str:
    return str(s).replace("\u00a0", " ").replace("\u202f", " ")


def worst(spend: float) -> dict:
    return {"label": "LinkedIn", "cpl": 260.0, "delta": "+30 %", "spend": spend,
            "cpl_fig": Fig("$260", "cost_per_qualified_lead", "2026-10/T3M", 260.0, "channel=linkedin")}


def test_the_decision_in_dollars_on_the_first_line():
    kpis = kpi_dashboard.compute(kpi_store())
    # 20 % of 2 600 = 520 → 500 (to 100), below 10 000: not compacted
    text = kpi_dashboard.headline(kpis, OCT, "en", "USD", worst(2_600.0))
    assert plain(text) == ("Marketing delivered 120 qualified inquiries (+50% vs same month last year) and US$300k of new "
                           "pipeline; LinkedIn's cost per inquiry (last 3 months) rose to $260 (+30 % vs last year) – to "
                           "decide: shift US$500 of budget.")
    html = text.__html__()
    assert 'data-metric="qualified_leads" data-window="2026-10" data-value="120"' in html
    assert 'data-metric="marketing_pipeline_value" data-window="2026-10" data-value="300000"' in html
    # 20 % of 60 000 = 12 000: compacted
    assert "shift US$12k of budget" in plain(kpi_dashboard.headline(kpis, OCT, "en", "USD", worst(60_000.0)))


def test_without_a_known_spend_or_below_50_the_headline_asks_to_shift_without_an_amount():
    kpis = kpi_dashboard.compute(kpi_store())
    for spend in (math.nan, 200.0):  # 20 % of 200 = 40 → 0 to the hundred: no amount worth a decision
        text = plain(kpi_dashboard.headline(kpis, OCT, "en", "EUR", worst(spend)))
        assert text.endswith("LinkedIn's cost per inquiry (last 3 months) rose to $260 (+30 % vs last year) – "
                             "shift budget."), text
        assert text.startswith("Marketing delivered 120 qualified inquiries (+50% vs same month last year) and €300k")
    assert kpi_dashboard.shift_amount(2_650.0) == 500.0  # 530 → 500
    assert kpi_dashboard.shift_amount(2_750.0) == 600.0  # 550 → 600 (round half to even: 5.5 → 6)
    assert math.isnan(kpi_dashboard.shift_amount(math.nan))


def test_leads_chart_title_compares_the_month_with_a_year_earlier():
    # 120 qualified inquiries in 2026-10 vs 80 in 2025-10: +50 %; 13 months from 2025-10 with the plan line
    chart = kpi_dashboard.leads_chart(kpi_store(), pd.Period("2026-10", freq="M"), "en", 150.0)
    assert plain(chart.alt) == "Qualified inquiries +50% vs same month last year"
    assert chart.png.startswith(b"\x89PNG")
    de = kpi_dashboard.leads_chart(kpi_store(), pd.Period("2026-10", freq="M"), "de", None)
    assert plain(de.alt) == "Qualifizierte Anfragen +50 % ggü. Vorjahresmonat"


def test_romi_without_twelve_months_of_data_and_the_comparison_note():
    romi = kpi_dashboard.Kpi("romi_all_orders", math.nan, math.nan, math.nan, None, "ratio", window="2026-10/T12M")
    # 1 + NaN is NaN: no "x € per marketing euro" from a window that reaches before the data
    assert kpi_dashboard.so_what(romi, "de", "EUR", {}) == ("Noch kein belastbarer ROMI: die 12 Monate reichen vor "
                                                            "den Beginn der Daten.")
    assert kpi_dashboard.so_what(romi, "en", "EUR", {}) == "No reliable ROMI yet: the 12 months reach back before the data begins."
    assert kpi_dashboard.comparison_note("en") == ("'–' = no reliable comparison (the comparison window reaches into the "
                                                   "first months of the data, which lack deals from older inquiries).")
    assert kpi_dashboard.comparison_note("de").startswith("„–“ = kein belastbarer Vergleichswert")


def test_kpis_carry_their_kind_and_recommendations_their_currency():
    kpis = {k.key: k for k in kpi_dashboard.compute(kpi_store())}
    assert [kpis[k].kind for k in ("qualified_leads", "cost_per_qualified_lead", "sales_acceptance_rate",
                                   "romi_all_orders")] == ["count", "money", "rate", "ratio"]
    # a costly channel in dollars: LinkedIn 260 vs 200 a year ago (+30 %), 10 inquiries; cheapest other: 60
    cpl = pd.DataFrame({"cpl": [260.0, 60.0], "cpl_ref": [200.0, 70.0], "leads": [10, 10], "spend": [2_600.0, 600.0],
                        "change": [0.3, -1 / 7], "excess_cost": [600.0, -100.0], "label": ["LinkedIn", "Google Ads"]},
                       index=["linkedin", "paid_search"])
    (shift, *_) = kpi_dashboard.recommendations(list(kpis.values()), [], cpl, "en", "USD", {})
    assert plain(shift.evidence) == "LinkedIn: US$260 per qualified inquiry (+30% vs last year); Google Ads: US$60."
