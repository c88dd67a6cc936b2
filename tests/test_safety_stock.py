"""The safety stock a delivery complaint asks to approve (#11): its amount and yearly cost from the product lines'
order intake and controlling's assumptions (params, schema defaults), the same figure in the VoC memo, the strategy
memo and the deck. Figures derived by hand in the comments."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.inputs import params_schema
from cmo_workbook.inputs.params import Params
from cmo_workbook.memos import strategy_memo as strategy
from cmo_workbook.memos import voice_of_customer as vm
from cmo_workbook.periods import Period
from cmo_workbook.voc.recommend import account_stake, link_accounts, safety_stock
from test_stake import DEALS, FEEDBACK, ITEMS, LEADS, plain


def _stake():
    links = link_accounts(FEEDBACK, DEALS, LEADS)
    return account_stake(ITEMS, links, DEALS, theme="delivery_delay", end=Period.parse("2026-10").end)


def _params(tmp_path: Path, **company) -> Params:
    raw = {"company": {"name": "X", "language": "de", "currency": "EUR", "gross_margin": 0.38, **company},
           "data": {"dir": "."}, "stage_map": {"open": [], "won": [], "lost": []}, "memo": {}}
    return Params(tmp_path / "p.yaml", raw)


def test_the_stock_is_weeks_of_the_lines_demand_at_cost_and_its_yearly_holding_cost():
    st = _stake()  # 120,000 € of the two complaining accounts; KS-90 carries 3 of 4 items naming a line
    sk = safety_stock(st, DEALS, gross_margin=0.38, holding_cost_rate=0.2, weeks=4)
    # the lines: KS-90 alone; its won intake Nov 2025 – Oct 2026 over all customers: 100,000 (Mar 2026; the lost
    # 70,000 never counts)
    assert sk.products == ["Servogetriebe KS-90"] and sk.demand == 100_000
    # 100,000 × (1 − 0.38) × 4 / 52 = 4,769.23 at cost; 20 % of it a year: 953.85
    assert sk.value == pytest.approx(4_769.2308, abs=1e-3)
    assert sk.holding_cost == pytest.approx(953.8462, abs=1e-3)
    # what it brings: up to the 120,000 € (45,600 € of margin); it pays if it keeps 953.85 / 45,600 = 2.1 % of it
    assert sk.margin_at_stake == pytest.approx(45_600)
    assert sk.break_even_share == pytest.approx(0.020918, abs=1e-6)


def test_the_voc_decision_asks_to_approve_the_amount_with_its_cost_and_the_intake_beside_it():
    sk = safety_stock(_stake(), DEALS, gross_margin=0.38, holding_cost_rate=0.2, weeks=4)
    de = plain(vm.decision_text(sk.stake, "operations", "de", stock=sk))
    # the amount's basis month (the last month of its demand window) is in every label of it (#11): the quarter's
    # strategy memo costs the same stock on September and shows another amount
    assert de == ("Entscheidung: Freigabe von 4.769 € Sicherheitsbestand (4 Wochen Bedarf, Basis Oktober 2026) für"
                  " Servogetriebe KS-90"
                  " (75 % der Rückmeldungen mit Produktangabe, Okt 2026): ja / nein? Kosten 954 € im Jahr (20 % Kapital-"
                  " und Lagerkosten); sichert bis zu 120 Tsd. € Auftragseingang (gewonnene Aufträge Nov 2025 – Okt 2026;"
                  " 45,6 Tsd. € Marge) und lohnt, wenn er mehr als 2 % davon hält.")
    first = plain(vm.stake_message(sk.stake, "de", owner="operations", stock=sk))
    assert first.endswith("Zu entscheiden (siehe Maßnahmen): Freigabe von 4.769 € Sicherheitsbestand (Basis Oktober"
                          " 2026) für Servogetriebe KS-90 – ja / nein; Kosten 954 € im Jahr.")
    assert "fehlt in den Daten" not in de + first
    note = plain(vm.stock_note(sk, "de"))
    assert "100 Tsd. € Auftragseingang dieser Linien laut CRM" in note and "× (1 − 38 % Marge) × 4/52 = 4.769 €" in note
    # the assumptions are controlling's, named in words: params keys belong in the analyst's docs, not the CEO's memo
    assert note.endswith("(Annahmen des Controllings).") and "company." not in note
    en = plain(vm.decision_text(sk.stake, "operations", "en", stock=sk))
    assert en.startswith("Decision: release €4,769 of safety stock (4 weeks of demand, basis October 2026) for"
                         " Servogetriebe KS-90")


def test_without_product_lines_in_the_crm_the_cost_stays_an_input_for_operations():
    st = _stake()
    assert safety_stock(st, DEALS.assign(deal_name="Auftrag"), gross_margin=0.38, holding_cost_rate=0.2,
                        weeks=4) is None
    nameless = account_stake(ITEMS.assign(product=pd.NA), link_accounts(FEEDBACK, DEALS, LEADS), DEALS,
                             theme="delivery_delay", end=Period.parse("2026-10").end)
    assert safety_stock(nameless, DEALS, gross_margin=0.38, holding_cost_rate=0.2, weeks=4) is None
    assert "das gebundene Kapital fehlt in den Daten" in vm.decision_text(st, "operations", "de", stock=None)


def test_the_assumptions_come_from_params_with_the_schemas_defaults(tmp_path):
    assert params_schema.default("company", "holding_cost_rate") == 0.2
    assert params_schema.default("company", "safety_stock_weeks") == 4
    p = _params(tmp_path)
    assert (p.holding_cost_rate, p.safety_stock_weeks) == (0.2, 4.0)
    p = _params(tmp_path, holding_cost_rate=0.25, safety_stock_weeks=6)
    sk = vm.stock(_stake(), DEALS, p)
    # 100,000 × 0.62 × 6 / 52 = 7,153.85; × 0.25 = 1,788.46
    assert sk.value == pytest.approx(7_153.846, abs=1e-3) and sk.holding_cost == pytest.approx(1_788.46, abs=0.01)
    raw = {**_params(tmp_path).raw, "company": {**_params(tmp_path).raw["company"], "holding_cost_rate": 20}}
    problems = params_schema.check(raw, "p.yaml")  # "20" for 20 %: out of range, the fix names the default
    assert any("company.holding_cost_rate" in x and "default 0.2" in x for x in problems)
    assert vm.stock(None, DEALS, p) is None


def test_the_strategy_memo_and_the_voc_memo_state_the_same_stock(tmp_path):
    """One home: the strategy memo's delivery decision fills its text from the VoC memo's figures."""
    p = _params(tmp_path)
    sk = vm.stock(_stake(), DEALS, p)
    values = vm.stock_values(sk, "de")
    dec = plain(strategy.t("strat_dec_delivery_stock", "de", competitor="Hartmann Antriebe", **values))
    assert dec.startswith("Freigabe von 4.769 € Sicherheitsbestand (Basis Oktober 2026) für Servogetriebe KS-90")
    assert "Kosten: 954 € im Jahr" in dec and "0 bis 120 Tsd. € gesicherter Auftragseingang von 2 Kunden" in dec
    assert "mehr als 2 % davon" in dec and not math.isnan(sk.break_even_share)
