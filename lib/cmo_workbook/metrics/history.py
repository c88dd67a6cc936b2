"""The KPI history: every period store a run computed, in an embedded DuckDB database.

It lives outside ``reports/`` so that ``make clean`` keeps it: by default ``history/`` in the
project folder (``history/kpi_history.duckdb``), or ``history.dir`` in params (relative to
the params file). BI tools and pandas read it directly (``duckdb.connect(path).sql(...)``).

Each run appends its store's values. Each memo the runner writes adds the figures it showed (its
``data-metric`` spans: metric, window, segment, value) to ``shown_values``: a memo counts as gone out
once it is written (``NAME.html``/``.eml``), because from there it is sent (``--email``, ``send``),
forwarded or opened in the archive; the sent ledger is not needed to know what a reader may have seen.
A restatement is a value that a memo showed and that the data now gives differently (data corrected
after the memo went out); values no memo showed may change silently. It is recorded and said in the
period's memos ("Nachträglich korrigiert, nachdem ein Memo den alten Wert gezeigt hatte: Qualifizierte
Anfragen, September 2026: 187 → 192.").
"""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any

import pandas as pd

from ..inputs.params import Params
from ..render import fmt
from ..render.i18n import t, tn
from .catalogue import Catalogue, catalogue

DB_FILE = "kpi_history.duckdb"
RESTATEMENTS_FILE = "restatements.csv"
#: relative change below which two values count as equal (float noise, not a correction)
TOLERANCE = 1e-6

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kpi_values (company VARCHAR, run_period VARCHAR, recorded_at TIMESTAMP, "
    "metric VARCHAR, window_id VARCHAR, window_kind VARCHAR, segment VARCHAR, value DOUBLE, unit VARCHAR)",
    "CREATE TABLE IF NOT EXISTS restatements (company VARCHAR, detected_in VARCHAR, detected_at TIMESTAMP, "
    "metric VARCHAR, window_id VARCHAR, segment VARCHAR, old_value DOUBLE, new_value DOUBLE)",
    "CREATE TABLE IF NOT EXISTS shown_values (company VARCHAR, memo VARCHAR, lang VARCHAR, run_period VARCHAR, "
    "shown_at TIMESTAMP, metric VARCHAR, window_id VARCHAR, segment VARCHAR, value DOUBLE)",
)
_SPAN = re.compile(r"<span\b([^>]*\bdata-metric=[^>]*)>")
_ATTR = re.compile(r'(data-[a-z]+)="([^"]*)"')


def history_path(params: Params, default_dir: str | Path) -> Path:
    """``history.dir`` from params (relative to the params file) or ``default_dir``, plus the DB file."""
    raw = (params.raw.get("history") or {}).get("dir")
    base = (params.path.parent / raw) if raw else Path(default_dir)
    return base.resolve() / DB_FILE


def company_key(params: Params) -> str:
    """One company per params file: its stem and name ("example: Kessler Antriebstechnik GmbH")."""
    return f"{params.path.stem}: {params.name}"


#: how long a run waits for another process (a parallel company, a second run) to release the history file
LOCK_WAIT_SECONDS = 120.0


def _connect(path: Path, read_only: bool = False):
    import time

    import duckdb

    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            # DuckDB allows one writing process per file; parallel runs take turns (each holds it for a moment)
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    if not read_only:
        for stmt in _SCHEMA:
            con.execute(stmt)
    return con


def figures_in(html: str) -> pd.DataFrame:
    """The KPI figures a memo's HTML shows (its ``data-metric`` spans), one row per metric, window and segment."""
    rows = {}
    for m in _SPAN.finditer(html):
        a = {k: unescape(v) for k, v in _ATTR.findall(m.group(1))}
        if a.get("data-window") and a.get("data-value", "") != "":
            rows[(a["data-metric"], a["data-window"], a.get("data-segment", ""))] = float(a["data-value"])
    return pd.DataFrame([(*k, v) for k, v in rows.items()], columns=["metric", "window", "segment", "value"])


