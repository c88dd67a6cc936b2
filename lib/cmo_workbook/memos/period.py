"""The step before a period's notebooks: KPI store, history, restatements, controlling workbook.

``prepare(ds, period, reports_dir, history_db)`` computes every catalogue metric once
(``reports/PERIOD/kpis.csv``), appends it to the KPI history (DuckDB, outside ``reports/``),
writes the restatements it found (``reports/PERIOD/restatements.csv``, said in the memos) and
the controlling workbook (``reports/PERIOD/Kennzahlen_PERIOD.xlsx``).
"""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
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
    restatements: pd.DataFrame
    seconds: float
    _workbook: Future | Path

    @property
    def workbook(self) -> Path:
        """The controlling workbook's path; waits for it when it is still being written."""
        return self._workbook.result() if isinstance(self._workbook, Future) else self._workbook


_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="controlling-xlsx")


def prepare(ds: Dataset, period: Period, reports_dir: Path, history_db: Path | None, *,
            background: bool = False) -> PeriodOutputs:
    """Compute and write the period's store, record it in the history, write the workbook.

    With ``background`` the workbook is written in a thread while the notebooks run (they never
    read it; the kernels are other processes), so it costs the run no time; ``workbook`` waits for it.
    """
    started = time.perf_counter()
    kpis = store.compute(ds, period, reports_dir, history_db.parent if history_db is not None else None)
    period_dir = Path(reports_dir) / str(period)
    restated = pd.DataFrame(columns=["metric", "window", "segment", "old_value", "new_value"])
    if history_db is not None:
        restated = history.record(history_db, history.company_key(ds.params), str(period), kpis.table)
    history.write_restatements(restated, period_dir)
    if background:
        xlsx: Future | Path = _WRITER.submit(controlling.write, kpis, ds, period, period_dir)
    else:
        xlsx = controlling.write(kpis, ds, period, period_dir)
    return PeriodOutputs(kpis, restated, time.perf_counter() - started, xlsx)
