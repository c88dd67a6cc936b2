"""Memo text by id, from one gettext catalogue per language.

``t('vs_prev_month', 'de')`` looks a message up in ``locales/de/LC_MESSAGES/cmo_workbook.po``;
``{field}`` placeholders are filled from keyword arguments (numbers arrive already formatted by
:mod:`fmt` for the memo's language). ``tn(id, n, lang)`` picks the plural form for ``n`` by the
catalogue's ``Plural-Forms`` rule.

Languages: German and English are complete (a test fails on a missing id or a placeholder that differs
between them). Any other catalogue in ``locales/`` is a further language: it may be partial, and a
missing message falls back to English (the French catalogue shows it). A company may override single
messages with the params key ``messages`` (``{lang: {id: text}}``), see :func:`set_overrides`.
"""
from __future__ import annotations

import gettext
import os
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Callable

from babel.messages.pofile import read_po

#: the catalogues; CMO_WORKBOOK_LOCALES points at another folder of the same shape (a translator's working copy)
LOCALES = Path(os.environ.get("CMO_WORKBOOK_LOCALES") or Path(__file__).with_name("locales"))
DOMAIN = "cmo_workbook"
#: the languages whose catalogues are complete; every other catalogue falls back to FALLBACK
COMPLETE: tuple[str, ...] = ("de", "en")
FALLBACK = "en"

_overrides: dict[str, dict[str, str]] = {}


class MissingMessageError(KeyError):
    """A message id without text in a language, or a placeholder the code did not give."""

    def __str__(self) -> str:  # KeyError would print the message quoted and escaped
        return str(self.args[0])


def catalogue_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives (it need not exist)."""
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def languages() -> tuple[str, ...]:
    """Every memo language: the complete ones first, then each further catalogue in ``locales/``."""
    extra = sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
                   if p.parent.parent.name not in COMPLETE)
    return COMPLETE + tuple(extra)


# kept for callers that list the memo languages
LANGS: tuple[str, ...] = languages()


class _Catalogue:
    """The messages of one .po file: id → text, or id → plural forms, and the plural rule."""

    def __init__(self, path: Path):
        with path.open("rb") as f:
            cat = read_po(f, domain=DOMAIN)
        self.path = path
        self.messages: dict[str, str | tuple[str, ...]] = {}
        for msg in cat:
            if not msg.id:
                continue  # the header
            key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
            if isinstance(msg.string, tuple):
                if any(msg.string):
                    self.messages[key] = tuple(msg.string)
            elif msg.string:
                self.messages[key] = msg.string
        self.plural: Callable[[int], int] = gettext.c2py(cat.plural_expr)


@lru_cache(maxsize=None)
def catalogue(lang: str) -> _Catalogue:
    """The parsed catalogue of ``lang`` (read once per process)."""
    return _Catalogue(catalogue_path(check_lang(lang)))


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a memo language (a catalogue exists), else raise ValueError."""
    if lang not in languages():
        raise ValueError(
            f"memo language {lang!r} is not supported; expected one of {', '.join(languages())}; "
            "set lang: de or lang: en in the params file (a new language needs its catalogue "
            f"{catalogue_path(lang)}, see docs/wording.md)"
        )
    return lang


def _chain(lang: str) -> tuple[str, ...]:
    return (lang,) if lang in COMPLETE else (lang, FALLBACK)


def _lookup(key: str, lang: str) -> str | tuple[str, ...]:
    check_lang(lang)
    for candidate in _chain(lang):
        if key in _overrides.get(candidate, {}):
            return _overrides[candidate][key]
        text = catalogue(candidate).messages.get(key)
        if text is not None:
            return text
    raise MissingMessageError(
        f"message {key!r} has no {lang!r} text; add it to {catalogue_path(lang)}"
        f" (msgid \"{key}\" / msgstr \"...\")"
    )


