"""Touchpoints that stay in the engine: validated, profiled and summarised in SQL, never read into pandas whole.

When every touchpoints entry is an engine source (Parquet, DuckDB, a ``sql:`` query on PostgreSQL)
and :func:`.engine.touchpoints_relation` maps its columns, :func:`load` checks the whole table in
SQL with the loader's own messages (cells that are not a date or not a plausible one, empty
required cells, dates in the future: the first :data:`.loaders.MAX_LISTED` rows of each kind and a
line counting the rest, as :func:`.loaders.load_file` reports them) and computes in one pass what
the data-health profile, the data note and the period checks read. What the memos need of the
touches (a lead's first marketing touch, the touches of a few leads) comes back as small frames
(:meth:`EngineTable.first_touch`, :meth:`EngineTable.touches_of`). Anything the engine does not take
(a CSV/xlsx entry, a column it would read differently, a missing or derived column) is loaded in
memory as before, where the loader names the problem.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, Problem
from . import convert, schema
from .engine import _TIME_TYPES, EngineRelation, _literal, touchpoints_relation

TABLE = "touchpoints"


@dataclass
class EngineTable:
    """The touchpoints in the engine: the figures the profile and the data note read, and small queries."""

    relation: EngineRelation
    #: all rows, and those with lead, time and channel (what the attribution keeps)
    rows: int
    complete: int
    first: pd.Timestamp
    last: pd.Timestamp
    #: months with rows, as year * 12 + month - 1
    months: set[int]
    #: empty cells per profiled column, and rows with a channel
    empty: dict[str, int]
    with_channel: int
    #: the distinct channel values (the params' channel ids are checked against them)
    channels: list[str] = field(default_factory=list)

    def __len__(self) -> int:  # the runner's row count of all inputs
        return self.rows

    def _query(self, sql: str) -> list[tuple]:
        con = self.relation.con
        if self.relation.dialect == "duckdb":
            return con.execute(sql).fetchall()
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def count_between(self, start: pd.Timestamp, end: pd.Timestamp) -> int:
        """Rows whose timestamp lies in [start, end) (a period's activity)."""
        return int(self._query(f"SELECT count(*) FROM {self.relation.checked} AS r WHERE \"timestamp\" >= "
                               f"{_ts(start)} AND \"timestamp\" < {_ts(end)}")[0][0])

    def first_touch(self, channels: Iterable[str]) -> pd.Series:
        """Per lead id (text) the first timestamp of a touch in ``channels``: one row per lead, from a GROUP BY."""
        rows = self._query(f"SELECT lead_id, min(\"timestamp\") FROM {self.relation.checked} AS r WHERE "
                           f"channel IN ({_in(channels)}) AND lead_id IS NOT NULL GROUP BY lead_id")
        return pd.Series([pd.Timestamp(t) for _, t in rows], index=pd.Index([k for k, _ in rows], dtype="string"),
                         dtype="datetime64[ns]", name="timestamp")

    def with_lead(self, lead_ids: Iterable[object]) -> tuple[int, int, str | None]:
        """(touches with a lead id, those whose id is in ``lead_ids``, the first lead id in the export order)."""
        ids = sorted({str(i) for i in lead_ids if not pd.isna(i)})
        name = self.relation.register(pd.DataFrame({"lead_id": pd.Series(ids, dtype=object)}))
        with_id, matching = self._query(
            f"SELECT count(r.lead_id), count(f.lead_id) FROM {self.relation.checked} AS r "
            f"LEFT JOIN (SELECT DISTINCT lead_id FROM {name}) AS f ON r.lead_id = f.lead_id")[0]
        first = self._query(f"SELECT lead_id FROM {self.relation.checked} AS r WHERE lead_id IS NOT NULL "
                            f"ORDER BY _row LIMIT 1")
        return int(with_id), int(matching), (str(first[0][0]) if first else None)

    def channel_counts(self) -> dict[str, int]:
        """Touches per channel value (rows with a channel), most frequent first."""
        rows = self._query(f"SELECT channel, count(*) AS n FROM {self.relation.checked} AS r WHERE channel IS NOT NULL "
                           f"GROUP BY channel ORDER BY n DESC, channel")
        return {str(c): int(n) for c, n in rows}

    def touches_of(self, lead_ids: Iterable[object], channels: Iterable[str]) -> pd.DataFrame:
        """The touches of ``lead_ids`` in ``channels`` (lead_id, timestamp, channel), in the export order."""
        ids = sorted({str(i) for i in lead_ids if not pd.isna(i)})
        if not ids:
            return pd.DataFrame({"lead_id": pd.Series(dtype="string"), "timestamp": pd.Series(dtype="datetime64[ns]"),
                                 "channel": pd.Series(dtype="string")})
        frame = pd.DataFrame({"lead_id": ids})
        name = self.relation.register(frame)
        rows = self._query(f"SELECT r.lead_id, r.\"timestamp\", r.channel FROM {self.relation.checked} AS r "
                           f"JOIN {name} AS f ON r.lead_id = f.lead_id WHERE r.channel IN ({_in(channels)}) "
                           f"ORDER BY r._row")
        return pd.DataFrame({"lead_id": pd.Series([r[0] for r in rows], dtype="string"),
                             "timestamp": pd.Series([pd.Timestamp(r[1]) for r in rows], dtype="datetime64[ns]"),
                             "channel": pd.Series([r[2] for r in rows], dtype="string")})

    def frame(self) -> pd.DataFrame:
        """The whole table's canonical touch columns in pandas, in the export order (only when asked for:
        ``touches_for(..., engine="memory")``)."""
        rows = self._query(f"SELECT lead_id, \"timestamp\", channel FROM {self.relation.checked} AS r ORDER BY _row")
        return pd.DataFrame({"lead_id": pd.Series([r[0] for r in rows], dtype="string"),
                             "timestamp": pd.Series([r[1] for r in rows], dtype="datetime64[ns]"),
                             "channel": pd.Series([r[2] for r in rows], dtype="string")})

    def close(self) -> None:
        self.relation.close()

    def __getstate__(self) -> dict[str, Any]:
        # a connection does not survive pickling: say so instead of failing later in the engine
        raise TypeError("an engine table holds a database connection and is not pickled")


def _ts(value: pd.Timestamp) -> str:
    return f"TIMESTAMP '{pd.Timestamp(value):%Y-%m-%d %H:%M:%S.%f}'"


def _in(values: Iterable[str]) -> str:
    return ", ".join(_literal(str(v)) for v in values) or "NULL"


def takes(params: Any) -> bool:
    """Whether every touchpoints entry is an engine source (the loader tries :func:`load` then)."""
    from . import sources as sources_mod

    entries = params.files(TABLE)
    return bool(entries) and all(sources_mod.kind(e) in ("parquet", "duckdb", "sql") for e in entries)


def load(params: Any, today: date, shown: list[str], keys: list[str]) -> tuple[EngineTable, list[Any]] | str:
    """The touchpoints validated and profiled in the engine, with one SourceInfo per entry; or why not (a
    sentence: the caller loads them in memory). Raises :class:`DataError` with the loader's messages.

    ``shown`` and ``keys``: per entry, how messages name it and where its settings live in params.
    """
    from .loaders import MAX_LISTED, SourceInfo, _cap, _date_format_fix
    from . import sources as sources_mod

    rel = touchpoints_relation(params, keep_bad=True)
    if isinstance(rel, str):
        return rel
    spec = schema.table(TABLE)
    ptext = params.relpath()
    limit = pd.Timestamp(today) + pd.Timedelta(days=1)
    q = _query_of(rel)
    checked = rel.checked
    problems: list[Problem] = []
    tail: list[Problem] = []
    try:
        per_entry = {int(r[0]): r[1:] for r in q(
            f"SELECT _entry, count(*), "
            f"count(*) FILTER (WHERE _unconverted_timestamp OR _implausible_timestamp), "
            f"count(*) FILTER (WHERE lead_id IS NULL AND NOT _unconverted_lead_id), "
            f"count(*) FILTER (WHERE \"timestamp\" IS NULL AND NOT _unconverted_timestamp), "
            f"count(*) FILTER (WHERE channel IS NULL AND NOT _unconverted_channel), "
            f"count(*) FILTER (WHERE \"timestamp\" >= {_ts(limit)} AND NOT _implausible_timestamp), "
            f"count(*) FILTER (WHERE _unconverted_lead_id OR _unconverted_channel) "
            f"FROM {checked} AS r GROUP BY _entry")}
        for i, part in enumerate(rel.parts):
            counts = per_entry.get(i)
            if counts is None:
                problems.append(Problem(shown[i], "the query returned no rows" if "(query)" in shown[i] else
                                        "has no rows", fix=f"check the query's conditions in {keys[i]} in {ptext}, "
                                                           "or the period"))
                continue
            _, unconverted, empty_lead, empty_ts, empty_channel, future, other = counts
            if other:  # ids and channels are text in SQL: nothing to convert there
                rel.close()
                return "touchpoint ids or channels that SQL does not convert (read in memory)"
            listed: list[Problem] = []

            def capped(where: str, column: str, message: Any, fix: str, show_value: bool = True) -> None:
                rows = q(f"SELECT _pos + 1, _raw_{column}, _implausible_timestamp FROM {checked} AS r "
                         f"WHERE _entry = {i} AND ({where}) ORDER BY _pos LIMIT {MAX_LISTED + 1}")
                n, last = q(f"SELECT count(*), max(_pos) + 1 FROM {checked} AS r WHERE _entry = {i} AND ({where})")[0]
                items = [(int(r), _raw(part, column, v) if show_value else None, message(bad)) for r, v, bad in rows]
                header = part.header_of[column]
                got, more = _cap(shown[i], header, items, fix)
                if more:  # the count line names the rows of the whole table, which the query did not fetch
                    rest = n - MAX_LISTED
                    more = [Problem(shown[i], f"{rest:,} more cells in rows {items[MAX_LISTED][0]} to {last} have "
                                              "the same kind of problem", column=header, fix=fix)]
                listed.extend(got)
                tail.extend(more)

            expected = convert._expected_date(part.date_formats)
            if unconverted:  # the loader's fix, from the same cells: the first listed, the range of those read
                bad = [str(_raw(part, "timestamp", v)).strip() for (v,) in q(
                    f"SELECT _raw_timestamp FROM {checked} AS r WHERE _entry = {i} AND (_unconverted_timestamp OR "
                    f"_implausible_timestamp) ORDER BY _pos LIMIT {MAX_LISTED + 1}")]
                low, high = q(f"SELECT min(\"timestamp\"), max(\"timestamp\") FROM {checked} AS r WHERE _entry = {i} "
                              "AND NOT _unconverted_timestamp AND NOT _implausible_timestamp")[0]
                entry = params.files(TABLE)[i]
                fix = _date_format_fix(bad, pd.Timestamp(low) if low is not None else pd.NaT,
                                       pd.Timestamp(high) if high is not None else pd.NaT, list(part.date_formats),
                                       "date_format" in entry, str(entry.get("preset")), keys[i], ptext, today)
                capped("_unconverted_timestamp OR _implausible_timestamp", "timestamp",
                       lambda bad: convert._IMPLAUSIBLE if bad else expected, fix)
            for column, n in (("lead_id", empty_lead), ("timestamp", empty_ts), ("channel", empty_channel)):
                if n:
                    message, fix_empty = convert.empty_required(column)
                    capped(f"{_col(column)} IS NULL AND NOT _unconverted_{column}", column,
                           lambda _bad, m=message: m, fix_empty, show_value=False)
                if column == "timestamp" and future:
                    message, fix_future = convert.in_future(today, ptext)
                    capped(f"\"timestamp\" >= {_ts(limit)} AND NOT _implausible_timestamp", "timestamp",
                           lambda _bad, m=message: m, fix_future)
            order = {h: k for k, h in enumerate(part.headers)}
            listed.sort(key=lambda p: (-1 if p.row is None else p.row, order.get(p.column, len(order))))
            problems.extend(listed)
        if problems or tail:
            rel.close()
            raise DataError(problems + tail)
        total, complete, first, last, with_channel, e_lead, e_ts, e_channel = q(
            f"SELECT count(*), count(*) FILTER (WHERE lead_id IS NOT NULL AND \"timestamp\" IS NOT NULL AND channel "
            f"IS NOT NULL), min(\"timestamp\"), max(\"timestamp\"), count(channel), count(*) - count(lead_id), "
            f"count(*) - count(\"timestamp\"), count(*) - count(channel) FROM {checked} AS r")[0]
        months = {int(m) for (m,) in q(f"SELECT DISTINCT CAST(extract(year FROM \"timestamp\") * 12 + "
                                       f"extract(month FROM \"timestamp\") - 1 AS BIGINT) FROM {checked} AS r "
                                       f"WHERE \"timestamp\" IS NOT NULL")}
        # in the order the export first names them, as the loader's unique() gives them
        channels = [str(c) for (c,) in q(f"SELECT channel FROM {checked} AS r WHERE channel IS NOT NULL "
                                         "GROUP BY channel ORDER BY min(_row)")]
    except DataError:
        raise
    except Exception as exc:  # the engine's own error (a query that fails half-way): the loader says it in memory
        rel.close()
        return f"the engine cannot read the touchpoints ({str(exc).strip().splitlines()[0]})"
    rel.rows = int(complete)
    table = EngineTable(rel, int(total), int(complete), _stamp(first), _stamp(last), months,
                        {"lead_id": int(e_lead), "timestamp": int(e_ts), "channel": int(e_channel)},
                        int(with_channel), channels)
    infos = []
    for i, (entry, part) in enumerate(zip(params.files(TABLE), rel.parts)):
        # as load_file names it: a query's rows have no file
        path = Path(shown[i]) if sources_mod.is_query(entry) else sources_mod.location(params.data_dir, entry, shown[i])
        infos.append(SourceInfo(TABLE, path, str(entry["preset"]), int(per_entry[i][0]), None, None, None, [],
                                list(part.unmapped), dict(part.header_of), 0, entry.get("label"),
                                sources_mod.kind(entry)))
    return table, infos


def _query_of(rel: EngineRelation):
    if rel.dialect == "duckdb":
        return lambda sql: rel.con.execute(sql).fetchall()

    def run(sql: str) -> list[tuple]:
        with rel.con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    return run


def _col(name: str) -> str:
    return f'"{name}"'


def _stamp(value: object) -> pd.Timestamp:
    return pd.NaT if value is None else pd.Timestamp(value)


def _raw(part: Any, column: str, text: object) -> object:
    """The cell as the loader's messages show it: text as written, a typed timestamp as the reader's datetime."""
    if text is None:
        return None
    if part.types.get(part.header_of[column]) in _TIME_TYPES:
        return dt.datetime.fromisoformat(str(text))
    return text
