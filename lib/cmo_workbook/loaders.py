"""Load a company's inputs into canonical tables, reporting every problem at once.

``load_dataset(params)`` reads each configured file with its preset
(:mod:`cmo_workbook.presets`), converts every column per schema
(:mod:`cmo_workbook.convert`), checks ids, signs, dates and currencies, derives channels
and deal status, and returns a :class:`Dataset`. Any problem in any file raises one
:class:`~cmo_workbook.errors.DataError` listing them all, each naming file, row, column,
the bad value, what was expected and the fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from . import channels as channels_mod
from . import convert, presets, readers, schema
from .errors import DataError, Problem, StaleDataError
from .params import DATA_TABLES, Params
from .periods import Period

_CURRENCY_MARK = re.compile(r"(€|EUR|\$|USD|CHF|£|GBP)", re.I)
_CURRENCY_CODE = {"€": "EUR", "eur": "EUR", "$": "USD", "usd": "USD", "chf": "CHF", "£": "GBP", "gbp": "GBP"}
_HUMAN_FORMAT = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "HH", "%M": "MM", "%S": "SS"}


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


@dataclass
class Dataset:
    """The canonical tables of one company plus where they came from."""

    params: Params
    tables: dict[str, pd.DataFrame]
    sources: list[SourceInfo]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        if name in DATA_TABLES:
            raise AttributeError(
                f"no data configured for table {name!r}; add a file under data.{name} in {self.params.path.name}"
            )
        raise AttributeError(name)

    def has(self, name: str) -> bool:
        return name in self.tables and not self.tables[name].empty

    def files(self, table: str) -> list[SourceInfo]:
        return [s for s in self.sources if s.table == table]

    def profile(self) -> pd.DataFrame:
        """Rows, date range and months without rows per table (the analyst's data profile)."""
        out = []
        for name, df in self.tables.items():
            col = _date_column(name)
            dates = df[col].dropna() if col and col in df else pd.Series(dtype="datetime64[ns]")
            first, last = (dates.min(), dates.max()) if len(dates) else (pd.NaT, pd.NaT)
            gaps: list[str] = []
            if len(dates):
                have = set(dates.dt.to_period("M"))
                span = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
                gaps = [str(p) for p in span if p not in have]
            out.append({
                "table": name,
                "files": len(self.files(name)),
                "rows": len(df),
                "first": first,
                "last": last,
                "months_without_rows": ", ".join(gaps) if gaps else "",
            })
        return pd.DataFrame(out).set_index("table")

    def check_period(self, period: Period, tables: list[str]) -> None:
        """Raise :class:`StaleDataError` when a needed table has no rows in ``period``."""
        problems = []
        for name in tables:
            df = self.tables.get(name)
            files = ", ".join(s.file.name for s in self.files(name)) or f"(no file configured for {name})"
            col = _date_column(name)
            if df is None or df.empty:
                problems.append(Problem(files, f"table {name} has no rows at all; the {period} report needs it",
                                        fix=f"add the export under data.{name} in {self.params.path.name}"))
                continue
            inside = period.contains(df[col])
            if not inside.any():
                latest = df[col].max()
                problems.append(Problem(
                    files,
                    f"no {name} rows in {period} ({period.start:%d.%m.%Y}-{period.last_day:%d.%m.%Y}); latest date found: "
                    f"{latest:%d.%m.%Y}",
                    fix="export the current data from the source tool, or run for an earlier --period",
                ))
        if problems:
            raise StaleDataError(problems)


def _date_column(table: str) -> str:
    if table in schema.TABLES:
        return schema.TABLES[table].date_column
    return {"competitor_messaging": "date"}.get(table, "date")


def load_dataset(params: Params, tables: list[str] | None = None, *, today: date | None = None) -> Dataset:
    """Load every configured table (or just ``tables``); raise one DataError listing all problems."""
    today = today or date.today()
    wanted = [t for t in DATA_TABLES if (tables is None or t in tables)]
    problems: list[Problem] = []
    loaded: dict[str, pd.DataFrame] = {}
    sources: list[SourceInfo] = []
    for table in wanted:
        frames = []
        for entry in params.files(table):
            try:
                df, info = load_file(params, table, entry, today=today)
            except DataError as exc:
                problems.extend(exc.problems)
                continue
            frames.append(df)
            sources.append(info)
        if frames:
            loaded[table] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            problems.extend(_check_unique(table, loaded[table], sources))
    if problems:
        raise DataError(problems)
    _derive(params, loaded, today)
    return Dataset(params=params, tables=loaded, sources=sources)


def _table_spec(table: str) -> schema.Table:
    return schema.table(table)


def load_file(params: Params, table: str, entry: dict[str, Any], *, today: date | None = None) -> tuple[pd.DataFrame, SourceInfo]:
    """Read one configured file into the canonical shape of ``table``."""
    today = today or date.today()
    path = params.file_path(entry)
    shown = entry["file"]
    ptext = params.relpath()
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
    tokens = presets.header_tokens(preset, table, overrides)
    raw = readers.read_raw(
        path,
        header_tokens=tokens,
        encoding=entry.get("encoding"),
        delimiter=entry.get("delimiter"),
        sheet=entry.get("sheet"),
        header_row=entry.get("header_row"),
        extra_header_rows=tp.extra_header_rows,
        footer_patterns=tp.footer_patterns,
        display_name=shown,
    )
    spec = _table_spec(table)
    res = presets.resolve_columns(list(raw.frame.columns), preset, table, overrides)
    frame = res.add_derived(raw.frame)
    problems: list[Problem] = []
    constants = {**res.constants, **(entry.get("constants") or {})}
    for col in res.missing_required:
        if col in constants:
            continue
        close = res.closest(col)
        hint = f' (closest header found: "{close}")' if close else ""
        problems.append(Problem(
            shown, f'missing required column for {col}{hint}; headers found: {", ".join(raw.frame.columns[:12])}',
            fix=f'set data.{table}[..].columns.{col}: "<your header>" in {ptext} or check the preset ({preset.name})',
        ))
    if problems:
        raise DataError(problems)

    number_style = entry.get("number_format") or tp.number_style
    date_formats = entry.get("date_format") or tp.date_formats
    if isinstance(date_formats, str):
        date_formats = [date_formats]
    value_maps = {**tp.value_maps, **{k: {str(a).casefold(): b for a, b in v.items()}
                                      for k, v in (entry.get("values") or {}).items()}}
    out = pd.DataFrame(index=range(len(frame)))
    header_of: dict[str, str] = {}
    for header, canonical in {**res.mapping, **res.derived}.items():
        if canonical not in spec.names:
            continue  # helper parts that only feed a combined column
        column = spec.column(canonical)
        header_of[canonical] = header
        values = frame[header]
        if column.type == "number" and "currency" not in res.mapping.values() and "currency" not in constants:
            problems.extend(_mixed_currency(values, raw.rows, shown, header, ptext, table))
        if column.type != "choice":  # convert maps choice values itself
            values = presets.map_values(values, value_maps.get(canonical))
        typed, bad = convert.convert_column(
            values, column, number_style=number_style, date_formats=date_formats,
            choice_map=value_maps.get(canonical) if column.type == "choice" else None,
        )
        for pos, value, expected in bad:
            problems.append(Problem(shown, expected, row=raw.rows[pos], column=header, value=value,
                                    fix=_fix_for(column, table, ptext)))
        out[canonical] = typed.reset_index(drop=True)
    for canonical, value in constants.items():
        if canonical not in out:
            out[canonical] = value
    for column in spec.columns:
        if column.name not in out:
            out[column.name] = column.default if column.default is not None else pd.NA
    problems.extend(_check_values(spec, out, raw.rows, header_of, shown, ptext, today))
    if problems:
        raise DataError(problems)
    out = out[spec.names] if all(n in out for n in spec.names) else out
    out.attrs["source"] = shown
    info = SourceInfo(table, path, preset.name, len(out), raw.encoding, raw.delimiter, raw.sheet,
                      list(raw.dropped), list(res.unmapped))
    out["_file"] = shown
    out["_row"] = raw.rows
    return out, info


def _fix_for(column: schema.Column, table: str, ptext: str) -> str:
    if column.type in ("date", "datetime"):
        return f"fix the cell or set date_format for this file in {ptext}"
    if column.type in ("number", "integer"):
        return f"fix the cell or set number_format (de or en) for this file in {ptext}"
    if column.type == "choice":
        return f"use one of the allowed values or map it under values.{column.name} for this file in {ptext}"
    return "fix the cell"


def _mixed_currency(values: pd.Series, rows: list[int], shown: str, header: str, ptext: str, table: str) -> list[Problem]:
    marks = values.astype("string").str.extract(_CURRENCY_MARK, expand=False).dropna()
    codes = marks.str.casefold().map(lambda m: _CURRENCY_CODE.get(m, m.upper()))
    if codes.nunique() <= 1:
        return []
    first = {c: codes.index[codes == c][0] for c in sorted(codes.unique())}
    example = ", ".join(f"{c} in row {rows[i]}" for c, i in first.items())
    return [Problem(shown, f"mixes currencies ({example}) but the file has no currency column", column=header,
                    fix=f"add a currency column (ISO code per row) and map it under data.{table}[..].columns.currency in {ptext}, "
                        "or export in one currency")]


def _check_values(spec: schema.Table, df: pd.DataFrame, rows: list[int], header_of: dict[str, str],
                  shown: str, ptext: str, today: date) -> list[Problem]:
    problems: list[Problem] = []
    for column in spec.columns:
        if column.name not in df:
            continue
        s = df[column.name]
        header = header_of.get(column.name, column.name)
        if column.required and column.name in header_of:
            for pos in s.index[s.isna()][:50]:
                problems.append(Problem(shown, f"is empty but {column.name} is required", row=rows[pos], column=header,
                                        fix="fill the cell or remove the row"))
        if column.non_negative:
            neg = s.index[pd.to_numeric(s, errors="coerce") < 0]
            for pos in neg[:50]:
                problems.append(Problem(shown, f"is negative; {column.name} must be 0 or more", row=rows[pos],
                                        column=header, value=s.iloc[pos],
                                        fix="book refunds and credits as a separate cost line with a positive amount, or remove the row"))
        if column.type in ("date", "datetime") and column.name in header_of and column.name not in ("expected_close_date", "close_date", "deadline"):
            # open deals carry an expected close date in close_date (HubSpot); checked per status in _derive
            limit = pd.Timestamp(today) + pd.Timedelta(days=1)
            future = s.index[s >= limit]
            for pos in future[:50]:
                problems.append(Problem(shown, f"lies in the future (today is {today:%d.%m.%Y})", row=rows[pos],
                                        column=header, value=f"{s.iloc[pos]:%d.%m.%Y}",
                                        fix="check the date (day and month swapped?) or set date_format in " + ptext))
    if spec.one_of:
        for group in spec.one_of:
            present = [c for c in group if c in header_of]
            if not present:
                problems.append(Problem(shown, f"needs at least one of the columns {', '.join(group)}",
                                        fix=f"map one of them under columns in {ptext}"))
    return problems


def _check_unique(table: str, df: pd.DataFrame, sources: list[SourceInfo]) -> list[Problem]:
    spec = schema.TABLES.get(table)
    problems = []
    for col in spec.unique if spec else ():
        dup = df[col].notna() & df.duplicated(col, keep=False)
        if not dup.any():
            continue
        for value, grp in list(df[dup].groupby(col, sort=True))[:20]:
            where = "; ".join(f"{f} row {r}" for f, r in zip(grp["_file"], grp["_row"]))
            problems.append(Problem(str(grp["_file"].iloc[0]), f'duplicate {col} "{value}" ({where})',
                                    fix="each id must appear once: remove the duplicate rows or export without duplicates"))
    return problems


def _derive(params: Params, t: dict[str, pd.DataFrame], today: date) -> None:
    """Fill derived columns: lead channels from rules, deal status from the stage map."""
    rules = channels_mod.rules_from_params(params.raw.get("channels") or {})
    if "leads" in t:
        leads = t["leads"]
        missing = leads["channel"].isna()
        if missing.any():
            leads.loc[missing, "channel"] = channels_mod.assign_channels(leads[missing], rules).to_numpy()
    if "spend" in t:
        sp = t["spend"]
        missing = sp["channel"].isna()
        if missing.any():
            sp.loc[missing, "channel"] = channels_mod.assign_channels(
                sp[missing].assign(source_raw=sp["platform"]), rules).to_numpy()
    if "deals" in t:
        deals = t["deals"]
        lookup = {str(s).casefold(): status for status, names in params.stage_map.items() for s in names}
        status = deals["stage"].astype("string").str.casefold().map(lookup)
        unknown = deals.loc[status.isna() & deals["status"].isna()]
        if len(unknown):
            names = sorted(unknown["stage"].astype(str).unique())
            rows = {n: unknown.loc[unknown["stage"] == n, "_row"].iloc[0] for n in names}
            raise DataError([Problem(str(unknown["_file"].iloc[0]),
                                     f"is not in stage_map (first in row {rows[n]})", column="stage", value=n,
                                     fix=f"add it to stage_map.open, .won or .lost in {params.relpath()}")
                             for n in names])
        deals["status"] = deals["status"].fillna(status)
        closed_future = deals[deals["status"].isin(["won", "lost"]) & (deals["close_date"] > pd.Timestamp(today))]
        if len(closed_future):
            raise DataError([Problem(str(r["_file"]), f"is in the future (today is {today:%d.%m.%Y}) but the deal is {r['status']}",
                                     row=int(r["_row"]), column="close_date", value=f"{r['close_date']:%d.%m.%Y}",
                                     fix="check the close date or the stage of this deal")
                             for _, r in closed_future.head(50).iterrows()])
        if "leads" in t and deals["channel"].isna().any():
            by_lead = t["leads"].set_index("lead_id")["channel"]
            deals["channel"] = deals["channel"].fillna(deals["lead_id"].map(by_lead))
