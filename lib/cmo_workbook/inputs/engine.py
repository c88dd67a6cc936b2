"""A table's canonical columns as SQL over its Parquet or DuckDB source, for work done in the engine.

:func:`touchpoints_relation` opens one DuckDB connection on the params' touchpoints entries and
returns the relation (SQL text) with ``lead_id``, ``timestamp``, ``channel`` and ``_row`` (the
row's position in the export order: entry by entry, then the rows as the loader reads them), so
that :func:`cmo_workbook.attribution.sql.attribute_sql` reads the touches where they lie and
Python gets only aggregates.

The columns map onto the canonical names as the loader maps them (the preset's aliases and
``columns:`` overrides, ``values:`` maps of the channel, ``date_format``) and the cells convert
as :mod:`.convert` converts them: ids and channels as trimmed text (the spellings of missing
values are missing), timestamps natively typed or parsed with the entry's date formats. Only
what SQL reproduces exactly is taken there; anything else (a CSV/xlsx or ``sql:`` entry, a
derived or constant column, a column type or a date format SQL would read differently, cells
SQL cannot convert) gives the reason instead, and the caller keeps the in-memory path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import convert, presets, readers
from . import sources as sources_mod
from .params import Params

#: the canonical touchpoint columns the attribution reads
TOUCH_COLUMNS = ("lead_id", "timestamp", "channel")
#: entries per relation are numbered apart: row = entry index x this + the row within the entry
_ENTRY_STRIDE = 1 << 40
_TEXT_TYPES = ("VARCHAR",)
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_TIME_TYPES = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE")


@dataclass
class EngineRelation:
    """A DuckDB connection and the SQL relation of a table's canonical columns on it."""

    con: Any
    relation: str
    #: rows of the relation with every canonical column present (what prepare_touchpoints keeps)
    rows: int

    def close(self) -> None:
        self.con.close()


def touchpoints_relation(params: Params) -> EngineRelation | str:
    """The touchpoints as an :class:`EngineRelation`, or why they stay in memory (a sentence)."""
    import duckdb

    entries = params.files("touchpoints")
    if not entries:
        return "no touchpoints entry"
    kinds = [sources_mod.kind(e) for e in entries]
    if any(k not in ("parquet", "duckdb") for k in kinds):
        return "a touchpoints entry is a CSV/xlsx file or a sql: query (read in memory)"
    databases = {str(sources_mod.location(params.data_dir, e, "")) for e, k in zip(entries, kinds) if k == "duckdb"}
    if len(databases) > 1:
        return "touchpoints from several DuckDB databases"
    con = duckdb.connect(databases.pop(), read_only=True) if databases else duckdb.connect()
    try:
        parts = []
        for i, (entry, k) in enumerate(zip(entries, kinds)):
            part = _entry_select(params, con, entry, k, i)
            if isinstance(part, _Refused):
                con.close()
                return part.reason
            parts.append(part)
        relation = "(" + "\nUNION ALL ".join(parts) + ")"
        bad, rows = con.execute(f"SELECT count(*) FILTER (WHERE bad), count(*) FILTER (WHERE NOT bad AND lead_id IS "
                                f"NOT NULL AND \"timestamp\" IS NOT NULL AND channel IS NOT NULL) "
                                f"FROM {relation} AS r").fetchall()[0]
    except duckdb.Error as exc:
        con.close()
        return f"the engine cannot read the touchpoints ({str(exc).strip().splitlines()[0]})"
    if bad:
        con.close()
        return f"{bad} touchpoint cells convert differently in SQL (read in memory, where the loader names them)"
    return EngineRelation(con, f"(SELECT lead_id, \"timestamp\", channel, _row FROM {relation} AS r)", int(rows))


@dataclass
class _Refused:
    reason: str


