"""Implication rules from params, quiet competitors and alias normalisation."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cmo_workbook.competitors.implications import implications, price_change_items, quiet_competitors
from cmo_workbook.competitors.names import normalise_competitors, unknown_competitors, alias_map
from cmo_workbook.competitors.prices import price_changes
from cmo_workbook.errors import ParamsError

CFG = yaml.safe_load((Path(__file__).parent / "data" / "competitors_rules.yaml").read_text("utf-8"))[
    "competitors"]


def _changes() -> pd.DataFrame:
    rows = [
        # -12 % in the core segment Servo -> price_cut_core
        ("2026-08-01", "Hartmann", "HA-Servo 60", 1200.0, "KS-Servo 60"),
        ("2026-09-15", "Hartmann Antriebe GmbH", "HA-Servo 60", 1056.0, "KS-Servo 60"),
        # -3 % in the core segment Getriebe: below the 5 % threshold -> no rule
        ("2026-08-01", "Brandt", "BG-Planet 120", 1000.0, "KG-Planet 120"),
        ("2026-09-20", "Brandt", "BG-Planet 120", 970.0, "KG-Planet 120"),
        # -8 % in the growth segment Kupplungen: not core, not a rise -> no rule
        ("2026-08-01", "Voss", "VM-Flex 40", 100.0, "KK-Flex 40"),
        ("2026-09-20", "Voss", "VM-Flex 40", 92.0, "KK-Flex 40"),
    ]
    prices = pd.DataFrame(rows, columns=["observed_date", "competitor", "product", "price", "our_product"])
    prices = normalise_competitors(prices, CFG["list"])
    return price_change_items(price_changes(prices, fx=CFG["fx"], vat=0.19), CFG["own_products"])


def test_price_cut_in_core_segment_gets_sales_argument_sheet():
    items = _changes()
    assert list(items["change_pct"]) == [-12.0, -3.0, -8.0]
    out = implications(items, CFG["implication_rules"], own_segments=CFG["own_segments"], lang="de")
    assert len(out) == 1
    row = out.iloc[0]
    assert row["rule"] == "price_cut_core"
    assert row["competitor"] == "Hartmann Antriebe"
    assert row["implication"] == (
        "Hartmann Antriebe senkt den Listenpreis von HA-Servo 60 um 12,0 % (seit 15.09.2026) – in unserem "
        "Kernsegment Servo; Angebote zu KS-Servo 60 geraten unter Preisdruck.")
    assert row["response"].startswith("Argumentationsblatt für den Vertrieb zu KS-Servo 60")
    assert row["owner"] == "Vertriebsleitung"
    en = implications(items, CFG["implication_rules"], own_segments=CFG["own_segments"], lang="en")
    assert en.iloc[0]["implication"].startswith(
        "Hartmann Antriebe cut the list price of HA-Servo 60 by 12.0% (since 2026-09-15)")


def test_product_observation_in_own_segment_and_first_rule_wins():
    obs = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-01", "2026-10-02"]),
        "competitor": ["Voss Motion", "Voss Motion"],
        "topic": ["product", "product"],
        "summary": ["Neuer Servoregler VM-Drive", "Neue Windkraft-Bremse"],
        "impact": ["high", "high"],
        "segment": ["Servo", "Windkraft"],
    })
    out = implications(obs, CFG["implication_rules"], own_segments=CFG["own_segments"], lang="de")
    assert out[["item", "rule", "implication"]].values.tolist() == [
        [0, "product_in_own_segment", "Voss Motion bringt Neues in unserem Segment Servo: Neuer Servoregler VM-Drive"],
    ]


def test_bad_rules_are_params_errors():
    items = _changes()
    with pytest.raises(ParamsError, match="unknown condition segmnet_in"):
        implications(items, [{"when": {"segmnet_in": "core"}, "implication_de": "x", "response_de": "y"}],
                     own_segments=CFG["own_segments"])
    with pytest.raises(ParamsError, match=r"\{prodct\} is not a field"):
        implications(items, [{"when": {"topic": "price"}, "implication_de": "{prodct}", "response_de": "y"}],
                     own_segments=CFG["own_segments"])
    with pytest.raises(ParamsError, match="no 'response_en' template"):
        implications(items, [{"when": {"topic": "price"}, "implication_en": "x"}],
                     own_segments=CFG["own_segments"], lang="en")


def test_quiet_competitors_are_a_data_gap_with_last_date():
    obs = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-10", "2026-06-30", "2026-05-01"]),
        "competitor": ["Hartmann Antriebe GmbH", "Brandt", "Brandt Getriebebau"],
        "topic": ["price", "press", "other"],
        "summary": ["a", "b", "c"],
    })
    quiet = quiet_competitors(obs, CFG["list"], as_of="2026-10-31", months=3)
    assert list(quiet["competitor"]) == ["Voss Motion", "Brandt Getriebebau"]
    assert pd.isna(quiet.iloc[0]["last_observation"])
    assert quiet.iloc[1]["last_observation"] == pd.Timestamp("2026-06-30")
    assert quiet.iloc[1]["days_since"] == 123
    assert quiet.iloc[1]["note_de"] == (
        "keine Beobachtung zu Brandt Getriebebau seit 30.06.2026 (123 Tage): "
        "eine Lücke in der Beobachtung, keine Entwarnung")


def test_alias_normalisation():
    df = pd.DataFrame({"competitor": ["Hartmann", "Hartmann Antriebe GmbH", "  hartmann   antriebe ",
                                      "HARTMANN ANTRIEBE AG", "Brandt GmbH & Co. KG", "Neumann Motion GmbH", None]})
    out = normalise_competitors(df, CFG["list"])
    assert out["competitor"].tolist()[:6] == ["Hartmann Antriebe"] * 4 + ["Brandt Getriebebau", "Neumann Motion GmbH"]
    assert pd.isna(out["competitor"].iloc[6])
    assert unknown_competitors(df, CFG["list"]) == ["Neumann Motion GmbH"]


def test_alias_claimed_by_two_competitors_is_an_error():
    with pytest.raises(ParamsError, match='alias "Motion" belongs to both'):
        alias_map([{"name": "A", "aliases": ["Motion"]}, {"name": "B", "aliases": ["Motion"]}])
