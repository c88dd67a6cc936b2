"""A table's canonical columns as SQL over its Parquet, DuckDB or PostgreSQL source, for work done in the engine.

:func:`touchpoints_relation` opens one connection on the params' touchpoints entries (DuckDB for
Parquet files and a DuckDB database, the database itself for ``sql:`` queries on PostgreSQL) and
returns the relation (SQL text) with ``lead_id``, ``timestamp``, ``channel`` and ``_row`` (the
row's position in the export order: entry by entry, then the rows as the loader reads them), so
that :func:`cmo_workbook.attribution.sql.attribute_sql` reads the touches where they lie and
Python gets only aggregates.

The columns map onto the canonical names as the loader maps them (the preset's aliases and
``columns:`` overrides, ``values:`` maps of the channel, ``date_format``) and the cells convert
as :mod:`.convert` converts them: ids and channels as trimmed text (the spellings of missing
values are missing), timestamps natively typed or parsed with the entry's date formats. Only
what SQL reproduces exactly is taken there; anything else (a CSV/xlsx entry, entries of mixed
kinds, a derived or constant column, a column type or a date format SQL would read differently,
cells SQL does not convert) gives the reason instead, and the caller keeps the in-memory path.
A query's rows are numbered in the order the query returns them (``row_number() OVER ()`` over
it): give PostgreSQL queries an ``ORDER BY``, as the loader needs for a stable export order.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import convert, presets, readers
from . import sources as sources_mod

#: the canonical touchpoint columns the attribution reads
TOUCH_COLUMNS = ("lead_id", "timestamp", "channel")
#: entries per relation are numbered apart: row = entry index x this + the row within the entry
_ENTRY_STRIDE = 1 << 40
_TEXT_TYPES = ("VARCHAR",)
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_TIME_TYPES = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE")
#: strptime codes that DuckDB and Python may read differently (names of months and days, 12-hour clocks,
#: two-digit years, zones, days of the year)
_STRPTIME_APART = ("%b", "%B", "%p", "%I", "%j", "%y", "%z", "%Z", "%a", "%A")
#: what ``str.strip()`` removes (the loader strips every cell)
_WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())


@dataclass
class EngineRelation:
    """A connection and the SQL relation of a table's canonical columns on it."""

    con: Any
    relation: str
    #: rows of the relation with every canonical column present (what prepare_touchpoints keeps)
    rows: int
    #: ``duckdb`` (embedded) or ``postgresql`` (pushed down to the source database)
    dialect: str = "duckdb"
    _tables: int = 0
    #: the relation with the validation columns (``_entry``, ``_pos``, ``_raw_*``, ``_unconverted_*``, ...)
    checked: str = ""
    parts: list = field(default_factory=list)

    def register(self, frame: pd.DataFrame) -> str:
        """Hand a small frame (one outcome row per lead) to the engine; the relation that reads it.

        DuckDB reads the frame where it is; PostgreSQL gets it as a temporary table (COPY), dropped
        with the connection. Its rows keep their order in ``_pos``.
        """
        self._tables += 1
        name = f"_cmo_frame_{self._tables}"
        frame = frame.reset_index(drop=True).assign(_pos=np.arange(len(frame), dtype=np.int64))
        if self.dialect == "duckdb":
            self.con.register(name, frame)
            return name
        types = {c: _pg_type(frame[c]) for c in frame.columns}
        with self.con.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{_quote(c)} {t}' for c, t in types.items())})")
            with cur.copy(f"COPY {name} ({', '.join(_quote(c) for c in types)}) FROM STDIN") as copy:
                for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
                    copy.write_row([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row])
        return name

    def close(self) -> None:
        self.con.close()


