"""Benchmark portfolio runs: N companies of the sample's size in parallel workers vs one after another.

Usage: python bench/portfolio.py [--companies 20] [--run all|NAME] [--period 2026-10] [--workers N]
Target (2 cores): the portfolio (`cmo-workbook run NAME --params f1 ... fN`, default workers = cores) takes
<= 0.7 x the wall time of running the same companies one after another (`cmo-workbook run NAME --params fi`
per company, as a cron script does today). Each company has its own params (name, reports folder) on the
sample data; each arm has its own KPI history, so the CLV cache helps both alike. Exit code 1 when missed.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.7


def _companies(folder: Path, n: int, history: Path) -> list[Path]:
    from cmo_workbook.sample.params import params_for

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(1, n + 1):
        path = folder / f"firma-{i:02d}.yaml"
        raw = params_for(path, ROOT / "data" / "sample", name=f"Firma {i:02d} GmbH", language="de" if i % 2 else "en")
        raw["history"] = {"dir": str(history)}
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        files.append(path)
    return files


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(cmds: list[list[str]], log: Path) -> tuple[float, float, list[int]]:
    """(wall seconds, CPU seconds of the waited-for processes, exit codes) of running ``cmds`` one after another."""
    codes = []
    started, cpu = time.perf_counter(), _cpu()
    with open(log, "ab") as fh:
        for cmd in cmds:
            codes.append(subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT).returncode)
    return time.perf_counter() - started, _cpu() - cpu, codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=20)
    parser.add_argument("--run", default="all", help="notebook or 'all' (default all: the monthly notebooks)")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--workers", type=int, help="portfolio workers (default: the number of cores)")
    args = parser.parse_args(argv)
    if not (ROOT / "data" / "sample").is_dir():
        subprocess.run([sys.executable, "-m", "cmo_workbook", "sample-data", "--out", str(ROOT / "data" / "sample")],
                       check=True, cwd=ROOT)
    cli = [sys.executable, "-m", "cmo_workbook", "run", args.run, "--period", args.period]
    with tempfile.TemporaryDirectory(prefix="bench-portfolio-") as tmp:
        tmp = Path(tmp)
        seq_files = _companies(tmp / "seq" / "params", args.companies, tmp / "seq" / "history")
        par_files = _companies(tmp / "par" / "params", args.companies, tmp / "par" / "history")
        log = tmp / "bench.log"
        seq, seq_cpu, seq_codes = _timed([cli + ["--params", str(f), "--reports", str(tmp / "seq" / "reports" / f.stem)]
                                 for f in seq_files], log)
        workers = ["--workers", str(args.workers)] if args.workers else []
        par, par_cpu, par_codes = _timed([cli + ["--params", *map(str, par_files), "--reports", str(tmp / "par" / "reports"),
                                        *workers]], log)
        if any(seq_codes) or any(par_codes):
            print(log.read_text(encoding="utf-8", errors="replace")[-4000:])
            print(f"runs failed: one after another {seq_codes}, portfolio {par_codes}")
            return 1
    ratio = par / seq
    ok = ratio <= TARGET
    cores = os.cpu_count()
    # CPU seconds do not depend on what else the machine runs: equal CPU means the workers add no work
    print("| run | companies | wall s | CPU s | notes |")
    print("|---|---:|---:|---:|---|")
    print(f"| one after another (`run {args.run}` per company) | {args.companies} | {seq:.1f} | {seq_cpu:.1f} | "
          f"{seq / args.companies:.1f} s per company |")
    print(f"| portfolio (`run {args.run} --params ...`, {args.workers or cores} workers) | {args.companies} | {par:.1f} | "
          f"{par_cpu:.1f} | wall ratio {ratio:.2f}, target <= {TARGET}: {'ok' if ok else 'MISSED'} ({cores} cores) |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
