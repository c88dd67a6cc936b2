"""Benchmark the demo pipeline: sample generation, validation (no kernel), and `run all` per cadence.

Usage: python bench/pipeline.py [--reports DIR]
Prints a Markdown table: seconds per step, peak RSS of this process, memo sizes.

   or: python bench/pipeline.py --against /work/wt/base8 [--pairs 3] [--period 2026-10]
Times ``cmo-workbook run all --period P`` of this checkout against another checkout (e.g. a worktree of an
older commit with its own data/), alternating A, B, A, B ... in fresh processes, because on a shared machine
only pairs taken at the same time compare. Prints wall and CPU seconds (user + sys of the runner and its
kernels) per run and the median ratios A/B.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_run(tree: Path, period: str, reports: Path) -> tuple[float, float]:
    """(wall, CPU seconds) of ``run all --period`` with ``tree``'s code, run from ``tree`` (its params, data and
    KPI history); CPU counts the runner and its kernels (children reaped by their parents are included)."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(tree / "lib")}
    env.pop("CMO_INPUT_CACHE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cmo_workbook", "run", "all", "--period", period,
                           "--reports", str(reports)], cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: run all failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(against: Path, pairs: int, period: str) -> int:
    """A (this checkout) vs B (``against``), alternating; medians of the per-pair ratios."""
    import statistics

    rows = []
    with tempfile.TemporaryDirectory(prefix="cmo-bench-pair-") as tmp:
        for i in range(pairs):
            a = timed_run(ROOT, period, Path(tmp) / f"a{i}")
            b = timed_run(against, period, Path(tmp) / f"b{i}")
            rows.append((a, b))
            print(f"pair {i + 1}: A {a[0]:.1f} s wall, {a[1]:.1f} CPU s | B {b[0]:.1f} s wall, {b[1]:.1f} CPU s | "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    wall = statistics.median(a[0] / b[0] for a, b in rows)
    cpu = statistics.median(a[1] / b[1] for a, b in rows)
    print(f"\nrun all --period {period}, {pairs} pairs: A = {ROOT}, B = {against}")
    print(f"median wall A {statistics.median(a[0] for a, _ in rows):.1f} s, B {statistics.median(b[0] for _, b in rows):.1f} s; "
          f"median ratio A/B {wall:.2f}")
    print(f"median CPU  A {statistics.median(a[1] for a, _ in rows):.1f} s, B {statistics.median(b[1] for _, b in rows):.1f} s; "
          f"median ratio A/B {cpu:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=None)
    parser.add_argument("--against", type=Path, default=None, help="another checkout to compare run all with")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--period", default="2026-10")
    args = parser.parse_args(argv)
    if args.against is not None:
        return compare(args.against.resolve(), args.pairs, args.period)
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