def remember_shown(path: Path, company: str, memo: str, lang: str, period: str, html: str, *,
                   now: datetime | None = None) -> int:
    """Record the figures a memo just written showed (the values a later restatement is measured against)."""
    figures = figures_in(html)
    if not len(figures):
        return 0
    figures.insert(0, "shown_at", now or datetime.now())
    for col, value in (("run_period", period), ("lang", lang), ("memo", memo), ("company", company)):
        figures.insert(0, col, value)
    con = _connect(path)
    try:
        con.register("shown_df", figures)
        con.execute("INSERT INTO shown_values SELECT company, memo, lang, run_period, shown_at, metric, \"window\", "
                    "segment, value FROM shown_df")
        con.unregister("shown_df")
    finally:
        con.close()
    return len(figures)


def record(path: Path, company: str, period: str, table: pd.DataFrame, *, now: datetime | None = None) -> pd.DataFrame:
    """Append a period store to the history; return the restatements of ``period`` (detected now or earlier).

    A restatement is a (metric, window, segment) whose value the latest memo showing it
    (:func:`remember_shown`) gave differently from the new store, by more than :data:`TOLERANCE` (relative).
    """
    now = now or datetime.now()
    rows = table[["metric", "window", "window_kind", "segment", "value", "unit"]].copy()
    rows["segment"] = rows["segment"].fillna("").astype(str)
    con = _connect(path)
    try:
        latest = con.execute(
            "SELECT metric, window_id AS \"window\", segment, value FROM shown_values WHERE company = ? "
            "QUALIFY row_number() OVER (PARTITION BY metric, window_id, segment ORDER BY shown_at DESC) = 1",
            [company]).df()
        merged = rows.merge(latest, on=["metric", "window", "segment"], how="inner", suffixes=("", "_old"))
        both = merged["value"].notna() & merged["value_old"].notna()
        diff = (merged["value"] - merged["value_old"]).abs()
        scale = merged[["value", "value_old"]].abs().max(axis=1).clip(lower=1e-9)
        changed = merged[both & (diff / scale > TOLERANCE)]
        restated = pd.DataFrame({"company": company, "detected_in": period, "detected_at": now,
                                 "metric": changed["metric"], "window": changed["window"], "segment": changed["segment"],
                                 "old_value": changed["value_old"], "new_value": changed["value"]})
        if len(restated):
            con.register("restated_df", restated)
            con.execute("INSERT INTO restatements SELECT * FROM restated_df")  # columns in schema order
            con.unregister("restated_df")
        rows.insert(0, "recorded_at", now)
        rows.insert(0, "run_period", period)
        rows.insert(0, "company", company)
        con.register("rows_df", rows)
        con.execute("INSERT INTO kpi_values SELECT company, run_period, recorded_at, metric, \"window\", window_kind, "
                    "segment, value, unit FROM rows_df")
        con.unregister("rows_df")
        return restatements(con, company, period)
    finally:
        con.close()


def restatements(con_or_path: Any, company: str, period: str) -> pd.DataFrame:
    """Restatements detected in runs of ``period`` (latest per metric, window, segment)."""
    con = _connect(Path(con_or_path), read_only=True) if isinstance(con_or_path, (str, Path)) else con_or_path
    try:
        return con.execute(
            "SELECT metric, window_id AS \"window\", segment, old_value, new_value, detected_at FROM restatements "
            "WHERE company = ? AND detected_in = ? QUALIFY row_number() OVER "
            "(PARTITION BY metric, window_id, segment ORDER BY detected_at DESC) = 1 ORDER BY window_id, metric, segment",
            [company, period]).df()
    finally:
        if isinstance(con_or_path, (str, Path)):
            con.close()


def monthly_history(path: Path, company: str, metrics: list[str], end: str, months: int = 13) -> pd.DataFrame:
    """The latest stored value per month for ``metrics``: ``months`` months to ``end`` (rows: metric)."""
    if not Path(path).is_file():
        return pd.DataFrame()
    idx = [str(p) for p in pd.period_range(pd.Period(end, freq="M") - (months - 1), pd.Period(end, freq="M"), freq="M")]
    con = _connect(Path(path), read_only=True)
    try:
        df = con.execute(
            "SELECT metric, window_id AS \"window\", value FROM kpi_values WHERE company = ? AND window_kind = 'month' "
            "AND segment = '' QUALIFY row_number() OVER (PARTITION BY metric, window_id ORDER BY recorded_at DESC) = 1",
            [company]).df()
    finally:
        con.close()
    df = df[df["metric"].isin(metrics) & df["window"].isin(idx)]
    return df.pivot(index="metric", columns="window", values="value").reindex(index=metrics, columns=idx)


