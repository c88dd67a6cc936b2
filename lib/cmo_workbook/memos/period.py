"""The step before a period's notebooks: KPI store, history, restatements, controlling workbook.

``prepare(ds, period, reports_dir, history_db)`` computes every catalogue metric once
(``reports/PERIOD/kpis.csv``), appends it to the KPI history (DuckDB, outside ``reports/``),
writes the restatements it found (``reports/PERIOD/restatements.csv``, said in the memos) and
the controlling workbook (``reports/PERIOD/Kennzahlen_PERIOD.xlsx``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..inputs.loaders import Dataset
from ..metrics import history, store
from ..periods import Period
from . import controlling


@dataclass
class PeriodOutputs:
    store: store.KpiStore
    workbook: Path
    restatements: pd.DataFrame
    seconds: float


def prepare(ds: Dataset, period: Period, reports_dir: Path, history_db: Path | None) -> PeriodOutputs:
    """Compute and write the period's store, record it in the history, write the workbook."""
    started = time.perf_counter()
    kpis = store.compute(ds, period, reports_dir, history_db.parent if history_db is not None else None)
    period_dir = Path(reports_dir) / str(period)
    restated = pd.DataFrame(columns=["metric", "window", "segment", "old_value", "new_value"])
    if history_db is not None:
        restated = history.record(history_db, history.company_key(ds.params), str(period), kpis.table)
    history.write_restatements(restated, period_dir)
    xlsx = controlling.write(kpis, ds, period, period_dir)
    return PeriodOutputs(kpis, xlsx, restated, time.perf_counter() - started)
