"""Statistical quality on the sample company: goal-forecast backtest coverage and holdout power (`make bench`).

Usage: python bench/quality.py
Prints Markdown tables: per metric the share of historical outcomes inside the stated 80 % range
(rolling origins Jan-Sep 2026, horizons 1-3 months) with the errors of both candidate models, and
the power of a LinkedIn geo holdout by duration and share of regions.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.metrics import budget, experiments, goals
    from cmo_workbook.metrics.monthly import monthly

    t0 = time.perf_counter()
    ds = load_dataset(load_params(ROOT / "params" / "example.yaml"), ["leads", "deals", "spend", "touchpoints"])
    m = monthly(ds)
    t1 = time.perf_counter()
    table = goals.coverage_table(m, goals.BACKTEST_METRICS)
    t2 = time.perf_counter()
    print("### Goal forecasts: backtest of the stated 80 % range\n")
    print("| metric | aggregation | forecasts | inside 80 % range | MAE chosen | MAE trend only | MAE last year + change |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for _, r in table.iterrows():
        f = lambda v: "" if v != v else f"{v:,.1f}"  # noqa: E731
        print(f"| {r['metric']} | {r['aggregation']} | {r['n']} | {r['coverage']:.0%} | {f(r['mae'])} | "
              f"{f(r['mae_trend'])} | {f(r['mae_last_year'])} |")
    print(f"\nbacktest {t2 - t1:.1f} s (data load {t1 - t0:.1f} s)\n")

    print("### LinkedIn geo holdout: chance of detecting its effect (two-sided 5 %, Welch t)\n")
    d = budget.holdout_design(ds.leads, "linkedin", end=pd.Timestamp("2026-10-01"))
    print(f"effect = LinkedIn's own {d.effect_per_week:.1f} qualified inquiries a week (upper bound); weekly σ² of all "
          f"inquiries without fairs {d.sigma2:.1f}; {d.pre_weeks} weeks before the test; readable: {d.readable} "
          f"(missing: {d.missing or '-'})\n")
    shares = (0.2, 1 / 3, 0.5)
    print("| weeks | " + " | ".join(f"{s:.0%} of regions" for s in shares) + " |")
    print("|---:|" + "---:|" * len(shares))
    for w in (4, 8, 16, 26, 52):
        cells = [f"{experiments.power(d.effect_per_week, d.sigma2, s, w, d.pre_weeks):.0%}" for s in shares]
        print(f"| {w} | " + " | ".join(cells) + " |")
    need = {s: experiments.weeks_needed(d.effect_per_week, d.sigma2, s, d.pre_weeks) for s in shares}
    print("\nweeks for 80 %: " + ", ".join(f"{s:.0%} of regions: {need[s] or '> 520'}" for s in shares))
    return 0


if __name__ == "__main__":
    sys.exit(main())
