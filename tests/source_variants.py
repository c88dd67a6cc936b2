"""The sample company's data as Parquet files, one DuckDB database and PostgreSQL tables.

Each table entry of ``params/example.yaml`` becomes one table ``<table>_<i>`` with the export's own headers
(so the same presets apply) and its cells as the export has them: CSV cells stay text, the .xlsx cells keep
their types (dates as TIMESTAMP, amounts as DOUBLE; a column mixing numbers and text is text, as a database
would store it). Empty cells become NULL. The footer rows a reader drops are not copied: a database has none.
``variant_params`` writes params whose entries read those tables instead of the files.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from cmo_workbook.inputs import loaders
from cmo_workbook.inputs.params import DATA_TABLES, load_params

ROOT = Path(__file__).resolve().parents[1]
#: keys that only a file reader uses
FILE_ONLY = ("file", "sheet", "encoding", "delimiter", "header_row")


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _typed(values: pd.Series) -> tuple[str, list[object]]:
    """(SQL type, cells) of one column: TIMESTAMP, DOUBLE or TEXT, NULL for empty cells."""
    filled = [v for v in values if not _blank(v)]
    if filled and all(isinstance(v, dt.datetime) for v in filled):
        return "timestamp", [None if _blank(v) else v for v in values]
    if filled and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in filled):
        return "double precision", [None if _blank(v) else float(v) for v in values]
    out = []
    for v in values:
        if _blank(v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(str(v))  # a whole number reads back the same in any number style
        else:
            raise ValueError(f"cannot store {v!r} in a text column without changing how it parses")
    return "text", out


def sample_tables(params_path: Path = ROOT / "params" / "example.yaml") -> list[tuple[str, str, list[tuple[str, str, list]]]]:
    """[(table, name, [(header, sql type, cells)])] for every table entry of the params file."""
    params = load_params(params_path)
    out = []
    for table in DATA_TABLES:
        for i, entry in enumerate(params.files(table)):
            raw = loaders.raw_cells(params, table, entry)
            out.append((table, f"{table}_{i}", [(c, *_typed(raw.frame[c])) for c in raw.frame.columns]))
    return out


def _frame(columns: list[tuple[str, str, list]]) -> pd.DataFrame:
    data = {}
    for name, kind, cells in columns:
        if kind == "timestamp":
            data[name] = pd.to_datetime(pd.Series(cells, dtype=object))
        elif kind == "double precision":
            data[name] = pd.Series(cells, dtype="float64")
        else:
            data[name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(data)


def write_duckdb(db: Path, tables) -> None:
    con = duckdb.connect(str(db))
    try:
        for _, name, columns in tables:
            frame = _frame(columns)  # noqa: F841 (DuckDB reads the local frame by name)
            cols = ", ".join(f'"{c}" {"double" if k == "double precision" else "varchar" if k == "text" else k}'
                             for c, k, _ in columns)
            con.execute(f'create table "{name}" ({cols})')
            con.execute(f'insert into "{name}" select * from frame')
    finally:
        con.close()


def write_parquet(folder: Path, db: Path, tables) -> None:
    """One Parquet file per table, written by DuckDB from the database of :func:`write_duckdb`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        for _, name, _ in tables:
            con.execute(f"copy \"{name}\" to '{folder / (name + '.parquet')}' (format parquet)")
    finally:
        con.close()


def write_postgres(conn, tables) -> dict[str, str]:
    """``conn``: a psycopg connection (autocommit). Returns the query per table that gives the export's order.

    A heap table has no row order (COPY may even place a later row on an earlier page), so each table gets a
    position column ``_pos`` and the query orders by it, as a real query orders by an id or a date.
    """
    queries = {}
    for _, name, columns in tables:
        quoted = [f'"{c}"' for c, _, _ in columns]
        conn.execute(f'drop table if exists "{name}"')
        conn.execute(f'create table "{name}" (_pos bigint, {", ".join(q + " " + k for q, (_, k, _) in zip(quoted, columns))})')
        with conn.cursor().copy(f'copy "{name}" from stdin') as copy:
            for pos, row in enumerate(zip(*(cells for _, _, cells in columns))):
                copy.write_row((pos, *row))
        queries[name] = f'select {", ".join(quoted)} from "{name}" order by _pos'
    return queries


def variant_params(out: Path, kind: str, where: Path | None = None, *, labels: bool = True,
                   queries: dict[str, str] | None = None,
                   params_path: Path = ROOT / "params" / "example.yaml") -> Path:
    """Params reading the variant ``kind`` (csv, parquet, duckdb, sql); ``where``: the folder or database;
    ``queries``: the SQL per table (from :func:`write_postgres`).

    With ``labels`` every entry gets the label ``<table> <i>`` so the data note names the sources alike in
    all variants (a memo names its sources; that line is the one difference the label removes).
    """
    raw = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    sample = (params_path.parent / raw["data"]["dir"]).resolve()
    raw["data"]["dir"] = str(sample if kind == "csv" else where if kind == "parquet" else out.parent)
    raw["voc"]["taxonomy"] = str((params_path.parent / raw["voc"]["taxonomy"]).resolve())
    raw["diary"]["dir"] = str((params_path.parent / raw["diary"]["dir"]).resolve())
    for table in DATA_TABLES:
        entries: list[dict[str, Any]] = raw["data"].get(table) or []
        for i, entry in enumerate(entries):
            name = f"{table}_{i}"
            if kind != "csv":
                for k in FILE_ONLY:
                    entry.pop(k, None)
            if kind == "parquet":
                entry["file"] = f"{name}.parquet"
            elif kind == "duckdb":
                entry["duckdb"], entry["query"] = str(where), f'select * from "{name}"'
            elif kind == "sql":
                entry["sql"] = {"url_env": "CMO_CRM_URL", "query": (queries or {})[name]}
            if labels:
                entry["label"] = f"{table} {i}"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
