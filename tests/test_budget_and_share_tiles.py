"""The KPI memo's controlling tiles (memos/kpi_dashboard.budget_tile, share_tile, controlling_blocks) at their
boundaries, on hand-written stores (kpi_fixtures.table_store, report month 2026-10, fiscal year = calendar year).

Budget tile: the verdict turns on variance ÷ budget year to date against BUDGET_TOLERANCE = 2 %; exactly 2 % either
way is still "on budget". Share tiles: marketing's share of the company figure against the plan share; exactly at
plan is "above" (not below), and the gap in euros is (plan share − share) × company figure.
"""
from __future__ import annotations

import math

import pytest

from cmo_workbook.memos import kpi_dashboard
from cmo_workbook.render.blocks import KpiTiles, Paragraph

from kpi_fixtures import table_store

NBSP = "\u00a0"


def plain(s: str) -> str:
    return str(s).replace(NBSP, " ").replace("\u202f", " ")


def budget_store(spend: float, budget: float, forecast: float = 122_400.0, budget_fy: float = 120_000.0):
    """Spend and budget year to date; the variance is spend − budget, as the store computes it."""
    return table_store([
        {"metric": "marketing_spend", "kind": "ytd", "value": spend},
        {"metric": "marketing_budget", "kind": "ytd", "value": budget},
        {"metric": "budget_variance", "kind": "ytd", "value": spend - budget},
        {"metric": "spend_forecast_fy", "kind": "ytd", "value": forecast, "target": budget_fy},
    ])


TAIL_DE = "im bisherigen Tempo 122 Tsd. € bis Geschäftsjahresende ggü. 120 Tsd. € Budget"


def test_spend_exactly_two_percent_over_budget_is_on_budget():
    # 102 000 − 100 000 = 2 000; 2 000 / 100 000 = 2.0 % = the tolerance: on budget, no action asked
    tile = kpi_dashboard.budget_tile(budget_store(102_000, 100_000), "de", "EUR")
    assert tile.label == "Marketingkosten, seit Jahresbeginn"
    assert plain(tile.value) == "102 Tsd. €"
    # 102 000 / 100 000 − 1 = +2 %; more spend than budget is not good news
    assert [(c.label, plain(c.delta), c.good) for c in tile.comparisons] == [("ggü. Budget", "+2 %", False)]
    # forecast 122 400 → "122 Tsd. €" (to the thousand), annual budget 120 000 → "120 Tsd. €"
    assert plain(tile.so_what) == f"Im Budget: 2 Tsd. € Abweichung zu 100 Tsd. € Budget seit Jahresbeginn; {TAIL_DE}."
    html = plain(tile.so_what.__html__())
    assert '<span data-metric="budget_variance" data-window="2026-10/YTD" data-value="2000">2 Tsd. €</span>' in html
    assert '<span data-metric="marketing_budget" data-window="2026-10/YTD" data-value="100000">100 Tsd. €' in html
    assert '<span data-metric="spend_forecast_fy" data-window="2026-10/YTD" data-value="122400">122 Tsd. €' in html
    assert 'data-metric="marketing_spend" data-window="2026-10/YTD" data-value="102000"' in tile.value.__html__()


def test_spend_just_over_two_percent_is_over_budget():
    # 2 100 / 100 000 = 2.1 % > 2 %: over, with the action; the variance shown as 2,1 Tsd. €
    tile = kpi_dashboard.budget_tile(budget_store(102_100, 100_000), "de", "EUR")
    assert plain(tile.so_what) == (f"2,1 Tsd. € über dem Budget von 100 Tsd. € seit Jahresbeginn; {TAIL_DE} – "
                                   "Ausgaben der restlichen Monate begrenzen oder Nachtrag beantragen.")
    en = kpi_dashboard.budget_tile(budget_store(102_100, 100_000), "en", "EUR")
    assert plain(en.so_what).startswith("€2.1k over the €100k budget year to date")


def test_spend_exactly_two_percent_under_budget_is_on_budget_and_below_is_under():
    # −2 000 / 100 000 = −2.0 %: on budget; the variance is shown without its sign (the words say the direction).
    # Against the spend (98 000) it would be −2.04 % and "under": the share is of the BUDGET
    tile = kpi_dashboard.budget_tile(budget_store(98_000, 100_000), "de", "EUR")
    assert plain(tile.so_what) == f"Im Budget: 2 Tsd. € Abweichung zu 100 Tsd. € Budget seit Jahresbeginn; {TAIL_DE}."
    # 98 000 / 100 000 − 1 = −2 %: less spend than budget counts as good
    assert [(plain(c.delta), c.good) for c in tile.comparisons] == [("−2 %", True)]
    assert 'data-value="-2000"' in tile.so_what.__html__()
    # −2 100 / 100 000 = −2.1 %: under budget
    under = kpi_dashboard.budget_tile(budget_store(97_900, 100_000), "de", "EUR")
    assert plain(under.so_what) == (f"2,1 Tsd. € unter dem Budget von 100 Tsd. € seit Jahresbeginn; {TAIL_DE} – "
                                    "Rest gezielt einsetzen oder freigeben.")


