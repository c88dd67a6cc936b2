"""Benchmark: the VoC analysis on 100,000 feedback items end to end.

Builds the items by sampling and combining the labelled eval texts (seeded), adds PII to some,
writes them to a CSV in a temp dir, reads it back with pandas and runs ``analyse`` (detect,
pseudonymise, classify, trends, emerging terms, discovery, quotes, recommendations).
Targets: <= 30 s wall time on 2 cores, peak RSS <= 1 GB. Prints a Markdown table.

    .venv/bin/python bench/voc.py [--n 100000]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cmo_workbook.voc import analyse

EVAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "voc_eval.csv"
MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")
PII = (" Rückruf an Anna Müller unter 0171 1234567.", " Mail: a.mueller@kunde-gmbh.de",
       " IBAN DE89 3704 0044 0532 0130 00", " Lieferadresse Hauptstraße 12, 74072 Heilbronn.",
       " Call Mr Smith on +44 20 7946 0958.")
SOURCES = np.array(["Support-Ticket", "Vertriebsgespräch", "NPS-Umfrage", "Bewertung"])


def build(n: int, seed: int = 42) -> pd.DataFrame:
    """``n`` items: one or two eval texts joined, an order number, PII on every 10th item."""
    rng = np.random.default_rng(seed)
    texts = pd.read_csv(EVAL, dtype=str, keep_default_na=False)["text"].to_numpy()
    first = texts[rng.integers(0, len(texts), n)]
    second = np.where(rng.random(n) < 0.4, texts[rng.integers(0, len(texts), n)], "")
    order = rng.integers(4_500_000, 4_599_999, n).astype(str)
    pii = np.where(np.arange(n) % 10 == 0, np.array(PII)[rng.integers(0, len(PII), n)], "")
    text = pd.Series(first) + " " + pd.Series(second) + " Auftrag " + pd.Series(order) + pd.Series(pii)
    month = np.array(MONTHS)[np.minimum(np.arange(n) * len(MONTHS) // n, len(MONTHS) - 1)]
    day = rng.integers(1, 29, n)
    score = rng.integers(0, 11, n).astype(float)
    is_nps = rng.random(n) < 0.25
    return pd.DataFrame({
        "feedback_id": [f"FB{i:07d}" for i in range(n)],
        "date": pd.to_datetime([f"{m}-{d:02d}" for m, d in zip(month, day)]),
        "source": SOURCES[rng.integers(0, len(SOURCES), n)],
        "text": text.str.strip(),
        "score": np.where(is_nps, score, np.nan),
        "score_scale": np.where(is_nps, "nps_0_10", None),
        "contact_name": np.where(pii != "", "Anna Müller", None),
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    frame = build(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.csv"
        frame.to_csv(path, index=False)
        timings["build + write CSV"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        feedback = pd.read_csv(path, dtype={"feedback_id": str}, parse_dates=["date"])
        timings["read CSV"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = analyse(feedback, month="2026-10", known_names=["Anna Müller"])
    timings["analyse"] = time.perf_counter() - t2
    total = timings["read CSV"] + timings["analyse"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    leaked = result.items["text"].str.contains(r"Müller|@|\b0171 |DE89", regex=True).sum()
    print(f"| step | value |\n|---|---|")
    print(f"| items | {len(feedback):,} |")
    for step, seconds in timings.items():
        print(f"| {step} | {seconds:.2f} s |")
    print(f"| read + analyse (target <= 30 s) | {total:.2f} s |")
    print(f"| peak RSS (target <= 1024 MB) | {peak_mb:.0f} MB |")
    print(f"| items in 2026-10 | {int((result.items['month'] == '2026-10').sum()):,} |")
    print(f"| coverage | {result.coverage:.1%} |")
    print(f"| themes / emerging terms / candidates / quotes | {len(result.themes)} / {len(result.emerging_terms)} / "
          f"{len(result.candidates)} / {len(result.quotes)} |")
    print(f"| texts with PII left | {leaked} |")
    return 0 if total <= 30 and peak_mb <= 1024 and leaked == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
