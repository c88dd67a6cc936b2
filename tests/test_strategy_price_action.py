"""The strategy memo's price recommendation gives one answer: its action text follows the discount verdict (the
competitor briefing's, :attr:`PriceMoveStake.match_pays`) as its cost line and decision do. Before, the action always
said "Wert statt Rabatt" while cost and decision turned to "Empfehlung: ja" when matching paid."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cmo_workbook.competitors.implications import PriceMoveStake
from cmo_workbook.memos import strategy_memo as strategy
from cmo_workbook.periods import Period

Q3 = Period.parse("2026-Q3")
T = pd.Timestamp


def plain(s: object) -> str:
    return str(s).replace("\u00a0", " ")


def _stake(lost_since: int, loss_share_since: float) -> PriceMoveStake:
    """Hartmann's 12 % cut on KS-60 (seen 15.09.2026): 500k € won in the 12 months to Sep, gross margin 40 %
    (break-even 0.12 / 0.40 = 30 %), 10 deals closed since the cut, 20 % of the value lost on price the 12 months
    before."""
    return PriceMoveStake("Hartmann Antriebe", ["Servogetriebe KS-60"], 0.12, 500_000.0, 12, T("2025-10-01"),
                          T("2026-10-01"), 0.40, since=T("2026-09-15"), closed_since=10, lost_since=lost_since,
                          loss_share_since=loss_share_since, loss_share_before=0.20)


def _price_rec(inp, stake: PriceMoveStake, lang: str) -> strategy.StrategyRec:
    inp = dataclasses.replace(inp, lang=lang, stakes=strategy.Stakes(price=stake))
    return {r.rule: r for r in strategy.recommendations(inp)}["price_pressure"]


def test_verdict_no_keeps_value_not_discount_in_action_cost_and_decision(strategy_q3_inputs):
    # since the cut 2 of 10 deals lost on price, 20 % of the value: no rise against 20 % before (< 30 %): "nein"
    st = _stake(2, 0.20)
    assert st.loss_rise == pytest.approx(0.0) and not st.match_pays
    rec = _price_rec(strategy_q3_inputs, st, "de")
    # complaints about late deliveries rise in September (14 % vs 8 %): availability is no argument to sell on (#11)
    assert plain(rec.action) == ("Auf die Preissenkung von Hartmann Antriebe mit Wert statt Rabatt antworten: "
                                 "Gesamtkosten und Service belegen, Rabatte nur nach klarer Regel.")
    # 500k × 12 % = 60 Tsd. € of margin if matched everywhere
    assert plain(rec.cost_text) == ("Rabatt bis 12 % pauschal freigeben? Empfehlung: nein – Rabatt nur im Einzelfall "
                                    "nach Freigaberegel (pauschal kostete er bis 60 Tsd. € Marge im Jahr)")
    assert "Empfehlung: nein – Wert statt Rabatt" in plain(rec.decision)
    en = _price_rec(strategy_q3_inputs, st, "en")
    assert plain(en.action).startswith("Answer Hartmann Antriebe's price cut with value, not discounts")
    assert "Recommendation: no" in plain(en.decision)


def test_verdict_yes_turns_the_action_to_matching(strategy_q3_inputs):
    # since the cut 6 of 10 deals lost on price, 60 % of the value: +40 Pp. against 20 % before, above 30 %: "ja"
    st = _stake(6, 0.60)
    assert st.loss_rise == pytest.approx(0.40) and st.match_pays
    rec = _price_rec(strategy_q3_inputs, st, "de")
    action = plain(rec.action)
    assert action == ("Bei Servogetriebe KS-60 mit der Preissenkung von Hartmann Antriebe mitziehen: bis 12 % Rabatt "
                      "nach klarer Freigaberegel, denn seit der Senkung gehen mehr als die 30 % über Preis verloren, ab "
                      "denen Mitziehen lohnt; Gesamtkosten und Service weiter belegen.")
    assert "Wert statt Rabatt" not in action
    assert plain(rec.cost_text).startswith("Rabatt bis 12 % freigeben? Empfehlung: ja – die Verluste über Preis seit "
                                           "der Senkung übersteigen die Schwelle von 30 %")
    assert "Empfehlung: ja – seit der Senkung am 15.09.2026 gingen 60 %" in plain(rec.decision)
    # the headline (when price leads) carries the same answer as the action
    head = plain(strategy.headline(dataclasses.replace(strategy_q3_inputs, lang="de"), [rec]))
    assert head.startswith("Bei Servogetriebe KS-60 mit der Preissenkung von Hartmann Antriebe mitziehen") \
        and "Empfehlung: ja" in head and "Empfehlung: nein" not in head
    en = _price_rec(strategy_q3_inputs, st, "en")
    assert plain(en.action).startswith("Match Hartmann Antriebe's price cut on Servogetriebe KS-60: discounts up to "
                                       "12% under a clear approval rule") and "value, not discounts" not in plain(en.action)
    assert "Recommendation: yes" in plain(en.decision)
