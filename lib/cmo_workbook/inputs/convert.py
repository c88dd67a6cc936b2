"""Typed conversion of text cells, collecting every bad cell instead of stopping at the first.

Formats are explicit: a German file says ``number_style='de'`` and its date formats,
so ``1.234`` is one thousand two hundred thirty-four and ``01.02.2024`` is the first of
February. Nothing here guesses a format per file; ``'auto'`` decides per value only
when the spelling is unambiguous. Pure functions, vectorised with pandas where columns
get long.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .schema import Column

NA_SPELLINGS: tuple[str, ...] = (
    "", "-", "--", " --", "k.A.", "k. A.", "keine Angabe", "n/a", "N/A", "NA", "n.a.", "#N/A",
    "null", "None", "nan",
)
_NA = frozenset(s.strip().casefold() for s in NA_SPELLINGS)

NUMBER_STYLES = ("de", "en", "auto")
#: used when a caller gives no date formats: German spellings first, then ISO
DEFAULT_DATE_FORMATS: tuple[str, ...] = ("%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "iso")
#: dates outside this range are typos (01.02.0224) or serials in the wrong column
_MIN_DATE, _MAX_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-01-01")
_EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
_IMPLAUSIBLE = "is not a plausible date (expected a year from 1900 to 2099)"

_EXPECTED_NUMBER = {
    "de": "is not a number (expected German format like 1.234,56)",
    "en": "is not a number (expected English format like 1,234.56)",
    "auto": "is not a number (expected a number like 1.234,56 or 1,234.56)",
}
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "US$": "USD"}

# spaces used as thousands separators (NBSP, narrow NBSP, thin/figure space), the
# typographic apostrophe of Swiss numbers and the Unicode minus sign
_CHAR_MAP = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
                           "\u2019": "'", "\u2212": "-"})
_CODES = "EUR|USD|CHF|GBP"
_AFFIXES = re.compile(
    rf"^(?:[\s€$£%]|(?:{_CODES})(?![a-z]))+|(?:[\s€$£%]|(?<![a-z])(?:{_CODES}))+$", re.IGNORECASE)
_EXP = r"(?:[eE][+-]?\d+)?"
_GRAMMAR = {
    # a thousands group needs a 1-3 digit lead that is not 0: "0,123" is a decimal
    "de": re.compile(rf"^(?:(?:[1-9]\d{{0,2}}(?P<sep>[. '])\d{{3}}(?:(?P=sep)\d{{3}})*|\d+)(?:,\d+)?{_EXP}"
                     rf"|,\d+)$"),
    "en": re.compile(rf"^(?:(?:[1-9]\d{{0,2}}(?P<sep>[, '])\d{{3}}(?:(?P=sep)\d{{3}})*|\d+)(?:\.\d+)?{_EXP}"
                     rf"|\.\d+)$"),
}
_THOUSANDS = {"de": str.maketrans({".": None, " ": None, "'": None, ",": "."}),
              "en": str.maketrans({",": None, " ": None, "'": None})}
# the common clean spellings, converted without a Python loop
_FAST = {
    "de": (r"^-?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?$", r"\.", ","),
    "en": (r"^-?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?$", ",", None),
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$")
_EXCEL_SERIAL = re.compile(r"^\d+(?:[.,]\d+)?$")
_HUMAN = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "HH", "%I": "hh", "%M": "MM",
          "%S": "SS", "%f": "ffffff", "%p": "AM/PM", "%b": "Mon", "%B": "Month", "%j": "DDD",
          "%z": "+HHMM", "%%": "%"}


class ConversionError(ValueError):
    """A cell that does not fit its type; ``expected`` says what would have fitted."""

    def __init__(self, value: object, expected: str):
        self.value = value
        self.expected = expected
        super().__init__(f"{_show(value)} {expected}")


def _show(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def is_na(value: object) -> bool:
    """True for empty cells and the spellings of "no value" in :data:`NA_SPELLINGS`."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and value.strip().casefold() in _NA


