"""Strategy memo composition: KPI numbers, KPI memo headlines, rules that connect customers and competitors."""
from __future__ import annotations

import json

import numpy as np

import nbformat
import pandas as pd
import pytest

from cmo_workbook.memos import competitor_briefing as briefing, strategy_memo as strategy
from cmo_workbook.metrics import monthly as metrics
from cmo_workbook import voc
from cmo_workbook.render.blocks import MIME
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.periods import Period

Q3 = Period.parse("2026-Q3")


def test_kpi_quarter_sums_and_cost_per_lead():
    idx = pd.period_range("2025-07", "2026-09", freq="M")
    monthly = pd.DataFrame({"qualified_leads": 10.0, "marketing_spend": 1000.0, "marketing_pipeline_value": 5.0,
                            "marketing_won_revenue": 2.0}, index=idx)
    monthly.loc[pd.Period("2026-09", "M"), "qualified_leads"] = 20.0
    k = strategy.kpi_quarter(monthly, Q3)
    assert (k.qualified_leads, k.qualified_leads_py) == (40.0, 30.0)
    assert k.cost_per_lead == pytest.approx(3000 / 40) and k.cost_per_lead_py == pytest.approx(100.0)
    # the year-ago quarter is the first quarter of the data: deal-based comparisons are withheld
    assert k.pipeline == 15.0 and np.isnan(k.won_revenue_py) and np.isnan(k.pipeline_py)
    older = monthly.reindex(pd.period_range("2024-07", "2026-09", freq="M"), fill_value=2.0)
    assert strategy.kpi_quarter(older, Q3).won_revenue_py == 6.0


def _kpi_notebook(path, headline):
    nb = nbformat.v4.new_notebook()
    memo = nbformat.v4.new_code_cell("x")
    memo.metadata["tags"] = ["memo"]
    memo.outputs = [nbformat.v4.new_output("display_data", data={MIME: {"kind": "headline", "text": headline},
                                                                  "text/plain": headline})]
    other = nbformat.v4.new_code_cell("y")  # untagged: the analyst's, never read
    other.outputs = [nbformat.v4.new_output("display_data", data={MIME: {"kind": "headline", "text": "nope"}})]
    nb.cells = [memo, other]
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_kpi_headlines_read_from_executed_kpi_memos(tmp_path):
    _kpi_notebook(tmp_path / "2026-07" / "kpi_dashboard.ipynb", "Juli-Headline")
    _kpi_notebook(tmp_path / "2026-09" / "kpi_dashboard.ipynb", "September-Headline")
    assert strategy.kpi_headlines(tmp_path, Q3) == ["Juli-Headline", "September-Headline"]
    assert strategy.kpi_headlines(tmp_path / "missing", Q3) == []


@pytest.fixture(scope="module")
def sample_inputs(sample_dir):
    params = load_params("params/example.yaml")
    ds = load_dataset(params, ["leads", "deals", "spend", "feedback", "competitor_observations", "competitor_prices",
                               "competitor_messaging"])
    taxonomy = params.path.parent / params.raw["voc"]["taxonomy"]
    vocs = [voc.analyse(ds.feedback, month=str(m), taxonomy=taxonomy, lang="de") for m in Q3.month_periods()]
    comp = briefing.analyse(ds, params.raw["competitors"], Q3, lang="de", vat=0.19)
    return strategy.StrategyInputs(Q3, "de", "EUR", vocs, comp, strategy.kpi_quarter(metrics.monthly(ds), Q3))


def test_delivery_complaints_meet_the_competitor_s_delivery_promise(sample_inputs):
    recs = strategy.recommendations(sample_inputs)
    assert 3 <= len(recs) <= 5
    first = recs[0]
    assert first.rule == "delivery_promise"
    assert "Lieferverzögerungen: 14\u00a0% der Rückmeldungen im September 2026 (Basis 8\u00a0%" in first.customer
    assert "Hartmann Antriebe senkt seit 15.09.2026" in first.competitor and "„Lieferzeit 48h“" in first.competitor
    assert first.kpi.startswith("Umsatz aus Marketing-Anfragen")
    evidence = strategy.evidence_text(first, "de")
    assert evidence.count(" · ") == 2 and evidence.startswith("Kunden: ")
    head = strategy.headline(sample_inputs, recs)
    assert "Lieferverzögerungen" in head and "Hartmann Antriebe" in head


def test_price_pressure_takes_owner_and_next_step_from_the_params_rule(sample_inputs):
    recs = {r.rule: r for r in strategy.recommendations(sample_inputs)}
    price = recs["price_pressure"]
    assert price.owner == "Vertriebsleitung"
    assert price.next_step.startswith("Argumentationsblatt für den Vertrieb zu Servogetriebe KS-60, Servogetriebe KS-90")
    assert "bis 12\u00a0% Rabatt" in price.decision
    assert "monitoring_gap" in recs and "Alpin Drives AG" in recs["monitoring_gap"].action


def test_situation_risks_and_decisions(sample_inputs):
    recs = strategy.recommendations(sample_inputs)
    s = strategy.situation(sample_inputs)
    assert len(s) == 3
    assert s[0].startswith("Wettbewerb: Hartmann Antriebe senkt")
    assert s[1].startswith("Kunden: Beschwerden über Lieferverzögerungen steigen auf 14\u00a0%")
    assert s[2].startswith("Marketing: ")
    risks = strategy.risks(sample_inputs, recs)
    assert any("Alpin Drives AG" in r for r in risks)
    assert strategy.decisions(recs) == [r.decision for r in recs if r.decision] and len(strategy.decisions(recs)) == 2


def test_no_evidence_no_recommendation(sample_inputs):
    quiet = sample_inputs.competitors
    empty = briefing.CompetitorResults(**{**quiet.__dict__, "items": quiet.items.iloc[0:0], "notes": quiet.notes.iloc[0:0],
                                          "quiet": quiet.quiet.iloc[0:0], "events": quiet.events.iloc[0:0]})
    inp = strategy.StrategyInputs(Q3, "de", "EUR", [], empty, sample_inputs.kpi)
    recs = strategy.recommendations(inp)
    assert [r.rule for r in recs] == []  # cost per lead is within 10 % of last year in the sample
    assert strategy.headline(inp, recs).startswith("Keine Entscheidung nötig")
