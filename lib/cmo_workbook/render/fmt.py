"""Locale-aware formatting of every number and date that appears in a memo.

Languages are ``'de'`` (locale de_DE), ``'en'`` (en_GB) and the partial ``'fr'`` (fr_FR). Formatting is delegated to babel (CLDR
data), so separators, symbol placement and month names follow the locale; this module only adds
what CLDR lacks for business writing:

* negative numbers use the real minus sign ``−`` (U+2212), explicit signs use ``+``;
* rounding is half-up as in Excel (``2.5 → 3``), not babel's default half-even;
* compact money uses ``Tsd.``/``Mio.``/``Mrd.`` (de) and ``k``/``m``/``bn`` (en, British press style);
* missing values (None, NaN, NaT, pd.NA, ±inf) print as ``–`` (en dash).

CLDR puts a no-break space (U+00A0) between number and unit in German (``47,3 %``, ``12.345 €``,
``1,2 Mio. €``) so a line never breaks inside a figure; that is kept on purpose.
"""
from __future__ import annotations

import decimal
import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol

from .i18n import check_lang, t, tn

MISSING = "–"  # en dash
MINUS = "−"  # U+2212
NBSP = "\u00a0"

_LOCALES = {"de": "de_DE", "en": "en_GB", "fr": "fr_FR"}  # a further catalogue language adds its locale here
# Compact money suffixes (thousand, million, billion); CLDR de has no short thousands form.
_COMPACT = {
    "de": ((1e9, "Mrd."), (1e6, "Mio."), (1e3, "Tsd.")),
    "en": ((1e9, "bn"), (1e6, "m"), (1e3, "k")),
    "fr": ((1e9, "Md"), (1e6, "M"), (1e3, "k")),
}


def _locale(lang: str) -> str:
    return _LOCALES[check_lang(lang)]


def is_missing(x: Any) -> bool:
    """True for None, NaN, NaT, pd.NA and ±inf (all print as ``–``)."""
    if x is None:
        return True
    try:
        if pd.isna(x):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(x, (float, int)) and math.isinf(x)


def _to_decimal(x: Any) -> decimal.Decimal:
    # repr() of a float is the shortest round-tripping string, so 1.005 stays 1.005 and
    # half-up rounding does what a reader expects.
    if isinstance(x, decimal.Decimal):
        return x
    try:
        return decimal.Decimal(repr(float(x)))
    except (TypeError, ValueError):
        raise TypeError(f"cannot format {x!r} ({type(x).__name__}) as a number; expected int or float") from None


def _rounded(x: Any, digits: int) -> decimal.Decimal:
    return _to_decimal(x).quantize(decimal.Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP)


def shown(x: Any, digits: int = 0) -> float:
    """``x`` rounded half-up as :func:`number`/:func:`money` print it.

    For a product the memo prints beside its factors ("28 × 694 € = 19,4 Tsd. €"): multiply what is shown,
    so a reader who recomputes it gets the printed result.
    """
    return float(_rounded(x, digits))


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def _abs_number(value: decimal.Decimal, lang: str, digits: int) -> str:
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP
        return format_decimal(abs(value), format=_pattern(digits), locale=_locale(lang))


def _sign_prefix(value: decimal.Decimal, signed: bool) -> str:
    if value < 0:
        return MINUS
    if value > 0 and signed:
        return "+"
    return ""


def number(x: Any, lang: str, digits: int = 0, *, signed: bool = False) -> str:
    """``1234.5`` → de ``1.234,5``, en ``1,234.5`` (with ``digits=1``); ``signed`` adds ``+``."""
    if is_missing(x):
        return MISSING
    value = _rounded(x, digits)
    return _sign_prefix(value, signed) + _abs_number(value, lang, digits)


def _percent_text(x: Any, lang: str, digits: int, signed: bool) -> str:
    value = _rounded(_to_decimal(x) * 100, digits)
    # The locale's percent pattern decides spacing: de '#,##0 %' (no-break space), en '#,##0%'.
    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern.replace("#,##0", _pattern(digits), 1)
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP
        text = format_decimal(abs(value) / 100, format=pattern, locale=_locale(lang))
    return _sign_prefix(value, signed) + text


def percent(x: Any, lang: str, digits: int = 1) -> str:
    """A fraction as percent: ``0.473`` → de ``47,3 %``, en ``47.3%``."""
    if is_missing(x):
        return MISSING
    return _percent_text(x, lang, digits, signed=False)


def pct_change(x: Any, lang: str, digits: int = 0, signed: bool = True) -> str:
    """A relative change given as fraction: ``0.47`` → de ``+47 %``, en ``+47%``; ``-0.12`` → ``−12 %``.

    A change that rounds to zero prints without sign (``0 %``).
    """
    if is_missing(x):
        return MISSING
    return _percent_text(x, lang, digits, signed=signed)


