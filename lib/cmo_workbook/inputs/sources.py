"""Table entries that are not CSV/xlsx files: Parquet files, DuckDB queries and SQL queries.

A params table entry names one source::

    - file: crm/deals.csv                  # CSV/TXT/xlsx: readers.read_raw
    - file: lake/deals.parquet             # Parquet, read by DuckDB
    - duckdb: warehouse/crm.duckdb         # a DuckDB database and a SELECT on it
      query: "select * from deals"
    - sql: {url_env: CMO_CRM_URL, query: "select * from deals"}   # any SQLAlchemy URL

:func:`read_entry` turns each into the same :class:`~.readers.RawTable` the CSV reader gives (one
column per result column, cells untouched, ``rows`` numbered from 1 in result order), so presets,
``columns:`` mappings, value maps and every check downstream stay the same. Typed cells (dates,
numbers) stay native Python values like typed .xlsx cells; NULL becomes an empty cell.

Passwords never live in params: a ``sql.url`` with a password is refused (:func:`entry_problems`);
``sql.url_env`` names the environment variable that holds the URL.
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from . import readers

#: the keys of a table entry that say where its rows come from (exactly one per entry)
KINDS = ("file", "duckdb", "sql")
#: seconds a database may take to accept the connection before the run stops with exit 2
CONNECT_TIMEOUT = 15


def kind(entry: dict[str, Any]) -> str:
    """``file`` (CSV/xlsx), ``parquet``, ``duckdb`` or ``sql``."""
    if "sql" in entry:
        return "sql"
    if "duckdb" in entry:
        return "duckdb"
    return "parquet" if str(entry.get("file", "")).lower().endswith(".parquet") else "file"


def is_query(entry: dict[str, Any]) -> bool:
    return kind(entry) in ("duckdb", "sql")


def display_name(table: str, index: int, count: int, entry: dict[str, Any]) -> str:
    """How messages name the entry: the file as written in params, or ``table entry deals (query)``.

    No slash in a query's name: :class:`~cmo_workbook.errors.Problem` shows the last path part only.
    """
    if not is_query(entry):
        return str(entry["file"])
    return f"table entry {table} (query)" if count == 1 else f"table entry {table}[{index}] (query)"


def entry_problems(entry: dict[str, Any], key: str, fname: str) -> list[str]:
    """Params-level problems of one table entry (no database is contacted): one source kind per
    entry, ``query`` only with ``duckdb``, no password in ``sql.url``."""
    given = [k for k in KINDS if k in entry]
    problems: list[str] = []
    if len(given) > 1:
        problems.append(f'{fname}: "{key}" names {" and ".join(given)}; give one source per entry '
                        "(a second source is a second entry in the list)")
        return problems
    if "duckdb" in entry and "query" not in entry:
        problems.append(f'{fname}: "{key}.duckdb" needs a query: the SELECT to run on the database, '
                        'e.g. query: "select * from deals"')
    if "query" in entry and "duckdb" not in entry:
        where = "sql.query" if "sql" in entry else "duckdb"
        problems.append(f'{fname}: "{key}.query" belongs to a duckdb: entry; '
                        + ("move it under sql:" if "sql" in entry else f"add {where}: PATH or remove query"))
    sql = entry.get("sql") or {}
    if "url" in sql and "url_env" in sql:
        problems.append(f'{fname}: "{key}.sql" names both url and url_env; keep url_env')
    if "url" in sql:
        problems.extend(_url_problems(str(sql["url"]), f"{key}.sql.url", fname))
    return problems


def _url_problems(url: str, key: str, fname: str) -> list[str]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return [f'{fname}: "{key}" is not a SQLAlchemy URL (expected dialect+driver://user@host:port/database, '
                "e.g. postgresql+psycopg://reporting@db.internal/crm)"]
    if parsed.password is not None or any(k.lower() in ("password", "passwd", "pwd") for k in parsed.query):
        return [f'{fname}: "{key}" contains a password, which must not be written into params; '
                f"put the whole URL into an environment variable and name it with url_env instead of url "
                f"(e.g. sql: {{url_env: CMO_CRM_URL, query: ...}} and export CMO_CRM_URL=...)"]
    return []


def location(data_dir: Path, entry: dict[str, Any], shown: str) -> Path:
    """The file or database the entry reads (a query against a server: its display name)."""
    k = kind(entry)
    if k == "sql":
        return Path(shown)
    return (data_dir / entry["duckdb" if k == "duckdb" else "file"]).resolve()


#: ``choose(headers)`` -> (the headers to read, the id header) when reading fewer columns is safe, else None
Chooser = Callable[[list[str]], "tuple[list[str], str] | None"]


def read_entry(data_dir: Path, entry: dict[str, Any], *, shown: str, key: str, ptext: str,
               choose: Chooser | None = None, **file_options: Any) -> readers.RawTable:
    """The entry's cells as a :class:`RawTable`; ``file_options`` go to :func:`readers.read_raw` for files.

    For Parquet and DuckDB, ``choose`` lets the engine read only the columns the preset maps (the rest
    never reaches pandas); see :func:`_run_duckdb`.
    """
    k = kind(entry)
    path = location(data_dir, entry, shown)
    if k == "file":
        return readers.read_raw(path, display_name=shown, **file_options)
    unread: list[str] = []
    if k == "sql":
        columns, records = _run_sql(entry["sql"], shown, key, ptext)
    else:
        columns, records, unread = _run_duckdb(path, entry, k, shown, key, ptext, choose)
    table = _table(path, shown, columns, records, key, ptext)
    table.unread = unread
    return table


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _projection(con, relation: str, choose: Chooser | None) -> tuple[str, list[str]]:
    """(the SELECT to run, the headers left out): only the mapped columns, when that changes nothing.

    Left-out columns matter in one place: ids made from a row's content (rows without an id) hash every
    cell. So the engine counts empty ids first (a pushed-down null check) and reads every column when
    there is any; duplicate headers (compared by the loader) also keep every column.
    """
    everything = f"select * from {relation}"
    if choose is None:
        return everything, []
    headers = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
    if len(set(headers)) < len(headers):
        return everything, []
    chosen = choose(headers)
    if chosen is None:
        return everything, []
    wanted, id_header = chosen
    empty_ids = con.execute(f"select count(*) from {relation} where {_quote(id_header)} is null "
                            f"or trim(cast({_quote(id_header)} as varchar)) = ''").fetchone()[0]
    if empty_ids or len(wanted) == len(headers):
        return everything, []
    keep = set(wanted)
    return (f"select {', '.join(_quote(h) for h in headers if h in keep)} from {relation}",
            [h for h in headers if h not in keep])


def _run_duckdb(path: Path, entry: dict[str, Any], k: str, shown: str, key: str, ptext: str,
                choose: Chooser | None = None) -> tuple[list[str], list[tuple], list[str]]:
    import duckdb

    if not path.is_file():
        raise DataError(Problem(shown, f"{'file' if k == 'parquet' else 'DuckDB database'} not found: {path}",
                                fix=f"check {key}.{'file' if k == 'parquet' else 'duckdb'} in {ptext}"))
    try:
        con = duckdb.connect(str(path), read_only=True) if k == "duckdb" else duckdb.connect()
    except duckdb.Error as exc:
        raise DataError(Problem(shown, f"{path.name} cannot be opened as a DuckDB database ({_first_line(exc)})",
                                fix=f"check {key}.duckdb in {ptext}: it must be a file written by DuckDB")) from None
    try:
        if k == "parquet":
            try:
                con.execute(f"create temp view entry as select * from read_parquet({_literal(str(path))})")
                sql, unread = _projection(con, "entry", choose)
                cur = con.execute(sql)
            except duckdb.Error as exc:
                raise DataError(Problem(shown, f"cannot be read as a Parquet file ({_first_line(exc)})",
                                        fix="write the file again as Parquet, or give a .csv/.xlsx name")) from None
        else:
            try:
                # a view keeps the user's query as written; reading fewer of its columns stays the engine's job
                con.execute("create temp view entry as " + entry["query"].strip().rstrip(";"))
                sql, unread = _projection(con, "entry", choose)
                cur = con.execute(sql)
            except duckdb.Error as exc:
                raise DataError(Problem(shown, f"the query on {path.name} failed: {_first_line(exc)}",
                                        fix=f"correct {key}.query in {ptext} (a SELECT; try it in the duckdb "
                                            "shell first)")) from None
        return [d[0] for d in cur.description], cur.fetchall(), unread
    finally:
        con.close()


def _run_sql(sql: dict[str, Any], shown: str, key: str, ptext: str) -> tuple[list[str], list[tuple]]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    if "url_env" in sql:
        var = sql["url_env"]
        url_text, origin = os.environ.get(var, ""), f"from {var}"
        if not url_text.strip():
            raise DataError(Problem(
                shown, f"the environment variable {var} (named by {key}.sql.url_env) is not set",
                fix=f"set {var} to the database's SQLAlchemy URL before the run, e.g. "
                    f"export {var}=postgresql+psycopg://user:password@host:5432/database"))
        setting = f"the environment variable {var}"
    else:
        url_text, origin, setting = str(sql["url"]), f"{key}.sql.url", f"{key}.sql.url in {ptext}"
    try:
        url = make_url(url_text.strip())
    except ArgumentError:
        raise DataError(Problem(shown, f"the database URL {origin} is not a SQLAlchemy URL",
                                fix=f"set {setting} to dialect+driver://user:password@host:port/database, e.g. "
                                    "postgresql+psycopg://crm:secret@db.internal:5432/crm")) from None
    shown_url = url.render_as_string(hide_password=True)
    connect_args = {"connect_timeout": CONNECT_TIMEOUT} if url.get_backend_name() == "postgresql" else {}
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise DataError(Problem(shown, f"no database driver for {url.drivername!r} ({_first_line(exc)})",
                                fix=f"install the driver for this database, or use postgresql+psycopg:// in {setting}"
                                )) from None
    try:
        try:
            conn = engine.connect()
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            raise DataError(Problem(
                shown, f"cannot connect to the database {shown_url} ({origin}): {_db_message(exc)}",
                fix=f"check that the database server runs and accepts connections from this machine, and that "
                    f"{setting} names the right host, port, user, password and database")) from None
        with conn:
            # the driver's cursor without parameters: neither SQLAlchemy (':name') nor the driver ('%s')
            # reads placeholders into the user's query, so LIKE 'A%' and '10:30' reach the server unchanged
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql["query"])
                if cursor.description is None:
                    raise DataError(Problem(shown, "the query returns no result table",
                                            fix=f"make {key}.sql.query in {ptext} a SELECT"))
                return [d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()]
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DataError(Problem(shown, f"the query failed on {shown_url}: {_db_message(exc)}",
                                        fix=f"correct {key}.sql.query in {ptext} (try it in psql or your SQL "
                                            "client first)")) from None
            finally:
                cursor.close()
    finally:
        engine.dispose()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _db_message(exc: BaseException) -> str:
    """The driver's own words (not SQLAlchemy's wrapper with the statement and a link)."""
    orig = getattr(exc, "orig", None)
    return _first_line(orig if orig is not None else exc)


def _cell(value: object) -> object:
    """A result cell as the readers give cells: NULL -> empty, exact decimals -> float, dates native."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # timestamps with time zone: the wall-clock time in UTC, as exports write them
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _categorical(values: tuple) -> pd.Categorical:
    """One result column as categorical cells, like the large-CSV reader's: the readers' conventions
    (:func:`_cell`) and later every conversion run once per distinct value, not once per row."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    cells = [_cell(v) for v in uniques]
    if (codes < 0).any():  # NULL (and NaN) cells: empty, as in a file
        cells.append("")
        codes = np.where(codes < 0, len(cells) - 1, codes)
    # two values may become one cell (a date and the same midnight datetime): merge their codes
    remap, final = pd.factorize(np.asarray(cells + [None], dtype=object)[:-1])
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(final, dtype=object))


def _table(path: Path, shown: str, columns: list[str], records: list[tuple], key: str,
           ptext: str) -> readers.RawTable:
    names, original = readers._header_names(columns)
    if len(original) < len(columns):  # trailing unnamed columns: keep them, named by position
        names, original = [*names, *[f"(column {i + 1})" for i in range(len(names), len(columns))]], list(columns)
    if not records:
        raise DataError(Problem(shown, "the query returned no rows" if "(query)" in shown else "has no rows",
                                fix=f"check the query's conditions in {key} in {ptext}, or the period"))
    frame = pd.DataFrame({name: _categorical(values) for name, values in zip(names, zip(*records))})
    return readers.RawTable(path=path, display_name=shown, frame=frame, rows=list(range(1, len(frame) + 1)),
                            header_row=0, encoding=None, delimiter=None, sheet=None, dropped=[],
                            original_headers=original)
