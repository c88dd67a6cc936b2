"""Benchmark the demo pipeline: sample generation, validation (no kernel), and `run all` per cadence.

Usage: python bench/pipeline.py [--reports DIR]
Prints a Markdown table: seconds per step, peak RSS of this process, memo sizes.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=None)
    args = parser.parse_args(argv)
    from cmo_workbook.sample import generate as sample_data
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.periods import Period
    from cmo_workbook.delivery.runner import Runner, RunOptions

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        sample_data.generate(Path(tmp) / "sample")
        rows.append(("generate sample data (10 files)", time.perf_counter() - t, ""))
    params = load_params(ROOT / "params" / "example.yaml")
    t = time.perf_counter()
    ds = load_dataset(params)
    n = sum(len(x) for x in ds.tables.values())
    rows.append((f"load + validate all inputs ({n:,} rows, no kernel)", time.perf_counter() - t, ""))
    reports = args.reports or Path(tempfile.mkdtemp(prefix="cmo-bench-"))
    for period in ("2026-10", "2026-Q3"):
        p = Period.parse(period)
        opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=p, reports_dir=reports,
                          history_dir=reports / "history")
        t = time.perf_counter()
        results = Runner(opts, say=lambda line: None).run_all(p.kind)
        sizes = ", ".join(f"{r.name} {r.memo.stat().st_size / 1024:.0f}/{r.eml.stat().st_size / 1024:.0f} KB"
                          for r in results if r.ok)
        failed = [r.name for r in results if not r.ok]
        rows.append((f"run all --period {period} ({len(results)} notebooks, one process)", time.perf_counter() - t,
                     sizes + (f"; FAILED: {failed}" if failed else "")))
    print("| step | seconds | notes (memo html/eml size) |")
    print("|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.1f} | {note} |")
    print(f"\npeak RSS of the runner process: {peak_mb():.0f} MB (kernels run in their own processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