def pp(x: Any, lang: str, digits: int = 1, signed: bool = True) -> str:
    """A difference of two fractions in percentage points, written out (a CEO does not read "Pp."): ``0.024`` →
    de ``+2,4 Prozentpunkte``, en ``+2.4 percentage points``; a whole 1 in the singular.

    ``x`` is a fraction difference (``0.497 - 0.473``), consistent with :func:`percent`.
    """
    if is_missing(x):
        return MISSING
    value = _rounded(_to_decimal(x) * 100, digits)
    unit = tn("fmt_pp_unit", 1 if digits == 0 and abs(value) == 1 else 2, lang)
    return f"{_sign_prefix(value, signed)}{_abs_number(value, lang, digits)}{NBSP}{unit}"


def _currency_symbol_first(lang: str) -> bool:
    return Locale.parse(_locale(lang)).currency_formats["standard"].pattern.startswith("¤")


def _with_currency(amount_text: str, lang: str, currency: str) -> str:
    symbol = get_currency_symbol(currency, locale=_locale(lang))
    if _currency_symbol_first(lang):
        return symbol + amount_text
    return amount_text + NBSP + symbol


def money(
    x: Any, lang: str, currency: str = "EUR", compact: bool = False, *, digits: int = 0, signed: bool = False
) -> str:
    """Money in whole units: de ``12.345 €``, en ``€12,345``.

    ``compact=True``: de ``1,2 Mio. €`` / ``850 Tsd. €``, en ``€1.2m`` / ``€850k``; amounts below
    one thousand stay plain. Compact figures keep at most one decimal (dropped when zero)
    below 100 of the unit, none above.
    """
    if is_missing(x):
        return MISSING
    if not compact:
        value = _rounded(x, digits)
        return _sign_prefix(value, signed) + _with_currency(_abs_number(value, lang, digits), lang, currency)
    value = _to_decimal(x)
    text, sign_value = _compact_amount(value, lang)
    return _sign_prefix(sign_value, signed) + _with_currency(text, lang, currency)


def money_thousands(x: Any, lang: str, currency: str = "EUR") -> str:
    """Money in whole thousands with the compact suffix: de ``1.135 Tsd. €``, en ``€1,135k``.

    For amounts a reader compares to the thousand (forecast 1.135 Tsd. € against a budget of 1.101 Tsd. €),
    where ``1,1 Mio. €`` against ``1,1 Mio. €`` would hide the difference and ``1.135.000 €`` breaks the
    memo's compact style.
    """
    if is_missing(x):
        return MISSING
    value = _rounded(_to_decimal(x) / 1000, 0)
    suffix = dict((scale, word) for scale, word in _COMPACT[check_lang(lang)])[1e3]
    sep = NBSP if lang == "de" else ""  # as the compact forms: "850 Tsd. €", "€850k", "850k €"
    return _sign_prefix(value, False) + _with_currency(_abs_number(value, lang, 0) + sep + suffix, lang, currency)


def _compact_amount(value: decimal.Decimal, lang: str) -> tuple[str, decimal.Decimal]:
    """(text without sign, rounded signed value) for a compact amount."""
    magnitude = abs(value)
    scales = _COMPACT[check_lang(lang)]
    for i, (scale, suffix) in enumerate(scales):
        if magnitude < decimal.Decimal(scale):
            continue
        scaled = magnitude / decimal.Decimal(scale)
        digits = 1 if scaled < 100 else 0
        rounded = scaled.quantize(decimal.Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP)
        if rounded >= 1000 and i > 0:
            # 999.960 → '1.000 Tsd.' reads badly; promote to the next unit instead.
            scale, suffix = scales[i - 1]
            rounded = (magnitude / decimal.Decimal(scale)).quantize(
                decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP
            )
        with decimal.localcontext() as ctx:
            ctx.rounding = decimal.ROUND_HALF_UP
            text = format_decimal(rounded, format="#,##0.#", locale=_locale(lang))
        joiner = NBSP if lang == "de" else ""
        signed_value = rounded if value >= 0 else -rounded
        return text + joiner + suffix, signed_value
    rounded = _rounded(value, 0)
    return _abs_number(rounded, lang, 0), rounded


def compact_number(x: Any, lang: str) -> str:
    """A count in compact form for chart labels: de ``1,2 Mio.`` / ``850 Tsd.``, en ``1.2m`` / ``850k``."""
    if is_missing(x):
        return MISSING
    text, value = _compact_amount(_to_decimal(x), lang)
    return _sign_prefix(value, False) + text


# --- dates ---------------------------------------------------------------------------------------


def to_timestamp(d: Any) -> pd.Timestamp:
    """Any date-like (date, datetime, Timestamp, Period → its start, ISO string) as a Timestamp."""
    if isinstance(d, pd.Period):
        return d.start_time
    try:
        return pd.Timestamp(d)
    except (TypeError, ValueError):
        raise ValueError(
            f"cannot read {d!r} as a date; expected a date, datetime, pandas Period or an ISO string like 2026-10-31"
        ) from None


def date(d: Any, lang: str) -> str:
    """de ``31.10.2026``, en ``31 Oct 2026`` (en_GB abbreviates September as ``Sept``)."""
    if is_missing(d):
        return MISSING
    return format_date(to_timestamp(d).date(), "medium", locale=_locale(lang))


