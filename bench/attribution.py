"""Benchmark of cmo_workbook.attribution: speed on 1 M journeys and distance from the truth.

Usage::

    python bench/attribution.py [--journeys 1000000] [--isolate] [--integer-ids] [--repeat 3]
                                [--truth-journeys 200000] [--truth-seeds 3]

Speed: journeys from :mod:`synthetic` over 7 channels (~3.4 touches each, ~6 % conversion,
0.1 % converted leads without a touch) in the shape of a CRM export: text lead ids such as
``L-0000001`` and text channels. The notebook's calls (attribution_review.ipynb), the preparation
timed once on its own: leads and won deals go through ``crm.outcomes_from_crm(..., window=)``
(the review's four quarters, here 2025), the touchpoints through ``crm.prepare_touchpoints(...,
channels=, leads=)`` with the channels in a params order (not sorted: the attribution re-sorts
them); then every model is timed end to end from those two DataFrames to the result with the
review's ``lookback_days`` (365; best of ``--repeat``). Peak memory is the peak RSS
(``ru_maxrss``) of a fresh subprocess per model that loads the pickled input: input + that model
only (``--isolate`` is accepted for the old command line; isolation is always on).
``--integer-ids`` skips the text ids and the CRM tables.

Truth: on journeys whose causal effect per channel is known (see :mod:`synthetic`), each
model's credit shares against the true incremental shares: mean absolute distance over the
7 channels, and how much share the two wide-reach channels (display, paid social) get above
their true share. Mean over ``--truth-seeds`` data sets. Prints Markdown tables for the README.
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

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from cmo_workbook.attribution import MODELS, NO_TOUCHPOINT, attribute, attribute_all  # noqa: E402
from cmo_workbook.attribution.crm import outcomes_from_crm, prepare_touchpoints  # noqa: E402
from cmo_workbook.memos import attribution_review as review  # noqa: E402
from cmo_workbook.periods import Period  # noqa: E402

TARGET_SECONDS = 2.0
MEMORY_TARGET_MB = 600.0
REACH_CHANNELS = ["display", "paid_social"]
#: the channels as a company's params list them (marketing channels first), not in sorted order
PARAMS_CHANNELS = ["paid_search", "paid_social", "display", "email", "events", "organic", "direct"]
#: the review's attribution window: the four quarters to 2025-Q4, where the synthetic conversions lie
WINDOW = review.window(Period.parse("2025-Q4"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def time_model(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, model: str, repeat: int) -> tuple[float, float]:
    """Best wall-clock seconds of ``repeat`` runs and the CPU seconds of that run (this process, all threads)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        attribute(touchpoints, outcomes, model, lookback_days=review.LOOKBACK_DAYS)
        best = min(best, (time.perf_counter() - t0, time.process_time() - c0))
    return best


def child(path: str, model: str, repeat: int) -> None:
    """Entry of an isolated run: load the pickled input, time one model, print JSON."""
    touchpoints, outcomes = pd.read_pickle(path)
    seconds, cpu = time_model(touchpoints, outcomes, model, repeat)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}))


