"""Two processes writing the KPI history (parallel companies, a second run) take turns instead of failing."""
from __future__ import annotations

import subprocess
import sys
import time

from cmo_workbook.metrics import history


def test_a_writer_waits_for_another_process_to_release_the_history(tmp_path):
    db = tmp_path / "kpi_history.duckdb"
    ready = tmp_path / "ready"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, pathlib, time\n"
        f"c = duckdb.connect({str(db)!r}); c.execute('create table held(x int)'); c.execute('insert into held values (7)')\n"
        f"pathlib.Path({str(ready)!r}).write_text('1'); time.sleep(2); c.close()\n")])
    try:
        while not ready.exists():
            assert holder.poll() is None, "the holder process died"
            time.sleep(0.05)
        con = history._connect(db)  # DuckDB refuses a second writer while the holder lives; we wait for it
        try:
            assert con.execute("select x from held").fetchall() == [(7,)]
        finally:
            con.close()
    finally:
        holder.wait(timeout=60)
    assert holder.returncode == 0


def test_other_io_errors_are_not_retried(tmp_path, monkeypatch):
    import pytest

    (tmp_path / "not-a-db.duckdb").write_text("this is not a database file")
    monkeypatch.setattr(history, "LOCK_WAIT_SECONDS", 600.0)
    with pytest.raises(Exception) as exc:
        history._connect(tmp_path / "not-a-db.duckdb")
    assert "lock" not in str(exc.value).lower()