# --- numbers -----------------------------------------------------------------------------


def parse_number(text: object, style: str = "de") -> float:
    """Parse one number spelled the ``style`` way ('de', 'en' or 'auto').

    Accepts currency symbols/codes, ``%`` (the number is returned, not divided by 100),
    a leading sign, a trailing minus, parentheses for negatives and space, NBSP or
    apostrophe thousands separators. Raises :class:`ConversionError` (a ValueError).
    """
    if style not in NUMBER_STYLES:
        raise ValueError(f"number style must be one of {NUMBER_STYLES} (got {style!r})")
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, (bool, np.bool_)):
        return float(text)
    if not isinstance(text, str):
        raise ConversionError(text, _EXPECTED_NUMBER[style])
    body, negative = _unsign(text)
    if body is None:
        raise ConversionError(text, _EXPECTED_NUMBER[style])
    if style != "auto":
        value = _grammar_value(body, style)
        if value is None:
            raise ConversionError(text, _EXPECTED_NUMBER[style])
    else:
        de, en = _grammar_value(body, "de"), _grammar_value(body, "en")
        if de is None and en is None:
            raise ConversionError(text, _EXPECTED_NUMBER["auto"])
        if de is not None and en is not None and de != en:
            raise ConversionError(
                text, f"is ambiguous: {de:.15g} in German or {en:.15g} in English format; "
                      f'set number_format to "de" or "en"')
        value = de if de is not None else en
    return -value if negative else value


def _unsign(text: str) -> tuple[str | None, bool]:
    """(digits with separators, is negative) or (None, False) if the sign syntax is bad."""
    s = text.translate(_CHAR_MAP).strip()
    negative = False
    if len(s) >= 2 and s[0] == "(" and s[-1] == ")":
        negative, s = True, s[1:-1]
    s = _AFFIXES.sub("", s)
    if s[:1] in ("-", "+"):
        negative, s = negative ^ (s[0] == "-"), s[1:]
    elif s[-1:] == "-":
        negative, s = not negative, s[:-1]
    s = _AFFIXES.sub("", s)
    if not s or s[0] in "+-" or s[-1] in "+-":
        return None, False
    return s, negative


