"""DATEV specifics that no header alias can express: the EXTF metadata line and day-month-only dates.

A DATEV "Buchungsstapel" (EXTF format) starts with a metadata line (``"EXTF";700;21;"Buchungsstapel";…``)
whose fields 15 and 16 give the period the postings belong to (``Datum vom`` / ``Datum bis``, YYYYMMDD), and its
``Belegdatum`` is often only day and month (``TTMM``, e.g. ``2706``). The year comes from that period.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

_TTMM = re.compile(r"^\s*(\d{1,2})(\d{2})\s*$")


def extf_period(preamble: Sequence[Sequence[object]]) -> tuple[date, date] | None:
    """The period (Datum vom, Datum bis) of an EXTF metadata line above the header, else None."""
    for row in preamble:
        cells = [str(c).strip().strip('"') for c in row]
        if cells and cells[0].upper() == "EXTF" and len(cells) >= 16:
            try:
                start, end = (date(int(v[:4]), int(v[4:6]), int(v[6:8])) for v in (cells[14], cells[15]))
            except (ValueError, IndexError):
                return None
            return (start, end) if start <= end else None
    return None


def complete_short_dates(frame: pd.DataFrame, date_headers: Sequence[str],
                         period: tuple[date, date] | None) -> pd.DataFrame:
    """Write TTMM cells of ``date_headers`` as DD.MM.YYYY, the year taken so the day lies in ``period``.

    Cells that are not TTMM, and every cell when there is no period, stay as they are (and fail as dates
    with the usual message naming the cell, instead of being read as Excel day numbers of 1901).
    """
    if period is None:
        return frame
    start, end = period
    out = frame
    for header in date_headers:
        texts = frame[header].astype("string")
        parts = texts.str.extract(_TTMM)
        if parts[0].notna().sum() == 0:
            continue
        out = out.copy() if out is frame else out

        def full(day: object, month: object, original: object) -> object:
            if pd.isna(day):
                return original
            for year in sorted({start.year, end.year}):
                try:
                    d = date(year, int(month), int(day))
                except ValueError:
                    continue
                if start <= d <= end:
                    return f"{d:%d.%m.%Y}"
            return original  # outside the file's own period: left for the date check to name
        out[header] = [full(d, m, o) for d, m, o in zip(parts[0], parts[1], frame[header])]
    return out


def date_headers(mapping: Mapping[str, str], date_columns: set[str]) -> list[str]:
    """The file's headers that feed a date column."""
    return [h for h, canonical in mapping.items() if canonical in date_columns]
