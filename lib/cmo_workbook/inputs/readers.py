"""Read a CSV/TXT or .xlsx export into a table of untouched cells.

This is the lowest layer of the data pipeline: it finds the encoding, the delimiter,
the header row (below any title lines), drops totals/footer rows and remembers for
every data row the row number a spreadsheet program shows, so later problems can be
reported as ``file, row 17, column "Kosten"``. It never interprets a cell: CSV cells
stay text, typed .xlsx cells stay native Python values; :mod:`cmo_workbook.inputs.convert`
does the typing.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

#: rows scanned for the header (title lines of Google Ads, LinkedIn, Salesforce fit easily)
HEADER_SCAN_ROWS = 30
DELIMITERS = (";", ",", "\t", "|")
HEADER_FIX = "check the preset or set header_row / column names in params"
# csv's default field limit (131,072 characters) would reject a long customer comment as "not valid CSV";
# the whole file is in memory anyway, so a field may be as long as the file.
csv.field_size_limit(2**31 - 1)

#: first non-empty cell of a totals or footer row; the separator after the word keeps
#: campaign names like "Total Protection" from matching
DEFAULT_FOOTER_PATTERNS = (
    r"^(gesamt|total|totals|summe|grand totals?)\s*(:|\(|$)",
    r"^confidential information\b",
    r"^copyright\s*(\(c\)|©)",
)

#: CSV files from this size on are parsed column-wise by pandas into categorical cells, so a 200 MB
#: export stays far below 1 GB; the result is the same RawTable (tests compare both paths)
LARGE_CSV_BYTES = 16_000_000
#: bytes of a large file read up front to find encoding, delimiter and header
_HEAD_BYTES = 256_000
_CHUNK_ROWS = 100_000

_SEP_LINE = re.compile(r"^\ufeff?\"?sep=(.)\"?[ \t]*\r?\n?$", re.IGNORECASE)
_UNDEFINED_CP1252 = re.compile("[\x00-\x08\x0e-\x1f\x81\x8d\x8f\x90\x9d]")


@dataclass
class RawTable:
    """Cells of one file below its header, before any typing.

    ``frame`` has object dtype and one column per header cell (stripped, made unique
    as ``Name``, ``Name.2``); ``rows[i]`` is the spreadsheet row number of
    ``frame.iloc[i]``; ``original_headers`` are the header cells as written.
    """

    path: Path
    display_name: str
    frame: pd.DataFrame
    rows: list[int]
    header_row: int
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    dropped: list[tuple[int, str]] = field(default_factory=list)
    original_headers: list[str] = field(default_factory=list)
    #: the rows above the header (report titles, a DATEV EXTF metadata line), as read
    preamble: list[list[object]] = field(default_factory=list)
    #: headers of a Parquet/DuckDB source that were not read because nothing maps them (:mod:`.sources`)
    unread: list[str] = field(default_factory=list)

    def row_of(self, position: int) -> int:
        """Spreadsheet row number of the data row at ``position`` (0-based)."""
        return self.rows[position]


def normalize_header(text: object) -> str:
    """Header text as compared with preset tokens: casefolded, single spaces, no quotes/BOM."""
    s = "" if text is None else str(text)
    s = s.replace("\ufeff", "").replace("\u00a0", " ").replace("\u202f", " ")
    s = " ".join(s.split())
    while len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        s = s[1:-1].strip()
    return s.casefold()


def read_raw(
    path: str | Path,
    *,
    header_tokens: Iterable[str],
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    extra_header_rows: int = 0,
    footer_patterns: Sequence[str] = (),
    min_header_matches: int = 2,
    display_name: str | None = None,
) -> RawTable:
    """Read ``path`` (CSV/TXT or .xlsx) into a :class:`RawTable`.

    ``header_tokens`` are the column names the caller knows (any spelling; compared
    normalised); the header is the first of the first 30 rows with at least
    ``min_header_matches`` of them, unless ``header_row`` (1-based) is given.
    ``extra_header_rows`` rows after the header are skipped (second header lines of
    survey tools). Raises :class:`DataError` with a precise problem otherwise.
    """
    path = Path(path)
    name = display_name or path.name
    tokens = {normalize_header(t) for t in header_tokens} - {""}
    if not path.is_file():
        raise DataError(Problem(name, f"file not found: {path}", fix="check the path in params"))
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DataError(Problem(
            name, "is an old Excel .xls workbook, which cannot be read",
            fix="open it in Excel and save it as .xlsx (Excel workbook) or CSV"))
    if suffix in (".xlsx", ".xlsm"):
        records, used_sheet = _read_xlsx(path, name, sheet)
        used_encoding = used_delimiter = None
    else:
        if path.stat().st_size >= LARGE_CSV_BYTES:
            table = _read_large_csv(path, name, tokens, encoding, delimiter, header_row, min_header_matches,
                                    extra_header_rows, [*DEFAULT_FOOTER_PATTERNS, *footer_patterns])
            if table is not None:
                return table
        data = path.read_bytes()
        _reject_binary_workbooks(data, name)
        text, used_encoding = _decode(data, name, encoding)
        text, sep_delimiter = _strip_sep_line(text)
        used_delimiter = delimiter or sep_delimiter or _sniff_delimiter(text, tokens, header_row,
                                                                         min_header_matches)
        records = _parse_csv(text, used_delimiter, name)
        used_sheet = None
    if not any(_non_empty(r) for r in records):
        raise DataError(Problem(name, "is empty (no cells with content)",
                                fix="export the file again with data"))
    header_index = _find_header(records, tokens, header_row, min_header_matches, name)
    return _build_table(
        path, name, records, header_index, extra_header_rows,
        [*DEFAULT_FOOTER_PATTERNS, *footer_patterns],
        used_encoding, used_delimiter, used_sheet,
    )


# --- decoding ----------------------------------------------------------------------------


def _reject_binary_workbooks(data: bytes, name: str) -> None:
    """Excel files renamed to .csv are common; say so instead of "cannot decode"."""
    if data.startswith(b"PK\x03\x04"):
        raise DataError(Problem(
            name, "is a zipped file (most likely an Excel .xlsx workbook), not a text file",
            fix="rename it to .xlsx, or export it from Excel as CSV"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(Problem(
            name, "is an old Excel .xls workbook, not a text file",
            fix="open it in Excel and save it as .xlsx (Excel workbook) or CSV"))


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Decode file bytes; detect UTF-16/UTF-8(-BOM)/cp1252 when no encoding is given."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(Problem(
                name, f"cannot be read with encoding {encoding!r} ({exc})",
                fix="remove encoding from params to detect it, or set the right one")) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif _looks_like_bomless_utf16(data):
        candidates = ["utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"]
    else:
        candidates = ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        # cp1252 decodes almost anything: control characters mean a binary file
        if "\x00" in text or (enc == "cp1252" and _UNDEFINED_CP1252.search(text)):
            break
        return text, enc
    raise DataError(Problem(
        name, "cannot be read as text: it is neither UTF-8, UTF-16 nor Windows-1252 "
        "(it may be a binary file such as a zipped or Excel file with a .csv name)",
        fix="export the data as CSV or .xlsx again, or set encoding in params"))


def _looks_like_bomless_utf16(data: bytes) -> bool:
    head = data[:2000]
    if len(head) < 4 or b"\x00" not in head:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.4 * len(even) and odd.count(0) == 0 or \
        odd.count(0) > 0.4 * len(odd) and even.count(0) == 0


def _strip_sep_line(text: str) -> tuple[str, str | None]:
    """Remove Excel's ``sep=;`` first line; Excel does not show it as a row either."""
    first, newline, rest = text.partition("\n")
    match = _SEP_LINE.match(first + newline)
    if match:
        return rest, match.group(1)
    return text, None


