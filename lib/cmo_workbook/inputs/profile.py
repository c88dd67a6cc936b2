"""Data-health profile: what the memo's numbers stand on, per table.

Rows, dropped rows and why, the date range of every date column, the share of empty cells in
the columns the KPIs read, how many rows were mapped to a channel, a stage and a link, and the
status-like columns nothing reads.
``validate`` prints it; every notebook's analyst cell shows it (``wb.ds.profile()``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from . import schema

if TYPE_CHECKING:  # pragma: no cover
    from .loaders import Dataset

#: the columns the KPIs read, per table (their empty share is profiled)
KPI_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("created_date", "source_raw", "channel", "mql_date", "stage"),
    "deals": ("created_date", "amount", "status", "close_date", "channel", "lead_id"),
    "spend": ("date", "cost", "channel"),
    "feedback": ("date", "text", "score"),
    "touchpoints": ("lead_id", "timestamp", "channel"),
}


def _share(part: int, whole: int) -> str:
    return f"{part:,}/{whole:,} ({part / whole:.0%})" if whole else "0/0"


def table_health(ds: Dataset, name: str) -> dict[str, object]:
    """The profile row of one table (see the module docstring)."""
    if name in ds.engine:
        return _engine_health(ds, name)
    df = ds.tables[name]
    spec = schema.table(name)
    n = len(df)
    dates = {c.name: df[c.name].dropna() for c in spec.columns
             if c.type in ("date", "datetime") and c.name in df and df[c.name].notna().any()}
    main = df[spec.date_column].dropna() if spec.date_column in df else pd.Series(dtype="datetime64[ns]")
    first, last = (main.min(), main.max()) if len(main) else (pd.NaT, pd.NaT)
    gaps: list[str] = []
    if len(main):
        have = set((main.dt.year * 12 + main.dt.month - 1).unique().tolist())
        span = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
        gaps = [str(p) for p in span if p.year * 12 + p.month - 1 not in have]
    files = ds.files(name)
    dropped = [f"{s.file.name} row {r}: {text[:40]}" for s in files for r, text in s.dropped]
    empty = {c: int(df[c].isna().sum()) for c in KPI_COLUMNS.get(name, ()) if c in df}
    row: dict[str, object] = {
        "files": len(files),
        "rows": n,
        "first": first,
        "last": last,
        "months_without_rows": ", ".join(gaps),
        "date_ranges": "; ".join(f"{c} {v.min():%Y-%m-%d}..{v.max():%Y-%m-%d}" for c, v in dates.items()),
        "empty_kpi_cells": "; ".join(f"{c} {v / n:.0%}" for c, v in empty.items() if v) if n else "",
        "to_channel": _share(int(df["channel"].notna().sum()), n) if "channel" in df else "",
        "to_stage": "",
        "linked": "",
        "generated_ids": sum(s.generated_ids for s in files),
        "dropped": len(dropped),
        "dropped_why": "; ".join(dropped[:5]) + (" ..." if len(dropped) > 5 else ""),
        # status-like columns no preset or params key reads (validate names the key that would)
        "unread_status": "; ".join(f'{s.file.name} "{h}" ({q:,} qualified values)'
                                   for s in files for h, (_, _, q, _) in s.status_like.items()),
    }
    if name == "leads" and "stage" in df:
        row["to_stage"] = _share(int(df["stage"].notna().sum()), n)
    if name == "deals":
        row["to_stage"] = _share(int(df["status"].notna().sum()), n)
        if "link" in df:
            by = df["link"].value_counts()
            row["linked"] = _share(int(df["lead_id"].notna().sum()), n) + (
                " by " + ", ".join(f"{k} {v}" for k, v in by.items()) if len(by) else "")
    return row


def _engine_health(ds: Dataset, name: str) -> dict[str, object]:
    """The profile row of a table held in the engine, from the figures its validation computed
    (:class:`.engine_table.EngineTable`; the same row :func:`table_health` makes of the loaded table)."""
    held = ds.engine[name]
    n = held.rows
    gaps: list[str] = []
    if not pd.isna(held.first):
        span = pd.period_range(held.first.to_period("M"), held.last.to_period("M"), freq="M")
        gaps = [str(p) for p in span if p.year * 12 + p.month - 1 not in held.months]
    files = ds.files(name)
    date_column = schema.table(name).date_column
    return {
        "files": len(files),
        "rows": n,
        "first": held.first,
        "last": held.last,
        "months_without_rows": ", ".join(gaps),
        "date_ranges": "" if pd.isna(held.first) else f"{date_column} {held.first:%Y-%m-%d}..{held.last:%Y-%m-%d}",
        "empty_kpi_cells": "; ".join(f"{c} {held.empty[c] / n:.0%}" for c in KPI_COLUMNS.get(name, ())
                                     if held.empty.get(c)) if n else "",
        "to_channel": _share(held.with_channel, n),
        "to_stage": "",
        "linked": "",
        "generated_ids": 0,
        "dropped": 0,
        "dropped_why": "",
        "unread_status": "",
    }


def health(ds: Dataset) -> pd.DataFrame:
    """One profile row per loaded table, indexed by table name (tables in the engine in their place)."""
    from .params import DATA_TABLES

    names = list(ds.tables)
    if ds.engine:  # in the loader's order, as if the engine's tables were loaded
        names = [t for t in DATA_TABLES if t in ds.tables or t in ds.engine]
        names += [t for t in ds.tables if t not in names]
    rows = [{"table": name, **table_health(ds, name)} for name in names]
    if not rows:
        return pd.DataFrame(columns=["files", "rows", "first", "last", "months_without_rows"])
    return pd.DataFrame(rows).set_index("table")


def lines(ds: Dataset) -> list[str]:
    """The profile as text lines for ``validate``."""
    out = []
    for name, r in health(ds).iterrows():
        parts = [f"{r['rows']:,} rows"]
        if r["date_ranges"]:
            parts.append(str(r["date_ranges"]))
        if r["empty_kpi_cells"]:
            parts.append(f"empty: {r['empty_kpi_cells']}")
        if r["to_channel"]:
            parts.append(f"channel {r['to_channel']}")
        if r["to_stage"]:
            parts.append(("status " if name == "deals" else "stage ") + str(r["to_stage"]))
        if r["linked"]:
            parts.append(f"linked to a lead {r['linked']}")
        if r["generated_ids"]:
            parts.append(f"{r['generated_ids']:,} ids generated")
        if r["unread_status"]:
            parts.append(f"status column not read: {r['unread_status']}")
        if r["dropped"]:
            parts.append(f"dropped {r['dropped']}: {r['dropped_why']}")
        out.append(f"health  {name:24s} " + " | ".join(parts))
    return out