def _fill(key: str, text: str, fields: Mapping[str, object]) -> str:
    try:
        return text.format(**fields) if fields or "{" in text else text
    except KeyError as exc:
        raise MissingMessageError(f"message {key!r} needs placeholder {exc.args[0]!r}; the code gave {sorted(fields)}") from None


def t(key: str, lang: str, **fields: object) -> str:
    """The message ``key`` in ``lang``, with ``{placeholders}`` filled from ``fields``.

    Raises KeyError naming the id, the language and the catalogue file when the message is missing.
    """
    text = _lookup(key, lang)
    if isinstance(text, tuple):
        raise TypeError(f"message {key!r} has plural forms; use tn({key!r}, n, {lang!r}, ...)")
    return _fill(key, text, fields)


def tn(key: str, n: int, lang: str, /, **fields: object) -> str:
    """The plural message ``key`` for the count ``n`` (``{n}`` is ``n`` unless ``fields`` gives it formatted)."""
    forms = _lookup(key, lang)
    if not isinstance(forms, tuple):
        return _fill(key, forms, {"n": n, **fields})
    lang_used = next(c for c in _chain(lang) if key in catalogue(c).messages or key in _overrides.get(c, {}))
    index = min(catalogue(lang_used).plural(int(n)), len(forms) - 1)
    return _fill(key, forms[index], {"n": n, **fields})


def placeholders(text: str | tuple[str, ...]) -> frozenset[str]:
    """The ``{names}`` a message text uses (all plural forms together)."""
    texts = text if isinstance(text, tuple) else (text,)
    return frozenset(name.split(".")[0].split("[")[0]
                     for s in texts for _, name, _, _ in string.Formatter().parse(s) if name)


def check_overrides(overrides: Mapping[str, Mapping[str, object]], where: str = "messages") -> dict[str, dict[str, str]]:
    """Validate a company's ``messages`` (``{lang: {id: text}}``); return them as plain strings.

    Raises ValueError naming the params key when a language or an id is unknown or a placeholder differs.
    """
    out: dict[str, dict[str, str]] = {}
    if not isinstance(overrides, Mapping):
        raise ValueError(f"params key {where!r} must map a language to messages, e.g. "
                         "messages: {de: {kpi_leads: Anfragen}}")
    for lang, messages in overrides.items():
        if lang not in languages():
            raise ValueError(f"params key {where}.{lang}: {lang!r} is not a memo language; "
                             f"use one of {', '.join(languages())}")
        if not isinstance(messages, Mapping):
            raise ValueError(f"params key {where}.{lang} must map message ids to texts")
        for key, text in messages.items():
            base = next((catalogue(c).messages[key] for c in _chain(str(lang)) if key in catalogue(c).messages), None)
            if base is None:
                raise ValueError(f"params key {where}.{lang}.{key}: no message has the id {key!r}; "
                                 f"look the id up in {catalogue_path(str(lang))}")
            if placeholders(str(text)) != placeholders(base):
                raise ValueError(
                    f"params key {where}.{lang}.{key}: the text uses {sorted(placeholders(str(text))) or 'no placeholders'}"
                    f", the catalogue's {sorted(placeholders(base)) or 'none'}; keep exactly the catalogue's placeholders")
            out.setdefault(str(lang), {})[str(key)] = str(text)
    return out


def set_overrides(overrides: Mapping[str, Mapping[str, object]] | None) -> None:
    """Use a company's own wording for single messages from now on in this process (None: none)."""
    global _overrides
    _overrides = check_overrides(overrides) if overrides else {}


def lang_file(name: str, lang: str, own: str) -> str:
    """A period file of one memo language: ``name`` as it is for the company's own language ``own``, else with
    the language before the extension ("kpi_dashboard.ipynb" -> "kpi_dashboard.en.ipynb", "decisions.yaml" ->
    "decisions.en.yaml"), so a run in another language never overwrites the company-language files."""
    if lang == own:
        return name
    stem, dot, ext = name.partition(".")
    return f"{stem}.{lang}{dot}{ext}"