def test_without_a_budget_the_tile_has_no_verdict():
    # budget 0 or missing: no share of the budget, so no "on/over/under budget" (never a division by zero)
    for budget in (0.0, math.nan):
        tile = kpi_dashboard.budget_tile(budget_store(50_000, budget), "de", "EUR")
        assert plain(tile.so_what) == "Kein Budget im Plan für dieses Geschäftsjahr (data.plan): Kosten ohne Maßstab."
        assert plain(tile.value) == "50 Tsd. €"
        assert tile.label == "Marketingkosten, seit Jahresbeginn"
        assert [c.label for c in tile.comparisons] == ["ggü. Budget"]


def share_store(share: float, plan: float, company: float = 2_000_000.0, won: float = 400_000.0,
                metric: str = "marketing_order_intake_share", company_metric: str = "company_order_intake"):
    return table_store([
        {"metric": metric, "kind": "ytd", "value": share, "target": plan},
        {"metric": company_metric, "kind": "ytd", "value": company},
        {"metric": "marketing_won_revenue", "kind": "ytd", "value": won},
    ])


def test_share_below_plan_states_the_missing_euros():
    # 400 000 of 2 000 000 = 20 % vs a plan share of 25 %: (25 % − 20 %) × 2 000 000 = 100 000 € missing
    st = share_store(0.20, 0.25)
    tile = kpi_dashboard.share_tile(st, "marketing_order_intake_share", "company_order_intake", "de", "EUR")
    assert tile.label == "Anteil Marketing am Auftragseingang des Unternehmens, seit Jahresbeginn"
    assert plain(tile.value) == "20 %"
    # against plan only ("ggü. Plan"): 20 % − 25 % = −5,0 Prozentpunkte (written out)
    assert [(c.label, plain(c.delta), c.good) for c in tile.comparisons] == [("ggü. Plan", "−5,0 Prozentpunkte", False)]
    assert plain(tile.so_what) == ("400 Tsd. € von 2 Mio. € Auftragseingang des Unternehmens kamen aus "
                                   "Marketing-Anfragen – unter den geplanten 25 %: 100 Tsd. € Auftragseingang fehlen "
                                   "zum Plananteil.")
    html = tile.so_what.__html__()
    assert 'data-metric="marketing_won_revenue" data-window="2026-10/YTD" data-value="400000"' in html
    assert 'data-metric="company_order_intake" data-window="2026-10/YTD" data-value="2000000"' in html


def test_share_exactly_at_plan_is_above_and_revenue_has_its_own_words():
    # 25 % vs 25 %: at plan counts as reached ("mehr als die geplanten"), not as a gap of 0 €
    st = share_store(0.25, 0.25)
    tile = kpi_dashboard.share_tile(st, "marketing_order_intake_share", "company_order_intake", "de", "EUR")
    assert plain(tile.so_what) == ("400 Tsd. € von 2 Mio. € Auftragseingang des Unternehmens kamen aus "
                                   "Marketing-Anfragen – mehr als die geplanten 25 %.")
    # revenue: 400 000 of 1 800 000 = 22.2 % vs 25 %: (25 % − 22.2 %) × 1 800 000 = 450 000 − 400 000 = 50 000 €
    rev = share_store(400_000 / 1_800_000, 0.25, company=1_800_000, metric="marketing_revenue_share_company",
                      company_metric="company_revenue")
    tile = kpi_dashboard.share_tile(rev, "marketing_revenue_share_company", "company_revenue", "de", "EUR")
    assert plain(tile.so_what) == ("Marketing-Aufträge von 400 Tsd. € entsprechen diesem Anteil an 1,8 Mio. € "
                                   "gebuchtem Umsatz – unter den geplanten 25 %: 50 Tsd. € fehlen zum Plananteil "
                                   "(Näherung: Aufträge werden erst mit der Lieferung Umsatz).")
    # 30 % of revenue vs 25 %: above; the gap is not shown
    above = share_store(0.30, 0.25, company=1_800_000, metric="marketing_revenue_share_company",
                        company_metric="company_revenue")
    tile = kpi_dashboard.share_tile(above, "marketing_revenue_share_company", "company_revenue", "en", "EUR")
    assert plain(tile.so_what).startswith("Marketing orders of €400k")
    assert "fehlen" not in plain(tile.so_what) and "25%" in plain(tile.so_what)


