"""The KPI memo's headline when a channel got costlier (memos/kpi_dashboard.headline): the decision in euros on the
first line, 20 % of the channel's spend of the last 3 months towards zero to 100 (metrics.channel_stake), in the memo's currency (Babel writes US dollars "US$" in English).
Fixture (kpi_fixtures): 120 qualified inquiries in 2026-10 vs 80 a year earlier (+50 %), pipeline 300 000 €."""
from __future__ import annotations

import math

import pandas as pd

from cmo_workbook.memos import kpi_dashboard
from cmo_workbook.metrics import channel_stake as chs
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Fig

from kpi_fixtures import kpi_store

OCT = Period.parse("2026-10")


def plain(s: str) -> str:
    return str(s).replace("\u00a0", " ").replace("\u202f", " ")


def stake(spend: float, quarter: str = "2026-Q3") -> chs.ChannelStake:
    # LinkedIn in Q3: 10 inquiries; cost per inquiry = spend / 10, a year earlier 200 (+30 % at spend 2 600)
    return chs.ChannelStake("linkedin", "quarter", quarter, spend, 10.0, spend / 10, 200.0)


def worst_of(spend: float) -> dict:
    return {"channel": "linkedin", "label": "LinkedIn", "cpl": 260.0, "delta": "+30 %", "spend": spend,
            "cpl_fig": Fig("$260", "cost_per_qualified_lead", "2026-10/T3M", 260.0, "channel=linkedin")}


def test_the_decision_in_dollars_on_the_first_line():
    kpis = kpi_dashboard.compute(kpi_store())
    # the quarter's decision: excess 2 600 − 200 × 10 = 600; cap 20 % of 2 600 = 520 → 500 (towards zero to 100)
    text = kpi_dashboard.headline(kpis, OCT, "en", "USD", worst_of(2_600.0), decision=stake(2_600.0))
    assert plain(text) == ("Marketing delivered 120 qualified inquiries (+50% vs same month last year) and US$300k of new "
                           "pipeline; LinkedIn's cost per inquiry (last 3 months) rose to $260 (+30 % vs last year) – to "
                           "decide: move US$500 out of LinkedIn (basis Q3 2026).")
    html = text.__html__()
    assert 'data-metric="qualified_leads" data-window="2026-10" data-value="120"' in html
    assert 'data-metric="marketing_pipeline_value" data-window="2026-10" data-value="300000"' in html
    # 60 000 at 6 000 per inquiry (excess 58 000): cap 20 % = 12 000, compact as in every memo
    assert "move US$12k out of LinkedIn" in plain(kpi_dashboard.headline(kpis, OCT, "en", "USD", worst_of(60_000.0),
                                                                         decision=stake(60_000.0)))


def test_without_the_quarters_decision_on_that_channel_the_headline_asks_to_shift_without_an_amount():
    kpis = kpi_dashboard.compute(kpi_store())
    other = chs.ChannelStake("paid_search", "quarter", "2026-Q3", 2_600.0, 10.0, 260.0, 200.0)
    for decision in (None, other):  # no decision this period, or the decision is about another channel
        text = plain(kpi_dashboard.headline(kpis, OCT, "en", "EUR", worst_of(2_600.0), decision=decision))
        assert text.endswith("LinkedIn's cost per inquiry (last 3 months) rose to $260 (+30 % vs last year) – "
                             "shift budget."), text
        assert text.startswith("Marketing delivered 120 qualified inquiries (+50% vs same month last year) and €300k")
    # the shift: min(excess, 20 % of spend) towards zero to 100
    assert stake(2_650.0).shift == 500.0  # excess 650, cap 530 → 500
    assert stake(2_750.0).shift == 500.0  # excess 750, cap 550 → 500 (towards zero, not half to even)
    assert stake(2_100.0).shift == 100.0  # excess 100 below the cap 420 → 100
    assert stake(200.0).shift == 0.0  # excess below zero: nothing to move


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
    # ROMI written out in the sentence (the jargon check's explain_once: the tile's label says only "ROMI")
    assert kpi_dashboard.so_what(romi, "de", "EUR", {}) == ("Noch keine belastbare Rendite der Marketingausgaben (ROMI): "
                                                            "die 12 Monate reichen vor den Beginn der Daten.")
    assert kpi_dashboard.so_what(romi, "en", "EUR", {}) == ("No reliable return on marketing investment (ROMI) yet: "
                                                            "the 12 months start before the data begin.")  # "reach" is jargon
    assert kpi_dashboard.comparison_note("en") == ("'–' = no reliable comparison (the comparison window reaches into the "
                                                   "first months of the data, which lack deals from older inquiries).")
    assert kpi_dashboard.comparison_note("de").startswith("„–“ = kein belastbarer Vergleichswert")


def test_kpis_carry_their_kind():
    kpis = {k.key: k for k in kpi_dashboard.compute(kpi_store())}
    assert [kpis[k].kind for k in ("qualified_leads", "cost_per_qualified_lead", "sales_acceptance_rate",
                                   "romi_all_orders")] == ["count", "money", "rate", "ratio"]
