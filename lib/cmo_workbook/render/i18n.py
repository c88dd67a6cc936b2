"""UI strings of the CEO memos in German and English.

``t('vs_prev_month', 'de')`` looks a string up; ``{field}`` placeholders are filled from keyword
arguments. Other modules add their own strings with :func:`register` (at import time) instead of
editing this table, so a typo in a key fails loudly instead of printing a raw key into a memo.
"""
from __future__ import annotations

from collections.abc import Mapping

LANGS: tuple[str, ...] = ("de", "en")

STRINGS: dict[str, dict[str, str]] = {
    # comparisons
    "vs_prev_month": {"de": "ggü. Vormonat", "en": "vs previous month"},
    "vs_prev_year": {"de": "ggü. Vorjahresmonat", "en": "vs same month last year"},
    "vs_prev_quarter": {"de": "ggü. Vorquartal", "en": "vs previous quarter"},
    "vs_target": {"de": "ggü. Ziel", "en": "vs target"},
    "vs_plan": {"de": "ggü. Plan", "en": "vs plan"},
    # scenarios
    "target": {"de": "Ziel", "en": "Target"},
    "actual": {"de": "Ist", "en": "Actual"},
    "previous_year": {"de": "Vorjahr", "en": "Previous year"},
    "plan": {"de": "Plan", "en": "Plan"},
    "forecast": {"de": "Prognose", "en": "Forecast"},
    "forecast_range": {"de": "Prognosespanne", "en": "Forecast range"},
    # IBCS scenario abbreviations (German IBCS practice: IST / VJ / PL / FC)
    "scenario_AC": {"de": "IST", "en": "AC"},
    "scenario_PY": {"de": "VJ", "en": "PY"},
    "scenario_PL": {"de": "PL", "en": "PL"},
    "scenario_FC": {"de": "FC", "en": "FC"},
    "variance_abs": {"de": "Δ{ref}", "en": "Δ{ref}"},
    "variance_rel": {"de": "Δ{ref} %", "en": "Δ{ref} %"},
    # status
    "on_track": {"de": "auf Kurs", "en": "on track"},
    "at_risk": {"de": "gefährdet", "en": "at risk"},
    "off_track": {"de": "nicht auf Kurs", "en": "off track"},
    "new": {"de": "neu", "en": "new"},
    "not_available": {"de": "k. A.", "en": "n/a"},
    # memo frame
    "data_note": {"de": "Datengrundlage", "en": "Data note"},
    "recommendations": {"de": "Empfehlungen", "en": "Recommendations"},
    "generated_on": {"de": "Erstellt am", "en": "Generated on"},
    "period": {"de": "Zeitraum", "en": "Period"},
    "deadline": {"de": "Stichtag", "en": "Deadline"},
    "break_even": {"de": "Break-even", "en": "Break-even"},
    "own_price": {"de": "Eigener Preis = {value}", "en": "Own price = {value}"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported memo language, else raise ValueError."""
    if lang not in LANGS:
        raise ValueError(
            f"memo language {lang!r} is not supported; expected one of {', '.join(LANGS)}; "
            "set lang: de or lang: en in the params file"
        )
    return lang


def t(key: str, lang: str, **fields: object) -> str:
    """The UI string ``key`` in ``lang``, with ``{placeholders}`` filled from ``fields``.

    Raises KeyError naming key and language when the string is missing.
    """
    check_lang(lang)
    try:
        text = STRINGS[key][lang]
    except KeyError:
        raise KeyError(
            f"UI string {key!r} has no {lang!r} text; add it with "
            f"cmo_workbook.render.i18n.register({{{key!r}: {{'de': ..., 'en': ...}}}})"
        ) from None
    return text.format(**fields) if fields else text


def register(strings: Mapping[str, Mapping[str, str]]) -> None:
    """Add UI strings ``{key: {'de': ..., 'en': ...}}``; each key needs every language.

    Re-registering a key with identical texts is allowed (modules may be re-imported in notebooks);
    a different text for an existing key raises ValueError, because two modules would fight over it.
    """
    for key, texts in strings.items():
        missing = [lang for lang in LANGS if lang not in texts]
        extra = [lang for lang in texts if lang not in LANGS]
        if missing or extra:
            raise ValueError(
                f"UI string {key!r} must have exactly the languages {', '.join(LANGS)}; "
                f"missing {missing}, unexpected {extra}"
            )
        new = {lang: str(texts[lang]) for lang in LANGS}
        old = STRINGS.get(key)
        if old is not None and old != new:
            raise ValueError(
                f"UI string {key!r} is already registered as {old}, not {new}; "
                "pick a different key"
            )
        STRINGS[key] = new
