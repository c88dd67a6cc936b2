"""Edges of the KPI memo's headline and its acceptance rule (memos/kpi_dashboard.py), found by mutation testing, on
the hand-made store of tests/kpi_fixtures.py (qualified leads 120 in Oct 2026, 100 in Sep 2026, 80 in Oct 2025)."""
from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from cmo_workbook.memos import kpi_dashboard
from kpi_fixtures import kpi_month_frame, kpi_store
from test_channel_budget import OCT, TODAY, fairs, plain


def test_the_fairs_budget_alone_leads_the_headline():
    kpis = kpi_dashboard.compute(kpi_store())
    text = plain(kpi_dashboard.headline(kpis, OCT, "de", "EUR", None, budget=fairs(), today=TODAY))
    # 120 against 80 a year ago: +50 %; 400 000 € cost, 280 000 € margin: 0,70 € back per euro
    assert text == ("Marketing lieferte 120 qualifizierte Anfragen (+50 % ggü. Vorjahresmonat) und 300 Tsd. € neue "
                    "Pipeline; größte Entscheidung: Budget Messen Q4 2026–Q3 2027 – Freigabe von 400 Tsd. € ja / nein "
                    "(je Euro Kosten kamen 0,70 € aus Erstaufträgen zurück).")


def test_without_a_year_ago_the_headline_compares_with_last_month_and_gives_no_cost_verdict():
    kpis = [replace(k, year_ago=math.nan) if k.key in ("qualified_leads", "cost_per_qualified_lead") else k
            for k in kpi_dashboard.compute(kpi_store())]
    # 120 against 100 in September: +20 %
    assert plain(kpi_dashboard.headline(kpis, OCT, "de", "EUR", None)) == (
        "Marketing lieferte 120 qualifizierte Anfragen (+20 % ggü. Vormonat) und 300 Tsd. € neue Pipeline – ob ein "
        "Kanal teurer wird, zeigt sich erst mit dem Vorjahresvergleich der Kosten je Anfrage.")


def test_an_acceptance_rate_on_too_few_decisions_asks_for_no_action():
    # 50 % against a plan of 80 % (below 90 % of it): an action on 120 decided inquiries, none on 6 (minimum 10)
    many = kpi_dashboard.compute(kpi_store(targets={"mql_to_sql_rate": 0.8}))
    few_frame = kpi_month_frame()
    few_frame.loc[pd.Period("2026-10", freq="M"), ["qualified_leads", "sql"]] = [6, 3]
    few = kpi_dashboard.compute(kpi_store(few_frame, targets={"mql_to_sql_rate": 0.8}))
    for kpis, n in ((many, 1), (few, 0)):
        acc = next(k for k in kpis if k.key == "sales_acceptance_rate")
        assert acc.value == 0.5 and acc.extra["no_verdict"] is (n == 0)
        assert len(kpi_dashboard.recommendations(kpis, [], pd.DataFrame(), "de", "EUR", {}, store=None)) == n


def test_the_leads_chart_draws_the_year_before_beside_each_month(monkeypatch):
    from cmo_workbook.render import charts

    drawn = {}
    original = charts.columns_ac_py

    def record(periods, actual, previous_year, **kw):
        drawn.update(periods=periods, actual=list(actual), py=None if previous_year is None else list(previous_year))
        return original(periods, actual, previous_year, **kw)

    monkeypatch.setattr(kpi_dashboard.charts, "columns_ac_py", record)
    kpi_dashboard.leads_chart(kpi_store(), pd.Period("2026-10", freq="M"), "de", None)
    # Oct 2025 .. Oct 2026 against Oct 2024 .. Oct 2025 (60 in Nov 2025, 80 in Oct 2025, 50 otherwise before Aug 2026)
    assert drawn["periods"][0] == pd.Timestamp("2025-10-01") and drawn["actual"][-3:] == [50.0, 100.0, 120.0]
    assert drawn["py"] is not None and drawn["py"][-2:] == [50.0, 80.0] and drawn["actual"][1] == 60.0
