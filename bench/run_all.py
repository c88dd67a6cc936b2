"""Run every benchmark and print their Markdown tables (`make bench`).

Targets (2 cores): attribution on 1,000,000 journeys — exact Markov <= 1 s, each rule-based model <= 2 s,
Shapley <= 5 s, peak memory <= 600 MB; voice of customer on 100,000 items <= 30 s, <= 1 GB;
KPI store per period <= 1 s (CLV results cached); the demo pipeline (`run all` for the month no slower
than before the KPI store: 11-13 s for the three monthly notebooks).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script, args in (("attribution.py", ["--isolate"]), ("voc.py", []), ("kpi_store.py", []), ("pipeline.py", [])):
        print(f"\n## {script} {' '.join(args)}\n", flush=True)
        proc = subprocess.run([sys.executable, str(BENCH / script), *args])
        status |= proc.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
