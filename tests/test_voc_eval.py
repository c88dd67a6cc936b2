"""Precision/recall of signal types and themes on the held-out half of the labelled VoC set.

Cue lists and taxonomy were tuned on the 'tune' half only. Run with -s to see the table.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.voc.language import detect_languages
from cmo_workbook.voc.signals import SIGNAL_TYPES, classify
from cmo_workbook.voc.themes import load_taxonomy

EVAL = Path(__file__).parent / "data" / "voc_eval.csv"


def _labels(cell: str) -> set[str]:
    return {x for x in str(cell).split("|") if x}


def per_class(gold: list[set[str]], pred: list[set[str]], classes) -> pd.DataFrame:
    rows = []
    for c in classes:
        tp = sum(c in g and c in p for g, p in zip(gold, pred))
        fp = sum(c not in g and c in p for g, p in zip(gold, pred))
        fn = sum(c in g and c not in p for g, p in zip(gold, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"class": c, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
                     "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def heldout():
    data = pd.read_csv(EVAL, dtype=str, keep_default_na=False)
    taxonomy = load_taxonomy()
    part = data.loc[data["split"] == "heldout"].reset_index(drop=True)
    signals, themes = classify(part["text"], taxonomy)
    return data, part, taxonomy, signals, themes


def test_eval_set_shape():
    data = pd.read_csv(EVAL, dtype=str, keep_default_na=False)
    assert len(data) >= 300
    assert data["id"].is_unique and data["text"].is_unique
    assert set(data["split"]) == {"tune", "heldout"}
    assert 0.4 <= (data["split"] == "heldout").mean() <= 0.6
    assert set(data["lang"]) == {"de", "en"}
    known = set(SIGNAL_TYPES)
    assert set().union(*map(_labels, data["signals"])) <= known


def test_signal_types_macro_f1(heldout):
    _, part, _, signals, _ = heldout
    table = per_class([_labels(s) for s in part["signals"]], [set(s) for s in signals], SIGNAL_TYPES)
    print("\nSignal types, held-out (n = %d)\n" % len(part) + table.to_string(index=False, float_format="%.2f"))
    print("macro-F1 = %.3f" % table["f1"].mean())
    assert table["f1"].mean() >= 0.85


def test_themes_macro_f1(heldout):
    _, part, taxonomy, _, themes = heldout
    keys = [t["key"] for t in taxonomy["themes"]]
    table = per_class([_labels(s) for s in part["themes"]], [set(t) for t in themes], keys)
    print("\nThemes, held-out (n = %d)\n" % len(part) + table.to_string(index=False, float_format="%.2f"))
    print("macro-F1 = %.3f" % table["f1"].mean())
    assert table["f1"].mean() >= 0.80


def test_language_detection_accuracy(heldout):
    _, part, *_ = heldout
    detected = detect_languages(part["text"])
    accuracy = sum(d == g for d, g in zip(detected, part["lang"])) / len(part)
    print(f"\nlanguage accuracy (held-out): {accuracy:.3f}")
    assert accuracy >= 0.9
