"""Competitor prices: net EUR conversion, list-price changes, promotions, price index."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.competitors.prices import (
    price_changes,
    price_index,
    price_index_by_product,
    promotions,
    to_net_eur,
    vat_fraction,
)
from cmo_workbook.errors import ParamsError

FX = {"CHF": 1.05}
OWN = [
    {"name": "KS-Servo 60", "price": 1200.0, "segment": "Servo"},
    {"name": "KS-Servo 90", "price": 1650.0, "segment": "Servo"},
    {"name": "KG-Planet 120", "price": 980.0, "segment": "Getriebe"},
]


def _prices() -> pd.DataFrame:
    rows = [
        # Hartmann servo: 1428 gross = 1200 net, restated net (no change), then cut to 1056 (-12 %).
        ("2026-06-01", "Hartmann Antriebe", "HA-Servo 60", 1428.0, "EUR", "gross", "list", "KS-Servo 60"),
        ("2026-08-01", "Hartmann Antriebe", "HA-Servo 60", 1200.0, "EUR", "net", "list", "KS-Servo 60"),
        ("2026-09-01", "Hartmann Antriebe", "HA-Servo 60", 900.0, "EUR", "net", "quote", "KS-Servo 60"),
        ("2026-09-15", "Hartmann Antriebe", "HA-Servo 60", 1056.0, "EUR", "net", "list", "KS-Servo 60"),
        ("2026-10-01", "Hartmann Antriebe", "HA-Servo 60", 1056.0, "EUR", "net", "list", "KS-Servo 60"),
        ("2026-05-01", "Hartmann Antriebe", "HA-Planet 120", 1078.0, "EUR", "net", "list", "KG-Planet 120"),
        # 119 gross is 100 net: no change; then 110 net is +10 %.
        ("2026-01-10", "Hartmann Antriebe", "HA-Flex", 119.0, "EUR", "gross", "list", None),
        ("2026-03-10", "Hartmann Antriebe", "HA-Flex", 100.0, "EUR", "net", "list", None),
        ("2026-05-10", "Hartmann Antriebe", "HA-Flex", 110.0, "EUR", "net", "list", None),
        # Swiss competitor: 1000 CHF = 1050 EUR, then 1100 CHF = 1155 EUR (+10 %).
        ("2026-02-01", "Voss Motion", "VM-Servo 90", 1000.0, "CHF", "net", "list", "KS-Servo 90"),
        ("2026-07-01", "Voss Motion", "VM-Servo 90", 1100.0, "CHF", "net", "list", "KS-Servo 90"),
        # A promo at Brandt must not look like a list-price change.
        ("2026-01-15", "Brandt Getriebebau", "BG-Planet 120", 1000.0, "EUR", "net", "list", "KG-Planet 120"),
        ("2026-09-20", "Brandt Getriebebau", "BG-Planet 120", 850.0, "EUR", "net", "promo", "KG-Planet 120"),
        ("2026-10-10", "Brandt Getriebebau", "BG-Planet 120", 1000.0, "EUR", "net", "list", "KG-Planet 120"),
    ]
    cols = ["observed_date", "competitor", "product", "price", "currency", "price_basis", "price_type", "our_product"]
    df = pd.DataFrame(rows, columns=cols)
    df["observed_date"] = pd.to_datetime(df["observed_date"])
    df["unit"] = "Stück"
    return df


def test_gross_is_divided_by_vat_and_chf_converted():
    net = to_net_eur(_prices(), fx=FX, vat=0.19)
    by_key = net.set_index(["product", "observed_date"])["price_net_eur"]
    assert by_key[("HA-Flex", pd.Timestamp("2026-01-10"))] == pytest.approx(100.0)
    assert by_key[("HA-Servo 60", pd.Timestamp("2026-06-01"))] == pytest.approx(1200.0)
    assert by_key[("VM-Servo 90", pd.Timestamp("2026-02-01"))] == pytest.approx(1050.0)


def test_price_changes_finds_list_changes_only():
    changes = price_changes(_prices(), fx=FX, vat=0.19)
    got = changes[["competitor", "product", "old_price_net_eur", "new_price_net_eur", "change_pct", "direction",
                   "last_seen_old", "first_seen"]].values.tolist()
    assert got == [
        ["Hartmann Antriebe", "HA-Flex", 100.0, 110.0, 10.0, "up",
         pd.Timestamp("2026-03-10"), pd.Timestamp("2026-05-10")],
        ["Voss Motion", "VM-Servo 90", 1050.0, 1155.0, 10.0, "up",
         pd.Timestamp("2026-02-01"), pd.Timestamp("2026-07-01")],
        ["Hartmann Antriebe", "HA-Servo 60", 1200.0, 1056.0, -12.0, "down",
         pd.Timestamp("2026-08-01"), pd.Timestamp("2026-09-15")],
    ]
    # The Brandt promo and the Hartmann quote are not list changes.
    assert "BG-Planet 120" not in set(changes["product"])
    assert changes.loc[2, "our_product"] == "KS-Servo 60"


def test_promotion_is_reported_with_discount_against_list_price_at_the_time():
    promo = promotions(_prices(), fx=FX, vat=0.19)
    assert len(promo) == 1
    row = promo.iloc[0]
    assert row["competitor"] == "Brandt Getriebebau"
    assert row["promo_price_net_eur"] == 850.0
    assert row["list_price_net_eur"] == 1000.0
    assert row["list_observed_date"] == pd.Timestamp("2026-01-15")
    assert row["discount_pct"] == 15.0


def test_missing_fx_rate_names_currency_and_params_key():
    prices = _prices()
    prices.loc[0, "currency"] = "USD"
    with pytest.raises(ParamsError, match=r'currency "USD".*competitors\.fx'):
        price_changes(prices, fx=FX, vat=0.19)


def test_vat_accepts_percent_and_rejects_nonsense():
    assert vat_fraction(19) == pytest.approx(0.19)
    assert vat_fraction(0.077) == pytest.approx(0.077)
    assert vat_fraction(None) == pytest.approx(0.19)
    with pytest.raises(ParamsError, match="vat_rate"):
        vat_fraction(-5)


def test_price_index_per_product_and_competitor():
    per_product = price_index_by_product(_prices(), OWN, as_of="2026-09-30", fx=FX)
    got = dict(zip(zip(per_product["competitor"], per_product["product"]), per_product["index"]))
    assert got == {
        ("Brandt Getriebebau", "BG-Planet 120"): 102.0,  # 1000 / 980
        ("Hartmann Antriebe", "HA-Planet 120"): 110.0,  # 1078 / 980
        ("Hartmann Antriebe", "HA-Servo 60"): 88.0,  # 1056 / 1200 (after the cut)
        ("Voss Motion", "VM-Servo 90"): 70.0,  # 1100 CHF * 1.05 / 1650
    }
    per_comp = price_index(_prices(), OWN, as_of="2026-09-30", fx=FX)
    assert dict(zip(per_comp["competitor"], per_comp["index"])) == {
        "Brandt Getriebebau": 102.0, "Hartmann Antriebe": 99.0, "Voss Motion": 70.0}
    assert per_comp.set_index("competitor").loc["Hartmann Antriebe", "n_products"] == 2


def test_price_index_uses_prices_known_at_as_of():
    per_product = price_index_by_product(_prices(), OWN, as_of="2026-09-01", fx=FX)
    servo = per_product[per_product["product"] == "HA-Servo 60"].iloc[0]
    assert servo["index"] == 100.0  # before the cut: 1200 / 1200
    assert servo["observed_date"] == pd.Timestamp("2026-08-01")
