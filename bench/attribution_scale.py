"""Scale benchmark: journeys in Parquet -> exact Markov (orders 1-3), all rule models and Shapley in DuckDB.

Usage::

    python bench/attribution_scale.py [--journeys 10000000] [--threads 2] [--memory-limit 1GB]
    python bench/attribution_scale.py --postgres [--journeys 1000000]

The data (``bench/scale_data.py``, cached in bench/.data/) are read where they lie:
``read_parquet('.../touchpoints/*.parquet')``; :func:`cmo_workbook.attribution.sql.attribute_sql`
runs the journeys, transition counts and rule sums in SQL and Python gets only aggregates.
Targets: 10 M journeys (about 34 M touchpoints) <= 15 s and <= 1.5 GB peak RSS on 2 cores (the
child process's ``ru_maxrss``: DuckDB's memory included); PostgreSQL (a throwaway cluster,
``bench/pg_cluster.py``, loaded with 1 M journeys by COPY, load time not counted) <= 20 s; it needs
psycopg (``pip install psycopg[binary]``, pinned with the SQL table sources).

Where the time goes (10 M journeys, DuckDB, 2 threads, measured under load: CPU seconds of the
child, DuckDB's threads included): the outcome checks 3.9 (``count(DISTINCT lead_id)`` over 10 M
outcome rows: the duplicate refusal), the journeys statement 24.5 (one window pass numbering 34 M
touches, the ``GROUP BY`` lead that packs 10 M paths, the channel sets and the decoded Markov
contexts), the rule models 6.8 (converted touches only; DuckDB pushes the join with the converted
outcomes into the Parquet scan). Before (three scans, two window sorts of all touches for the
collapsed Markov paths) 59 CPU s; now about 36-41. The 1 M run costs about 3 CPU s (was 4.8-5.2):
the 10 M run grows faster than linearly (the 10 M-group aggregate and the window sort spill past
``memory_limit``). Next steps, not done: the sort itself (DuckDB's window operator costs about
twice a plain ``ORDER BY``; a Parquet file sorted by lead would not help, DuckDB sorts anyway);
a cheaper duplicate check; integer lead codes for text ids (the sort and the aggregate hash the
text otherwise); PostgreSQL with a temp table and parallel workers (the statements here are
read-only so that they run on a hot-standby replica).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_data  # noqa: E402

from cmo_workbook.attribution import MODELS  # noqa: E402
from cmo_workbook.attribution.sql import attribute_sql  # noqa: E402

TARGET_SECONDS = {"duckdb": 15.0, "postgres": 20.0}
MEMORY_TARGET_MB = 1536.0


def run_duckdb(n_journeys: int, threads: int, memory_limit: str, order_by: str | None) -> dict:
    import duckdb

    data = scale_data.ensure(n_journeys)
    with tempfile.TemporaryDirectory() as spill:
        con = duckdb.connect()
        con.execute(f"SET threads = {threads}; SET memory_limit = '{memory_limit}'; "
                    f"SET preserve_insertion_order = false; SET temp_directory = '{spill}'")
        t0, c0 = time.perf_counter(), time.process_time()
        table = attribute_sql(con, f"read_parquet('{data}/touchpoints/*.parquet')",
                              f"read_parquet('{data}/outcomes/*.parquet')", MODELS, order_by=order_by)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        touches = con.execute(f"SELECT count(*) FROM read_parquet('{data}/touchpoints/*.parquet')").fetchone()[0]
    return {"seconds": seconds, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "touches": touches, "total": float(table["markov"].sum())}


def run_postgres(n_journeys: int, order_by: str | None) -> dict:
    try:
        import psycopg
    except ImportError:
        raise SystemExit("the PostgreSQL variant needs psycopg: pip install 'psycopg[binary]'") from None

    import pg_cluster

    data = scale_data.ensure(n_journeys)
    with pg_cluster.cluster() as url:
        with psycopg.connect(url, autocommit=True) as con:
            pg_cluster.load_parquet(con, data)
            t0, c0 = time.perf_counter(), time.process_time()
            table = attribute_sql(con, "touchpoints", "outcomes", MODELS, order_by=order_by)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            touches = con.execute("SELECT count(*) FROM touchpoints").fetchone()[0]
    return {"seconds": seconds, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "touches": touches, "total": float(table["markov"].sum())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB's memory_limit (it spills beyond)")
    parser.add_argument("--postgres", action="store_true", help="the same models pushed down to PostgreSQL")
    parser.add_argument("--order-by", default=None, metavar="COLUMN",
                        help="tie-break column for touches at the same time (the data's export order: seq); "
                             "without it ties go by channel code and DuckDB sorts one key instead of two")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    engine = "postgres" if args.postgres else "duckdb"
    n = args.journeys or (1_000_000 if args.postgres else 10_000_000)
    if args.child:
        res = (run_postgres(n, args.order_by) if args.postgres
               else run_duckdb(n, args.threads, args.memory_limit, args.order_by))
        print(json.dumps(res))
        return 0
    scale_data.ensure(n)  # generate outside the measured process
    cmd = [sys.executable, __file__, "--child", "--journeys", str(n), "--threads", str(args.threads),
           "--memory-limit", args.memory_limit, *(["--postgres"] if args.postgres else []),
           *(["--order-by", args.order_by] if args.order_by else [])]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    ok = res["seconds"] <= TARGET_SECONDS[engine] and res["peak_mb"] <= MEMORY_TARGET_MB
    load = os.getloadavg()[0]
    print(f"\n{n:,} journeys, {res['touches']:,} touchpoints, {engine}, all {len(MODELS)} models, "
          f"order_by={args.order_by}; load average "
          f"{load:.1f} on {os.cpu_count()} cores (wall time includes waiting for a CPU)\n")
    print("| engine | journeys | seconds | CPU s (Python process) | peak MB | target | pass |")
    print("|---|---:|---:|---:|---:|---|---|")
    print(f"| {engine} | {n:,} | {res['seconds']:.1f} | {res['cpu']:.1f} | {res['peak_mb']:.0f} "
          f"| ≤ {TARGET_SECONDS[engine]:.0f} s, ≤ {MEMORY_TARGET_MB:.0f} MB | {'pass' if ok else 'FAIL'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
