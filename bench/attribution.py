"""Benchmark of cmo_workbook.attribution on a large synthetic journey set.

Usage::

    python bench/attribution.py [--journeys 1000000] [--isolate] [--string-ids] [--repeat 3]

Generates journeys over 7 channels (path length 1-8, mean ~3.2, ~3 % conversion, ~3.2 M
touchpoint rows for 1 M journeys) with numpy, then times every model end to end from
the two DataFrames to the result (best of ``--repeat``). Peak memory is the process's
peak RSS (``ru_maxrss``); with ``--isolate`` each model runs in a fresh subprocess that
loads the pickled input, so its peak RSS is input + that model only.

Touchpoints use integer lead ids and a categorical channel column (the cheapest
faithful input); ``--string-ids`` uses text lead ids and text channels instead, which
adds the cost of hashing strings. Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cmo_workbook.attribution import MODELS, attribute

CHANNELS = np.array(["direct", "email", "events", "organic", "paid_search", "paid_social", "referral"])
CHANNEL_P = np.array([0.18, 0.12, 0.05, 0.22, 0.2, 0.15, 0.08])
CHANNEL_LIFT = np.array([0.0, 0.4, 1.2, 0.2, 0.5, 0.1, 0.8])  # log-odds lift per distinct channel
LENGTH_P = np.array([0.25, 0.2, 0.17, 0.13, 0.1, 0.07, 0.05, 0.03])
TARGETS = {"markov": 1.0, "shapley": 5.0}
RULE_TARGET = 2.0
MEMORY_TARGET_MB = 600.0


def generate(n_journeys: int, seed: int = 7, string_ids: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic touchpoints and outcomes, sorted by lead and time like a CRM export."""
    rng = np.random.default_rng(seed)
    lengths = rng.choice(np.arange(1, 9), size=n_journeys, p=LENGTH_P)
    n_touch = int(lengths.sum())
    lead = np.repeat(np.arange(n_journeys, dtype=np.int64), lengths)
    code = rng.choice(len(CHANNELS), size=n_touch, p=CHANNEL_P).astype(np.int8)
    starts = np.zeros(n_journeys, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])

    # Time: journey start within a quarter, gaps of up to ~5 days between touches.
    gap = rng.exponential(2 * 86_400, size=n_touch).astype(np.int64) * 10**9
    gap[starts] = rng.integers(0, 90 * 86_400, size=n_journeys) * 10**9
    ts = np.cumsum(gap) - np.repeat(np.cumsum(gap)[starts] - gap[starts], lengths)
    ts += np.datetime64("2024-01-01", "ns").astype(np.int64)

    mask = np.bitwise_or.reduceat(np.left_shift(1, code.astype(np.int64)), starts)
    lift = ((mask[:, None] >> np.arange(len(CHANNELS))) & 1) @ CHANNEL_LIFT
    converted = rng.random(n_journeys) < 1 / (1 + np.exp(-(-4.6 + lift)))
    value = np.where(converted, np.round(rng.lognormal(9.0, 0.8, n_journeys), 2), 0.0)
    last_ts = ts[starts + lengths - 1]
    conv_ts = np.where(converted, last_ts + rng.integers(0, 3 * 86_400, n_journeys) * 10**9, np.iinfo(np.int64).min)
    lead_ts = ts[starts] + 3_600 * 10**9
    opp_ts = np.where(converted, ts[starts + (lengths - 1) // 2], np.iinfo(np.int64).min)

    channel = pd.Categorical.from_codes(code, categories=CHANNELS)
    touchpoints = pd.DataFrame({"lead_id": lead, "timestamp": ts.view("datetime64[ns]"), "channel": channel})
    # 0.1 % extra converted leads without any touch (offline deals).
    extra = n_journeys // 1000
    outcomes = pd.DataFrame({
        "lead_id": np.arange(n_journeys + extra, dtype=np.int64),
        "converted": np.concatenate((converted, np.ones(extra, dtype=bool))),
        "value": np.concatenate((value, np.full(extra, 5_000.0))),
        "conversion_date": np.concatenate((conv_ts, np.full(extra, ts[0]))).view("datetime64[ns]"),
        "lead_created_date": np.concatenate((lead_ts, np.full(extra, ts[0]))).view("datetime64[ns]"),
        "opportunity_date": np.concatenate((opp_ts, np.full(extra, ts[0]))).view("datetime64[ns]"),
    })
    if string_ids:
        touchpoints["lead_id"] = touchpoints["lead_id"].astype("str")
        touchpoints["channel"] = touchpoints["channel"].astype("str")
        outcomes["lead_id"] = outcomes["lead_id"].astype("str")
    return touchpoints, outcomes


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def time_model(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, model: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        attribute(touchpoints, outcomes, model)
        best = min(best, time.perf_counter() - t0)
    return best


def child(path: str, model: str, repeat: int) -> None:
    """Entry of an isolated run: load the pickled input, time one model, print JSON."""
    touchpoints, outcomes = pd.read_pickle(path)
    seconds = time_model(touchpoints, outcomes, model, repeat)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--isolate", action="store_true", help="run each model in a fresh subprocess")
    parser.add_argument("--string-ids", action="store_true", help="text lead ids and channels")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--child", nargs=2, metavar=("PICKLE", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.repeat)
        return

    t0 = time.perf_counter()
    touchpoints, outcomes = generate(args.journeys, string_ids=args.string_ids)
    print(f"generated {len(outcomes):,} leads, {len(touchpoints):,} touchpoints, "
          f"{int(outcomes['converted'].sum()):,} conversions in {time.perf_counter() - t0:.1f} s; "
          f"input {(touchpoints.memory_usage(deep=True).sum() + outcomes.memory_usage(deep=True).sum()) / 2**20:.0f} MB; "
          f"peak RSS after generation {peak_mb():.0f} MB", file=sys.stderr)
    models = args.models.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "input.pkl")
        if args.isolate:
            pd.to_pickle((touchpoints, outcomes), path)
            del touchpoints, outcomes
        for model in models:
            if args.isolate:
                out = subprocess.run([sys.executable, __file__, "--repeat", str(args.repeat), "--child", path, model],
                                     check=True, capture_output=True, text=True).stdout
                res = json.loads(out.strip().splitlines()[-1])
                seconds, mb = res["seconds"], res["peak_mb"]
            else:
                seconds, mb = time_model(touchpoints, outcomes, model, args.repeat), peak_mb()
            target = TARGETS.get(model, RULE_TARGET)
            ok = seconds <= target and mb <= MEMORY_TARGET_MB
            rows.append((model, seconds, mb, target, ok))
            print(f"{model}: {seconds:.3f} s, {mb:.0f} MB", file=sys.stderr)

    kind = "isolated subprocess per model" if args.isolate else "one process, cumulative peak"
    print(f"\n{args.journeys:,} journeys, {'text' if args.string_ids else 'integer'} lead ids; "
          f"best of {args.repeat}; peak RSS: {kind}\n")
    print(f"| model | seconds | peak MB | target s / MB | pass |")
    print("|---|---:|---:|---:|---|")
    for model, seconds, mb, target, ok in rows:
        print(f"| {model} | {seconds:.3f} | {mb:.0f} | {target:.1f} / {MEMORY_TARGET_MB:.0f} | {'pass' if ok else 'FAIL'} |")


if __name__ == "__main__":
    main()