def write_restatements(df: pd.DataFrame, period_dir: Path) -> Path:
    """The period's restatements next to its store, for the memos (no database access from kernels)."""
    path = Path(period_dir) / RESTATEMENTS_FILE
    df[["metric", "window", "segment", "old_value", "new_value"]].to_csv(path, index=False, float_format="%.10g")
    return path


def read_restatements(period_dir: Path) -> pd.DataFrame:
    path = Path(period_dir) / RESTATEMENTS_FILE
    if not path.is_file():
        return pd.DataFrame(columns=["metric", "window", "segment", "old_value", "new_value"])
    return pd.read_csv(path, dtype={"segment": "string"}, keep_default_na=False, na_values={"old_value": [""], "new_value": [""]})


def window_text(window: str, lang: str) -> str:
    """A window id in words, its month named: "September 2026", "Q3 2026", "Okt. 2026 seit Jahresbeginn"."""
    from .store import parse_window

    w = parse_window(window)
    if w.kind == "month":
        return fmt.month(w.end.start_time, lang)
    if w.kind == "quarter":
        return fmt.quarter(w.end.start_time, lang)
    return t(f"kpi_restated_window_{w.kind}", lang, month=fmt.month(w.end.start_time, lang, short=True))


def _figure_label(m: Any, window: str, segment: str, lang: str) -> str:
    """The metric's name with its window (the catalogue's label pattern) and, for a channel's value, the channel."""
    name = m.name(lang)
    if segment:
        from ..render.wording import channel_label

        name = t("kpi_restated_segment", lang, name=name, segment=channel_label(segment.split("=", 1)[-1], lang))
    return t("kpi_label_window", lang, name=name, window=window_text(window, lang))


def sentences(df: pd.DataFrame, lang: str, currency: str, cat: Catalogue | None = None, *,
              limit: int = 5) -> list[str]:
    """One sentence on the values memos showed that the data now gives differently, totals before channels,
    newest window first, in catalogue order: "Nachträglich korrigiert, nachdem ein Memo den alten Wert gezeigt
    hatte: Qualifizierte Anfragen, September 2026: 175 → 176." (at most ``limit`` values, then how many more);
    [] when nothing changed at the precision a memo shows."""
    cat = cat or catalogue()
    order = {m: i for i, m in enumerate(cat.metrics)}
    df = df[df["metric"].isin(list(order)) & df["old_value"].notna() & df["new_value"].notna()]
    df = df.assign(seg=df["segment"].fillna("").astype(str), o=df["metric"].map(order))
    df = df.assign(has_seg=df["seg"] != "").sort_values(["has_seg", "window", "o", "seg"],
                                                          ascending=[True, False, True, True])
    parts = []
    for r in df.itertuples(index=False):
        m = cat[r.metric]
        old, new = _value(m.unit, r.old_value, lang, currency), _value(m.unit, r.new_value, lang, currency)
        if old != new:  # a change below the shown precision is no news for the reader
            parts.append(t("kpi_restated_change", lang, label=_figure_label(m, r.window, r.seg, lang), old=old, new=new))
    if not parts:
        return []
    shown = parts[:limit]
    if len(parts) > limit:
        more = len(parts) - limit
        shown.append(tn("kpi_restated_more", more, lang, n=fmt.number(more, lang)))
    return [t("kpi_restated_shown", lang, changes="; ".join(shown))]


def _value(unit: str, x: float, lang: str, currency: str) -> str:
    if unit == "eur":
        return fmt.money(x, lang, currency=currency, compact=abs(x) >= 10_000)
    if unit in ("rate", "ratio"):
        return fmt.percent(x, lang, 0)
    if unit == "factor":
        return f"{fmt.number(x, lang, 1)} : 1"
    return fmt.number(x, lang)
