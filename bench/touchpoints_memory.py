"""Benchmark: peak memory of ``validate`` and of the attribution review with a large Parquet touchpoints table.

The sample company's params, its touchpoints entry replaced by the Parquet files of
``bench/scale_data.py`` (``journey_export`` preset; 1 M journeys are about 3.4 M touches). Each
step runs in a fresh child process and reports its peak RSS (``ru_maxrss``, DuckDB included):

- ``validate``: :func:`cmo_workbook.inputs.validate.validate` (load, check, profile, plausibility);
- ``review``: what the attribution review does with the touchpoints: load the four tables, the data
  profile, ``touches_for`` and its three calls (twelve models, the linear bootstrap with 200
  replicates, the linear model; the outcomes are the bench's, text ids) and the sourced/influenced
  pipeline of the quarter's new deals.

``--path memory`` runs the loader as before issue 13's engine tables (the touchpoints read into pandas:
``engine_table.takes`` answers no), ``--path engine`` as it is now.

    .venv/bin/python bench/touchpoints_memory.py [--journeys 1000000] [--path engine] [--path memory]

Measured 2026-12-02 (2 shared cores, load average 2.6-3.3):

| journeys (touches) | step | touchpoints | seconds | CPU s | peak MB |
|---|---|---|---:|---:|---:|
| 1 M (3.4 M) | validate | in the engine | 5.1 | 2.4 | 205 |
| 1 M (3.4 M) | validate | in pandas (before) | 87.9 | 44.9 | 1,749 |
| 1 M (3.4 M) | review | in the engine | 13.4 | 15.3 | 956 |
| 1 M (3.4 M) | review | in pandas (before) | 63.5 | 58.1 | 1,815 |
| 10 M (34 M) | validate | in the engine | 12.5 | 7.6 | 841 |
| 10 M (34 M) | review | in the engine, no memory limit (2026-12-02) | 163.0 | 169.8 | 6,285 |
| 10 M (34 M) | review | in the engine, memory_limit 1GB (2026-12-03, load 4.9) | 596.2 | 280.5 | 3,740 |

At 10 M the review's peak is the attribution itself, not the loader: the bench's 10 M outcomes as a pandas
frame with text ids, and DuckDB's memory on the connection ``touches_for`` uses: without a ``memory_limit``
it takes up to 80 % of the RAM; with the params' ``data.engine_memory_limit`` (default 1GB) it spills, which
costs CPU (281 against 170 CPU s). The pandas path was not run at
10 M (several GB).
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

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["leads", "deals", "touchpoints", "spend"]


def write_params(folder: Path, data: Path) -> Path:
    """The sample's params with the scale data's Parquet files as its touchpoints."""
    example = ROOT / "params" / "example.yaml"
    raw = yaml.safe_load(example.read_text(encoding="utf-8"))
    raw["data"]["dir"] = str((example.parent / raw["data"]["dir"]).resolve())
    for key in ("voc", "diary"):
        name = "taxonomy" if key == "voc" else "dir"
        raw[key][name] = str((example.parent / raw[key][name]).resolve())
    raw["data"]["touchpoints"] = [{"file": str(p), "preset": "journey_export"}
                                  for p in sorted((data / "touchpoints").glob("*.parquet"))]
    out = folder / "params.yaml"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def child(step: str, path: str, params_path: Path, data: Path) -> dict:
    from cmo_workbook.inputs import engine_table

    if path == "memory":
        engine_table.takes = lambda params: False
    t0 = time.perf_counter()
    if step == "validate":
        from cmo_workbook.inputs.validate import validate

        validate(params_path, say=lambda line: None)
    else:
        import duckdb

        from cmo_workbook.attribution.source import touches_for
        from cmo_workbook.inputs.loaders import load_dataset
        from cmo_workbook.inputs.params import load_params
        from cmo_workbook.memos import attribution_review as review
        from cmo_workbook.metrics import funnel
        from cmo_workbook.periods import Period

        params = load_params(params_path)
        ds = load_dataset(params, TABLES)
        ds.profile()
        outcomes = duckdb.sql(f"SELECT * FROM read_parquet('{data}/outcomes/*.parquet')").df()
        outcomes["lead_id"] = outcomes["lead_id"].astype("string")
        touches = touches_for(ds, channels=params.marketing_channels)
        opts = dict(lookback_days=review.LOOKBACK_DAYS)
        touches.attribute_all(outcomes, review.SPREAD_MODELS, **opts)
        touches.bootstrap(outcomes, review.PRIMARY_MODEL, n_boot=200, seed=20240101, **opts)
        touches.attribute(outcomes, review.PRIMARY_MODEL, **opts)
        P = Period.parse("2026-Q3")
        created = ds.deals[P.contains(ds.deals["created_date"])]
        funnel.sourced_vs_influenced(created, ds.touchpoints, marketing_channels=params.marketing_channels,
                                     leads=ds.leads)
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--path", action="append", choices=("engine", "memory"))
    parser.add_argument("--step", action="append", choices=("validate", "review"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = scale_data.ensure(args.journeys)
    if args.child:
        step, path, params_path = args.child
        print(json.dumps(child(step, path, Path(params_path), data)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        params_path = write_params(Path(tmp), data)
        for step in args.step or ["validate", "review"]:
            for path in args.path or ["engine", "memory"]:
                cmd = [sys.executable, __file__, "--journeys", str(args.journeys), "--child", step, path,
                       str(params_path)]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                rows.append((step, path, json.loads(out.strip().splitlines()[-1])))
    print(f"\n{args.journeys:,} journeys of touchpoints in Parquet; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores\n")
    print("| step | touchpoints | seconds | CPU s | peak MB |")
    print("|---|---|---:|---:|---:|")
    for step, path, res in rows:
        where = "in the engine" if path == "engine" else "in pandas (before)"
        print(f"| {step} | {where} | {res['seconds']:.1f} | {res['cpu']:.1f} | {res['peak_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
