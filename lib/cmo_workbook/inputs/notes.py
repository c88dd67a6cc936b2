"""Sales-call notes kept as a folder of text files -> canonical feedback rows.

One file = one feedback item: ``feedback_id`` from the file name (without extension), ``date`` from a
``YYYY-MM-DD`` prefix of the file name or, failing that, a first line ``Datum: 31.10.2026`` /
``Date: 2026-10-31``; ``source`` 'Vertriebsgespräch' (de) or 'sales call' (en); ``text`` the rest of
the file. Files are read in sorted name order, so the table is the same on every run.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem

SOURCE = {"de": "Vertriebsgespräch", "en": "sales call"}
SUFFIXES = (".txt", ".md")
COLUMNS = ["feedback_id", "date", "source", "text", "language"]
_NAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[_\- .]|$)")
_LINE_DATE = re.compile(r"^\s*(?:datum|date)\s*:\s*(.+?)\s*$", re.I)
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%m/%d/%Y")


def _parse_date(text: str) -> pd.Timestamp | None:
    for f in _DATE_FORMATS:
        ts = pd.to_datetime(text, format=f, errors="coerce")
        if not pd.isna(ts):
            return ts
    return None


def _read(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # notes saved by Windows editors
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_notes(folder: str | Path, *, lang: str = "de", shown: str | None = None) -> pd.DataFrame:
    """Read every ``*.txt``/``*.md`` file of ``folder`` (not recursive) into feedback rows.

    Raises :class:`DataError` listing every file without a usable date; empty files are skipped.
    ``shown`` is the folder name used in messages (as written in params).
    """
    folder = Path(folder)
    shown = shown or str(folder)
    if not folder.is_dir():
        raise DataError(Problem(shown, "is not a folder of text notes", fix="point data.feedback[..].file at a folder"))
    rows, problems = [], []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES):
        text = _read(path).strip()
        if not text:
            continue
        date = None
        m = _NAME_DATE.match(path.stem)
        if m:
            date = _parse_date(m.group(1))
        first, _, rest = text.partition("\n")
        line = _LINE_DATE.match(first)
        if line:
            date = date if date is not None else _parse_date(line.group(1))
            text = rest.strip()
        if date is None:
            problems.append(Problem(f"{shown}/{path.name}", "has no date",
                                    value=first[:40],
                                    fix="name the file YYYY-MM-DD_<name>.txt or start it with a line 'Datum: TT.MM.JJJJ'"))
            continue
        rows.append({"feedback_id": path.stem, "date": date, "source": SOURCE.get(lang, SOURCE["de"]), "text": text,
                     "language": pd.NA})
    if problems:
        raise DataError(problems)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values(["date", "feedback_id"], kind="mergesort").reset_index(drop=True)
