"""What closing a goal's gap costs at the company's own rates (memos/kpi_dashboard.goal_cost), who owns each
recommendation and when the shift is reviewed (recommendation_context), on a hand-written store for 2026-10:

- cost per qualified inquiry, last 3 months: 111 € overall, 80 € in paid search (``channel=paid_search``);
- pipeline 300 000 € from 30 000 € spend in the last 3 months: 10 € pipeline per marketing euro;
- 120 qualified inquiries in October.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from cmo_workbook.memos import kpi_dashboard, stakeholders
from cmo_workbook.metrics.goals import GoalStatus
from cmo_workbook.periods import Period

from kpi_fixtures import table_store


def rate_store(paid_search_cpl: float = 80.0, pipeline: float = 300_000.0, spend: float = 30_000.0):
    return table_store([
        {"metric": "cost_per_qualified_lead", "kind": "t3m", "value": 111.0},
        {"metric": "cost_per_qualified_lead", "kind": "t3m", "segment": "channel=paid_search", "value": paid_search_cpl},
        {"metric": "marketing_pipeline_value", "kind": "t3m", "value": pipeline},
        {"metric": "marketing_spend", "kind": "t3m", "value": spend},
        {"metric": "qualified_leads", "kind": "month", "value": 120.0},
        # a month figure of the same KPIs that must not be used for the 3-month rates
        {"metric": "marketing_pipeline_value", "kind": "month", "value": 1.0},
        {"metric": "marketing_spend", "kind": "month", "value": 1.0},
        {"metric": "qualified_leads", "kind": "t3m", "value": 1.0},
    ])


def goal(metric: str, target: float, forecast: float, months_left: int = 2) -> GoalStatus:
    return GoalStatus("g", "Ziel", metric, target, 0.0, pd.Timestamp("2026-12-31"), forecast, forecast, forecast,
                      forecast, "at_risk", True, months_left, 0.5)


def test_inquiry_goals_cost_the_gap_at_the_cost_per_inquiry():
    # website inquiries come from paid search: 200 − 170 = 30 a month × 80 € = 2 400 €
    assert kpi_dashboard.goal_cost(goal("qualified_leads_web", 200, 170), rate_store()) == (
        pytest.approx(2_400.0), "kpi_rec_goal_cost_web")
    # the gap is a distance: a forecast 30 above a lower target costs the same
    assert kpi_dashboard.goal_cost(goal("qualified_leads_web", 200, 230), rate_store())[0] == pytest.approx(2_400.0)
    # without a paid-search rate there is no euro figure
    assert kpi_dashboard.goal_cost(goal("qualified_leads_web", 200, 170), rate_store(paid_search_cpl=math.nan)) is None
    # all qualified inquiries: 30 × 111 € = 3 330 €
    assert kpi_dashboard.goal_cost(goal("qualified_leads", 200, 170), rate_store()) == (
        pytest.approx(3_330.0), "kpi_rec_goal_cost_leads")


def test_pipeline_goal_costs_the_gap_at_the_pipeline_a_euro_brings_spread_over_the_months_left():
    # gap 500 000 − 380 000 = 120 000 € pipeline at 10 € per euro = 12 000 € spend, over 4 months = 3 000 € a month
    assert kpi_dashboard.goal_cost(goal("marketing_pipeline_value", 500_000, 380_000, months_left=4), rate_store()) == (
        pytest.approx(3_000.0), "kpi_rec_goal_cost_pipeline")
    # no month left: the whole 12 000 € (never a division by zero)
    assert kpi_dashboard.goal_cost(goal("marketing_pipeline_value", 500_000, 380_000, months_left=0),
                                   rate_store())[0] == pytest.approx(12_000.0)
    # no pipeline from marketing euros, or no spend at all: no rate, no euro figure
    assert kpi_dashboard.goal_cost(goal("marketing_pipeline_value", 500_000, 380_000), rate_store(pipeline=0.0)) is None
    assert kpi_dashboard.goal_cost(goal("marketing_pipeline_value", 500_000, 380_000), rate_store(spend=0.0)) is None


def test_cost_goal_is_the_excess_spend_at_this_month_s_inquiries_and_other_goals_have_none():
    # 100 € per inquiry against a ceiling of 90 €: 10 € × 120 inquiries = 1 200 € a month
    assert kpi_dashboard.goal_cost(goal("cost_per_qualified_lead", 90, 100), rate_store()) == (
        pytest.approx(1_200.0), "kpi_rec_goal_cost_cpl")
    assert kpi_dashboard.goal_cost(goal("sql", 90, 70), rate_store()) is None


MATRIX = stakeholders.from_params([
    {"department": "Vertrieb", "department_en": "Sales", "head": "Vertriebsleitung", "kpis": ["sql"]},
    {"department": "Controlling", "department_en": "Finance", "head": "CFO", "kpis": ["budget"]}])


def test_owners_from_params_in_the_memo_language_and_the_review_month():
    goals = [{"id": "web", "owner": "Marketing & Vertrieb"}, {"id": "pipe"}, {"id": "cost", "owner": None}]
    ctx = kpi_dashboard.recommendation_context(goals, MATRIX, Period.parse("2026-10"), date(2026, 11, 3), "en")
    assert ctx["goal_owners"] == {"web": "Marketing & Sales", "pipe": "", "cost": ""}
    # sales acceptance ("sql") is the KPI the matrix gives to Sales: shared with marketing
    assert ctx["sales_owner"] == "Marketing & Sales"
    # reviewed 2 months after October: December, the generation month (November) being earlier
    assert ctx["review_month"] == "December 2026"
    de = kpi_dashboard.recommendation_context(goals, MATRIX, Period.parse("2026-10"), date(2026, 11, 3), "de")
    assert de["goal_owners"]["web"] == "Marketing & Vertrieb" and de["sales_owner"] == "Marketing & Vertrieb"
    assert de["review_month"] == "Dezember 2026"
    # generated late (February 2027): never a review month in the past
    late = kpi_dashboard.recommendation_context(goals, MATRIX, Period.parse("2026-10"), date(2027, 2, 1), "de")
    assert late["review_month"] == "Februar 2027"
    # no department owns "sql": no shared owner
    assert kpi_dashboard.recommendation_context(goals, MATRIX[1:], Period.parse("2026-10"), date(2026, 11, 3),
                                                "de")["sales_owner"] == ""