#: a whole number grouped in threes by the style's decimal mark: "210.000" (en) / "210,000" (de)
_GROUPED_BY_DECIMAL_MARK = {"en": re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$"),
                            "de": re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$")}
_DECIMAL_MARK = {"en": ".", "de": ","}


def grouped_by_decimal_mark(values: pd.Series, style: str) -> list[int]:
    """Positions of cells that look like thousands groups written with the style's decimal mark.

    ``"210.000"`` in an English-format money column is 210,000 written the German way (read as 210 it
    would be off by a factor of 1,000); ``"1.250.000"`` is not even an English number. Returns the
    positions of such cells, or ``[]`` when the column also holds an unambiguous decimal of the style with
    three or more places (``"1234.567"``): then the column really uses the mark for such decimals; two places
    (``"12500.50"``) do not clear a grouped cell, as money never has three. ``'auto'`` already
    refuses an ambiguous cell, so it returns ``[]``.
    """
    if style not in _GROUPED_BY_DECIMAL_MARK or not len(values):
        return []
    grouped_rx, mark = _GROUPED_BY_DECIMAL_MARK[style], _DECIMAL_MARK[style]
    obj = values.astype(object) if isinstance(values.dtype, pd.CategoricalDtype) else values
    texts = pd.Series(obj.to_numpy(dtype=object)).map(lambda v: v if isinstance(v, str) else None)
    kinds: dict[str, str] = {}
    for text in texts.dropna().unique():
        body, _ = _unsign(text)
        if body is None:
            kinds[text] = ""
        elif grouped_rx.match(body):
            kinds[text] = "grouped"
        elif mark in body and _grammar_value(body, style) is not None:
            kinds[text] = "decimal"
        else:
            kinds[text] = ""
    # money has at most two decimals: "12500.50" beside "210.000" does not make the latter 210 (a column
    # whose decimals really run to three places, "1234.567", does)
    places = [len(t.rsplit(mark, 1)[1]) for t, k in kinds.items() if k == "decimal" and mark in t]
    if "grouped" not in kinds.values() or any(n >= 3 for n in places):
        return []
    hit = texts.map(kinds).eq("grouped").to_numpy(dtype=bool)
    return [int(i) for i in np.flatnonzero(hit)]


def _grammar_value(body: str, style: str) -> float | None:
    if not _GRAMMAR[style].match(body):
        return None
    return float(body.translate(_THOUSANDS[style]))


def _parse_numbers(texts: pd.Series, style: str) -> tuple[np.ndarray, dict[int, str]]:
    """Parse stripped non-NA strings; returns values and {index in texts: expected} failures."""
    out = np.full(len(texts), np.nan)
    failures: dict[int, str] = {}
    todo = np.ones(len(texts), dtype=bool)
    if style in _FAST and len(texts):
        pattern, thousands, decimal = _FAST[style]
        # same first steps as parse_number, so both paths agree on every value
        bare = texts.str.translate(_CHAR_MAP).str.replace(_AFFIXES, "", regex=True)
        fast = bare.str.match(pattern).to_numpy(dtype=bool)
        if fast.any():
            clean = bare[fast].str.replace(thousands, "", regex=True)
            if decimal:
                clean = clean.str.replace(decimal, ".", regex=False)
            out[fast] = pd.to_numeric(clean).to_numpy(dtype=float)
            todo = ~fast
    cache: dict[str, float | str] = {}
    for i in np.flatnonzero(todo):
        text = texts.iat[i]
        if text not in cache:
            try:
                cache[text] = parse_number(text, style)
            except ConversionError as exc:
                cache[text] = exc.expected
        result = cache[text]
        if isinstance(result, str):
            failures[i] = result
        else:
            out[i] = result
    return out, failures


# --- dates -------------------------------------------------------------------------------


def human_date_format(fmt: str) -> str:
    """Render a strptime format as people write it: ``%d.%m.%Y`` → ``DD.MM.YYYY``."""
    if fmt == "excel":
        return "an Excel date number"
    if fmt == "iso":
        return "YYYY-MM-DD[ HH:MM[:SS]]"
    return re.sub(r"%.", lambda m: _HUMAN.get(m.group(0), m.group(0)), fmt)


def _expected_date(formats: Sequence[str]) -> str:
    return f"is not a date (expected {' or '.join(human_date_format(f) for f in formats)})"


def empty_required(column: str) -> tuple[str, str]:
    """(message, fix) for an empty cell of a required column: one wording for files and engine sources."""
    return f"is empty but {column} is required", "fill the cell or remove the row"


def in_future(today: dt.date, params_text: str) -> tuple[str, str]:
    """(message, fix) for a date after today in a column that may not lie in the future (files and engine sources)."""
    return (f"lies in the future (today is {today:%d.%m.%Y})",
            f"check the date (day and month swapped?) or set date_format for this file in {params_text}")


def parse_date(text: object, formats: Sequence[str] = DEFAULT_DATE_FORMATS) -> pd.Timestamp:
    """Parse one date/timestamp with the given formats, tried in order.

    Formats are strptime patterns or ``'excel'`` (serial day numbers, origin 1899-12-30,
    fraction = time of day) or ``'iso'``. Raises :class:`ConversionError`.
    """
    values, failures = _parse_dates(pd.Series([text], dtype=object), list(formats))
    if failures:
        raise ConversionError(text, failures[0])
    return values[0]


def _parse_dates(values: pd.Series, formats: list[str]) -> tuple[pd.Series, dict[int, str]]:
    """Parse a Series of cells (text, typed datetimes, typed numbers, NA) to datetime64[ns]."""
    obj = values.to_numpy(dtype=object)
    out = pd.Series(pd.NaT, index=range(len(obj)), dtype="datetime64[ns]")
    failures: dict[int, str] = {}
    text_pos, texts, serial_pos, serials = [], [], [], []
    if pd.api.types.infer_dtype(obj, skipna=False) == "string":  # CSV cells: no per-cell type checks
        stripped = pd.Series(obj, dtype=object).str.strip()
        keep = ~stripped.str.casefold().isin(_NA).to_numpy(dtype=bool)
        text_pos, texts = np.flatnonzero(keep).tolist(), stripped[keep].tolist()
        obj = obj[:0]
    for i, v in enumerate(obj):
        if is_na(v):
            continue
        if isinstance(v, str):
            text_pos.append(i)
            texts.append(v.strip())
        elif isinstance(v, (dt.datetime, dt.date, np.datetime64)):
            stamp = pd.Timestamp(v)
            if _MIN_DATE <= stamp < _MAX_DATE:
                out.iat[i] = stamp
            else:
                failures[i] = _IMPLAUSIBLE
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            serial_pos.append(i)
            serials.append(float(v))
        else:
            failures[i] = _expected_date(formats)
    if serial_pos:
        out.iloc[serial_pos] = _from_serials(np.array(serials)).to_numpy()
    if texts:
        remaining = pd.Series(texts, index=text_pos, dtype=object)
        for fmt in formats:
            if remaining.empty:
                break
            parsed = _parse_text_dates(remaining, fmt)
            ok = parsed.notna()
            # checked before the cast to ns, which cannot hold years like 0024
            plausible = ok & (parsed >= _MIN_DATE) & (parsed < _MAX_DATE)
            out.iloc[parsed.index[plausible]] = parsed[plausible].astype("datetime64[ns]").to_numpy()
            for i in parsed.index[ok & ~plausible]:
                failures[i] = _IMPLAUSIBLE
            remaining = remaining[~ok]
        for i in remaining.index:
            failures[i] = _expected_date(formats)
    return out, failures


#: Excel day numbers read from text cells start at 1990-01-01: a smaller number in a date column is a code
#: (a DATEV day-month "0610", a ticket number), and reading it as a day of 1901 would be a confident wrong date
_SERIAL_FROM = 32874


def _from_serials(serials: np.ndarray) -> pd.Series:
    valid = (serials >= _SERIAL_FROM) & (serials < 73051)  # 73051 = 2100-01-01
    days = pd.to_timedelta(np.where(valid, serials, np.nan), unit="D")
    return pd.Series(_EXCEL_ORIGIN + days).dt.round("s").astype("datetime64[ns]")


def _parse_text_dates(texts: pd.Series, fmt: str) -> pd.Series:
    if fmt == "excel":
        looks = texts.str.match(_EXCEL_SERIAL.pattern).to_numpy(dtype=bool)
        numbers = pd.to_numeric(texts.where(looks, "nan").str.replace(",", ".", regex=False),
                                errors="coerce").to_numpy(dtype=float)
        return pd.Series(_from_serials(numbers).to_numpy(), index=texts.index)
    if fmt == "iso":
        looks = texts.str.match(_ISO.pattern).to_numpy(dtype=bool)
        parsed = pd.to_datetime(texts.where(looks, None), format="ISO8601", errors="coerce")
        return parsed
    return pd.to_datetime(texts, format=fmt, errors="coerce")


# --- the column converter ----------------------------------------------------------------


def convert_column(
    values: pd.Series,
    column: Column,
    *,
    number_style: str = "de",
    date_formats: Sequence[str] | None = None,
    choice_map: Mapping[str, str] | None = None,
) -> tuple[pd.Series, list[tuple[int, object, str]]]:
    """Convert one column of raw cells to ``column.type``.

    Returns the typed Series (same index as ``values``) and the problems as
    ``(position, bad value, expected text)``, sorted by position (0-based, i.e. a
    :class:`~cmo_workbook.inputs.readers.RawTable` ``rows[position]`` gives the spreadsheet
    row). Bad cells become missing in the result. ``non_negative`` is not checked here.
    ``choice_map`` ({raw spelling: canonical}, case-insensitive) maps choice columns and,
    when given, also replaces known values of string columns (others are kept).
    """
    if number_style not in NUMBER_STYLES:
        raise ValueError(f"number_style must be one of {NUMBER_STYLES} (got {number_style!r})")
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _convert_categorical(values, column, number_style=number_style, date_formats=date_formats,
                                    choice_map=choice_map)
    kind = column.type
    if kind in ("string", "id"):
        result, failures = _texts(values), {}
        if choice_map and kind == "string":
            # a value map on free text (German channel names -> keys) replaces what it knows
            mapped = {k.strip().casefold(): v for k, v in choice_map.items()}
            keys = result.str.casefold()
            result = result.mask(keys.isin(list(mapped)), keys.map(mapped))
    elif kind in ("number", "integer"):
        result, failures = _numbers(values, number_style, integer=kind == "integer")
    elif kind in ("date", "datetime"):
        parsed, failures = _parse_dates(values, list(date_formats or DEFAULT_DATE_FORMATS))
        if kind == "date":
            parsed = parsed.dt.normalize()
        result = parsed
    elif kind == "currency":
        result, failures = _by_unique(values, _currency)
    elif kind == "choice":
        lookup = _choice_lookup(column, choice_map)
        result, failures = _by_unique(values, lookup)
    else:  # schema.Column validates types; this guards against a new type without a converter
        raise ValueError(f"no converter for column type {kind!r}")
    result.index = values.index
    result.name = values.name
    problems = [(i, values.iat[i], expected) for i, expected in sorted(failures.items())]
    return result, problems


def _convert_categorical(values: pd.Series, column: Column, **options) -> tuple[pd.Series, list[tuple[int, object, str]]]:
    """Every conversion is per cell, so a categorical column converts its distinct values once."""
    cats = pd.Series(np.asarray(values.cat.categories, dtype=object), dtype=object)
    typed, bad = convert_column(cats, column, **options)
    codes = values.cat.codes.to_numpy()
    result = typed.iloc[np.where(codes >= 0, codes, 0)].reset_index(drop=True) if len(cats) else \
        typed.reindex(range(len(codes))).reset_index(drop=True)
    if (codes < 0).any():
        result = result.where(pd.Series(codes >= 0))
    result.index = values.index
    result.name = values.name
    if not bad:
        return result, []
    expected = {pos: text for pos, _, text in bad}
    positions = np.flatnonzero(np.isin(codes, list(expected)))
    return result, [(int(p), values.iat[p], expected[int(codes[p])]) for p in positions]


def _as_text(value: object) -> str:
    """Text of a typed .xlsx cell: 12345.0 → '12345', midnight datetimes → 'YYYY-MM-DD'."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _texts(values: pd.Series) -> pd.Series:
    obj = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(obj, skipna=False) == "string":  # CSV cells: vectorised
        text = pd.Series(obj, dtype=object).str.strip()
        return text.where(~text.str.casefold().isin(_NA)).astype("string").reset_index(drop=True)
    out = [pd.NA if is_na(v) else _as_text(v) for v in obj]
    return pd.Series(out, dtype="string")


def _numbers(values: pd.Series, style: str, *, integer: bool) -> tuple[pd.Series, dict[int, str]]:
    obj = values.to_numpy(dtype=object)
    out = np.full(len(obj), np.nan)
    failures: dict[int, str] = {}
    text_pos: list[int] = []
    texts: list[str] = []
    for i, v in enumerate(obj):
        if isinstance(v, str):
            s = v.strip()
            if s.casefold() not in _NA:
                text_pos.append(i)
                texts.append(s)
        elif is_na(v):
            continue
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            out[i] = float(v)
        else:
            failures[i] = _EXPECTED_NUMBER[style]
    if texts:
        parsed, bad = _parse_numbers(pd.Series(texts, dtype=object), style)
        pos = np.array(text_pos)
        out[pos] = parsed
        failures.update({text_pos[j]: expected for j, expected in bad.items()})
    if not integer:
        return pd.Series(out, dtype="float64"), failures
    if style == "auto":
        # "1,204" sessions is ambiguous as a number but not as a count: only 1204 is whole
        for i, expected in list(failures.items()):
            if expected.startswith("is ambiguous"):
                readings = {parse_number(obj[i], s) for s in ("de", "en")}
                whole = [r for r in readings if float(r).is_integer()]
                if len(whole) == 1:
                    out[i] = whole[0]
                    del failures[i]
    fractional = np.isfinite(out) & (out != np.round(out))
    for i in np.flatnonzero(fractional):
        failures[int(i)] = "is not a whole number"
        out[i] = np.nan
    return pd.Series(pd.array(np.where(np.isnan(out), None, out), dtype="Int64")), failures


def _by_unique(values: pd.Series, convert) -> tuple[pd.Series, dict[int, str]]:
    """Apply ``convert(stripped text)`` once per distinct cell; ConversionError marks a bad cell."""
    obj = values.to_numpy(dtype=object)
    out: list[object] = [pd.NA] * len(obj)
    failures: dict[int, str] = {}
    cache: dict[str, object] = {}
    for i, v in enumerate(obj):
        if is_na(v):
            continue
        key = _as_text(v)
        if key not in cache:
            try:
                cache[key] = convert(key)
            except ConversionError as exc:
                cache[key] = exc
        result = cache[key]
        if isinstance(result, ConversionError):
            failures[i] = result.expected
        else:
            out[i] = result
    return pd.Series(out, dtype="string"), failures


def _currency(text: str) -> str:
    code = _CURRENCY_SYMBOLS.get(text, text).upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ConversionError(text, "is not a currency code (expected a 3-letter ISO code like EUR)")
    return code


def _choice_lookup(column: Column, choice_map: Mapping[str, str] | None):
    canonical = {c.casefold(): c for c in column.choices}
    mapped = {k.strip().casefold(): v for k, v in (choice_map or {}).items()}
    expected = f"is not an allowed value (expected one of: {', '.join(column.choices)}"
    if mapped:
        expected += f"; or one of the mapped values: {', '.join(sorted(mapped))}"
    expected += ")"

    def lookup(text: str) -> str:
        key = text.casefold()
        if key in mapped:
            target = mapped[key]
            return canonical.get(target.casefold(), target)
        if key in canonical:
            return canonical[key]
        if not column.choices:
            return text
        # a typo like "Preiss" gets the nearest allowed spelling, with what it stands for
        close = closest_spellings(key, [*canonical, *mapped])
        if close:
            def shown(c: str) -> str:
                target = canonical.get(c) or mapped[c]
                return f'"{c}"' + (f" (= {target})" if target.casefold() != c else "")
            raise ConversionError(text, f"is not an allowed value; did you mean {' or '.join(map(shown, close))}? "
                                        + expected[len("is not an allowed value "):])
        raise ConversionError(text, expected)

    return lookup


def closest_spellings(key: str, candidates: list[str], cutoff: float = 0.75) -> list[str]:
    """The candidates most similar to ``key`` (all that tie, alphabetically; none below ``cutoff``)."""
    scores = {c: difflib.SequenceMatcher(None, key, c).ratio() for c in dict.fromkeys(candidates)}
    best = max(scores.values(), default=0.0)
    return sorted(c for c, score in scores.items() if score == best) if best >= cutoff else []