# --- CSV parsing -------------------------------------------------------------------------


def _sniff_delimiter(text: str, tokens: set[str], header_row: int | None, min_matches: int) -> str:
    """Pick the delimiter that makes the header line split into known column names.

    Parsing with the csv module counts delimiters outside quotes only. Ties (or no
    header found) go to the delimiter giving the header line the most cells.
    """
    head = _head_records(text, HEADER_SCAN_ROWS + (header_row or 0))
    best: tuple[int, int, int] | None = None
    best_delim = ","
    for rank, delim in enumerate(DELIMITERS):
        records = head[delim]
        if header_row is not None:
            row = records[header_row - 1] if 0 < header_row <= len(records) else []
            score = (0, len(row), -rank)
        else:
            matches, cells = 0, 0
            for row in records[:HEADER_SCAN_ROWS]:
                m = _matches(row, tokens)
                if m >= min(min_matches, len(tokens) or 1) and m > matches:
                    matches, cells = m, len(row)
            if not matches:
                cells = max((len(r) for r in records[:HEADER_SCAN_ROWS]), default=0)
            score = (matches, cells, -rank)
        if best is None or score > best:
            best, best_delim = score, delim
    return best_delim


def _head_records(text: str, limit: int) -> dict[str, list[list[str]]]:
    # a cheap prefix is enough for sniffing; a cut-off quoted field only hurts the last row
    prefix = text[:200_000]
    out: dict[str, list[list[str]]] = {}
    for delim in DELIMITERS:
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(prefix, newline=""), delimiter=delim):
                rows.append(row)
                if len(rows) >= limit:
                    break
        except csv.Error:
            pass
        out[delim] = rows
    return out


