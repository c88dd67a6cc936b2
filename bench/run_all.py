"""Run every benchmark and print their Markdown tables (`make bench`).

Targets (2 cores): attribution on 1,000,000 journeys with text lead ids (the notebook's path) — every model,
rule-based, Markov of order 1-3 and conversion-rate Shapley, <= 2 s, peak memory <= 600 MB (the notebook's exact
Markov <= 0.3 s on an idle machine); attribution in SQL: 10 M journeys in Parquet via DuckDB <= 15 s and <= 1.5 GB,
1 M journeys pushed down to PostgreSQL <= 20 s (bench/attribution_scale.py; `--notebook`: the review's own calls on
that path, 1 M journeys, no bar of its own); plus each model's
distance from the true incremental shares on synthetic journeys; voice of customer on 100,000 items <= 15 s,
<= 600 MB, its discovery on 10,000 items <= 3 s; `validate` of a 200 MB leads CSV (860,000 rows) <= 30 s, <= 1 GB;
KPI store per period <= 1 s (CLV results cached); the demo pipeline (`run all` for the month no slower than
before the KPI store: 11-13 s for the three monthly notebooks); statistical quality (goal-forecast backtest
coverage of the stated 80 % range: 70-90 %; holdout power); a 20-company portfolio of the sample's size in parallel
workers <= 0.7 x the companies one after another.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script, args in (("attribution.py", ["--isolate"]), ("attribution_scale.py", []),
                         ("attribution_scale.py", ["--postgres"]), ("attribution_scale.py", ["--notebook"]),
                         ("voc.py", []), ("validate_memory.py", []),
                         ("kpi_store.py", []), ("pipeline.py", []), ("quality.py", []), ("portfolio.py", [])):
        print(f"\n## {script} {' '.join(args)}\n", flush=True)
        proc = subprocess.run([sys.executable, str(BENCH / script), *args])
        status |= proc.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
