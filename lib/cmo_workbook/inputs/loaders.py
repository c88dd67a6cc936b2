"""Load a company's inputs into canonical tables, reporting every problem at once.

``load_dataset(params)`` reads each configured file with its preset
(:mod:`cmo_workbook.inputs.presets`), converts every column per schema
(:mod:`cmo_workbook.inputs.convert`), checks ids, signs, dates and currencies, derives channels
and deal status, and returns a :class:`Dataset`. Any problem in any file raises one
:class:`~cmo_workbook.errors.DataError` listing them all, each naming file, row, column,
the bad value, what was expected and the fix.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import channels as channels_mod
from . import convert, datev, engine_table, presets, readers, schema, semantics
from . import sources as sources_mod
from .findings import Day, Finding, MonthSpan, SourceName, count
from ..errors import DataError, ParamsError, Problem, StaleDataError
from . import params as params_mod
from .params import DATA_TABLES, Params
from ..periods import Period

_CURRENCY_MARK = re.compile(r"(€|EUR|\$|USD|CHF|£|GBP)", re.I)
_CURRENCY_CODE = {"€": "EUR", "eur": "EUR", "$": "USD", "usd": "USD", "chf": "CHF", "£": "GBP", "gbp": "GBP"}


@dataclass
class SourceInfo:
    """Where a table's rows came from: one entry per file (for the data note)."""

    table: str
    file: Path
    preset: str
    rows: int
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    dropped: list[tuple[int, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    #: canonical column -> header as written in the file (for messages about the loaded table)
    columns: dict[str, str] = field(default_factory=dict)
    #: rows whose id the workbook generated from the row's content (no id column, or empty id cells)
    generated_ids: int = 0
    #: the entry's ``label:`` in params: how the memo's data note names the source
    label: str | None = None
    #: file, parquet, duckdb or sql (:func:`.sources.kind`)
    kind: str = "file"
    #: unmapped status-like columns (:func:`.presets.status_like_headers`): header -> (lead column to map it
    #: to, the params key that does, rows whose value would count as qualified, those values with their counts)
    status_like: dict[str, tuple[str, str, int, dict[str, int]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The source as the memo's data note names it: the label, else the file name (or the query entry)."""
        return self.label or self.file.name


@dataclass
class Dataset:
    """The canonical tables of one company plus where they came from."""

    params: Params
    tables: dict[str, pd.DataFrame]
    sources: list[SourceInfo]
    #: what loading found out (data-note lines and exit-2 errors), see :mod:`.plausibility`
    findings: list[Finding] = field(default_factory=list)
    #: derivation counts per table for the data-health profile (:mod:`.profile`)
    stats: dict[str, dict[str, object]] = field(default_factory=dict)
    #: tables that stay in the engine (touchpoints from Parquet, DuckDB or PostgreSQL, :mod:`.engine_table`):
    #: not in ``tables``; ``ds.touchpoints`` is then the :class:`~.engine_table.EngineTable`
    engine: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        if name in self.__dict__.get("engine", {}):
            return self.__dict__["engine"][name]
        if name in DATA_TABLES:
            raise AttributeError(
                f"no data configured for table {name!r}; add a file under data.{name} in {self.params.path.name}"
            )
        raise AttributeError(name)

    def has(self, name: str) -> bool:
        if name in self.engine:
            return self.engine[name].rows > 0
        return name in self.tables and not self.tables[name].empty

    def files(self, table: str) -> list[SourceInfo]:
        return [s for s in self.sources if s.table == table]

    def profile(self) -> pd.DataFrame:
        """The data-health profile per table (:mod:`.profile`): rows, date ranges, gaps, empty KPI cells,
        rows mapped to channel / stage / link, dropped rows and why."""
        from .profile import health

        return health(self)

    def activity(self, period: Period, table: str) -> dict[str, int]:
        """Rows of ``table`` with activity in ``period``, per activity date column (created, qualified, closed, ...)."""
        if table in self.engine:
            return {"timestamp": self.engine[table].count_between(period.start, period.end)} \
                if self.engine[table].rows else {}
        df = self.tables.get(table)
        if df is None or df.empty:
            return {}
        return {col: int(period.contains(dates).sum()) for col, dates in _activity_dates(df, table).items()}

    def freshness(self, period: Period, tables: list[str]) -> list[Finding]:
        """One note per table without any activity in ``period`` (the data note says what is missing): the table
        as its source in words and the period and latest date the memo's way ("Kundenfeedback: keine Einträge für
        Oktober 2026 (letzter vom 28.09.2026)"); the file names go to the analyst's error (``file``), not the memo."""
        out = []
        for name in tables:
            if any(self.activity(period, name).values()):
                continue
            files = ", ".join(s.file.name for s in self.files(name)) or f"(no file configured for {name})"
            labels = {s.label for s in self.files(name)}
            # the table in the company's words when its one source has a params label, else the table's source name
            words = dict(source=SourceName(name, labels.pop() if len(labels) == 1 else None),
                         period=MonthSpan(f"{period.start:%Y-%m}", f"{period.last_day:%Y-%m}"), file=files)
            stale = dict(fix="export the current data from the source tool, or run for an earlier --period", **words)
            if name in self.engine and self.engine[name].rows:  # rows, none in the period: the latest date
                latest = self.engine[name].last
                out.append(Finding.note(name, "note_table_stale_never", **stale) if pd.isna(latest) else
                           Finding.note(name, "note_table_stale", latest=Day(f"{latest:%Y-%m-%d}"), **stale))
                continue
            df = self.tables.get(name)
            if df is None or df.empty:
                out.append(Finding.note(name, "note_table_empty",
                                        fix=f"add the export under data.{name} in {self.params.path.name}", **words))
                continue
            # the latest activity as activity() counts it: an open deal's expected close date (15.02.2027) is a
            # forecast, not the latest date found in the export
            dates = _activity_dates(df, name).values()
            latest = max((d.max() for d in dates if d.notna().any()), default=pd.NaT)
            out.append(Finding.note(name, "note_table_stale_never", **stale) if pd.isna(latest) else
                       Finding.note(name, "note_table_stale", latest=Day(f"{latest:%Y-%m-%d}"), **stale))
        return out

    def check_period(self, period: Period, tables: list[str], *, allow_stale: bool = False) -> list[Finding]:
        """Notes for tables without activity in ``period``; raise :class:`StaleDataError` when none of
        ``tables`` has any (unless ``allow_stale``): a memo of nothing but gaps is not sent."""
        notes = self.freshness(period, tables)
        allow_stale = allow_stale or bool(self.params.raw["data"].get("allow_stale"))
        if tables and len(notes) == len(tables) and not allow_stale:
            raise StaleDataError([replace(f.problem(), fix=f.fix + " (or pass --allow-stale, or set data.allow_stale: "
                                                               f"true in {self.params.path.name})") for f in notes])
        return notes


def _activity_dates(df: pd.DataFrame, table: str) -> dict[str, pd.Series]:
    """Per activity column of ``table`` the dates that are activity: an open deal's close date is a forecast
    (the expected close), so only won and lost deals' close dates count."""
    out = {}
    for col in ACTIVITY.get(table, (_date_column(table),)):
        if col not in df:
            continue
        dates = df[col]
        if (table, col) == ("deals", "close_date") and "status" in df:
            dates = dates[df["status"].isin(["won", "lost"])]
        out[col] = dates
    return out


#: the date columns that show a table was active in a period: created, qualified, closed, spent, answered
ACTIVITY: dict[str, tuple[str, ...]] = {
    "leads": ("created_date", "mql_date", "sql_date", "opportunity_date", "customer_date"),
    "deals": ("created_date", "close_date"),
    "spend": ("date",),
    "feedback": ("date",),
    "touchpoints": ("timestamp",),
}


def _date_column(table: str) -> str:
    return schema.table(table).date_column


def load_dataset(params: Params, tables: list[str] | None = None, *, today: date | None = None) -> Dataset:
    """Load every configured table (or just ``tables``); raise one DataError listing all problems."""
    today = today or date.today()
    wanted = [t for t in DATA_TABLES if (tables is None or t in tables)]
    problems: list[Problem] = []
    loaded: dict[str, pd.DataFrame] = {}
    sources: list[SourceInfo] = []
    engine: dict[str, Any] = {}
    for table in wanted:
        frames = []
        headers: dict[str, dict[str, str]] = {}
        if table == "touchpoints" and engine_table.takes(params):
            entries = params.files(table)
            try:
                held = engine_table.load(params, today, [_shown(params, table, e) for e in entries],
                                         [_entry_key(params, table, e) for e in entries])
            except DataError as exc:
                problems.extend(exc.problems)
                continue
            if not isinstance(held, str):  # else the reason it stays in memory: loaded below, as a file is
                engine[table], infos = held
                sources.extend(infos)
                continue
        for entry in params.files(table):
            try:
                df, info = _load_file_cached(params, table, entry, today)
            except DataError as exc:
                problems.extend(exc.problems)
                continue
            frames.append(df)
            sources.append(info)
            headers[_shown(params, table, entry)] = info.columns
        if frames:
            loaded[table] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            problems.extend(_check_unique(table, loaded[table], headers))
    if problems:
        for held in engine.values():
            held.close()
        raise DataError(problems)
    findings, stats = _derive(params, loaded, sources)
    if tables is None:  # every table is loaded: each channel the data knows is known
        _check_channel_ids(params, loaded, sources, engine)
    return Dataset(params=params, tables=loaded, sources=sources, findings=findings, stats=stats, engine=engine)


#: tables whose ``channel`` column holds channel ids after loading
_CHANNEL_TABLES = ("leads", "deals", "spend", "touchpoints")


def _check_channel_ids(params: Params, t: dict[str, pd.DataFrame], sources: list[SourceInfo],
                       engine: dict[str, Any] | None = None) -> None:
    """Refuse misspelt channel ids: in params (ParamsError) and in the plan's budget lines (DataError).

    A plan line whose channel is a near miss of a known id (``Linkedn``) budgets a channel no lead or
    cost row has; an own channel name that resembles none (``field_events``) is a budget line of its own.
    """
    seen = [str(c) for name in _CHANNEL_TABLES if name in t for c in t[name]["channel"].dropna().unique()]
    seen += [c for name in _CHANNEL_TABLES if name in (engine or {}) for c in engine[name].channels]
    rules = channels_mod.rule_channels(params.raw)
    msgs = channels_mod.channel_id_problems(params.raw, seen, params.path.name)
    if msgs:
        head = f"{params.path.name}: {len(msgs)} misspelt channel ids:" if len(msgs) > 1 else ""
        raise ParamsError("\n".join([head, *(f"  - {m}" for m in msgs)]) if head else msgs[0])
    plan = t.get("plan")
    if plan is None or plan.empty:
        return
    known = list(dict.fromkeys([*channels_mod.CHANNEL_KEYS, *rules, *seen]))
    problems = []
    for value, rows in plan[plan["channel"].notna()].groupby("channel", sort=False):
        value = str(value)
        hint = channels_mod.suggest(value, known) if value not in known else ""
        if hint:
            entry = next((i for i, e in enumerate(params.files("plan")) if sources_mod.display_name(
                "plan", i, len(params.files("plan")), e) == rows["_file"].iloc[0]), 0)
            problems.append(Problem(
                str(rows["_file"].iloc[0]), f"is not a known channel id ({len(rows)} budget lines);{hint}",
                row=int(rows["_row"].iloc[0]), value=value,
                column=next((i.columns.get("channel") for i in sources if i.table == "plan" and i.columns.get("channel")
                             and Path(str(rows["_file"].iloc[0])).name == i.file.name), "channel"),
                fix=f"write the channel id, or map your spelling under data.plan[{entry}].values.channel in "
                    f"{params.relpath()} (known ids: {', '.join(known)})"))
    if problems:
        raise DataError(problems)


#: the run's cache (:data:`.params.CACHE_ENV`) also holds the parsed input files: each kernel would otherwise
#: parse the same exports again
CACHE_ENV = params_mod.CACHE_ENV


def _cache_path(params: Params, table: str, entry: dict[str, Any], today: date) -> Path | None:
    """The cache file of one plain file entry, named by everything :func:`load_file` reads: the params (file and
    content), table, entry, today and the file's size and modification time; None without a cache."""
    folder = os.environ.get(CACHE_ENV)
    if not folder or sources_mod.kind(entry) not in ("file", "parquet"):
        return None
    path = sources_mod.location(params.data_dir, entry, str(entry["file"]))
    try:
        st = path.stat()
    except OSError:
        return None  # load_file says what is wrong with it
    if not path.is_file():
        return None  # a folder of text notes: parsed each time
    key = json.dumps([str(params.path), params.raw, table, entry, today.isoformat(), str(path), st.st_size,
                      st.st_mtime_ns], sort_keys=True, default=str)
    return Path(folder) / f"{table}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.pickle"


def _load_file_cached(params: Params, table: str, entry: dict[str, Any], today: date) -> tuple[pd.DataFrame, SourceInfo]:
    """:func:`load_file` through the run's cache (:data:`CACHE_ENV`): parsed once per run, unpickled after."""
    cache = _cache_path(params, table, entry, today)
    if cache is not None and cache.is_file():
        try:
            with open(cache, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a cache file cut short (disk full): parse instead
            pass
    df, info = load_file(params, table, entry, today=today)
    if cache is not None:
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump((df, info), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:  # no room for the cache: the next load parses again
            tmp.unlink(missing_ok=True)
    return df, info


def _read(params: Params, entry: dict[str, Any], *, shown: str, key: str, **options: Any) -> readers.RawTable:
    """The entry's cells (:func:`sources.read_entry`), with the reader's fixes naming the params file."""
    ptext = params.relpath()
    try:
        return sources_mod.read_entry(params.data_dir, entry, shown=shown, key=key, ptext=ptext, **options)
    except DataError as exc:
        # the readers say "in params" (they know no path); a fix that already names the file stays as it is
        # ("in params/acme.yaml" would become "params/acme.yaml/acme.yaml")
        raise DataError([replace(p, fix=re.sub(r" in params(?![\w/\\.-])", lambda _m: f" in {ptext}", p.fix))
                         for p in exc.problems]) from None


def _shown(params: Params, table: str, entry: dict[str, Any]) -> str:
    """How messages name a table entry: its file, or ``table entry deals (query)``."""
    entries = params.files(table)
    index = next((i for i, e in enumerate(entries) if e is entry or e == entry), 0)
    return sources_mod.display_name(table, index, len(entries), entry)


def raw_cells(params: Params, table: str, entry: dict[str, Any], *, preset: presets.Preset | None = None) -> readers.RawTable:
    """The entry's cells below its header, before any typing, read with the preset's settings."""
    preset = preset or presets.get_preset(entry["preset"])
    tp = preset.tables[table]
    overrides = entry.get("columns") or {}

    def choose(headers: list[str]) -> tuple[list[str], str] | None:
        """The headers the preset reads, when the result maps cleanly (else every column, for the messages)."""
        try:
            res = presets.resolve_columns(headers, preset, table, overrides)
        except ParamsError:
            return None
        spec = _table_spec(table)
        id_header = next((h for h, c in res.mapping.items() if spec.unique and c == spec.unique[0]), None)
        if res.missing_required or res.unmatched_overrides or id_header is None:
            return None
        parts = {h for _, hs in res._recipes.values() for h in hs}
        parts |= {h for h, _ in presets.status_like_headers(res)}  # read, so validate can say what they hold
        return [h for h in headers if h in res.mapping or h in parts], id_header

    return _read(
        params, entry, shown=_shown(params, table, entry), key=_entry_key(params, table, entry), choose=choose,
        header_tokens=presets.header_tokens(preset, table, overrides),
        encoding=entry.get("encoding"),
        delimiter=entry.get("delimiter"),
        sheet=entry.get("sheet"),
        header_row=entry.get("header_row"),
        extra_header_rows=tp.extra_header_rows,
        footer_patterns=tp.footer_patterns,
    )


def _table_spec(table: str) -> schema.Table:
    return schema.table(table)


def load_file(params: Params, table: str, entry: dict[str, Any], *, today: date | None = None) -> tuple[pd.DataFrame, SourceInfo]:
    """Read one configured file into the canonical shape of ``table``."""
    today = today or date.today()
    shown = _shown(params, table, entry)
    # a query's rows have no file: messages and the data note name the entry instead
    path = Path(shown) if sources_mod.is_query(entry) else sources_mod.location(params.data_dir, entry, shown)
    ptext = params.relpath()
    if entry.get("preset") == "text_notes" and sources_mod.kind(entry) == "file" and path.is_dir():  # sales-call notes: a folder of text files
        from . import notes

        df = notes.load_notes(path, lang=entry.get("language") or params.language, shown=shown)
        for column in _table_spec(table).columns:
            if column.name not in df:
                df[column.name] = column.default if column.default is not None else pd.NA
        df = df[_table_spec(table).names]
        df["_file"], df["_row"] = shown, range(1, len(df) + 1)
        return df, SourceInfo(table, path, "text_notes", len(df), "utf-8", None, None)
    try:
        preset = presets.get_preset(entry["preset"])
    except KeyError as exc:
        raise DataError(Problem(shown, str(exc.args[0]) if exc.args else f"unknown preset {entry['preset']!r}",
                                fix=f"set a known preset for this file in {ptext}")) from None
    if table not in preset.tables:
        raise DataError(Problem(shown, f"preset {preset.name!r} has no mapping for table {table!r} "
                                       f"(it covers: {', '.join(preset.tables)})",
                                fix=f"choose a preset for {table} in {ptext}, e.g. generic_de or generic_en"))
    tp = preset.tables[table]
    overrides = entry.get("columns") or {}
    key = _entry_key(params, table, entry)
    raw = raw_cells(params, table, entry, preset=preset)
    spec = _table_spec(table)
    try:
        res = presets.resolve_columns(list(raw.frame.columns), preset, table, overrides)
    except ParamsError as exc:  # a column name in params that the table does not have
        raise DataError(Problem(shown, str(exc), fix=f"correct {key}.columns in {ptext}")) from None
    frame = res.add_derived(raw.frame)
    if period := datev.extf_period(raw.preamble):  # DATEV Buchungsstapel: Belegdatum TTMM, the year from line 1
        dates = {c.name for c in _table_spec(table).columns if c.type in ("date", "datetime")}
        frame = datev.complete_short_dates(frame, datev.date_headers(res.mapping, dates), period)
    headers_text = ", ".join(f'"{h}"' for h in raw.frame.columns[:15]) + (", ..." if raw.frame.shape[1] > 15 else "")
    problems: list[Problem] = []
    tail: list[Problem] = []  # summaries of long problem lists, shown after the listed cells
    constants = {**res.constants, **(entry.get("constants") or {})}
    for canonical in entry.get("constants") or {}:
        if canonical not in spec.names:
            problems.append(Problem(shown, f'constants.{canonical} is not a column of table {table}; '
                                           f'columns: {", ".join(spec.names)}',
                                    fix=f"correct {key}.constants in {ptext}"))
    # a header named in params but missing from the file is a typo or an old export: say so,
    # even when the preset found another header for the column
    for col, spellings in res.unmatched_overrides.items():
        wanted = " or ".join(f'"{s}"' for s in spellings)
        close = res.closest(col)
        hint = f' (closest header found: "{close}")' if close else ""
        problems.append(Problem(
            shown, f"has no column {wanted}, set for {col} in {key}.columns{hint}; headers found: {headers_text}",
            fix=f"correct the header in {ptext}"))
    id_column = spec.unique[0] if spec.unique else None
    for col in res.missing_required:
        if col in constants or col in res.unmatched_overrides or col == id_column:
            continue  # a missing id is generated from the row's content below
        close = res.closest(col)
        hint = f' (closest header found: "{close}")' if close else ""
        example = spec.column(col).constant_example
        problems.append(Problem(
            shown, f"has no column for {col}, which is required{_expected_headers(preset, table, col)}{hint}; "
                   f"headers found: {headers_text}",
            fix=(f'set {key}.columns.{col}: "{close}" in {ptext}' if close else
                 f'map your header: set {key}.columns.{col}: "<your header>" in {ptext}'
                 + (f' (or name the column "{tool}" as {preset.name} exports it)'
                    if (tool := _expected_headers(preset, table, col, first_only=True)) else ""))
                + (f'; or, when one {col} holds for the whole file, set {key}.constants.{col}: "<the {col}, '
                   f'e.g. {example}>"' if example else ""),
        ))

    number_style = str(entry.get("number_format") or tp.number_style).strip().lower()
    if number_style not in convert.NUMBER_STYLES:
        problems.append(Problem(shown, f'number_format "{number_style}" is not one of de, en, auto',
                                fix=f"set {key}.number_format to de (1.234,56) or en (1,234.56) in {ptext}"))
        raise DataError(problems)
    date_formats = entry.get("date_format") or tp.date_formats
    date_formats = [_strptime_format(f) for f in ([date_formats] if isinstance(date_formats, str) else date_formats)]
    # the file's own spellings extend the preset's map of the column (German channel names stay mapped)
    value_maps = {k: dict(v) for k, v in tp.value_maps.items()}
    for k, v in (entry.get("values") or {}).items():
        value_maps[k] = {**value_maps.get(k, {}), **{str(a).casefold(): b for a, b in v.items()}}
    n = len(frame)
    out = pd.DataFrame(index=range(n))
    header_of: dict[str, str] = {}
    raw_of: dict[str, pd.Series] = {}
    bad_at: dict[str, set[int]] = {}
    detected_currency: set[str] = set()
    misread: list[tuple[str, str, list[int]]] = []  # money columns grouped by the decimal mark
    has_currency = "currency" in res.mapping.values() or "currency" in constants
    #: date columns: header -> (parsed, bad cells as (row, value, expected)); one date_format serves them all
    date_cells: dict[str, tuple[pd.Series, list[tuple[int, object, str]]]] = {}

    def convert_values(values: pd.Series, column: schema.Column):
        if column.type != "choice":  # convert maps choice values itself
            values = presets.map_values(values, value_maps.get(column.name))
        return convert.convert_column(
            values, column, number_style=number_style, date_formats=date_formats,
            choice_map=value_maps.get(column.name) if column.type == "choice" else None,
        )

    for header, canonical in {**res.mapping, **res.derived}.items():
        if canonical not in spec.names:
            continue  # helper parts that only feed a combined column
        column = spec.column(canonical)
        header_of[canonical] = header
        values = frame[header]
        raw_of[canonical] = values
        if column.type == "number" and not has_currency:
            mixed, codes = _mixed_currency(values, raw.rows, shown, header, ptext, key)
            problems.extend(mixed)
            detected_currency |= codes
        typed, bad = convert_values(values, column)
        if column.type == "number" and canonical in schema.MONEY_COLUMNS:
            grouped = convert.grouped_by_decimal_mark(values, number_style)
            if grouped:  # one message for the column instead of a wrong amount (or a list of "not a number")
                misread.append((canonical, header, grouped))
                bad = [b for b in bad if b[0] not in set(grouped)]
                typed.iloc[grouped] = np.nan
        bad_at[canonical] = {pos for pos, _, _ in bad}
        items = [(raw.rows[pos], value, expected) for pos, value, expected in bad]
        if column.type in ("date", "datetime"):
            date_cells[header] = (typed, items)  # one date_format for the file: its fix needs every column
        else:
            listed, more = _cap(shown, header, items, _fix_for(column, key, ptext))
            problems.extend(listed)
            tail.extend(more)
        out[canonical] = typed.reset_index(drop=True)
    if any(items for _, items in date_cells.values()):
        # the first cells of each column, as the messages list them (and as the engine path fetches them)
        sample = [str(v).strip() for _, items in date_cells.values() for _, v, _ in items[:MAX_LISTED + 1]]
        good = pd.concat([parsed.dropna() for parsed, _ in date_cells.values()])
        fix = _date_format_fix(sample, good.min() if len(good) else pd.NaT, good.max() if len(good) else pd.NaT,
                               date_formats, "date_format" in entry, preset.name, key, ptext, today)
        for header, (_, items) in date_cells.items():
            listed, more = _cap(shown, header, items, fix)
            problems.extend(listed)
            tail.extend(more)
    problems.extend(_unused_settings(entry, spec, header_of, constants, shown, key, ptext))
    if misread:
        problems.extend(_grouped_amounts(misread, frame, raw.rows, header_of, spec, number_style, shown, key, ptext))
    if len(detected_currency) == 1 and "currency" not in constants:
        # amounts written as "1.200,00 $" in a file without a currency column are dollars, not the company currency
        constants["currency"] = detected_currency.pop()
    # constants and absent columns go through the same conversion, so every column has its type's dtype
    for column in spec.columns:
        if column.name in out:
            continue
        fill = constants.get(column.name, column.default)
        typed, bad = convert_values(pd.Series([fill] * n, dtype=object), column)
        if bad and column.name in constants:
            problems.append(Problem(shown, f"{bad[0][2]} (constants.{column.name})", value=fill,
                                    fix=f"correct {key}.constants.{column.name} in {ptext}"))
        out[column.name] = typed.reset_index(drop=True)
    generated = _fill_ids(out, id_column, raw.frame, table) if id_column and id_column not in constants else 0
    if table == "deals" and "lead_id" in header_of:
        # HubSpot lists every associated contact ("101;102"): the first is the deal's contact
        out["lead_id"] = out["lead_id"].str.split(r"\s*[;,]\s*", regex=True).str.get(0).astype("string")
    problems.extend(_duplicate_headers(raw, header_of, shown, key, ptext))
    problems.extend(_check_plausible_cells(spec, out, raw, header_of, raw_of, bad_at, shown, key, ptext, constants))
    problems.extend(_check_values(spec, out, raw.rows, header_of, raw_of, bad_at, shown, key, ptext, today, tail,
                                  credit_signed=res.signed_by_credit_flag()))
    if table == "deals" and "stage" in header_of:
        problems.extend(_deal_status(params, out, raw.rows, header_of, raw_of, shown, ptext, today))
    if problems or tail:
        order = {h: i for i, h in enumerate(frame.columns)}
        # file-level problems first, then cells in the order a reader scans the sheet
        problems.sort(key=lambda p: (-1 if p.row is None else p.row, order.get(p.column, len(order))))
        raise DataError(problems + tail)
    out = out[spec.names]
    out.attrs["source"] = shown
    info = SourceInfo(table, path, preset.name, len(out), raw.encoding, raw.delimiter, raw.sheet,
                      list(raw.dropped), [*res.unmapped, *raw.unread], dict(header_of), generated, entry.get("label"),
                      sources_mod.kind(entry))
    info.status_like = _status_like(params, res, frame, key)
    out["_file"] = shown
    out["_row"] = raw.rows
    return out, info


def _status_like(params: Params, res: presets.ColumnResolution, frame: pd.DataFrame,
                 key: str) -> dict[str, tuple[str, str, int, dict[str, int]]]:
    """What each unmapped status-like column of a leads file would add: rows that would count as qualified."""
    out = {}
    lookup = semantics.stage_lookup(params.raw.get("lead_stage_map"))
    for header, column in presets.status_like_headers(res):
        if header not in frame:
            continue
        values = frame[header].astype("string").str.strip()
        stages = values.str.casefold().map(lookup)
        hit = stages.isin(semantics.QUALIFIED_STAGES).fillna(False)
        counts = values[hit].value_counts()
        out[header] = (column, f'{key}.columns.{column}: "{header}"', int(hit.sum()),
                       {str(k): int(v) for k, v in counts.items()})
    return out


#: cells listed per column and kind of problem; the rest are counted in one line
MAX_LISTED = 10
#: date columns that may lie in the future: plans, and close dates (checked per deal status)
_FUTURE_OK = frozenset({"expected_close_date", "close_date", "deadline", "period_end"})
# people write date formats as DD.MM.YYYY (or German TT.MM.JJJJ); strptime wants %d.%m.%Y
_HUMAN_TOKENS = (("HH:MM:SS", "%H:%M:%S"), ("HH:MM", "%H:%M"), ("YYYY", "%Y"), ("JJJJ", "%Y"), ("YY", "%y"),
                 ("JJ", "%y"), ("MM", "%m"), ("DD", "%d"), ("TT", "%d"))


def _strptime_format(fmt: object) -> str:
    """``DD.MM.YYYY`` (or ``%d.%m.%Y``, ``iso``, ``excel``) as the converter's format."""
    text = str(fmt).strip()
    if text.casefold() in ("iso", "excel"):
        return text.casefold()
    if "%" in text:
        return text
    text = text.upper()
    for human, code in _HUMAN_TOKENS:
        text = text.replace(human, code)
    return text


def _entry_key(params: Params, table: str, entry: dict[str, Any]) -> str:
    """Where the file's settings live in params, e.g. ``data.deals[1]``."""
    for i, candidate in enumerate(params.files(table)):
        if candidate is entry or candidate == entry:
            return f"data.{table}[{i}]"
    return f"data.{table}"


def _expected_headers(preset: presets.Preset, table: str, column: str, shown: int = 3, *,
                      first_only: bool = False) -> str:
    """``'; preset hubspot_deals (HubSpot deals export) reads it from the header "Create Date" or "Created Date"'``:
    the tool's own spelling, so a hand-written export can be corrected ("" when the preset names none)."""
    spellings = [a for a in preset.tables[table].aliases.get(column, ()) if not a.startswith(presets.REGEX_PREFIX)]
    if not spellings or first_only:
        return spellings[0] if spellings else ""
    named = " or ".join(f'"{a}"' for a in spellings[:shown])
    return f"; preset {preset.name} ({preset.title}) reads it from the header {named}"


#: date formats a cell the preset cannot read is tried with, to name the one line of params that reads it
_DATE_GUESSES = ("iso", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M %p",
                 "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%Y %H:%M",
                 "%d.%m.%Y %H:%M:%S", "%d.%m.%y", "%Y-%m-%d", "%Y/%m/%d", "%d-%m-%Y", "%Y%m%d", "%d %b %Y",
                 "%b %d, %Y")


def _date_shape(fmt: str) -> re.Pattern[str]:
    """What a cell written in ``fmt`` looks like, valid day or not (``%d.%m.%Y``: 31.02.2024 too)."""
    if fmt == "iso":
        return convert._ISO
    if fmt == "excel":
        return re.compile(r"(?!)")  # any number is a day number: an unreadable cell is not one
    codes = {"%d": r"(?:0?[1-9]|[12]\d|3[01])", "%m": r"(?:0?[1-9]|1[0-2])", "%H": r"(?:[01]?\d|2[0-3])",
             "%I": r"(?:0?[1-9]|1[0-2])", "%M": r"[0-5]\d", "%S": r"[0-5]\d", "%Y": r"\d{4}",
             "%y": r"\d{2}", "%b": r"[A-Za-z]{3,4}\.?", "%B": r"[A-Za-z]+", "%p": r"(?:AM|PM|am|pm)", "%f": r"\d{1,6}", "%%": "%"}
    parts = re.split(r"(%.)", fmt)
    return re.compile("^" + "".join(codes.get(p, re.escape(p)) if p.startswith("%") else re.escape(p)
                                    for p in parts if p) + "$")


def _same_shape(a: str, b: str) -> bool:
    """MM/DD/YYYY and DD/MM/YYYY: one reads 01/02 as the other's 1 February (a file has one of them)."""
    return a != b and re.sub("%[dm]", "%_", a) == re.sub("%[dm]", "%_", b)


def _date_format_fix(bad: list[str], low: pd.Timestamp, high: pd.Timestamp, formats: list[str], own: bool,
                     preset: str, key: str, ptext: str, today: date) -> str:
    """The fix for dates the file's formats cannot read (``bad``: the first cells of each column, as listed; ``low``
    and ``high``: the range of the dates that were read): the exact ``date_format`` line that reads them.

    ``date_format`` replaces the formats the file is read with, so the line lists the format that reads every
    bad cell first, then the formats read now (the file's other dates need them), leaving out one of the same
    shape (MM/DD/YYYY when DD/MM/YYYY is new). When two formats read the bad cells (10/01/2026: 1 October or
    10 January), the one whose dates lie in the range of the file's other dates and not after today is named;
    if that does not decide, both lines are. A cell written in a format read now is no real date (31.02.2024).
    """
    # a cell written in a format the file is read with is no such date (31.02.2024): no format reads it
    unknown = [v for v in bad if not any(_date_shape(f).match(v) for f in formats)]
    if not unknown:
        shapes = [convert.human_date_format(f) for f in formats if _date_shape(f).match(bad[0])]
        return f"fix the cell: it is written like {shapes[0]}, but is no real or plausible date"
    texts = pd.Series(unknown, dtype=object)
    limit = pd.Timestamp(today) + pd.Timedelta(days=1)
    scored = []
    for fmt in _DATE_GUESSES:
        if fmt in formats:
            continue
        parsed = convert._parse_text_dates(texts, fmt)
        if parsed.isna().any():
            continue
        inside = (parsed < limit) & ((parsed >= low.normalize()) & (parsed <= high) if not pd.isna(low) else True)
        scored.append((int(inside.sum()), fmt, parsed))
    whose = "the formats its date_format lists" if own else f"the formats of preset {preset}"
    if not scored:
        listed = ", ".join(f'"{f}"' for f in ["<your format, e.g. %d/%m/%Y>", *formats])
        return (f"fix the cell, or put the file's date format first in {key}.date_format: [{listed}] in {ptext} "
                f"(then {whose}, which the file's other dates need: a single format replaces them)")
    best = max(s for s, _, _ in scored)
    top = [(fmt, parsed) for s, fmt, parsed in scored if s == best]

    def line(fmt: str) -> str:
        kept = [f for f in formats if not _same_shape(f, fmt)]
        return f"{key}.date_format: [{', '.join(json.dumps(f) for f in [fmt, *kept])}]"

    if len(top) == 1:
        fmt = top[0][0]
        return (f"fix the cell, or set {line(fmt)} in {ptext} (the file's format "
                f"{convert.human_date_format(fmt)} first, then {whose}: a single format would replace them)")
    readings = "; ".join(f"if it is {parsed.iloc[0]:%d.%m.%Y} (day.month.year), set {line(fmt)}"
                         for fmt, parsed in top)
    return f'fix the cell, or say how "{unknown[0]}" reads in {ptext}: {readings}'


def _fix_for(column: schema.Column, key: str, ptext: str) -> str:
    if column.type in ("date", "datetime"):
        return f"fix the cell or set date_format for this file in {ptext}"
    if column.type in ("number", "integer"):
        return f"fix the cell or set number_format (de or en) for this file in {ptext}"
    if column.type == "choice":
        return f"use an allowed value or map it under {key}.values.{column.name} in {ptext}"
    return "fix the cell"


def _cap(shown: str, header: str, items: list[tuple[int, object, str]], fix: str) -> tuple[list[Problem], list[Problem]]:
    """Problems for ``(row, value, message)`` items: the first MAX_LISTED, and one line counting the rest."""
    listed = [Problem(shown, msg, row=row, column=header, value=value, fix=fix) for row, value, msg in items[:MAX_LISTED]]
    rest = items[MAX_LISTED:]
    if not rest:
        return listed, []
    return listed, [Problem(shown, f"{len(rest):,} more cells in rows {rest[0][0]} to {rest[-1][0]} have the same "
                                   f"kind of problem", column=header, fix=fix)]


def _unused_settings(entry: dict[str, Any], spec: schema.Table, header_of: dict[str, str],
                     constants: dict[str, object], shown: str, key: str, ptext: str) -> list[Problem]:
    """A constant for a column the file has, or a value map for a column nothing fills: the setting would be
    silently ignored, so it is an error (every setting in params is used)."""
    problems = []
    for canonical in entry.get("constants") or {}:
        if canonical in header_of:
            problems.append(Problem(
                shown, f'constants.{canonical} is set, but the file has a column for {canonical} '
                       f'("{header_of[canonical]}"), which is read instead', column=header_of[canonical],
                fix=f"remove {key}.constants.{canonical} in {ptext}, or map another header under "
                    f"{key}.columns.{canonical}"))
    for canonical in entry.get("values") or {}:
        if canonical not in spec.names:
            problems.append(Problem(shown, f'values.{canonical} is not a column of table {spec.name}; columns: '
                                           f'{", ".join(spec.names)}', fix=f"correct {key}.values in {ptext}"))
        elif canonical not in header_of and canonical not in constants:
            problems.append(Problem(
                shown, f"values.{canonical} maps values of {canonical}, but the file has no column for it",
                fix=f"map the header under {key}.columns.{canonical}, or remove {key}.values.{canonical} in {ptext}"))
    return problems


def _grouped_amounts(misread: list[tuple[str, str, list[int]]], frame: pd.DataFrame, rows: list[int],
                     header_of: dict[str, str], spec: schema.Table, style: str, shown: str, key: str,
                     ptext: str) -> list[Problem]:
    """One problem per money column whose cells are thousands groups written with the decimal mark.

    The fix names ``number_format`` only when the other style reads every number column of the file
    (else it would break them, e.g. HubSpot's probability 0.2): then the amounts must be re-exported.
    """
    other = {"en": "de", "de": "en"}[style]
    numeric = [c.name for c in spec.columns if c.type in ("number", "integer") and c.name in header_of]
    switch_works = all(not convert.convert_column(frame[header_of[c]], spec.column(c), number_style=other)[1]
                       for c in numeric)
    names = {"en": "English", "de": "German"}
    mark, grouping = ('"."' if style == "en" else '","'), names[other]
    problems = []
    for canonical, header, positions in misread:
        first = frame[header].iat[positions[0]]
        as_whole = float(convert.parse_number(str(first), other))
        try:
            misreading = f"it would read as {convert.parse_number(str(first), style):,.2f}"
        except convert.ConversionError:
            misreading = "it is not a number there"
        more = "" if len(positions) == 1 else f"; 1 more cell (row {rows[positions[1]]}) looks the same" \
            if len(positions) == 2 else \
            f"; {len(positions) - 1:,} more cells in rows {rows[positions[1]]} to {rows[positions[-1]]} look the same"
        fix = (f"set {key}.number_format: {other} in {ptext} (the file's numbers are {grouping})" if switch_works else
               f"export the {canonical} column without thousands separators (e.g. {as_whole:.0f}); "
               f"{key}.number_format: {other} would misread the file's other number columns")
        problems.append(Problem(
            shown, f"looks like {as_whole:,.0f} with {grouping} thousands separators, but this file is read with "
                   f"{names[style]} numbers, where {mark} is the decimal mark "
                   f"({misreading}){more}", row=rows[positions[0]], column=header, value=first, fix=fix))
    return problems


def _mixed_currency(values: pd.Series, rows: list[int], shown: str, header: str, ptext: str,
                    key: str) -> tuple[list[Problem], set[str]]:
    """(problem if one column mixes currency marks, the currency codes found)."""
    marks = values.astype("string").str.extract(_CURRENCY_MARK, expand=False).dropna()
    codes = marks.str.casefold().map(lambda m: _CURRENCY_CODE.get(m, m.upper()))
    found = set(codes)
    if len(found) <= 1:
        return [], found
    first = {c: codes.index[codes == c][0] for c in sorted(found)}
    example = ", ".join(f"{c} in row {rows[i]}" for c, i in first.items())
    return [Problem(shown, f"mixes currencies ({example}) but the file has no currency column", column=header,
                    fix=f"add a currency column (ISO code per row) and map it under {key}.columns.currency in {ptext}, "
                        "or export in one currency")], set()


def _check_values(spec: schema.Table, df: pd.DataFrame, rows: list[int], header_of: dict[str, str],
                  raw_of: dict[str, pd.Series], bad_at: dict[str, set[int]], shown: str, key: str, ptext: str,
                  today: date, tail: list[Problem], credit_signed: set[str] = frozenset()) -> list[Problem]:
    """Empty required cells, negative amounts and future dates in the columns read from the file.

    ``credit_signed``: columns signed by a debit/credit flag, whose negative rows are credit notes, not typos.
    """
    problems: list[Problem] = []
    limit = pd.Timestamp(today) + pd.Timedelta(days=1)

    def add(header: str, raw: pd.Series, positions, message: str, fix: str, show_value: bool = True) -> None:
        items = [(rows[p], raw.iat[p] if show_value else None, message) for p in positions]
        listed, more = _cap(shown, header, items, fix)
        problems.extend(listed)
        tail.extend(more)

    for column in spec.columns:
        if column.name not in header_of:
            continue
        s = df[column.name]
        header = header_of[column.name]
        raw = raw_of[column.name]
        skip = bad_at.get(column.name, set())  # already reported as not a number/date/...
        if column.required and not column.may_be_empty:
            empty = [p for p in np.flatnonzero(s.isna().to_numpy(dtype=bool)) if p not in skip]
            add(header, raw, empty, *convert.empty_required(column.name), show_value=False)
        if column.non_negative and column.name not in credit_signed:  # a credit note (H) is a real negative
            negative = np.flatnonzero((pd.to_numeric(s, errors="coerce") < 0).fillna(False).to_numpy(dtype=bool))
            add(header, raw, negative, f"is negative; {column.name} must be 0 or more",
                "fix the cell; net refunds and credit notes into the original row instead of a negative row")
        if column.type in ("date", "datetime") and column.name not in _FUTURE_OK and not column.may_be_future:
            future = np.flatnonzero((s >= limit).fillna(False).to_numpy(dtype=bool))
            add(header, raw, future, *convert.in_future(today, ptext))
    for group in spec.one_of:
        if not any(c in header_of for c in group):
            problems.append(Problem(shown, f"needs at least one of the columns {', '.join(group)}",
                                    fix=f"map one of them under {key}.columns in {ptext}"))
    return problems


def _deal_status(params: Params, out: pd.DataFrame, rows: list[int], header_of: dict[str, str],
                 raw_of: dict[str, pd.Series], shown: str, ptext: str, today: date) -> list[Problem]:
    """Fill ``status`` from the stage map; report unknown stages and closed deals with a future close date."""
    problems: list[Problem] = []
    lookup = semantics.deal_status_lookup(params.stage_map)
    spelled = {str(s).strip().casefold(): str(s).strip() for names in params.stage_map.values() for s in names}
    stage = out["stage"]
    mapped = stage.str.strip().str.casefold().map(lookup).astype("string")
    unknown = (stage.notna() & mapped.isna() & out["status"].isna()).to_numpy(dtype=bool)
    first: dict[str, list[int]] = {}
    for p in np.flatnonzero(unknown):
        first.setdefault(str(stage.iat[p]), []).append(int(p))
    for name, positions in first.items():
        notes = [f"{len(positions)} rows have it"] if len(positions) > 1 else []
        close = convert.closest_spellings(name.strip().casefold(), list(spelled))
        if close:
            notes.append("did you mean " + " or ".join(f'"{spelled[c]}" ({lookup[c]})' for c in close) + "?")
        more = f" ({'; '.join(notes)})" if notes else ""
        problems.append(Problem(shown, f"is not in stage_map{more}", row=rows[positions[0]], column=header_of["stage"],
                                value=name, fix=f"add it to stage_map.open, .won or .lost in {ptext}"))
    out["status"] = out["status"].fillna(mapped)
    if "close_date" in header_of:
        closed = out["status"].isin(["won", "lost"]).fillna(False) & (out["close_date"] > pd.Timestamp(today)).fillna(False)
        for p in np.flatnonzero(closed.to_numpy(dtype=bool)):
            problems.append(Problem(
                shown, f"lies in the future (today is {today:%d.%m.%Y}) but the deal is {out['status'].iat[p]}",
                row=rows[p], column=header_of["close_date"], value=raw_of["close_date"].iat[p],
                fix="check the close date, or the stage of this deal"))
    return problems


def _check_unique(table: str, df: pd.DataFrame, headers: dict[str, dict[str, str]]) -> list[Problem]:
    """Ids that appear more than once in one table (across all its files)."""
    spec = schema.TABLES.get(table)
    problems: list[Problem] = []
    for col in spec.unique if spec else ():
        dup = (df[col].notna() & df.duplicated(col, keep=False)).to_numpy(dtype=bool)
        if not dup.any():
            continue
        groups = list(df[dup].groupby(col, sort=False))
        for value, grp in groups[:MAX_LISTED]:
            where = ", ".join(f"{Path(f).name} row {r}" for f, r in zip(grp["_file"], grp["_row"]))
            file = str(grp["_file"].iloc[0])
            problems.append(Problem(
                file, f"appears {len(grp)} times as {col} ({where})", row=int(grp["_row"].iloc[0]),
                column=headers.get(file, {}).get(col, col), value=str(value),
                fix="each id must appear once: remove the duplicate rows, or do not list overlapping exports"))
        if len(groups) > MAX_LISTED:
            problems.append(Problem(str(df["_file"].iloc[0]), f"{len(groups) - MAX_LISTED:,} more {col} values "
                                    "appear more than once", fix="remove the duplicate rows"))
    return problems


def _derive(params: Params, t: dict[str, pd.DataFrame], sources: list[SourceInfo]) -> tuple[list[Finding], dict]:
    """Fill derived columns: channels from rules, lead stages and dates, deal links and deal channels.

    Returns the findings for the data note and the counts for the data-health profile.
    """
    rules = channels_mod.rules_from_params(params.raw.get("channels") or {})
    findings: list[Finding] = []
    stats: dict[str, dict[str, object]] = {}
    for s in sources:
        if s.generated_ids:
            # the source in words in the memo (the file name is kept in ``file`` for the analyst's messages)
            findings.append(Finding.note(s.table, "note_generated_ids", plural="n", file=str(s.file.name),
                                         source=SourceName(s.table, s.label), n=int(s.generated_ids)))
    if "leads" in t:
        leads = t["leads"]
        missing = leads["channel"].isna()
        if missing.any():
            leads.loc[missing, "channel"] = channels_mod.assign_channels(leads[missing], rules).to_numpy()
        lookup = semantics.stage_lookup(params.raw.get("lead_stage_map"))
        stats["leads"] = semantics.derive_lead_stages(leads, lookup)
        n = int(stats["leads"]["by_status"])
        if n:
            findings.append(Finding.note("leads", "note_status_qualified", plural="n", n=int(n)))
    if "spend" in t:
        sp = t["spend"]
        missing = sp["channel"].isna()
        if missing.any():
            sp.loc[missing, "channel"] = channels_mod.assign_channels(
                # a controlling export's cost centre says more than its vendor or ledger account
                sp[missing].assign(source_raw=sp["cost_center"].fillna(sp["platform"]).fillna(sp["account"]),
                                   source_detail=sp["campaign"]), rules).to_numpy()
    if "deals" in t:
        deals = t["deals"]
        deal_stats: dict[str, object] = {}
        if "leads" in t:
            # a link column that is present but empty everywhere links nothing: then the fallback applies
            linked_in_export = bool(deals["lead_id"].notna().any() or t["leads"]["deal_id"].notna().any())
            fallback = bool((params.raw.get("deal_links") or {}).get("fallback", True)) and not linked_in_export
            links = semantics.link_deals(deals, t["leads"], fallback=fallback)
            deal_stats["links"] = links
            if deals["channel"].isna().any():
                by_lead = t["leads"].drop_duplicates("lead_id").set_index("lead_id")["channel"]
                deals["channel"] = deals["channel"].fillna(deals["lead_id"].map(by_lead))
            guessed = links["email"] + links["company"]
            if fallback and len(deals):
                linked = sum(links.values())
                findings.append(Finding.note("deals", "note_deals_matched", plural="total", linked=int(linked),
                                             total=len(deals), share=linked / len(deals),
                                             email=int(links["email"]), company=int(links["company"])))
            deal_stats["guessed_links"] = guessed
        own = deals["channel"].isna() & (deals["lead_source"].notna() | deals["source_detail"].notna())
        if own.any():
            deals.loc[own, "channel"] = channels_mod.assign_channels(
                deals[own].assign(source_raw=deals["lead_source"].fillna("")), rules).to_numpy()
        deal_stats["channel_from_source"] = int(own.sum())
        stats["deals"] = deal_stats
        no_amount = deals["amount"].isna()
        for status in ("won", "open"):
            n = int((no_amount & (deals["status"] == status).fillna(False)).sum())
            if n:
                findings.append(Finding.note("deals", f"note_{status}_without_amount", plural="n", n=n))
    return findings, stats


def _fill_ids(out: pd.DataFrame, id_column: str, frame: pd.DataFrame, table: str) -> int:
    """Give rows without an id one made from their cells: the same file gives the same ids."""
    empty = out[id_column].isna().to_numpy(dtype=bool)
    if not empty.any():
        return 0
    cells = frame.iloc[np.flatnonzero(empty)].astype(str).agg("\x1f".join, axis=1)
    digests = [hashlib.sha1(c.encode("utf-8")).hexdigest()[:12] for c in cells]
    seen: dict[str, int] = {}
    ids = []
    for d in digests:  # identical rows stay distinct items, numbered in file order
        seen[d] = seen.get(d, 0) + 1
        ids.append(f"{table[:2]}-{d}" + (f"-{seen[d]}" if seen[d] > 1 else ""))
    col = out[id_column].astype("string")
    col[empty] = ids
    out[id_column] = col
    return int(empty.sum())


def _duplicate_headers(raw: readers.RawTable, header_of: dict[str, str], shown: str, key: str,
                       ptext: str) -> list[Problem]:
    """A column the KPIs read whose header appears twice with different values: which one is meant?"""
    problems = []
    names = raw.original_headers
    for canonical, header in header_of.items():
        if names.count(header) < 2:
            continue
        twins = [c for c in raw.frame.columns if c == header or re.fullmatch(re.escape(header) + r"\.\d+", str(c))]
        if all(raw.frame[c].equals(raw.frame[twins[0]]) for c in twins[1:]):
            continue
        letters = ", ".join(readers._column_letter(i) for i, h in enumerate(names) if h == header)
        problems.append(Problem(
            shown, f'has the header "{header}" {len(twins)} times (columns {letters}) with different values; '
                   f"{canonical} would be read from the first", column=header,
            fix=f'remove the duplicate column, or set {key}.columns.{canonical}: "{twins[1]}" in {ptext} '
                f"to read the second"))
    return problems


#: amounts beyond this are export glitches, not money (1e400 would even be infinite)
MAX_AMOUNT = 1e12
SCORE_RANGES = {"nps_0_10": (0, 10), "csat_1_5": (1, 5), "stars_1_5": (1, 5), "csat_good_bad": (0, 1)}


def _check_plausible_cells(spec: schema.Table, out: pd.DataFrame, raw: readers.RawTable, header_of: dict[str, str],
                           raw_of: dict[str, pd.Series], bad_at: dict[str, set[int]], shown: str, key: str,
                           ptext: str, constants: dict[str, object]) -> list[Problem]:
    """Cells that convert but cannot be true: absurd amounts, a score outside its scale, a currency mark
    that contradicts the row's currency column."""
    problems: list[Problem] = []
    rows = raw.rows
    for column in spec.columns:
        if column.type != "number" or column.name not in header_of:
            continue
        v = pd.to_numeric(out[column.name], errors="coerce").to_numpy(dtype=float)
        absurd = np.flatnonzero(~np.isnan(v) & ~(np.abs(v) < MAX_AMOUNT))
        for p in absurd[:MAX_LISTED]:
            problems.append(Problem(shown, f"is not a plausible {column.name} (more than {MAX_AMOUNT:,.0f})",
                                    row=rows[p], column=header_of[column.name], value=raw_of[column.name].iat[p],
                                    fix="fix the cell in the export (a broken formula or a number in scientific "
                                        "notation)"))
        if "currency" in header_of and column.name in ("amount", "cost", "price"):
            marks = raw_of[column.name].astype("string").str.extract(_CURRENCY_MARK, expand=False)
            codes = marks.str.casefold().map(lambda m: _CURRENCY_CODE.get(m, str(m).upper()) if isinstance(m, str) else None)
            stated = out["currency"].astype("string")
            clash = np.flatnonzero((codes.notna() & stated.notna() & (codes != stated)).fillna(False).to_numpy(dtype=bool))
            for p in clash[:MAX_LISTED]:
                problems.append(Problem(
                    shown, f"is written in {codes.iat[p]} but the row's {header_of['currency']} says {stated.iat[p]}",
                    row=rows[p], column=header_of[column.name], value=raw_of[column.name].iat[p],
                    fix=f"correct the amount or the currency cell of this row"))
    if spec.name == "feedback" and "score" in header_of:
        scale = out["score_scale"].astype("string")
        score = pd.to_numeric(out["score"], errors="coerce")
        for name, (lo, hi) in SCORE_RANGES.items():
            bad = np.flatnonzero(((scale == name) & score.notna() & ((score < lo) | (score > hi))).fillna(False)
                                 .to_numpy(dtype=bool))
            for p in [q for q in bad if q not in bad_at.get("score", set())][:MAX_LISTED]:
                fits = [s for s, (a, b) in SCORE_RANGES.items() if a <= score.iat[p] <= b]
                other = (f"; if the survey uses another scale set {key}.constants.score_scale to "
                         f"{' or '.join(fits)} in {ptext}") if fits else ""
                problems.append(Problem(
                    shown, f"is outside the {name} scale ({lo} to {hi})", row=rows[p], column=header_of["score"],
                    value=raw_of["score"].iat[p], fix=f"correct the cell{other}"))
    return problems