def _entry_select(params: Params, con: Any, entry: dict[str, Any], kind: str, index: int) -> str | _Refused:
    """The SELECT of one entry's canonical columns plus ``bad`` (a cell SQL does not convert as the loader)."""
    if kind == "parquet":
        path = sources_mod.location(params.data_dir, entry, "")
        source = f"(SELECT *, file_row_number AS _pos FROM read_parquet({_literal(str(path))}, file_row_number = true))"
    else:  # the user's query; a streaming row_number keeps the result's order (as fetchall gives it)
        source = f"(SELECT *, row_number() OVER () - 1 AS _pos FROM ({entry['query'].strip().rstrip(';')}) AS q)"
    described = con.execute(f"DESCRIBE SELECT * FROM {source} AS s").fetchall()
    types = {r[0]: str(r[1]).upper() for r in described if r[0] != "_pos"}
    headers = list(types)
    names, _ = readers._header_names(headers)
    if list(names) != headers:
        return _Refused("touchpoint headers the loader renames (duplicates or blanks)")
    preset = presets.get_preset(entry["preset"])
    if "touchpoints" not in preset.tables:
        return _Refused(f"preset {preset.name} has no touchpoints mapping")
    tp = preset.tables["touchpoints"]
    res = presets.resolve_columns(headers, preset, "touchpoints", entry.get("columns") or {})
    header_of = {c: h for h, c in res.mapping.items()}
    if any(c not in header_of for c in TOUCH_COLUMNS) or res.derived or res.unmatched_overrides:
        return _Refused("touchpoint columns that are derived, constant or missing")
    if set(TOUCH_COLUMNS) & set(entry.get("constants") or {}):
        return _Refused("a touchpoint column given as a constant")
    value_maps = {k: dict(v) for k, v in tp.value_maps.items()}
    for k, v in (entry.get("values") or {}).items():
        value_maps[k] = {**value_maps.get(k, {}), **{str(a).casefold(): b for a, b in v.items()}}
    if value_maps.get("lead_id") or value_maps.get("timestamp"):
        return _Refused("a value map on the touchpoints' lead id or timestamp")
    date_formats = entry.get("date_format") or tp.date_formats
    date_formats = [str(f) for f in ([date_formats] if isinstance(date_formats, str) else date_formats)]
    cols, bads = [], []
    for column in TOUCH_COLUMNS:
        q = _quote(header_of[column])
        typ = types[header_of[column]]
        if column == "timestamp":
            expr = _timestamp(q, typ, date_formats)
        else:
            expr = _text(q, typ, value_maps.get(column) if column == "channel" else None)
        if expr is None:
            return _Refused(f"the touchpoints' {column} column has type {typ}, which SQL would read differently")
        cols.append(f"{expr} AS {_quote(column)}")
        # a cell that is there but converts to nothing: the loader would refuse or read it otherwise
        bads.append(f"({q} IS NOT NULL AND NOT {_missing(q, typ)} AND ({expr}) IS NULL)")
        if column == "timestamp":
            bads.append(f"(({expr}) < TIMESTAMP '1900-01-01' OR ({expr}) >= TIMESTAMP '2100-01-01')")
    return (f"SELECT {', '.join(cols)}, CAST({index} AS BIGINT) * {_ENTRY_STRIDE} + _pos AS _row, "
            f"coalesce({' OR '.join(bads)}, false) AS bad FROM {source} AS s")


def _missing(q: str, typ: str) -> str:
    """SQL: the cell is one of the spellings of a missing value (:data:`.convert.NA_SPELLINGS`)."""
    if typ not in _TEXT_TYPES:
        return "false"
    spellings = ", ".join(_literal(s) for s in sorted(convert._NA))
    return f"(lower(trim({q})) IN ({spellings}))"


def _text(q: str, typ: str, value_map: dict[str, str] | None) -> str | None:
    """SQL of a string/id cell as :func:`.convert._texts` makes it (trimmed, missing spellings NULL), mapped."""
    if typ in _INTEGER_TYPES:
        text = f"CAST({q} AS VARCHAR)"
    elif typ in _TEXT_TYPES:
        text = f"CASE WHEN {_missing(q, typ)} THEN NULL ELSE trim({q}) END"
    else:
        return None
    if value_map:
        if any(not str(k).isascii() for k in value_map):
            return None  # lower() and casefold() agree on ASCII only
        cases = " ".join(f"WHEN {_literal(str(k).strip().casefold())} THEN {_literal(str(v))}"
                         for k, v in value_map.items())
        text = f"(CASE lower({text}) {cases} ELSE {text} END)"
    return text


def _timestamp(q: str, typ: str, formats: list[str]) -> str | None:
    """SQL of a datetime cell as :func:`.convert._parse_dates` reads it: typed as it is, text by the formats in order."""
    if typ in _TIME_TYPES:
        return f"CAST({q} AS TIMESTAMP)"
    if typ not in _TEXT_TYPES:
        return None
    tries = []
    for fmt in formats:
        if fmt == "iso":
            # the loader's ISO pattern: date, optional time with optional seconds and fraction, no zone
            tries.append(f"CASE WHEN regexp_full_match(trim({q}), {_literal(convert._ISO.pattern.strip('^$'))}) "
                         f"THEN try_cast(trim({q}) AS TIMESTAMP) END")
        elif fmt == "excel" or any(code in fmt for code in ("%b", "%B", "%p", "%I", "%j", "%y", "%z", "%Z", "%a", "%A")):
            return None  # names of months, 12-hour clocks, two-digit years: strptime of DuckDB and Python may differ
        else:
            tries.append(f"try_strptime(trim({q}), {_literal(fmt)})")
    return f"coalesce({', '.join(tries)})" if tries else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
