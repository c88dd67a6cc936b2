"""What loading and checking found out about the data, in every memo language.

A :class:`Finding` is either a ``note`` (the memo's data note says it: "12 won deals without
amount, not in revenue") or an ``error`` (the memo would state a wrong headline: the run
stops with exit 2, ``validate`` fails). Both carry the params key or action that fixes them.
A note's sentence is a catalogue message (:meth:`Finding.note`), filled with the figures for the
memo's language; an error speaks to the analyst in English (``en``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..render import fmt
from ..render.i18n import t, tn

SEVERITIES = ("note", "error")


@dataclass(frozen=True)
class Finding:
    """One finding about one table; ``en``/``de`` are the sentences for the data note."""

    table: str
    en: str
    de: str = ""
    severity: str = "note"
    fix: str = ""
    file: str = ""
    row: int | None = None
    column: str | None = None
    #: the catalogue message of a note and its raw figures (formatted per language by :meth:`text`)
    key: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    #: the field that picks the plural form of ``key`` (a message with msgid_plural)
    plural: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES} (got {self.severity!r})")

    @classmethod
    def note(cls, table: str, key: str, /, *, plural: str = "", fix: str = "", file: str = "",
             row: int | None = None, column: str | None = None, **fields: Any) -> "Finding":
        """A data-note finding worded by the catalogue message ``key``; ``fields`` are raw numbers and texts."""
        return cls(table, _worded(key, fields, plural, "en"), _worded(key, fields, plural, "de"), "note", fix, file,
                   row, column, key, fields, plural)

    def text(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (the company's own wording of the message applies)."""
        if not self.key:
            return self.de if lang == "de" and self.de else self.en
        return _worded(self.key, self.fields, self.plural, lang)

    def problem(self) -> Problem:
        """As an input problem (file, row, column, message, fix) for exit-2 messages."""
        return Problem(self.file or self.table, self.en, row=self.row, column=self.column, fix=self.fix)


def _worded(key: str, fields: Mapping[str, Any], plural: str, lang: str) -> str:
    """Catalogue message ``key`` in ``lang`` with ``fields`` shown the memo's way; ``plural`` names the count."""
    values = {k: _shown(v, lang) for k, v in fields.items()}
    if plural:
        return tn(key, int(fields[plural]), lang, **values)
    return t(key, lang, **values)


@dataclass(frozen=True)
class MonthSpan:
    """A field for the months a note covers (``YYYY-MM`` texts), worded per language: "Oktober 2026" for one
    month, "Nov 2024 – Okt 2026" for several (:func:`cmo_workbook.render.fmt.month_span`; raw ids never reach a memo)."""

    first: str
    last: str

    def __str__(self) -> str:
        return self.first if self.first == self.last else f"{self.first} – {self.last}"


@dataclass(frozen=True)
class Day:
    """A field for a date (``YYYY-MM-DD`` text), worded per language as the memo writes dates: de ``31.10.2026``,
    en ``31 Oct 2026`` (:func:`cmo_workbook.render.fmt.date`)."""

    iso: str

    def __str__(self) -> str:
        return self.iso


@dataclass(frozen=True)
class SourceName:
    """A field for a source, worded per language: its params ``label:`` (the company's words) or the table's
    source in words ("Kundenfeedback", "CRM-Kontakte"; catalogue ``source_<table>``), never its file name."""

    table: str
    label: str | None = None

    def __str__(self) -> str:
        return self.label or self.table


@dataclass(frozen=True)
class CustomProperty:
    """A field saying that ``header`` is a custom property of ``tool`` (HubSpot's "Sales Feedback Date"), not one
    every account has, worded per language; a header the tool has by default is ``CustomProperty("", "")`` (no words)."""

    header: str
    tool: str


def _shown(value: Any, lang: str) -> str:
    """A field as the memo writes it: whole numbers grouped, shares as percent, month spans, dates and sources in
    words, the rest as text."""
    if isinstance(value, MonthSpan):
        return fmt.month_span(value.first, value.last, lang)
    if isinstance(value, Day):
        return fmt.date(value.iso, lang)
    if isinstance(value, SourceName):
        return value.label or t(f"source_{value.table}", lang)
    if isinstance(value, CustomProperty):
        return t("note_custom_property", lang, header=value.header, tool=value.tool) if value.tool else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return fmt.number(value, lang)
    return fmt.percent(value, lang, 0)


def count(n: int, lang: str) -> str:
    """``12`` / ``1,234`` (en) / ``1.234`` (de) without importing the memo formatter here."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text
