"""The step before a period's notebooks: KPI store, history, restatements, controlling workbook.

``prepare(ds, period, reports_dir, history_db)`` computes every catalogue metric once,
appends it to the KPI history (DuckDB, outside ``reports/``), writes the restatements it found
(``reports/PERIOD/restatements.csv``, said in the memos), the store
(``reports/PERIOD/kpis.csv``) and the controlling workbook (``reports/PERIOD/Kennzahlen_PERIOD.xlsx``).

With ``background=True`` all of it runs in a thread while the first notebook's kernel starts:
a marker ``kpis.csv.pending`` tells :func:`cmo_workbook.metrics.store.load` in the kernel to wait
for the store instead of computing its own (the restatements are written before the store, so
a notebook that sees the store sees them too).
"""
from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..inputs.loaders import Dataset
from ..metrics import history, store
from ..metrics.catalogue import catalogue
from ..periods import Period
from . import controlling


@dataclass
class _Done:
    store: store.KpiStore
    restatements: pd.DataFrame
    seconds: float
    workbook: Path


class PeriodOutputs:
    """The period step's results; with a background step each attribute waits for it."""

    def __init__(self, result: _Done | Future):
        self._result = result

    def _get(self) -> _Done:
        return self._result.result() if isinstance(self._result, Future) else self._result

    @property
    def store(self) -> store.KpiStore:
        return self._get().store

    @property
    def restatements(self) -> pd.DataFrame:
        return self._get().restatements

    @property
    def seconds(self) -> float:
        return self._get().seconds

    @property
    def workbook(self) -> Path:
        return self._get().workbook


_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-period-step")


def _work(ds: Dataset, period: Period, reports_dir: Path, history_db: Path | None, marker: Path | None) -> _Done:
    started = time.perf_counter()
    try:
        cat = catalogue(ds.params.raw)
        table = store.build(ds, period, cat=cat, cache_dir=history_db.parent if history_db is not None else None)
        period_dir = Path(reports_dir) / str(period)
        period_dir.mkdir(parents=True, exist_ok=True)
        restated = pd.DataFrame(columns=["metric", "window", "segment", "old_value", "new_value"])
        if history_db is not None:
            restated = history.record(history_db, history.company_key(ds.params), str(period), table)
        history.write_restatements(restated, period_dir)
        path = store.write(table, reports_dir, period)  # last: a notebook that sees the store sees the rest
        kpis = store.KpiStore(store.read(path), period, cat, path)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    return _Done(kpis, restated, seconds, controlling.write(kpis, ds, period, period_dir))


def prepare(ds: Dataset, period: Period, reports_dir: Path, history_db: Path | None, *,
            background: bool = False) -> PeriodOutputs:
    """Compute and write the period's store, record it in the history, write the workbook."""
    if not background:
        return PeriodOutputs(_work(ds, period, reports_dir, history_db, None))
    marker = store.pending_marker(reports_dir, period)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()), encoding="utf-8")
    return PeriodOutputs(_WORKER.submit(_work, ds, period, reports_dir, history_db, marker))
