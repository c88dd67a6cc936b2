"""Benchmark the period step: KPI store for a month and a quarter, history and controlling workbook.

Usage: python bench/kpi_store.py [--repeat N]
Target (2 cores): computing the store for a period <= 1 s on the sample with the CLV model results
cached (every run after the first fit for a data version; the cache sits beside the KPI history).
The cold figure (both CLV models fitted) is printed too. Exit code 1 when the warm target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.memos.period import prepare
    from cmo_workbook.metrics import store
    from cmo_workbook.periods import Period

    ds = load_dataset(load_params(ROOT / "params" / "example.yaml"))
    rows, status = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for period in ("2026-10", "2026-Q3"):
            p = Period.parse(period)
            cache = tmp / f"cache-{period}"
            t = time.perf_counter()
            table = store.build(ds, p, cache_dir=cache)
            cold = time.perf_counter() - t
            warm = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                store.build(ds, p, cache_dir=cache)
                warm.append(time.perf_counter() - t)
            w = statistics.median(warm)
            ok = w <= TARGET_S
            status |= 0 if ok else 1
            rows.append((f"store {period} ({len(table)} values), CLV cached", w, f"target <= {TARGET_S:.0f} s: "
                         + ("ok" if ok else "MISSED")))
            rows.append((f"store {period}, cold (CLV models fitted)", cold, ""))
            t = time.perf_counter()
            out = prepare(ds, p, tmp / "reports", tmp / "history" / "kpi_history.duckdb")
            rows.append((f"period step {period}: store + history + {out.workbook.name}", time.perf_counter() - t, ""))
    print("| step | seconds | notes |")
    print("|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {note} |")
    return status


if __name__ == "__main__":
    sys.exit(main())