def crm_tables(outcomes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leads and won new-business deals (text ids) from which ``outcomes_from_crm`` rebuilds ``outcomes``."""
    ids = outcomes["lead_id"].astype(object).to_numpy()
    leads = pd.DataFrame({"lead_id": ids, "created_date": outcomes["lead_created_date"],
                          "opportunity_date": outcomes["opportunity_date"]})
    won = outcomes[outcomes["converted"]]
    deals = pd.DataFrame({"lead_id": won["lead_id"].astype(object).to_numpy(), "status": "won",
                          "amount": won["value"].to_numpy(), "close_date": won["conversion_date"].to_numpy(),
                          "created_date": won["opportunity_date"].to_numpy(), "deal_type": "New Business"})
    return leads, deals


def make_input(path: str, n_journeys: int, integer_ids: bool) -> None:
    """Entry of the input step: generate, prepare like the notebook, pickle; print JSON timings."""
    t0 = time.perf_counter()
    touchpoints, outcomes, _ = synthetic.generate(n_journeys, text_ids=not integer_ids, untouched=0.001)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    if not integer_ids:  # the notebook's path: CRM tables -> outcomes_from_crm, prepare_touchpoints(leads=)
        leads, deals = crm_tables(outcomes)
        outcomes = outcomes_from_crm(leads, deals, window=WINDOW)
        touchpoints = prepare_touchpoints(touchpoints, channels=PARAMS_CHANNELS, leads=leads)
    prep = time.perf_counter() - t0
    pd.to_pickle((touchpoints, outcomes), path)
    print(json.dumps({"generate": generated, "prepare": prep, "touches": len(touchpoints), "leads": len(outcomes),
                      "conversions": int(outcomes["converted"].sum()),
                      "input_mb": (touchpoints.memory_usage(deep=True).sum()
                                   + outcomes.memory_usage(deep=True).sum()) / 2**20}))


def _run(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def speed(args: argparse.Namespace) -> list[tuple]:
    """Time every model; the input and each model run in their own process.

    Linux keeps a process's peak RSS across ``exec``, so the parent never holds the data:
    each child's peak is the pickled input plus one model.
    """
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "input.pkl")
        info = _run("--make-input", path, "--journeys", str(args.journeys), *(["--integer-ids"] if args.integer_ids else []))
        print(f"generated {info['leads']:,} leads, {info['touches']:,} touchpoints, {info['conversions']:,} conversions "
              f"in {info['generate']:.1f} s; outcomes_from_crm + prepare_touchpoints {info['prepare']:.2f} s; input {info['input_mb']:.0f} MB",
              file=sys.stderr)
        for model in args.models.split(","):
            res = _run("--repeat", str(args.repeat), "--child", path, model)
            seconds, cpu, mb = res["seconds"], res["cpu"], res["peak_mb"]
            rows.append((model, seconds, cpu, mb, seconds <= TARGET_SECONDS and mb <= MEMORY_TARGET_MB))
            print(f"{model}: {seconds:.3f} s ({cpu:.3f} CPU s), {mb:.0f} MB", file=sys.stderr)
    load = os.getloadavg()[0]
    print(f"\n{args.journeys:,} journeys, {'integer' if args.integer_ids else 'text'} lead ids "
          f"(outcomes_from_crm + prepare_touchpoints once: {info['prepare']:.2f} s); lookback {review.LOOKBACK_DAYS} days; "
          f"best of {args.repeat}; peak RSS of a fresh process "
          f"per model; load average {load:.1f} on {os.cpu_count()} cores (wall time includes waiting for a CPU)\n")
    print("| model | seconds | CPU s | peak MB | target | pass |")
    print("|---|---:|---:|---:|---|---|")
    for model, seconds, cpu, mb, ok in rows:
        print(f"| {model} | {seconds:.2f} | {cpu:.2f} | {mb:.0f} | ≤ {TARGET_SECONDS:.0f} s, ≤ {MEMORY_TARGET_MB:.0f} MB "
              f"| {'pass' if ok else 'FAIL'} |")
    return rows


def truth_distance(n_journeys: int, seeds: int) -> pd.DataFrame:
    """Per model: mean absolute distance from the true incremental shares and reach over-credit (shares)."""
    out = []
    for seed in range(1, seeds + 1):
        touchpoints, outcomes, truth = synthetic.generate(n_journeys, seed)
        table = attribute_all(touchpoints, outcomes, MODELS, measure="conversions").drop(index=NO_TOUCHPOINT, errors="ignore")
        share = table / table.sum()
        out.append(pd.DataFrame({
            "distance": share.sub(truth, axis=0).abs().mean(),
            "reach_excess": share.loc[REACH_CHANNELS].sum() - truth[REACH_CHANNELS].sum(),
        }))
    return sum(out) / len(out)


def truth(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    res = truth_distance(args.truth_journeys, args.truth_seeds)
    _, _, shares = synthetic.generate(args.truth_journeys, 1)
    print(f"\nDistance from the truth: {args.truth_journeys:,} synthetic journeys x {args.truth_seeds} seeds "
          f"({time.perf_counter() - t0:.0f} s); true shares: "
          + ", ".join(f"{c} {v:+.0%}" for c, v in shares.items()) + "\n")
    print("| model | mean abs. distance from true shares (pp) | display + paid social: share above truth (pp) |")
    print("|---|---:|---:|")
    for model, r in res.sort_values("distance", kind="mergesort").iterrows():
        print(f"| {model} | {100 * r['distance']:.1f} | {100 * r['reach_excess']:+.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--isolate", action="store_true", help="(always on: every model runs in a fresh process)")
    parser.add_argument("--integer-ids", action="store_true", help="integer lead ids, categorical channels")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--truth-journeys", type=int, default=200_000, help="0: skip the truth table")
    parser.add_argument("--truth-seeds", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("PICKLE", "MODEL"), help=argparse.SUPPRESS)
    parser.add_argument("--make-input", metavar="PICKLE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_input:
        make_input(args.make_input, args.journeys, args.integer_ids)
        return
    if args.child:
        child(args.child[0], args.child[1], args.repeat)
        return
    rows = speed(args) if args.journeys else []
    if args.truth_journeys:
        truth(args)
    sys.exit(0 if all(row[-1] for row in rows) else 1)


if __name__ == "__main__":
    main()