def _pg_type(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values.dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "timestamp"
    if pd.api.types.is_integer_dtype(values.dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(values.dtype):
        return "double precision"
    return "text"


@dataclass(frozen=True)
class _Dialect:
    """What differs between DuckDB and PostgreSQL in the column conversions."""

    name: str

    def full_match(self, text: str, pattern: str) -> str:
        if self.name == "duckdb":
            return f"regexp_full_match({text}, {_literal(pattern)})"
        return f"({text} ~ {_literal('^' + pattern + '$')})"

    def trim(self, text: str) -> str:
        """Python's ``str.strip()``: every whitespace character at both ends (SQL's trim() takes spaces only)."""
        return f"{'trim' if self.name == 'duckdb' else 'btrim'}({text}, {_literal(_WHITESPACE)})"

    def cast_timestamp(self, text: str) -> str:
        # DuckDB: NULL when the text is no timestamp; PostgreSQL has no try_cast (a bad date fails the statement,
        # and the caller keeps the in-memory path)
        return f"try_cast({text} AS TIMESTAMP)" if self.name == "duckdb" else f"CAST({text} AS TIMESTAMP)"


def touchpoints_relation(params: Any, *, keep_bad: bool = False) -> EngineRelation | str:
    """The touchpoints as an :class:`EngineRelation`, or why they stay in memory (a sentence).

    ``keep_bad``: for the loader, which reports the cells that do not convert (see :func:`_relation`).
    """
    entries = params.files("touchpoints")
    if not entries:
        return "no touchpoints entry"
    kinds = [sources_mod.kind(e) for e in entries]
    if all(k == "sql" for k in kinds):
        return _postgres_relation(params, entries, keep_bad)
    if any(k not in ("parquet", "duckdb") for k in kinds):
        return "a touchpoints entry is a CSV/xlsx file (read in memory), or the entries mix kinds"
    import duckdb

    if any(not sources_mod.location(params.data_dir, e, "").is_file() for e in entries):
        return "a touchpoints file or database is not there (the loader says which)"
    databases = {str(sources_mod.location(params.data_dir, e, "")) for e, k in zip(entries, kinds) if k == "duckdb"}
    if len(databases) > 1:
        return "touchpoints from several DuckDB databases"
    con = duckdb.connect(databases.pop(), read_only=True) if databases else duckdb.connect()
    _limit_memory(con, params)

    def describe(source: str) -> dict[str, str]:
        return {r[0]: str(r[1]).upper() for r in con.execute(f"DESCRIBE SELECT * FROM {source} AS s").fetchall()}

    def sources(entry: dict[str, Any], k: str) -> str:
        if k == "parquet":  # one file (the loader reads no globs): its row numbers are the export order
            path = sources_mod.location(params.data_dir, entry, "")
            # (the file's own columns only: file_row_number is no header of the export)
            return (f"(SELECT * EXCLUDE (file_row_number), file_row_number AS _pos FROM "
                    f"read_parquet({_literal(str(path))}, file_row_number = true))")
        # the user's query; a streaming row_number keeps the result's order (as fetchall gives it)
        return f"(SELECT *, row_number() OVER () - 1 AS _pos FROM ({entry['query'].strip().rstrip(';')}) AS q)"

    selects = [sources(e, k) for e, k in zip(entries, kinds)]
    return _relation(params, con, _Dialect("duckdb"), selects, entries, describe,
                     lambda sql: con.execute(sql).fetchall(), duckdb.Error, keep_bad)


@functools.cache
def _spill_dir() -> str:
    """The run's own spill folder for DuckDB (made once per process, removed when it ends)."""
    import atexit
    import shutil
    import tempfile

    path = tempfile.mkdtemp(prefix="cmo-duckdb-")
    atexit.register(shutil.rmtree, path, True)
    return path


def _limit_memory(con: Any, params: Any) -> None:
    """Cap the embedded engine's memory (params ``data.engine_memory_limit``) and give it a folder of its own to
    spill to: DuckDB's default (80 % of the machine's RAM, spilling next to a database opened read-only, which
    it cannot) lets one company's warehouse-size touchpoints take the memory of a portfolio run's other kernels."""
    con.execute(f"SET memory_limit = {_literal(params.engine_memory_limit)}")
    con.execute(f"SET temp_directory = {_literal(_spill_dir())}")


#: PostgreSQL type codes (OIDs) of cursor.description, as the conversions name them
_PG_TYPES = {25: "VARCHAR", 1043: "VARCHAR", 1042: "VARCHAR", 20: "BIGINT", 21: "SMALLINT", 23: "INTEGER",
             1114: "TIMESTAMP", 1082: "DATE", 1184: "TIMESTAMPTZ"}


def _conninfo(url: Any) -> dict[str, Any]:
    """psycopg's keywords for a SQLAlchemy URL as SQLAlchemy reads it: the query's ``host=/run/postgresql`` (a
    socket folder) or ``port=`` stand beside or instead of the URL's own, and the query's win."""
    args = {k: v for k, v in url.query.items() if isinstance(v, str)}
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username), ("password", url.password),
                       ("dbname", url.database)):
        if value is not None:
            args.setdefault(key, value)
    return args


