"""Converters: number and date spellings, NA spellings, ids, choices, and every bad cell reported."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.inputs.convert import (
    NA_SPELLINGS,
    ConversionError,
    convert_column,
    human_date_format,
    is_na,
    parse_date,
    parse_number,
)
from cmo_workbook.inputs.schema import Column

DE_EXPECTED = "is not a number (expected German format like 1.234,56)"


def cells(*values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# --- parse_number ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "style", "expected"), [
    ("1.234,56 €", "de", 1234.56),
    ("€ 1.234,56", "de", 1234.56),
    ("EUR 1.234,56", "de", 1234.56),
    ("1.234,56 EUR", "de", 1234.56),
    ("1 234,56", "de", 1234.56),
    ("1\u00a0234,56", "de", 1234.56),
    ("1\u202f234,56", "de", 1234.56),
    ("1.234.567", "de", 1234567.0),
    ("1.234", "de", 1234.0),
    ("12,5", "de", 12.5),
    ("0,5", "de", 0.5),
    ("12,5 %", "de", 12.5),
    ("12,5%", "de", 12.5),
    ("+12,5", "de", 12.5),
    ("-1.234,56", "de", -1234.56),
    ("1.234,56-", "de", -1234.56),
    ("(123,45)", "de", -123.45),
    ("(123,45 €)", "de", -123.45),
    ("\u22121,5", "de", -1.5),
    ("  42  ", "de", 42.0),
    ("1,23457E+11", "de", 123457000000.0),
    ("1,234.56", "en", 1234.56),
    ("$1,234.56", "en", 1234.56),
    ("-$1,234.56", "en", -1234.56),
    ("USD 1,234.56", "en", 1234.56),
    ("£12.50", "en", 12.5),
    ("1'234.50", "en", 1234.5),
    ("CHF 1'234.50", "en", 1234.5),
    ("CHF 1\u2019234.50", "en", 1234.5),
    ("12500.00", "en", 12500.0),
    ("(1,000)", "en", -1000.0),
    ("1.234,56", "auto", 1234.56),
    ("1,234.56", "auto", 1234.56),
    ("12,5", "auto", 12.5),
    ("12.5", "auto", 12.5),
    ("0,123", "auto", 0.123),
    ("1.234.567", "auto", 1234567.0),
    ("1'234.50", "auto", 1234.5),
    ("1 234", "auto", 1234.0),
    ("1234", "auto", 1234.0),
])
def test_number_spellings(text, style, expected):
    assert parse_number(text, style) == pytest.approx(expected, abs=1e-9)


def test_typed_numbers_pass_through():
    assert parse_number(12500.5, "de") == 12500.5
    assert parse_number(7, "en") == 7.0


@pytest.mark.parametrize(("text", "style", "message"), [
    ("12.5", "de", f'"12.5" {DE_EXPECTED}'),  # a dot after 1-2 digits is not a German thousands group
    ("1,2,3", "de", f'"1,2,3" {DE_EXPECTED}'),
    ("--5", "de", f'"--5" {DE_EXPECTED}'),
    ("€", "de", f'"€" {DE_EXPECTED}'),
    ("12,5", "en", '"12,5" is not a number (expected English format like 1,234.56)'),
    ("zwölf", "auto", '"zwölf" is not a number (expected a number like 1.234,56 or 1,234.56)'),
    ("1.234", "auto", '"1.234" is ambiguous: 1234 in German or 1.234 in English format; '
                      'set number_format to "de" or "en"'),
    ("1,234", "auto", '"1,234" is ambiguous: 1.234 in German or 1234 in English format; '
                      'set number_format to "de" or "en"'),
])
def test_bad_numbers_say_what_was_expected(text, style, message):
    with pytest.raises(ConversionError) as e:
        parse_number(text, style)
    assert str(e.value) == message
    assert isinstance(e.value, ValueError)


# --- parse_date --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "formats", "expected"), [
    ("01.02.2024", ["%d.%m.%Y"], dt.datetime(2024, 2, 1)),
    ("1.2.2024", ["%d.%m.%Y"], dt.datetime(2024, 2, 1)),
    ("01.02.2024 13:45", ["%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%y"], dt.datetime(2024, 2, 1, 13, 45)),
    ("01.02.24", ["%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%y"], dt.datetime(2024, 2, 1)),
    ("11/1/2024", ["%m/%d/%Y"], dt.datetime(2024, 11, 1)),
    ("20240201", ["%Y%m%d"], dt.datetime(2024, 2, 1)),
    ("45323", ["excel"], dt.datetime(2024, 2, 1)),
    ("45323,5", ["excel"], dt.datetime(2024, 2, 1, 12)),
    (45323.75, ["%d.%m.%Y"], dt.datetime(2024, 2, 1, 18)),  # typed number = Excel serial
    ("2024-02-01", ["iso"], dt.datetime(2024, 2, 1)),
    ("2024-02-01 10:11", ["iso"], dt.datetime(2024, 2, 1, 10, 11)),
    ("2024-02-01T10:11:12", ["iso"], dt.datetime(2024, 2, 1, 10, 11, 12)),
    (dt.date(2024, 2, 1), ["iso"], dt.datetime(2024, 2, 1)),
])
def test_date_spellings(text, formats, expected):
    assert parse_date(text, formats) == pd.Timestamp(expected)


@pytest.mark.parametrize(("text", "formats", "message"), [
    ("31.02.2024", ["%d.%m.%Y"], '"31.02.2024" is not a date (expected DD.MM.YYYY)'),
    ("2024-02-30", ["%Y-%m-%d"], '"2024-02-30" is not a date (expected YYYY-MM-DD)'),
    ("13/01/2024", ["%m/%d/%Y"], '"13/01/2024" is not a date (expected MM/DD/YYYY)'),
    ("01.02.2024", ["iso", "excel"],
     '"01.02.2024" is not a date (expected YYYY-MM-DD[ HH:MM[:SS]] or an Excel date number)'),
    ("2024-02", ["iso"], '"2024-02" is not a date (expected YYYY-MM-DD[ HH:MM[:SS]])'),
    ("01.02.0224", ["%d.%m.%Y"], '"01.02.0224" is not a plausible date (expected a year from 1900 to 2099)'),
])
def test_bad_dates(text, formats, message):
    with pytest.raises(ConversionError) as e:
        parse_date(text, formats)
    assert str(e.value) == message


def test_human_date_format():
    assert human_date_format("%d.%m.%Y") == "DD.MM.YYYY"
    assert human_date_format("%m/%d/%Y") == "MM/DD/YYYY"
    assert human_date_format("%Y-%m-%d") == "YYYY-MM-DD"
    assert human_date_format("%d.%m.%Y %H:%M") == "DD.MM.YYYY HH:MM"


# --- NA ----------------------------------------------------------------------------------


def test_na_spellings():
    for spelling in NA_SPELLINGS + ("K.A.", " N/A ", "NULL", "Keine Angabe"):
        assert is_na(spelling), spelling
    assert is_na(None) and is_na(float("nan")) and is_na(pd.NA)
    assert not is_na("0") and not is_na(0) and not is_na("na na")


# --- convert_column ----------------------------------------------------------------------


def test_number_column_collects_every_bad_cell():
    values = cells("1.234,56", "abc", "", "k.A.", 12500.0, " --", "12.5", True, "(5,00)")
    result, problems = convert_column(values, Column("cost", "number"))
    assert result.dtype == "float64"
    assert result.tolist()[:1] == [1234.56]
    assert result.iloc[4] == 12500.0
    assert result.iloc[8] == -5.0
    assert result.isna().tolist() == [False, True, True, True, False, True, True, True, False]
    assert problems == [(1, "abc", DE_EXPECTED), (6, "12.5", DE_EXPECTED), (7, True, DE_EXPECTED)]


def test_number_column_english_and_index_kept():
    values = pd.Series(["12500.00", "1,234.56", "x"], index=[10, 11, 12], dtype=object, name="Amount")
    result, problems = convert_column(values, Column("amount", "number"), number_style="en")
    assert result.index.tolist() == [10, 11, 12]
    assert result.name == "Amount"
    assert result.iloc[:2].tolist() == [12500.0, 1234.56]
    assert problems == [(2, "x", "is not a number (expected English format like 1,234.56)")]


def test_fast_and_slow_number_paths_agree():
    # the vectorised path handles clean spellings, parse_number the rest; mix both
    values = cells("1.234,56", "1.234,56 €", "-1.234,56", "1.234,56-", "1 234,56", "7")
    result, problems = convert_column(values, Column("cost", "number"))
    assert problems == []
    assert result.tolist() == [1234.56, 1234.56, -1234.56, -1234.56, 1234.56, 7.0]


def test_integer_column():
    values = cells("1.234", "56", 7.0, "2,5", "", " --")
    result, problems = convert_column(values, Column("impressions", "integer"))
    assert str(result.dtype) == "Int64"
    assert result.tolist() == [1234, 56, 7, pd.NA, pd.NA, pd.NA]
    assert problems == [(3, "2,5", "is not a whole number")]


def test_date_column_is_not_a_thousands_trap():
    values = cells("01.02.2024", "31.02.2024", dt.datetime(2024, 3, 1, 15, 30), 45323, "", "n/a",
                   "01.02.2024 09:15")
    result, problems = convert_column(values, Column("date", "date"),
                                      date_formats=["%d.%m.%Y", "%d.%m.%Y %H:%M"])
    assert str(result.dtype) == "datetime64[ns]"
    assert result.tolist()[:4] == [pd.Timestamp("2024-02-01"), pd.NaT, pd.Timestamp("2024-03-01"),
                                   pd.Timestamp("2024-02-01")]
    assert result.iloc[4:6].isna().all()
    assert result.iloc[6] == pd.Timestamp("2024-02-01")  # date columns drop the time of day
    assert problems == [(1, "31.02.2024", "is not a date (expected DD.MM.YYYY or DD.MM.YYYY HH:MM)")]


def test_datetime_column_keeps_time_and_default_formats():
    values = cells("01.02.2024 09:15", "2024-02-01 09:15:30", "01.02.2024")
    result, problems = convert_column(values, Column("created_date", "datetime"))
    assert problems == []
    assert result.tolist() == [pd.Timestamp("2024-02-01 09:15"), pd.Timestamp("2024-02-01 09:15:30"),
                               pd.Timestamp("2024-02-01")]


def test_id_column_keeps_text_and_repairs_typed_numbers():
    values = cells("007", 12345.0, 42, " A-1 ", "", "n/a", 12.5)
    result, problems = convert_column(values, Column("deal_id", "id"))
    assert problems == []
    assert str(result.dtype) == "string"
    assert result.tolist() == ["007", "12345", "42", "A-1", pd.NA, pd.NA, "12.5"]


def test_string_column_strips_and_maps_na():
    values = cells("  Messe SPS  ", "keine Angabe", "k. A.", "#N/A", "Text", dt.datetime(2024, 2, 1))
    result, problems = convert_column(values, Column("campaign", "string"))
    assert problems == []
    assert result.tolist() == ["Messe SPS", pd.NA, pd.NA, pd.NA, "Text", "2024-02-01"]


def test_currency_column():
    values = cells("eur", "€", "$", " usd ", "Euro", "")
    result, problems = convert_column(values, Column("currency", "currency"))
    assert result.tolist() == ["EUR", "EUR", "USD", "USD", pd.NA, pd.NA]
    assert problems == [(4, "Euro", "is not a currency code (expected a 3-letter ISO code like EUR)")]


def test_choice_column_with_localised_map():
    column = Column("impact", "choice", choices=("low", "medium", "high"))
    values = cells("hoch", "Mittel", "LOW", "sehr hoch", "", "High")
    result, problems = convert_column(values, column,
                                      choice_map={"hoch": "high", "mittel": "medium", "niedrig": "low"})
    assert result.tolist() == ["high", "medium", "low", pd.NA, pd.NA, "high"]
    assert problems == [(3, "sehr hoch",
                         "is not an allowed value (expected one of: low, medium, high; "
                         "or one of the mapped values: hoch, mittel, niedrig)")]


def test_choice_column_without_map():
    column = Column("status", "choice", choices=("open", "won", "lost"))
    result, problems = convert_column(cells("Won", "gewonnen"), column)
    assert result.tolist() == ["won", pd.NA]
    assert problems == [(1, "gewonnen", "is not an allowed value (expected one of: open, won, lost)")]


def test_unknown_number_style_is_refused():
    with pytest.raises(ValueError, match="number_style must be one of"):
        convert_column(cells("1"), Column("cost", "number"), number_style="fr")


def test_large_german_column_converts_exactly():
    # correctness on a long column (speed is measured outside the test suite)
    rng = np.random.default_rng(7)
    cents = rng.integers(0, 10_000_000, 5_000)
    texts = [f"{c // 100:,}".replace(",", ".") + f",{c % 100:02d} €" for c in cents]
    result, problems = convert_column(pd.Series(texts, dtype=object), Column("cost", "number"))
    assert problems == []
    np.testing.assert_allclose(result.to_numpy(), cents / 100, rtol=0, atol=1e-9)


def test_value_map_on_a_string_column_replaces_known_values_only():
    values = cells("Messe", "e-mail", "Sonstiges", "")
    result, problems = convert_column(values, Column("channel", "string"),
                                      choice_map={"messe": "trade_fairs", "E-Mail": "email"})
    assert problems == []
    assert result.tolist() == ["trade_fairs", "email", "Sonstiges", pd.NA]
