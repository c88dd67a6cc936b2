"""Strategy memo composition: KPI numbers from the store, rules that connect customers and competitors."""
from __future__ import annotations

import numpy as np
import pytest

from cmo_workbook.memos import competitor_briefing as briefing, strategy_memo as strategy
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.periods import Period

Q3 = Period.parse("2026-Q3")


def test_kpi_quarter_reads_the_store_values_of_the_quarter(sample_store_q3):
    k = strategy.kpi_quarter(sample_store_q3)
    t = sample_store_q3.table
    row = t[(t["metric"] == "qualified_leads") & (t["window"] == "2026-Q3") & (t["segment"] == "")].iloc[0]
    assert (k.qualified_leads, k.qualified_leads_py) == (row["value"], row["py_value"])
    assert k.cost_per_lead == pytest.approx(sample_store_q3.value("marketing_spend", "quarter") / k.qualified_leads)
    # 2025-Q3 lies in the export's ramp-up months (data from Nov 2024): deal-based comparisons are withheld
    assert np.isnan(k.won_revenue_py) and np.isnan(k.pipeline_py)
    fig = k.fig("qualified_leads", "de", "EUR")
    assert (fig.metric, fig.window, fig.value) == ("qualified_leads", "2026-Q3", k.qualified_leads)


@pytest.fixture(scope="module")
def sample_store_q3(sample_dir, tmp_path_factory):
    from cmo_workbook.metrics import store

    ds = load_dataset(load_params("params/example.yaml"), ["leads", "deals", "spend"])
    return store.compute(ds, Q3, tmp_path_factory.mktemp("reports"))


def test_delivery_complaints_meet_the_competitor_s_delivery_promise(strategy_q3_inputs):
    recs = strategy.recommendations(strategy_q3_inputs)
    assert 3 <= len(recs) <= 5
    first = recs[0]
    assert first.rule == "delivery_promise"
    assert "Lieferverzögerungen: 14\u00a0% der Rückmeldungen im September 2026 (Basis 8\u00a0%" in first.customer
    assert "Hartmann Antriebe senkt seit 15.09.2026" in first.competitor and "„Lieferzeit 48h“" in first.competitor
    assert first.kpi.startswith("Auftragseingang aus Marketing-Anfragen, Quartal 4,1\u00a0Mio.\u00a0€")
    evidence = strategy.evidence_text(first, "de")
    assert evidence.count(" · ") == 2 and evidence.startswith("Kunden: ")
    head = strategy.headline(strategy_q3_inputs, recs)
    assert "Lieferverzögerungen" in head and "Hartmann Antriebe" in head


def test_price_pressure_takes_owner_and_next_step_from_the_params_rule(strategy_q3_inputs):
    recs = {r.rule: r for r in strategy.recommendations(strategy_q3_inputs)}
    price = recs["price_pressure"]
    assert price.owner == "Vertriebsleitung"
    assert price.next_step.startswith("Argumentationsblatt für den Vertrieb zu Servogetriebe KS-60, Servogetriebe KS-90")
    assert "bis 12\u00a0% Rabatt" in price.decision
    assert "monitoring_gap" in recs and "Alpin Drives AG" in recs["monitoring_gap"].action


def test_situation_risks_and_decisions(strategy_q3_inputs):
    recs = strategy.recommendations(strategy_q3_inputs)
    s = strategy.situation(strategy_q3_inputs)
    assert len(s) == 3
    assert s[0].startswith("Wettbewerb: Hartmann Antriebe senkt")
    assert s[1].startswith("Kunden: Beschwerden über Lieferverzögerungen steigen auf 14\u00a0%")
    assert s[2].startswith("Marketing: ")
    # the euros marketing delivered against plan (params targets.quarterly.marketing_won_revenue: 3,600,000):
    # 4.1 Mio. € of order intake from marketing inquiries, (value / 3.6 Mio. − 1) as the change vs plan
    k = strategy_q3_inputs.kpi
    assert k.won_revenue_target == 3_600_000
    change = f"+{round((k.won_revenue / 3_600_000 - 1) * 100)}\u00a0%"
    assert str(s[2]).endswith(f"Gewonnen: 4,1\u00a0Mio.\u00a0€ Auftragseingang aus Marketing-Anfragen im Quartal, {change}"
                              " ggü. Plan (3,6\u00a0Mio.\u00a0€).")
    risks = strategy.risks(strategy_q3_inputs, recs)
    assert any("Alpin Drives AG" in r for r in risks)
    assert strategy.decisions(recs) == [r.decision for r in recs if r.decision] and len(strategy.decisions(recs)) == 2


def test_no_evidence_no_recommendation(strategy_q3_inputs):
    quiet = strategy_q3_inputs.competitors
    empty = briefing.CompetitorResults(**{**quiet.__dict__, "items": quiet.items.iloc[0:0], "notes": quiet.notes.iloc[0:0],
                                          "quiet": quiet.quiet.iloc[0:0], "events": quiet.events.iloc[0:0]})
    inp = strategy.StrategyInputs(Q3, "de", "EUR", [], empty, strategy_q3_inputs.kpi)
    recs = strategy.recommendations(inp)
    assert [r.rule for r in recs] == []  # cost per lead is within 10 % of last year in the sample
    assert strategy.headline(inp, recs).startswith("Keine Entscheidung nötig")


def test_the_price_signal_says_which_way_the_customers_share_moved(strategy_q3_inputs):
    """A CEO read "Preis in 12 % der Rückmeldungen (Basis 16 %)" as proof of price pressure, though the share fell;
    the evidence now says the direction. The sample's September VoC: the share below its baseline -> "seltener"."""
    k = strategy_q3_inputs.vocs[-1].kpis.set_index("metric")
    cur, base = k.at["price_mention_share", "current"], k.at["price_mention_share", "baseline"]
    assert round(cur * 100) < round(base * 100)
    price = {r.rule: r for r in strategy.recommendations(strategy_q3_inputs)}["price_pressure"]
    evidence = str(price.customer).replace("\u00a0", " ")
    assert (f"Preis seltener genannt als zuvor ({round(cur * 100)} % der Rückmeldungen, Basis "
            f"{round(base * 100)} %)") in evidence, evidence