def test_share_without_actuals_or_plan_says_what_is_missing():
    st = share_store(math.nan, 0.25)
    tile = kpi_dashboard.share_tile(st, "marketing_order_intake_share", "company_order_intake", "de", "EUR")
    assert plain(tile.so_what) == ("Controlling hat noch nicht alle Monate des Geschäftsjahres gemeldet "
                                   "(data.company_actuals): Anteil folgt.")
    st = share_store(0.2, math.nan)
    tile = kpi_dashboard.share_tile(st, "marketing_order_intake_share", "company_order_intake", "de", "EUR")
    assert plain(tile.so_what) == "Kein Plananteil für Marketing hinterlegt (data.plan): Anteil ohne Maßstab."
    assert tile.comparisons == []  # no plan share: no "ggü. Plan" either


def test_controlling_blocks_need_either_budget_or_company_figures():
    base = [{"metric": "marketing_spend", "kind": "ytd", "value": 50_000.0},
            {"metric": "budget_variance", "kind": "ytd", "value": math.nan},
            {"metric": "spend_forecast_fy", "kind": "ytd", "value": math.nan},
            {"metric": "marketing_won_revenue", "kind": "ytd", "value": 400_000.0},
            {"metric": "marketing_order_intake_share", "kind": "ytd", "value": math.nan},
            {"metric": "marketing_revenue_share_company", "kind": "ytd", "value": math.nan},
            {"metric": "company_revenue", "kind": "ytd", "value": math.nan}]
    nothing = table_store(base + [{"metric": "marketing_budget", "kind": "ytd", "value": math.nan},
                                  {"metric": "company_order_intake", "kind": "ytd", "value": math.nan}])
    (block,) = kpi_dashboard.controlling_blocks(nothing, "de", "EUR")
    assert isinstance(block, Paragraph) and "data.plan" in block.text()
    # a budget alone is enough for the three tiles (the share tiles then say what is missing)
    budget_only = table_store(base + [{"metric": "marketing_budget", "kind": "ytd", "value": 60_000.0},
                                      {"metric": "company_order_intake", "kind": "ytd", "value": math.nan}])
    (block,) = kpi_dashboard.controlling_blocks(budget_only, "de", "EUR")
    assert isinstance(block, KpiTiles) and block.columns == 3
    assert [t.label for t in block.tiles] == ["Marketingkosten, seit Jahresbeginn",
                                              "Anteil Marketing am Auftragseingang des Unternehmens, seit Jahresbeginn",
                                              "Anteil Marketing am Umsatz des Unternehmens, seit Jahresbeginn"]
    # company figures alone too
    company_only = table_store(base + [{"metric": "marketing_budget", "kind": "ytd", "value": math.nan},
                                       {"metric": "company_order_intake", "kind": "ytd", "value": 2_000_000.0}])
    (block,) = kpi_dashboard.controlling_blocks(company_only, "de", "EUR")
    assert isinstance(block, KpiTiles) and len(block.tiles) == 3


def test_a_small_company_figure_is_shown_compact_like_the_marketing_figure():
    # 2 000 of 8 000 € = 25 % vs 30 %: both amounts in the compact style ("8 Tsd. €", never "8.000 €" beside
    # "2 Tsd. €"); gap (30 % − 25 %) × 8 000 = 400 €
    st = share_store(0.25, 0.30, company=8_000.0, won=2_000.0)
    tile = kpi_dashboard.share_tile(st, "marketing_order_intake_share", "company_order_intake", "de", "EUR")
    assert plain(tile.so_what) == ("2 Tsd. € von 8 Tsd. € Auftragseingang des Unternehmens kamen aus Marketing-Anfragen "
                                   "– unter den geplanten 30 %: 400 € Auftragseingang fehlen zum Plananteil.")


def test_a_company_in_francs_reads_francs_in_every_amount_of_the_budget_tile():
    tile = kpi_dashboard.budget_tile(budget_store(102_100, 100_000), "de", "CHF")
    assert plain(tile.value) == "102 Tsd. CHF"
    assert plain(tile.so_what) == ("2,1 Tsd. CHF über dem Budget von 100 Tsd. CHF seit Jahresbeginn; im bisherigen Tempo "
                                   "122 Tsd. CHF bis Geschäftsjahresende ggü. 120 Tsd. CHF Budget – Ausgaben der "
                                   "restlichen Monate begrenzen oder Nachtrag beantragen.")
