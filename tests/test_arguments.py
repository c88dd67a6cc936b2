"""Selling arguments (#11): an argument the customer feedback names as a rising weakness is dropped, in the
briefing's responses (template field ``{arguments}``) and in the strategy memo's price answer alike."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from cmo_workbook.competitors.implications import implications
from cmo_workbook.memos import arguments


def _voc(share: float, baseline: float, flag: str = "", month: str = "2026-09") -> SimpleNamespace:
    themes = pd.DataFrame([{"theme": "delivery_delay", "label": "Lieferverzögerungen", "share": share,
                            "share_baseline": baseline, "n": 35, "flag": flag}])
    return SimpleNamespace(themes=themes, month=month)


def test_a_rising_delivery_complaint_drops_availability_from_the_arguments():
    # the sample's September: 14 % of the feedback vs 8 % baseline, 1.75 × ≥ 1.5 × (strategy_memo.RISING_FACTOR)
    assert arguments.weak([_voc(0.10, 0.09, month="2026-08"), _voc(0.14, 0.08)]) == {"delivery"}
    assert arguments.weak([_voc(0.10, 0.08)]) == set()  # 1.25 ×: not rising, the argument stays
    assert arguments.weak([_voc(0.09, 0.08, flag="rising")]) == {"delivery"}  # the VoC's own flag counts too
    assert arguments.weak([]) == set()  # no feedback: nothing is known to be weak
    assert arguments.text(arguments.kept(), "de") == "Gesamtkosten, Lieferfähigkeit und Service"
    assert arguments.text(arguments.kept({"delivery"}), "de") == "Gesamtkosten und Service"
    assert arguments.text(arguments.kept({"delivery"}), "en") == "total cost and service"


def test_the_briefing_fills_the_arguments_into_a_rules_response():
    rules = [{"id": "price_cut", "when": {"topic": "price"}, "implication_de": "{competitor} senkt.",
              "implication_en": "{competitor} cuts.", "owner": "Vertrieb",
              "response_de": "Argumentationsblatt zu {product} ({arguments}) prüfen.",
              "response_en": "Argument sheet for {product} ({arguments})."}]
    items = pd.DataFrame([{"competitor": "Hartmann", "topic": "price", "product": "HS-60"}])
    fields = {"arguments": arguments.text(arguments.kept({"delivery"}), "de")}
    out = implications(items, rules, own_segments={}, lang="de", fields=fields)
    assert out["response"].tolist() == ["Argumentationsblatt zu HS-60 (Gesamtkosten und Service) prüfen."]
