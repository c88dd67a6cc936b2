"""What loading and checking found out about the data, in both memo languages.

A :class:`Finding` is either a ``note`` (the memo's data note says it: "12 won deals without
amount, not in revenue") or an ``error`` (the memo would state a wrong headline: the run
stops with exit 2, ``validate`` fails). Both carry the params key or action that fixes them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem

SEVERITIES = ("note", "error")


@dataclass(frozen=True)
class Finding:
    """One finding about one table; ``en``/``de`` are the sentences for the data note."""

    table: str
    en: str
    de: str
    severity: str = "note"
    fix: str = ""
    file: str = ""
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES} (got {self.severity!r})")

    def text(self, lang: str = "en") -> str:
        """The sentence in ``lang`` ('de' or 'en')."""
        return self.de if lang == "de" else self.en

    def problem(self) -> Problem:
        """As an input problem (file, row, column, message, fix) for exit-2 messages."""
        return Problem(self.file or self.table, self.en, row=self.row, column=self.column, fix=self.fix)


def count(n: int, lang: str) -> str:
    """``12`` / ``1,234`` (en) / ``1.234`` (de) without importing the memo formatter here."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text
