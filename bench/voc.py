"""Benchmark: the VoC analysis on 100,000 feedback items end to end, and discovery on 10,000.

Builds the items by sampling and combining the labelled eval texts (seeded), adds PII to some and
a topic outside the taxonomy that doubles in the last month, writes them to a CSV in a temp dir,
reads it back with pandas and runs ``analyse`` (detect, pseudonymise, classify, FDR-flagged trends,
emerging terms, rising topics, candidate clusters, quotes, recommendations). Discovery alone
(emerging terms + rising topics + NMF candidates) is timed on a 10,000-item slice.
Targets (2 cores): end to end <= 15 s and peak RSS <= 600 MB; discovery on 10,000 items <= 3 s.
Prints a Markdown table (wall and CPU seconds: under load compare the CPU time); exit 1 when a target
is missed.

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
#: a topic outside the taxonomy: 2 % of items before the last month, 4 % in it
TOPIC = ("Die Outlook-Synchronisation legt Termine doppelt an.", "Outlook calendar sync shows the wrong time zone.",
         "Outlook-Kalender zeigt unsere Termine nicht an.")
TARGET_S, TARGET_MB, TARGET_DISCOVERY_S = 15.0, 600.0, 3.0


def build(n: int, seed: int = 42) -> pd.DataFrame:
    """``n`` items: one or two eval texts joined, an order number, PII on every 10th item."""
    rng = np.random.default_rng(seed)
    texts = pd.read_csv(EVAL, dtype=str, keep_default_na=False)["text"].to_numpy()
    first = texts[rng.integers(0, len(texts), n)]
    second = np.where(rng.random(n) < 0.4, texts[rng.integers(0, len(texts), n)], "")
    order = rng.integers(4_500_000, 4_599_999, n).astype(str)
    pii = np.where(np.arange(n) % 10 == 0, np.array(PII)[rng.integers(0, len(PII), n)], "")
    month = np.array(MONTHS)[np.minimum(np.arange(n) * len(MONTHS) // n, len(MONTHS) - 1)]
    topic = rng.random(n) < np.where(month == MONTHS[-1], 0.04, 0.02)
    first = np.where(topic, np.array(TOPIC)[rng.integers(0, len(TOPIC), n)], first)
    text = pd.Series(first) + " " + pd.Series(second) + " Auftrag " + pd.Series(order) + pd.Series(pii)
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


def discovery_seconds(n: int = 10_000) -> tuple[float, int]:
    """Seconds for discovery alone (emerging terms, rising topics, NMF candidates) on ``n`` items."""
    from cmo_workbook.voc.discovery import discover_candidates, rising_topics
    from cmo_workbook.voc.language import content_lemmas, detect_languages, tokenize
    from cmo_workbook.voc.signals import classify
    from cmo_workbook.voc.themes import load_taxonomy
    from cmo_workbook.voc.trends import emerging_terms

    frame = build(n, seed=7)
    texts = frame["text"].tolist()
    months = frame["date"].dt.strftime("%Y-%m").tolist()
    langs = detect_languages(texts)
    _, themes = classify(texts, load_taxonomy())
    docs = [content_lemmas(tokenize(t), lg) for t, lg in zip(texts, langs)]  # shared with classify in analyse
    t0 = time.perf_counter()
    now = [m == MONTHS[-1] for m in months]
    terms = emerging_terms([d for d, c in zip(docs, now) if c], [d for d, c in zip(docs, now) if not c])
    topics = rising_topics(frame["feedback_id"].tolist(), months, docs, texts, langs, themes, terms, month=MONTHS[-1],
                           previous=MONTHS[-2], baseline=list(MONTHS[:-1]))
    unmatched = [i for i, (t, c) in enumerate(zip(themes, now)) if c and not t]
    discover_candidates([frame["feedback_id"].iloc[i] for i in unmatched], [texts[i] for i in unmatched],
                        [langs[i] for i in unmatched])
    return time.perf_counter() - t0, len(topics)


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
        del frame
        timings["build + write CSV"] = time.perf_counter() - t0
        t1, cpu1 = time.perf_counter(), time.process_time()
        feedback = pd.read_csv(path, dtype={"feedback_id": str}, parse_dates=["date"])
        timings["read CSV"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = analyse(feedback, month="2026-10", known_names=["Anna Müller"])
    timings["analyse"] = time.perf_counter() - t2
    cpu = time.process_time() - cpu1  # user + sys: what a shared machine's load does not inflate much
    total = timings["read CSV"] + timings["analyse"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    leaked = result.items["text"].str.contains(r"Müller|@|\b0171 |DE89", regex=True).sum()
    disc_s, disc_topics = discovery_seconds()
    found = "Outlook" in " ".join(result.topics["label"])
    print("| step | value |\n|---|---|")
    print(f"| items | {len(feedback):,} |")
    for step, seconds in timings.items():
        print(f"| {step} | {seconds:.2f} s |")
    print(f"| read + analyse (target <= {TARGET_S:.0f} s) | {total:.2f} s |")
    print(f"| read + analyse, CPU time (user + sys) | {cpu:.2f} s |")
    print(f"| peak RSS (target <= {TARGET_MB:.0f} MB) | {peak_mb:.0f} MB |")
    print(f"| discovery on 10,000 items (target <= {TARGET_DISCOVERY_S:.0f} s) | {disc_s:.2f} s ({disc_topics} topics) |")
    print(f"| items in 2026-10 | {int((result.items['month'] == '2026-10').sum()):,} |")
    print(f"| coverage | {result.coverage:.1%} |")
    print(f"| themes / emerging terms / topics / candidates / quotes | {len(result.themes)} / {len(result.emerging_terms)} / "
          f"{len(result.topics)} / {len(result.candidates)} / {len(result.quotes)} |")
    print(f"| planted topic (2 % -> 4 %) found | {'yes: ' + result.topics['label'].iloc[0] if found else 'NO'} |")
    print(f"| texts with PII left | {leaked} |")
    ok = total <= TARGET_S and peak_mb <= TARGET_MB and disc_s <= TARGET_DISCOVERY_S and leaked == 0 and found
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
