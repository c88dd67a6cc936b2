"""A throwaway PostgreSQL cluster for the benchmarks (initdb + pg_ctl in a temp dir on 127.0.0.1).

``with cluster() as url:`` starts it on a free port (trust authentication, user ``postgres``) and
removes it afterwards. The binaries come from PATH, /usr/local/bin or Debian's
/usr/lib/postgresql/*/bin; as root the server runs as the user ``nobody`` (initdb refuses root).
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb


def binaries() -> Path:
    for folder in [os.path.dirname(shutil.which("initdb") or ""), "/usr/local/bin",
                   *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise SystemExit("PostgreSQL's initdb/pg_ctl not found: apt-get install postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def cluster(work_mem: str = "256MB") -> Iterator[str]:
    """A running server; yields its URL (``postgresql://postgres@127.0.0.1:PORT/postgres``)."""
    bin_dir = binaries()
    root = Path(tempfile.mkdtemp(prefix="cmo-pg-"))
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if as_user:
        os.chmod(root, 0o777)
    data, port = root / "data", _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, cwd=root)  # noqa: E731
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start", "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c work_mem={work_mem} "
            f"-c max_parallel_workers_per_gather=2 -c jit=off")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True, cwd=root)
        shutil.rmtree(root, ignore_errors=True)


def load_parquet(con, data: Path) -> None:
    """Tables ``touchpoints`` and ``outcomes`` from the bench's Parquet folder (CSV via server-side COPY)."""
    tables = {
        "touchpoints": 'lead_id bigint, "timestamp" timestamp, channel text, seq bigint',
        "outcomes": ("lead_id bigint, converted boolean, value double precision, conversion_date timestamp, "
                     "lead_created_date timestamp, opportunity_date timestamp"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        for name, columns in tables.items():
            csv = Path(tmp) / f"{name}.csv"
            duckdb.sql(f"COPY (SELECT * FROM read_parquet('{data}/{name}/*.parquet')) TO '{csv}' (HEADER false)")
            os.chmod(csv, 0o644)
            con.execute(f"CREATE TABLE {name} ({columns})")
            con.execute(f"COPY {name} FROM '{csv}' (FORMAT csv)")
            con.execute(f"ANALYZE {name}")