def month(period: Any, lang: str, short: bool = False) -> str:
    """A month: de ``Oktober 2026``, en ``October 2026``; ``short=True``: ``Okt 2026`` / ``Oct 2026``.

    Accepts pandas Period, date/datetime, Timestamp or ``'2026-10'``.
    """
    if is_missing(period):
        return MISSING
    pattern = "LLL y" if short else "LLLL y"
    return format_date(to_timestamp(period).date(), pattern, locale=_locale(lang))


def month_name(period: Any, lang: str, short: bool = True) -> str:
    """Month name without year (for chart axes): ``Okt`` / ``Oct``; ``short=False``: ``Oktober``."""
    if is_missing(period):
        return MISSING
    return format_date(to_timestamp(period).date(), "LLL" if short else "LLLL", locale=_locale(lang))


def quarter(period: Any, lang: str) -> str:
    """``Q3 2026`` for any date or Period inside the third quarter of 2026 (same in de and en)."""
    if is_missing(period):
        return MISSING
    return format_date(to_timestamp(period).date(), "QQQ y", locale=_locale(lang))


def month_range(start: Any, end: Any, lang: str, short: bool = True) -> str:
    """``Okt 2025 – Okt 2026`` (chart subtitles); ``short=False`` spells months out."""
    return f"{month(start, lang, short=short)} – {month(end, lang, short=short)}"


def month_span(start: Any, end: Any, lang: str) -> str:
    """The months from ``start`` to ``end`` in words for memo text: one month spelled out (``Oktober 2026``, never
    "2026-10 bis 2026-10"), several as :func:`month_range` (``Nov 2024 – Okt 2026``)."""
    if is_missing(start) or is_missing(end):
        return MISSING
    a, b = to_timestamp(start).to_period("M"), to_timestamp(end).to_period("M")
    return month(a, lang) if a == b else month_range(a, b, lang)


# --- deltas --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """A formatted change for a KPI tile.

    ``sign`` is +1/0/−1 of the change as printed (a change that rounds to zero has sign 0);
    ``good`` is True/False when the direction is judged, None when neutral, unknown or missing.
    ``value`` is the raw change (fraction for 'pct' and 'pp', units for 'abs'), None when missing or
    undefined (previous 0 → ``neu``/``new``).
    """

    text: str
    sign: int
    good: bool | None
    value: float | None
    available: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for templates."""
        return asdict(self)


def delta(
    current: Any,
    previous: Any,
    lang: str,
    kind: Literal["pct", "abs", "pp"] = "pct",
    unit: str | None = None,
    *,
    higher_is_better: bool | None = True,
    digits: int | None = None,
) -> Delta:
    """Change from ``previous`` to ``current``, formatted for ``lang``.

    kind ``'pct'``: relative change (``+47 %``), previous 0 → ``neu``/``new``;
    ``'abs'``: difference (``+1.234``, or money with ``unit='EUR'``; other units are appended);
    ``'pp'``: difference of two fractions in percentage points (``+2,4 Prozentpunkte``).
    ``digits`` defaults to 0 for pct/abs and 1 for pp. ``higher_is_better=None`` leaves ``good`` None.
    """
    check_lang(lang)
    if kind not in ("pct", "abs", "pp"):
        raise ValueError(f"delta kind {kind!r} is not supported; expected 'pct', 'abs' or 'pp'")
    if is_missing(current) or is_missing(previous):
        return Delta(MISSING, 0, None, None, False)
    cur, prev = _to_decimal(current), _to_decimal(previous)
    if kind == "pct":
        digits = 0 if digits is None else digits
        if prev == 0:
            if cur == 0:
                return Delta(pct_change(0, lang, digits), 0, None, 0.0, True)
            sign = 1 if cur > 0 else -1
            return Delta(t("new", lang), sign, _judge(sign, higher_is_better), None, True)
        change = (cur - prev) / abs(prev)
        text = pct_change(change, lang, digits)
        sign = _sign(_rounded(change * 100, digits))
    elif kind == "pp":
        digits = 1 if digits is None else digits
        change = cur - prev
        text = pp(change, lang, digits)
        sign = _sign(_rounded(change * 100, digits))
    else:
        digits = 0 if digits is None else digits
        change = cur - prev
        if unit is not None and len(unit) == 3 and unit.isalpha() and unit.isupper():
            text = money(change, lang, currency=unit, digits=digits, signed=True)
        else:
            text = number(change, lang, digits, signed=True) + (f"{NBSP}{unit}" if unit else "")
        sign = _sign(_rounded(change, digits))
    return Delta(text, sign, _judge(sign, higher_is_better), float(change), True)


def _sign(value: decimal.Decimal) -> int:
    return (value > 0) - (value < 0)


def _judge(sign: int, higher_is_better: bool | None) -> bool | None:
    if sign == 0 or higher_is_better is None:
        return None
    return (sign > 0) == higher_is_better
