"""Hand-made monthly frames in the shape of :func:`cmo_workbook.metrics.monthly.monthly` (for the KPI memo tests).

Not a test module: the guard and unit tests import it. Every value is chosen so a test can
derive the expected figure by hand.
"""
from __future__ import annotations

import pandas as pd


def months(first: str, last: str, **columns: object) -> pd.DataFrame:
    """A frame indexed by the months ``first``..``last``; a column is a constant, a list, or a
    dict month → value over a default of 0."""
    idx = pd.period_range(first, last, freq="M")
    data = {}
    for name, spec in columns.items():
        if isinstance(spec, dict):
            data[name] = [float(spec.get(str(p), 0.0)) for p in idx]
        elif isinstance(spec, (list, tuple)):
            assert len(spec) == len(idx), f"{name}: {len(spec)} values for {len(idx)} months"
            data[name] = [float(v) for v in spec]
        else:
            data[name] = [float(spec)] * len(idx)
    return pd.DataFrame(data, index=idx)


def kpi_month_frame() -> pd.DataFrame:
    """24 months 2024-11 .. 2026-10 of a small company; the report month is 2026-10.

    - spend 10 000 € every month;
    - marketing-sourced won revenue 40 000 € in 2025-11 .. 2026-10, 1 000 000 € in 2025-10
      (the month just outside the trailing 12 months of 2026-10) and 24 000 € before;
    - qualified leads 120 in 2026-10, 100 in 2026-09, 80 in 2025-10 (year ago), 60 in 2025-11, 50 otherwise;
    - SQL 60 in 2026-10 (acceptance 50 %), 50 in 2025-10;
    - pipeline 300 000 € in 2026-10, 250 000 € in 2026-09, 200 000 € in 2025-10, 100 000 € otherwise.
    """
    revenue = {str(p): 24_000 for p in pd.period_range("2024-11", "2025-09", freq="M")}
    revenue["2025-10"] = 1_000_000
    revenue.update({str(p): 40_000 for p in pd.period_range("2025-11", "2026-10", freq="M")})
    ql = {str(p): 50 for p in pd.period_range("2024-11", "2026-10", freq="M")}
    ql.update({"2026-10": 120, "2026-09": 100, "2025-10": 80, "2025-11": 60})
    sql = {k: v / 2 for k, v in ql.items()}
    pipe = {str(p): 100_000 for p in pd.period_range("2024-11", "2026-10", freq="M")}
    pipe.update({"2026-10": 300_000, "2026-09": 250_000, "2025-10": 200_000})
    df = months("2024-11", "2026-10", marketing_spend=10_000, marketing_won_revenue=revenue,
                qualified_leads=ql, sql=sql, marketing_pipeline_value=pipe)
    df["won_revenue"] = df["marketing_won_revenue"] * 2
    df["marketing_revenue_share"] = 0.5
    df["cost_per_qualified_lead"] = df["marketing_spend"] / df["qualified_leads"]
    return df


def fixture_leads(frame: pd.DataFrame) -> pd.DataFrame:
    """Marketing leads matching ``frame``: ``qualified_leads`` per month with an MQL date on the 2nd,
    ``sql`` of them accepted on the 3rd, the rest rejected (sales feedback) on the 3rd of the same month,
    so the cohort acceptance of every month is ``sql / qualified_leads`` (50 % in kpi_month_frame)."""
    rows = []
    for p, r in frame.iterrows():
        n, acc = int(r.get("qualified_leads", 0)), int(r.get("sql", 0))
        mql, decided = p.start_time + pd.Timedelta(days=1), p.start_time + pd.Timedelta(days=2)
        for i in range(n):
            rows.append({"channel": "web", "mql_date": mql, "sql_date": decided if i < acc else pd.NaT,
                         "sales_feedback_date": decided})
    cols = ["channel", "mql_date", "sql_date", "sales_feedback_date"]
    out = pd.DataFrame(rows, columns=cols)
    for c in cols[1:]:
        out[c] = pd.to_datetime(out[c])
    return out


def kpi_store(frame: pd.DataFrame | None = None, targets: dict | None = None, margin: float = 0.5,
              period: str = "2026-10", ramp_up_months: int | None = None, leads: pd.DataFrame | None = None,
              deals: pd.DataFrame | None = None, plan: pd.DataFrame | None = None,
              actuals: pd.DataFrame | None = None):
    """The period store (:func:`cmo_workbook.metrics.store.build`) on a hand-made monthly frame.

    The dataset's per-month inputs are replaced by ``frame`` (without ``deals`` CLV is empty and the ramp-up
    counts from the frame's first month; ``deals`` feed only the CLV model and the ramp-up start); leads for the cohort acceptance come from :func:`fixture_leads`.
    ``plan`` and ``actuals`` are controlling's tables (canonical columns of ``plan`` and ``company_actuals``).
    Returns a :class:`~cmo_workbook.metrics.store.KpiStore`.
    """
    from types import SimpleNamespace

    import pytest

    from cmo_workbook.metrics import store
    from cmo_workbook.metrics.catalogue import catalogue
    from cmo_workbook.periods import Period

    frame = kpi_month_frame() if frame is None else frame
    raw: dict = {"targets": dict(targets or {})}
    if ramp_up_months is not None:
        raw["kpis"] = {"params": {"ramp_up_months": ramp_up_months}}
    tables = {k: v for k, v in (("plan", plan), ("company_actuals", actuals)) if v is not None}
    ds = SimpleNamespace(params=SimpleNamespace(gross_margin=margin, marketing_channels=["web"], raw=raw, company={}),
                         leads=fixture_leads(frame) if leads is None else leads, deals=deals, tables=tables,
                         has=lambda name: name == "leads" or (name == "deals" and deals is not None) or name in tables)
    cat = catalogue(raw)
    per = Period.parse(period)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store, "monthly_inputs", lambda _ds: (frame, {}))
        table = store.build(ds, per, cat=cat)
    return store.KpiStore(table, per, cat)


def table_store(rows: list[dict], period: str = "2026-10", raw: dict | None = None):
    """A :class:`~cmo_workbook.metrics.store.KpiStore` straight from hand-written rows, as kpis.csv holds them.

    Each row is a dict with ``metric``, ``kind`` (window kind of ``period``: month, t3m, t12m, ytd, asof),
    ``value`` and optionally ``prev``, ``py``, ``target`` and ``segment``; the unit is the catalogue's and
    the comparison window ids are set only where a comparison value is given. For boundary tests where
    every figure is chosen by hand (no monthly frame, no store build in between).
    """
    import math

    from cmo_workbook.metrics import store
    from cmo_workbook.metrics.catalogue import catalogue
    from cmo_workbook.periods import Period

    per = Period.parse(period)
    cat = catalogue(raw or {})
    windows = {w.kind: w for w in store.base_windows(per)}
    table = []
    for r in rows:
        w = windows[r["kind"]]
        prev_w, py_w = store.comparison_windows(w, per.months)
        nan = math.nan
        table.append({"metric": r["metric"], "window": w.id, "window_kind": w.kind, "segment": r.get("segment", ""),
                      "value": float(r["value"]), "unit": cat[r["metric"]].unit, "reliable": True,
                      "prev_window": prev_w.id if "prev" in r and prev_w else "", "prev_value": float(r.get("prev", nan)),
                      "py_window": py_w.id if "py" in r else "", "py_value": float(r.get("py", nan)),
                      "target": float(r.get("target", nan))})
    return store.KpiStore(pd.DataFrame(table, columns=list(store.COLUMNS)), per, cat)
