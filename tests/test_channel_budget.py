"""The budget of a channel decided on its own (trade fairs) is one decision with one home (metrics.channel_budget, #11).

Hand-made year: trade fairs cost 400 000 € over Q4 2025 – Q3 2026 and their first orders brought 280 000 € of
margin (range 200 000 – 360 000 €): ROMI (280 − 400) / 400 = −30 %, 0,70 € back per euro. LinkedIn's channel shift
has an excess cost of 600 € (spend 2 600 €, 10 inquiries at 260 € against 200 € a year earlier). The fairs' decision
must lead wherever channel decisions are asked, with the same amount and the same id.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from cmo_workbook.memos import channel_decision, consistency, decisions, kpi_dashboard
from cmo_workbook.metrics import channel_budget as chb
from cmo_workbook.metrics import channel_stake as chs
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Fig

from kpi_fixtures import kpi_store

OCT = Period.parse("2026-10")
TODAY = date(2026, 12, 2)


def plain(s: object) -> str:
    return str(s).replace("\u00a0", " ").replace("\u202f", " ")


def _frame() -> pd.DataFrame:
    # the review's channel frame over four quarters: cost and first-order margin with its range
    return pd.DataFrame({"cost": [400_000.0, 40_000.0, 0.0], "margin": [280_000.0, 36_000.0, 0.0],
                         "margin_low": [200_000.0, 20_000.0, 0.0], "margin_high": [360_000.0, 50_000.0, 0.0]},
                        index=["trade_fairs", "linkedin", "events"])


def fairs() -> chb.BudgetStake:
    return chb.from_frame(_frame(), "2026-Q3")[0]


def shift() -> chs.ChannelStake:
    return chs.ChannelStake("linkedin", "quarter", "2026-Q3", 2_600.0, 10.0, 260.0, 200.0)


def test_only_lumpy_channels_with_cost_are_a_budget_decision():
    found = chb.from_frame(_frame(), "2026-Q3")
    assert [s.channel for s in found] == ["trade_fairs"]  # LinkedIn is shifted, not decided on its own
    s = found[0]
    assert (s.cost, s.margin, s.window) == (400_000.0, 280_000.0, "2026-Q3")
    assert s.romi == pytest.approx(-0.3) and s.romi_low == pytest.approx(-0.5) and s.romi_high == pytest.approx(-0.1)
    assert s.at_stake == s.amount == 400_000.0
    assert chb.decision(found) is s and chb.decision([]) is None
    # a lumpy channel without cost in the window is no decision
    assert chb.from_frame(_frame().assign(cost=0.0), "2026-Q3") == []


def test_margins_are_value_times_gross_margin_for_paid_channels():
    boot = pd.DataFrame({"cost": [100.0, 0.0], "value": [1_000.0, 50.0], "value_low": [500.0, 10.0],
                         "value_high": [1_500.0, 90.0]}, index=["trade_fairs", "direct"])
    m = chb.margins(boot, 0.4)
    assert list(m.index) == ["trade_fairs"]  # no cost, no return to set against marketing money
    assert (m.at["trade_fairs", "margin"], m.at["trade_fairs", "margin_low"], m.at["trade_fairs", "margin_high"]) \
        == (400.0, 200.0, 600.0)


def test_decisions_are_ordered_by_euros_at_stake():
    assert chb.at_stake(fairs()) == 400_000.0 and chb.at_stake(shift()) == pytest.approx(600.0)  # 2 600 − 200 × 10
    assert channel_decision.ordered([shift(), None, fairs()]) == [fairs(), shift()]
    small = replace(fairs(), cost=500.0)  # now less at stake than LinkedIn's 600 € excess
    assert channel_decision.ordered([small, shift()]) == [shift(), small]


def test_one_id_without_memo_prefix_and_one_ask_in_every_memo():
    key = chb.decision_key(fairs())
    assert key == "channel_budget.trade_fairs"
    assert {decisions.decision_id(m, {"key": key}) for m in ("kpi_dashboard", "strategy_memo", "attribution_review")} \
        == {key}
    rec = channel_decision.budget_recommendation(fairs(), "de", "EUR", owner="Marketing", today=TODAY)
    # decided on Q3 2026, asked for the four quarters from Q4 2026 (not yet past on 2 Dec 2026)
    # with marketing's answer: the first orders' whole range below the 400 Tsd. € cost -> 400 / 2 = 200 first
    assert plain(rec.action) == ("Budget Messen Q4 2026–Q3 2027: Freigabe von 400 Tsd. € wie in den letzten 4 "
                                 "Quartalen – ja / nein. Unsere Empfehlung: 200 Tsd. € für Q4 2026–Q1 2027 freigeben, "
                                 "die übrigen 200 Tsd. € erst, wenn je Veranstaltung Anfragen und Aufträge vorliegen – "
                                 "die Erstaufträge decken die Kosten in der ganzen Spanne nicht, Folgeaufträge sind "
                                 "darin nicht gezählt.")
    assert plain(rec.evidence) == ("Messen in Q4 2025–Q3 2026: 280 Tsd. € Deckungsbeitrag aus Erstaufträgen (Spanne "
                                   "200 Tsd. € bis 360 Tsd. €) ggü. 400 Tsd. € Kosten – 0,70 € je Euro.")
    assert (rec.key, rec.amount, rec.due) == (key, 400_000.0, "Q4 2026")
    late = channel_decision.budget_recommendation(fairs(), "en", "EUR", owner="Marketing", today=date(2027, 1, 5))
    assert plain(late.action).startswith("Trade fairs budget Q1 2027–Q4 2027: approve €400k") and late.due == "Q1 2027"


def test_the_consistency_check_flags_another_amount_for_the_same_budget_decision(tmp_path):
    import yaml

    (tmp_path / "decisions.yaml").write_text(yaml.safe_dump(
        {"attribution_review": [{"id": "channel_budget.trade_fairs", "amount": 471_000.0}]}), encoding="utf-8")
    records = [{"kind": "recommendations", "items": [{"key": "channel_budget.trade_fairs", "amount": 400_000.0}]}]
    found = consistency.decision_findings(records, "kpi_dashboard", tmp_path)
    assert [(f.rule, f.subject) for f in found] == [("decision", "channel_budget.trade_fairs")]
    same = [{"kind": "recommendations", "items": [{"key": "channel_budget.trade_fairs", "amount": 471_000.0}]}]
    assert consistency.decision_findings(same, "kpi_dashboard", tmp_path) == []


def _worst() -> dict:
    return {"channel": "linkedin", "label": "LinkedIn", "cpl": 260.0, "delta": "+30 %", "spend": 2_600.0,
            "cpl_fig": Fig("260 €", "cost_per_qualified_lead", "2026-10/T3M", 260.0, "channel=linkedin")}


def test_the_kpi_memo_leads_with_the_biggest_channel_decision():
    kpis = kpi_dashboard.compute(kpi_store())
    text = plain(kpi_dashboard.headline(kpis, OCT, "de", "EUR", _worst(), decision=shift(), budget=fairs(), today=TODAY))
    assert text.endswith("größte Entscheidung: Budget Messen Q4 2026–Q3 2027 – Freigabe von 400 Tsd. € ja / nein "
                         "(je Euro Kosten kamen 0,70 € aus Erstaufträgen zurück); daneben 500 € "
                         "Umschichtung aus LinkedIn."), text
    # less at stake than the shift's excess: the shift keeps the first line
    small = plain(kpi_dashboard.headline(kpis, OCT, "de", "EUR", _worst(), decision=shift(),
                                         budget=replace(fairs(), cost=500.0, margin=100.0, margin_low=50.0,
                                                        margin_high=150.0), today=TODAY))
    assert "Messen" not in small and small.endswith("zu entscheiden: 500 € Umschichtung aus LinkedIn (Grundlage Q3 2026).")
    recs = kpi_dashboard.recommendations(kpis, [], pd.DataFrame(), "de", "EUR", {}, store=None, budget=fairs(),
                                         today=TODAY)
    assert [r.key for r in recs][:1] == ["channel_budget.trade_fairs"] and recs[0].amount == 400_000.0
    assert "Wie im Quartalsbericht Q3 2026." in plain(recs[0].action)
