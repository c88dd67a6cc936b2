"""Run every benchmark and print their Markdown tables (`make bench`).

Targets (2 cores): attribution on 1,000,000 journeys — exact Markov <= 1 s, each rule-based model <= 2 s,
Shapley <= 5 s, peak memory <= 600 MB; voice of customer on 100,000 items <= 15 s, <= 600 MB, its discovery on 10,000 items <= 3 s;
the demo pipeline for reference.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script, args in (("attribution.py", ["--isolate"]), ("voc.py", []), ("pipeline.py", [])):
        print(f"\n## {script} {' '.join(args)}\n", flush=True)
        proc = subprocess.run([sys.executable, str(BENCH / script), *args])
        status |= proc.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