def _postgres_relation(params: Any, entries: list[dict[str, Any]], keep_bad: bool = False) -> EngineRelation | str:
    """``sql:`` entries on one PostgreSQL database: the attribution is pushed down to it."""
    urls = set()
    for entry in entries:
        sql = entry["sql"]
        urls.add(os.environ.get(sql["url_env"], "").strip() if "url_env" in sql else str(sql.get("url", "")))
    if len(urls) != 1 or not next(iter(urls)):
        return "touchpoints from several databases, or a URL that is not set"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(urls.pop())
    except ArgumentError:
        return "the touchpoints' database URL is not a SQLAlchemy URL (the loader says what is wrong)"
    if url.get_backend_name() != "postgresql":
        return f"the touchpoints' database is {url.get_backend_name()}, not PostgreSQL (read in memory)"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (read in memory)"
    try:
        con = psycopg.connect(autocommit=True, connect_timeout=sources_mod.CONNECT_TIMEOUT, **_conninfo(url))
    except psycopg.Error as exc:
        return f"cannot connect to the touchpoints' database ({str(exc).strip().splitlines()[0]})"

    def rows(sql: str) -> list[tuple]:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def describe(source: str) -> dict[str, str]:
        with con.cursor() as cur:
            cur.execute(f"SELECT * FROM {source} AS s LIMIT 0")
            return {d[0]: _PG_TYPES.get(d[1], f"OID {d[1]}") for d in cur.description}

    # the query's own ORDER BY gives the export order; row_number() over the ordered subquery keeps it
    sources = [f"(SELECT *, row_number() OVER () - 1 AS _pos FROM ({e['sql']['query'].strip().rstrip(';')}) AS q)"
               for e in entries]
    return _relation(params, con, _Dialect("postgresql"), sources, entries, describe, rows, psycopg.Error, keep_bad)


def _relation(params: Any, con: Any, dialect: _Dialect, sources: list[str], entries: list[dict[str, Any]],
              describe: Any, rows: Any, error: type[Exception], keep_bad: bool = False) -> EngineRelation | str:
    """Map every entry's columns, check that SQL converts every cell, count the complete touches.

    ``keep_bad``: the loader validates the cells itself (:mod:`.engine_table`): no refusal for cells that do
    not convert, and no counting pass (``rows`` is -1).
    """
    try:
        parts = []
        for i, (source, entry) in enumerate(zip(sources, entries)):
            part = _entry_select(entry, source, describe(source), dialect, i)
            if isinstance(part, _Refused):
                con.close()
                return part.reason
            parts.append(part)
        relation = "(" + "\nUNION ALL ".join(p.sql for p in parts) + ")"
        if keep_bad:
            return EngineRelation(con, f"(SELECT lead_id, \"timestamp\", channel, _row FROM {relation} AS r)", -1,
                                  dialect.name, checked=relation, parts=parts)
        bad, n = rows(f"SELECT count(*) FILTER (WHERE bad), count(*) FILTER (WHERE NOT bad AND lead_id IS "
                      f"NOT NULL AND \"timestamp\" IS NOT NULL AND channel IS NOT NULL) FROM {relation} AS r")[0]
    except error as exc:
        con.close()
        return f"the engine cannot read the touchpoints ({str(exc).strip().splitlines()[0]})"
    if bad and not keep_bad:
        con.close()
        return f"{bad} touchpoint cells convert differently in SQL (read in memory, where the loader names them)"
    return EngineRelation(con, f"(SELECT lead_id, \"timestamp\", channel, _row FROM {relation} AS r)", int(n),
                          dialect.name, checked=relation, parts=parts)


@dataclass
class _Refused:
    reason: str


@dataclass
class EntryPart:
    """One entry's SELECT in the relation, and how its columns map (for messages and the data note)."""

    sql: str
    #: the source's headers in their order, and canonical column -> header
    headers: list[str]
    header_of: dict[str, str]
    #: headers no canonical column reads (validate lists them)
    unmapped: list[str]
    #: the entry's date formats as the loader's messages name them
    date_formats: list[str]
    #: header -> the engine's type of the column
    types: dict[str, str] = field(default_factory=dict)


