"""Exact memo strings from cmo_workbook.render.fmt and cmo_workbook.render.i18n (hand-derived, de_DE / en_GB)."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.render import fmt, i18n
from cmo_workbook.render.i18n import t

NB = "\u00a0"  # CLDR's no-break space between number and unit in German
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("x", "lang", "digits", "expected"),
    [
        (1234.5, "de", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234567, "de", 0, "1.234.567"),
        (-1234, "de", 0, f"{MINUS}1.234"),
        (-1234, "en", 0, f"{MINUS}1,234"),
        (2.5, "de", 0, "3"),  # half-up like Excel, not babel's half-even ('2')
        (1.005, "en", 2, "1.01"),  # float 1.005 is 1.00499999…; repr-based rounding gives the expected 1.01
        (-0.4, "de", 0, "0"),  # no negative zero
        (0.5, "de", 2, "0,50"),
    ],
)
def test_number(x, lang, digits, expected):
    assert fmt.number(x, lang, digits) == expected


def test_number_signed():
    assert fmt.number(12, "de", signed=True) == "+12"
    assert fmt.number(-12, "de", signed=True) == f"{MINUS}12"
    assert fmt.number(0, "de", signed=True) == "0"


@pytest.mark.parametrize(
    ("x", "lang", "digits", "expected"),
    [
        (0.473, "de", 1, f"47,3{NB}%"),
        (0.473, "en", 1, "47.3%"),
        (0.473, "de", 0, f"47{NB}%"),
        (1.0, "en", 1, "100.0%"),
        (12.3456, "de", 1, f"1.234,6{NB}%"),
        (-0.05, "en", 1, f"{MINUS}5.0%"),
    ],
)
def test_percent(x, lang, digits, expected):
    assert fmt.percent(x, lang, digits) == expected


@pytest.mark.parametrize(
    ("x", "lang", "kwargs", "expected"),
    [
        (0.47, "de", {}, f"+47{NB}%"),
        (0.47, "en", {}, "+47%"),
        (-0.12, "de", {}, f"{MINUS}12{NB}%"),
        (-0.12, "en", {}, f"{MINUS}12%"),
        (0.0449, "en", {"digits": 1}, "+4.5%"),
        (0.47, "en", {"signed": False}, "47%"),
        (0.004, "de", {}, f"0{NB}%"),  # rounds to zero: no sign
    ],
)
def test_pct_change(x, lang, kwargs, expected):
    assert fmt.pct_change(x, lang, **kwargs) == expected


def test_pp_takes_a_fraction_difference():
    assert fmt.pp(0.497 - 0.473, "de") == f"+2,4{NB}Prozentpunkte"
    assert fmt.pp(0.024, "en") == f"+2.4{NB}percentage points"
    assert fmt.pp(-0.0125, "de") == f"{MINUS}1,3{NB}Prozentpunkte"
    # written out for a CEO; a whole 1 in the singular
    assert fmt.pp(0.01, "de", 0) == f"+1{NB}Prozentpunkt" and fmt.pp(-0.01, "en", 0) == f"{MINUS}1{NB}percentage point"
    assert fmt.pp(0.01, "de") == f"+1,0{NB}Prozentpunkte"
    assert fmt.pp(0.0, "en") == f"0.0{NB}percentage points"


@pytest.mark.parametrize(
    ("x", "lang", "compact", "expected"),
    [
        (12345, "de", False, f"12.345{NB}€"),
        (12345, "en", False, "€12,345"),
        (12345.5, "de", False, f"12.346{NB}€"),
        (-500, "en", False, f"{MINUS}€500"),
        (1_200_000, "de", True, f"1,2{NB}Mio.{NB}€"),
        (850_000, "de", True, f"850{NB}Tsd.{NB}€"),
        (1_200_000, "en", True, "€1.2m"),
        (850_000, "en", True, "€850k"),
        (12_345, "de", True, f"12,3{NB}Tsd.{NB}€"),
        (1_000_000, "en", True, "€1m"),  # trailing ',0' dropped
        (999_960, "en", True, "€1m"),  # not '€1,000k'
        (2_500_000_000, "de", True, f"2,5{NB}Mrd.{NB}€"),
        (-1_250_000, "en", True, f"{MINUS}€1.3m"),
        (850, "de", True, f"850{NB}€"),
    ],
)
def test_money(x, lang, compact, expected):
    assert fmt.money(x, lang, compact=compact) == expected


def test_money_other_currency_and_digits():
    assert fmt.money(1234.5, "de", currency="USD", digits=2) == f"1.234,50{NB}$"
    assert fmt.money(1234.5, "en", currency="CHF") == "CHF1,235"  # CLDR en_GB has no narrow CHF symbol


def test_compact_number():
    assert fmt.compact_number(1_234_000, "de") == f"1,2{NB}Mio."
    assert fmt.compact_number(45_600, "en") == "45.6k"
    assert fmt.compact_number(999, "en") == "999"


def test_dates():
    d = dt.date(2026, 10, 31)
    assert fmt.date(d, "de") == "31.10.2026"
    assert fmt.date(d, "en") == "31 Oct 2026"
    assert fmt.date(pd.Timestamp("2026-03-05 14:30"), "de") == "05.03.2026"
    assert fmt.date("2026-10-31", "en") == "31 Oct 2026"
    assert fmt.month(pd.Period("2026-10", "M"), "de") == "Oktober 2026"
    assert fmt.month("2026-10", "en") == "October 2026"
    assert fmt.month(dt.date(2026, 3, 1), "de") == "März 2026"
    assert fmt.month("2026-10", "de", short=True) == "Okt 2026"
    assert fmt.quarter(pd.Period("2026Q3", "Q"), "de") == "Q3 2026"
    assert fmt.quarter(dt.date(2026, 9, 30), "en") == "Q3 2026"
    assert fmt.month_range("2025-10", "2026-10", "de") == "Okt 2025 – Okt 2026"
    assert fmt.month_name("2026-10", "en") == "Oct"


def test_bad_date_names_the_value():
    with pytest.raises(ValueError, match="'31.02.2026'.*expected a date"):
        fmt.date("31.02.2026", "de")


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, math.inf])
def test_missing_values_print_en_dash(missing):
    for func in (fmt.number, fmt.percent, fmt.pct_change, fmt.pp, fmt.money, fmt.compact_number):
        assert func(missing, "de") == "–"
    if missing is not math.inf:
        assert fmt.date(missing, "en") == "–"
        assert fmt.month(missing, "en") == "–"


def test_unsupported_language():
    with pytest.raises(ValueError, match="'xx'.*expected one of de, en, fr.*render/locales/xx/LC_MESSAGES/cmo_workbook.po"):
        fmt.number(1, "xx")


def test_delta_relative():
    d = fmt.delta(120, 100, "de")
    assert (d.text, d.sign, d.good, d.value, d.available) == (f"+20{NB}%", 1, True, 0.2, True)
    d = fmt.delta(80, 100, "en", higher_is_better=False)
    assert (d.text, d.sign, d.good) == (f"{MINUS}20%", -1, True)
    d = fmt.delta(80, 100, "en")
    assert d.good is False
    # negative previous: direction follows the change, not the sign of the ratio
    assert fmt.delta(-50, -100, "en").text == "+50%"
    assert fmt.delta(100.2, 100, "en").to_dict() == {
        "text": "0%", "sign": 0, "good": None, "value": pytest.approx(0.002), "available": True,
    }


def test_delta_previous_zero_is_new():
    d = fmt.delta(5, 0, "de")
    assert (d.text, d.sign, d.good, d.value) == ("neu", 1, True, None)
    assert fmt.delta(5, 0, "en").text == "new"
    d = fmt.delta(0, 0, "en")
    assert (d.text, d.sign, d.good) == ("0%", 0, None)


def test_delta_abs_and_pp():
    d = fmt.delta(1000, 1500, "de", "abs", "EUR")
    assert (d.text, d.sign, d.good, d.value) == (f"{MINUS}500{NB}€", -1, False, -500.0)
    assert fmt.delta(1500, 1000, "en", "abs", "EUR").text == "+€500"
    assert fmt.delta(42, 40, "de", "abs").text == "+2"
    assert fmt.delta(42, 40, "de", "abs", "Tage").text == f"+2{NB}Tage"
    d = fmt.delta(0.497, 0.473, "en", "pp")
    assert (d.text, d.sign, d.good) == (f"+2.4{NB}percentage points", 1, True)
    assert fmt.delta(0.497, 0.473, "en", "pp", higher_is_better=None).good is None


@pytest.mark.parametrize(("current", "previous"), [(None, 3), (3, float("nan")), (pd.NA, pd.NA)])
def test_delta_missing(current, previous):
    d = fmt.delta(current, previous, "de")
    assert (d.text, d.sign, d.good, d.value, d.available) == ("–", 0, None, None, False)


def test_delta_bad_kind():
    with pytest.raises(ValueError, match="'ratio'"):
        fmt.delta(1, 2, "de", kind="ratio")


def test_ui_strings():
    assert t("vs_prev_month", "de") == "ggü. Vormonat"
    assert t("vs_prev_year", "en") == "vs same month last year"
    assert t("on_track", "de") == "auf Kurs"
    assert t("off_track", "en") == "off track"
    assert t("generated_on", "de") == "Erstellt am"
    assert t("own_price", "de", value="100") == "Eigener Preis = 100"


def test_money_in_thousands_keeps_the_difference_a_compact_million_hides():
    assert fmt.money_thousands(1_135_000, "de") == f"1.135{NB}Tsd.{NB}€"
    assert fmt.money_thousands(1_101_499.99, "en") == "€1,101k"  # 1,101.49999 thousand rounds down
    assert fmt.money_thousands(1_500, "de") == f"2{NB}Tsd.{NB}€"  # half up, as everywhere in the memo
    assert fmt.money_thousands(-4_200, "en") == "−€4k"
    assert fmt.money_thousands(float("nan"), "de") == "–"
