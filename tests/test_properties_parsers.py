"""Property-based tests (hypothesis) of the input parsers: German/English numbers and dates,
footer detection and file encodings (inputs/convert.py, inputs/readers.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cmo_workbook.inputs.convert import ConversionError, parse_date, parse_number
from cmo_workbook.inputs.readers import read_raw
from cmo_workbook.render import fmt

SETTINGS = settings(max_examples=150, deadline=None)
FILE_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

cents = st.integers(min_value=-10**11, max_value=10**11)


def spell(c: int, thousands: str, decimal: str, minus: str = "-") -> str:
    """An amount in cents written by hand: thousands groups of three, two decimals."""
    sign, c = (minus, -c) if c < 0 else ("", c)
    whole, frac = divmod(c, 100)
    groups = f"{whole:,}".replace(",", thousands)
    return f"{sign}{groups}{decimal}{frac:02d}"


@SETTINGS
@given(cents, st.sampled_from([".", " ", "\u00a0", "\u202f", "'"]), st.sampled_from(["-", "\u2212"]),
       st.sampled_from(["", " €", "\u00a0€", " EUR", "€ "]))
def test_german_amounts_round_trip(c, thousands, minus, affix):
    text = spell(c, thousands, ",", minus)
    text = affix + text if affix == "€ " else text + affix
    assert Decimal(repr(parse_number(text, "de"))) == Decimal(c) / 100


@SETTINGS
@given(cents, st.sampled_from([",", " ", "\u00a0", "'"]), st.sampled_from(["", "$", "€", "EUR "]))
def test_english_amounts_round_trip(c, thousands, prefix):
    sign, body = ("-", spell(-c, thousands, ".")) if c < 0 else ("", spell(c, thousands, "."))
    assert Decimal(repr(parse_number(f"{sign}{prefix}{body}", "en"))) == Decimal(c) / 100


@SETTINGS
@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["de", "en"]))
def test_what_the_memo_prints_parses_back(n, lang):
    # fmt.number writes U+2212 and the locale's grouping; the reader must read its own figures
    assert parse_number(fmt.number(n, lang), lang) == n


@SETTINGS
@given(cents)
def test_negatives_in_parentheses_or_with_trailing_minus(c):
    c = abs(c)
    assume(c > 0)
    body = spell(c, ".", ",")
    assert parse_number(f"({body})", "de") == parse_number(f"{body}-", "de") == -c / 100


@SETTINGS
@given(st.integers(min_value=1_000, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_auto_style_never_guesses_between_two_readings(whole, frac):
    # "1.234,56" and "1,234.56" have one reading each; auto must give that reading
    de = spell(whole * 100 + frac, ".", ",")
    en = spell(whole * 100 + frac, ",", ".")
    assert parse_number(de, "auto") == parse_number(en, "auto") == pytest.approx(whole + frac / 100)


@SETTINGS
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_auto_style_refuses_ambiguous_thousands(lead, tail):
    # "12.345" is 12345 in German and 12.345 in English: auto must refuse
    text = f"{lead}.{tail:03d}"
    with pytest.raises(ConversionError, match="is ambiguous"):
        parse_number(text, "auto")


@SETTINGS
@given(st.text(alphabet="abcxyz!?#/ ", min_size=1, max_size=12))
def test_text_is_never_a_number(text):
    assume(text.strip() != "")
    with pytest.raises(ConversionError, match="is not a number"):
        parse_number(text, "de")


dates = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59))


@SETTINGS
@given(dates)
def test_german_and_iso_dates_round_trip(d):
    d = d.replace(microsecond=0)
    assert parse_date(d.strftime("%d.%m.%Y")) == pd.Timestamp(d.date())
    assert parse_date(d.strftime("%d.%m.%Y %H:%M:%S")) == pd.Timestamp(d)
    assert parse_date(d.strftime("%Y-%m-%d %H:%M")) == pd.Timestamp(d.replace(second=0))
    assert parse_date(d.strftime("%m/%d/%Y"), ["%m/%d/%Y"]) == pd.Timestamp(d.date())


@SETTINGS
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_excel_serials_round_trip(d):
    serial = (pd.Timestamp(d) - pd.Timestamp("1899-12-30")).days
    assert parse_date(str(serial), ["excel"]) == pd.Timestamp(d)


@SETTINGS
@given(st.integers(min_value=1, max_value=32873))
def test_small_numbers_are_codes_not_excel_days_before_1990(n):
    """A DATEV day-month "0610" or a ticket number in a date column must not become a day of 1901."""
    with pytest.raises(Exception, match="is not a date"):
        parse_date(str(n), ["excel"])


@SETTINGS
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=29, max_value=31), st.integers(1901, 2099))
def test_impossible_calendar_days_are_errors_not_rollovers(month, day, year):
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ConversionError, match="is not a date"):
            parse_date(f"{day:02d}.{month:02d}.{year}")
    else:
        assert parse_date(f"{day:02d}.{month:02d}.{year}") == pd.Timestamp(year, month, day)


# ----------------------------------------------------------------- files: footers and encodings

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=10)


@FILE_SETTINGS
@given(st.sampled_from(["Total", "Gesamt", "Summe", "Totals", "TOTAL", "Grand Total"]), WORDS)
def test_first_cell_starting_with_a_total_word_is_data_unless_separated(tmp_path, word, rest):
    name = f"{word} {rest}"  # "Total Protection", "Summe Sommeraktion" ...
    f = tmp_path / "c.csv"
    f.write_text(f"Kampagne;Kosten\n{name};1\n{word}: Konto;1\n{word} ({rest});1\n{word};1\n", encoding="utf-8")
    t = read_raw(f, header_tokens=["Kampagne", "Kosten"])
    assert t.frame["Kampagne"].tolist() == [name]
    assert [d for _, d in t.dropped] == [f"{word}: Konto", f"{word} ({rest})", word]


CELL = st.text(alphabet="ABCxyz äöüÄÖÜß0123456789-.", min_size=1, max_size=16).map(str.strip).filter(bool)


@FILE_SETTINGS
@given(st.lists(CELL, min_size=1, max_size=5), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]),
       st.sampled_from([";", ",", "\t"]), st.sampled_from(["\n", "\r\n"]))
def test_any_text_in_any_supported_encoding_reads_back(tmp_path, cells, encoding, delimiter, newline):
    rows = [f"id{delimiter}Kampagne"] + [f"{i}{delimiter}\"{c}\"" for i, c in enumerate(cells, 1)]
    f = tmp_path / "export.csv"
    f.write_bytes((newline.join(rows) + newline).encode(encoding))
    t = read_raw(f, header_tokens=["id", "Kampagne"])
    assert t.frame["Kampagne"].tolist() == cells
    assert t.delimiter == delimiter