def _entry_select(entry: dict[str, Any], source: str, types: dict[str, str], dialect: _Dialect,
                  index: int) -> EntryPart | _Refused:
    """The SELECT of one entry's canonical columns plus ``bad`` (a cell SQL does not convert as the loader)."""
    types = {h: t for h, t in types.items() if h != "_pos"}
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
    from .loaders import _strptime_format  # DD.MM.YYYY as the loader reads it (%d.%m.%Y)

    date_formats = [_strptime_format(f) for f in ([date_formats] if isinstance(date_formats, str) else date_formats)]
    cols, bads, checks = [], [], []
    for column in TOUCH_COLUMNS:
        q = _quote(header_of[column])
        typ = types[header_of[column]]
        if column == "timestamp":
            expr = _timestamp(q, typ, date_formats, dialect)
        else:
            expr = _text(q, typ, value_maps.get(column) if column == "channel" else None, dialect)
        if expr is None:
            return _Refused(f"the touchpoints' {column} column has type {typ}, which SQL would read differently")
        cols.append(f"{expr} AS {_quote(column)}")
        # a cell that is there but converts to nothing: the loader would refuse or read it otherwise
        bads.append(f"({q} IS NOT NULL AND NOT {_missing(q, typ, dialect)} AND ({expr}) IS NULL)")
        # for the validation (.engine_table): the cell as written, and why it did not convert
        checks += [f"CAST({q} AS VARCHAR) AS {_quote('_raw_' + column)}",
                   f"coalesce({bads[-1]}, false) AS {_quote('_unconverted_' + column)}"]
        if column == "timestamp":
            bads.append(f"(({expr}) < TIMESTAMP '1900-01-01' OR ({expr}) >= TIMESTAMP '2100-01-01')")
            checks.append(f"coalesce({bads[-1]}, false) AS _implausible_timestamp")
    sql = (f"SELECT {', '.join(cols)}, CAST({index} AS BIGINT) * {_ENTRY_STRIDE} + _pos AS _row, "
           f"CAST({index} AS BIGINT) AS _entry, _pos, {', '.join(checks)}, "
           f"coalesce({' OR '.join(bads)}, false) AS bad FROM {source} AS s")
    return EntryPart(sql, headers, dict(header_of), list(res.unmapped), date_formats, dict(types))


def _missing(q: str, typ: str, dialect: _Dialect) -> str:
    """SQL: the cell is one of the spellings of a missing value (:data:`.convert.NA_SPELLINGS`)."""
    if typ not in _TEXT_TYPES:
        return "false"
    spellings = ", ".join(_literal(s) for s in sorted(convert._NA))
    return f"(lower({dialect.trim(q)}) IN ({spellings}))"


def _text(q: str, typ: str, value_map: dict[str, str] | None, dialect: _Dialect) -> str | None:
    """SQL of a string/id cell as :func:`.convert._texts` makes it (stripped, missing spellings NULL), mapped."""
    if typ in _INTEGER_TYPES:
        text = f"CAST({q} AS VARCHAR)"
    elif typ in _TEXT_TYPES:
        text = f"CASE WHEN {_missing(q, typ, dialect)} THEN NULL ELSE {dialect.trim(q)} END"
    else:
        return None
    if value_map:
        if any(not str(k).isascii() for k in value_map):
            return None  # lower() and casefold() agree on ASCII only
        cases = " ".join(f"WHEN {_literal(str(k).strip().casefold())} THEN {_literal(str(v).strip())}"
                         for k, v in value_map.items())
        text = f"(CASE lower({text}) {cases} ELSE {text} END)"
    return text


def _timestamp(q: str, typ: str, formats: list[str], dialect: _Dialect) -> str | None:
    """SQL of a datetime cell as :func:`.convert._parse_dates` reads it: typed as it is, text by the formats in order.

    PostgreSQL reads text in ISO form only (its to_timestamp is lenient and has no form that fails
    softly): cells in another form count as not converted, and the caller keeps the in-memory path.
    """
    if typ in _TIME_TYPES:
        return f"CAST({q} AS TIMESTAMP)"
    if typ == "TIMESTAMPTZ":  # the wall-clock time in UTC, as the loader's cells (sources._cell)
        return f"({q} AT TIME ZONE 'UTC')"
    if typ not in _TEXT_TYPES:
        return None
    tries = []
    for fmt in formats:
        if fmt == "iso":
            # the loader's ISO pattern: date, optional time with optional seconds and fraction, no zone
            tries.append(f"CASE WHEN {dialect.full_match(dialect.trim(q), convert._ISO.pattern.strip('^$'))} "
                         f"THEN {dialect.cast_timestamp(dialect.trim(q))} END")
        elif fmt == "excel" or any(code in fmt for code in _STRPTIME_APART):
            return None  # names of months, 12-hour clocks, two-digit years: strptime of DuckDB and Python may differ
        elif dialect.name == "duckdb":
            tries.append(f"try_strptime({dialect.trim(q)}, {_literal(fmt)})")
    return f"coalesce({', '.join(tries)})" if tries else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