def _parse_csv(text: str, delimiter: str, name: str) -> list[list[object]]:
    """All records of the file; record i is spreadsheet row i + 1 (blank lines included)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[object]] = []
    try:
        for row in reader:
            records.append(row)
    except csv.Error as exc:
        raise DataError(Problem(
            name, f"is not valid CSV near row {len(records) + 1} ({exc})", row=len(records) + 1,
            fix="check for an unclosed quote (\") in that row or the rows above it, "
                "or set delimiter in params")) from None
    return records


# --- xlsx --------------------------------------------------------------------------------


def _read_xlsx(path: Path, name: str, sheet: str | None) -> tuple[list[list[object]], str]:
    import openpyxl  # imported lazily: CSV-only runs do not pay for it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException alike
        raise DataError(Problem(
            name, f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc})",
            fix="open it in Excel and save it again as .xlsx")) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            listed = ", ".join(f'"{s}"' for s in wb.sheetnames)
            raise DataError(Problem(
                name, f'has no sheet "{sheet}"; sheets: {listed}',
                fix="set sheet in params to one of these names"))
        records = [[("" if v is None else v) for v in row] for row in ws.iter_rows(values_only=True)]
        return records, ws.title
    finally:
        wb.close()


# --- header, footer, frame ---------------------------------------------------------------


def _non_empty(row: Sequence[object]) -> list[object]:
    return [c for c in row if not _is_blank(c)]


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _matches(row: Sequence[object], tokens: set[str]) -> int:
    return sum(1 for c in row if normalize_header(c) in tokens)


def _find_header(records: list[list[object]], tokens: set[str], header_row: int | None,
                 min_matches: int, name: str) -> int:
    """0-based index of the header record."""
    if header_row is not None:
        if not 1 <= header_row <= len(records) or not _non_empty(records[header_row - 1]):
            raise DataError(Problem(
                name, f"header_row {header_row} is empty or beyond the end of the file "
                f"({len(records)} rows)", fix=HEADER_FIX))
        return header_row - 1
    needed = min(min_matches, len(tokens)) if tokens else min_matches
    scanned = records[:HEADER_SCAN_ROWS]
    best, best_key = None, (-1, -1)
    for i, row in enumerate(scanned):
        m = _matches(row, tokens)
        if m >= needed and m > 0:
            return i
        key = (m, len(_non_empty(row)))
        if key > best_key:
            best, best_key = i, key
    assert best is not None  # records has a non-empty row
    cells = [str(c).strip() for c in _non_empty(records[best])]
    matched = [c for c in cells if normalize_header(c) in tokens]
    shown = ", ".join(f'"{c}"' for c in cells[:15]) + (", ..." if len(cells) > 15 else "")
    known = sorted(tokens)
    known_text = ", ".join(f'"{t}"' for t in known[:40]) + (", ..." if len(known) > 40 else "")
    raise DataError(Problem(
        name,
        f"no header row found in the first {HEADER_SCAN_ROWS} rows (need {needed} cells matching "
        f"known column names); best candidate is row {best + 1} with cells {shown} "
        f"({len(matched)} matching{': ' + ', '.join(matched) if matched else ''}); "
        f"known column names: {known_text}",
        fix=HEADER_FIX,
    ))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _header_names(cells: Sequence[object]) -> tuple[list[str], list[str]]:
    """(unique names, original names) of the header, trailing empty cells dropped."""
    original = ["" if c is None else str(c).replace("\ufeff", "").strip() for c in cells]
    while original and not original[-1]:
        original.pop()
    unique: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(original):
        base = cell or f"(column {_column_letter(i)})"
        count = seen.get(base, 0) + 1
        seen[base] = count
        candidate = base if count == 1 else f"{base}.{count}"
        while candidate in unique:  # "Name.2" may itself be a header further right
            count += 1
            candidate = f"{base}.{count}"
        unique.append(candidate)
    return unique, original


def _first_text(row: Sequence[object]) -> str:
    cells = _non_empty(row)
    return str(cells[0]).strip() if cells else ""


def _build_table(path: Path, name: str, records: list[list[object]], header_index: int,
                 extra_header_rows: int, footer_patterns: Sequence[str], encoding: str | None,
                 delimiter: str | None, sheet: str | None) -> RawTable:
    columns, original = _header_names(records[header_index])
    width = len(columns)
    footer = re.compile("|".join(f"(?:{p})" for p in footer_patterns), re.IGNORECASE)
    start = header_index + 1 + extra_header_rows
    body = list(range(start, len(records)))

    # trailing non-table lines: after a blank line, a block of rows with one cell each
    # (Salesforce "Generated By", report notes) is not data when the table is wider
    end = len(records)
    if width >= 2:
        i = end - 1
        while i >= start and len(_non_empty(records[i])) <= 1:
            i -= 1
        blank_after = [j for j in range(i + 1, end) if not _non_empty(records[j])]
        if blank_after:
            end = blank_after[0]
    dropped: list[tuple[int, str]] = [
        (j + 1, _first_text(records[j])) for j in range(end, len(records)) if _non_empty(records[j])
    ]

    data: list[list[object]] = []
    rows: list[int] = []
    problems: list[Problem] = []
    for j in body:
        if j >= end:
            break
        row = records[j]
        if not _non_empty(row):
            continue
        first = _first_text(row)
        if footer.search(first):
            dropped.append((j + 1, first))
            continue
        if len(row) > width:
            extra = _non_empty(row[width:])
            if extra:
                shown = ", ".join(f'"{c}"' if isinstance(c, str) else repr(c) for c in extra[:5])
                problems.append(Problem(
                    name,
                    f"has {len(row) - _trailing_blanks(row)} cells but the header "
                    f"(row {header_index + 1}) has {width} columns; extra values: {shown}",
                    row=j + 1,
                    fix=f"quote cells that contain the delimiter {delimiter!r}" if delimiter
                    else "remove the values right of the table or give them a header",
                ))
                continue
            row = row[:width]
        elif len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        data.append(row)
        rows.append(j + 1)
    if problems:
        raise DataError(problems)
    if not data:
        raise DataError(Problem(
            name, "has the header but no data rows below it",
            row=header_index + 1, fix="export the file again with data, or check the period"))
    dropped.sort()
    frame = pd.DataFrame(data, columns=columns, dtype=object)
    return RawTable(path=path, display_name=name, frame=frame, rows=rows,
                    header_row=header_index + 1, encoding=encoding, delimiter=delimiter,
                    sheet=sheet, dropped=dropped, original_headers=original,
                    preamble=[list(r) for r in records[:header_index]])


def _trailing_blanks(row: Sequence[object]) -> int:
    n = 0
    for cell in reversed(row):
        if not _is_blank(cell):
            break
        n += 1
    return n


# --- large CSV files ---------------------------------------------------------------------


def _on_categories(values: pd.Series, fn) -> np.ndarray:
    """``fn`` applied to the distinct cells of a categorical column, spread back to every row."""
    cats = pd.Series(np.asarray(values.cat.categories, dtype=object), dtype=object)
    mapped = np.asarray(fn(cats))
    codes = values.cat.codes.to_numpy()
    out = mapped[np.where(codes >= 0, codes, 0)] if len(mapped) else np.zeros(len(codes), dtype=mapped.dtype)
    return out


def _merge_factors(codes: list[np.ndarray], uniques: list[np.ndarray]) -> pd.Categorical:
    """One categorical column from per-chunk factorisations (only the distinct cells are hashed again)."""
    remap, final = pd.factorize(np.concatenate(uniques))
    offsets = np.cumsum([0] + [len(u) for u in uniques[:-1]])
    merged = np.concatenate([remap[o + k] for o, k in zip(offsets, codes)])
    return pd.Categorical.from_codes(merged, categories=pd.Index(final, dtype=object))


def _read_large_csv(path: Path, name: str, tokens: set[str], encoding: str | None, delimiter: str | None,
                    header_row: int | None, min_header_matches: int, extra_header_rows: int,
                    footer_patterns: Sequence[str]) -> RawTable | None:
    """:func:`read_raw` for big CSV files: the same table from pandas' C parser with categorical cells.

    Returns None when the file needs the line-by-line reader (a decoding or quoting problem, a row
    wider than the header): that reader then reports the problem precisely.
    """
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    _reject_binary_workbooks(head, name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_bomless_utf16(head) or \
            (encoding and "16" in encoding):
        return None  # UTF-16 (Excel's "Unicode text"): the line reader decodes it as a whole
    cut = head.rfind(b"\n")
    try:
        text, used_encoding = _decode(head[:cut + 1] if cut > 0 else head, name, encoding)
    except DataError:
        return None
    text, sep_delimiter = _strip_sep_line(text)
    used_delimiter = delimiter or sep_delimiter or _sniff_delimiter(text, tokens, header_row, min_header_matches)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=used_delimiter)
    records: list[list[str]] = []
    lines_after: list[int] = []
    try:
        for row in reader:
            records.append(row)
            lines_after.append(reader.line_num)
            if len(records) > HEADER_SCAN_ROWS + extra_header_rows + (header_row or 0) + 1:
                break
    except csv.Error:
        return None
    if not any(_non_empty(r) for r in records):
        return None
    header_index = _find_header(records, tokens, header_row, min_header_matches, name)
    columns, original = _header_names(records[header_index])
    width = len(columns)
    start = header_index + 1 + extra_header_rows
    if width < 2 or start > len(records):
        return None
    skip = (1 if sep_delimiter else 0) + lines_after[start - 1]
    try:
        chunks = pd.read_csv(path, sep=used_delimiter, header=None, names=list(range(width)), skiprows=skip,
                             dtype=object, keep_default_na=False, na_filter=False, skip_blank_lines=False,
                             encoding="utf-8-sig" if used_encoding == "utf-8" else used_encoding, engine="c",
                             on_bad_lines="error", chunksize=_CHUNK_ROWS)
        # text cells of one chunk at a time; the table keeps each distinct cell once (categorical)
        codes: dict[int, list[np.ndarray]] = {c: [] for c in range(width)}
        uniques: dict[int, list[np.ndarray]] = {c: [] for c in range(width)}
        for chunk in chunks:
            for c in range(width):
                k, u = pd.factorize(chunk[c].fillna("").to_numpy(dtype=object))
                codes[c].append(k)
                uniques[c].append(u)
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, LookupError):
        return None
    if not codes[0]:
        return None
    body = pd.DataFrame({c: _merge_factors(codes[c], uniques[c]) for c in range(width)})
    del codes, uniques
    n = len(body)
    footer = re.compile("|".join(f"(?:{p})" for p in footer_patterns), re.IGNORECASE)
    # blank cells and footer words are decided once per distinct cell, then spread to the rows
    filled_cols = np.column_stack([
        _on_categories(body[c], lambda v: (v.astype(str).str.strip() != "").to_numpy(dtype=bool))
        for c in body.columns])
    filled = filled_cols.sum(axis=1)
    first_col = filled_cols.argmax(axis=1)
    is_footer = np.zeros(n, dtype=bool)
    for c in np.unique(first_col[filled > 0]):  # only the distinct first cells are searched
        rows_c = np.flatnonzero((first_col == c) & (filled > 0))
        col = body[int(c)]
        cell_codes = col.cat.codes.to_numpy()[rows_c]
        distinct = np.unique(cell_codes)
        texts = np.asarray(col.cat.categories, dtype=object)[distinct]
        hit = {int(k) for k, t in zip(distinct, texts) if footer.search(str(t).strip())}
        if hit:
            is_footer[rows_c] = np.isin(cell_codes, list(hit))
    # trailing non-table lines after a blank line (Salesforce "Generated By", report notes)
    wide = np.flatnonzero(filled > 1)
    last_wide = int(wide[-1]) if len(wide) else -1
    blank_after = np.flatnonzero(filled[last_wide + 1:] == 0)
    end = last_wide + 1 + int(blank_after[0]) if len(blank_after) else n

    def first_text(j: int) -> str:
        return str(body.iat[j, int(first_col[j])]).strip()

    position = np.arange(n)
    keep = (position < end) & (filled > 0) & ~is_footer
    drop = ((position < end) & (filled > 0) & is_footer) | ((position >= end) & (filled > 0))
    dropped = [(start + int(j) + 1, first_text(int(j))) for j in np.flatnonzero(drop)]
    if not keep.any():
        raise DataError(Problem(
            name, "has the header but no data rows below it",
            row=header_index + 1, fix="export the file again with data, or check the period"))
    frame = body[keep].reset_index(drop=True)
    frame.columns = columns
    rows = (start + 1 + np.flatnonzero(keep)).tolist()
    return RawTable(path=path, display_name=name, frame=frame, rows=rows, header_row=header_index + 1,
                    encoding=used_encoding, delimiter=used_delimiter, sheet=None, dropped=dropped,
                    original_headers=original, preamble=[list(r) for r in records[:header_index]])
