"""Representative, de-duplicated, recent quotes per theme (plain text, pseudonymised upstream).

The memo renderer escapes HTML; quotes keep ``<script>`` as literal text so it can.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_NORMALISE = re.compile(r"[^\w]+")
ELLIPSIS = "…"
QUOTE_COLUMNS = ["theme", "rank", "feedback_id", "date", "source", "language", "text"]


def trim(text: str, max_len: int = 200) -> str:
    """``text`` cut to at most ``max_len`` characters at a sentence, else a word, boundary + '…'."""
    text = " ".join(str(text).split())
    if len(text) <= max_len:
        return text
    head = text[: max_len - 2]  # room for " …"
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ")]
    # a sentence end in the second half keeps a full thought; otherwise cut at the last space
    if ends and ends[-1] >= max_len // 2:
        return head[: ends[-1]].rstrip() + " " + ELLIPSIS
    cut = head.rfind(" ")
    head = head[:cut] if cut >= max_len // 2 else head
    return head.rstrip(" ,;:-–") + ELLIPSIS


def normalise(text: str) -> str:
    """Lower-case words only: equal for texts that differ in case, spacing, punctuation."""
    return _NORMALISE.sub(" ", str(text).lower()).strip()


def shingles(text: str, k: int = 3) -> frozenset[tuple[str, ...]]:
    """Word k-shingles of the normalised text (the text itself when shorter than k words)."""
    words = normalise(text).split()
    if len(words) < k:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i:i + k]) for i in range(len(words) - k + 1))


def near_duplicate(a: frozenset, b: frozenset, threshold: float = 0.5) -> bool:
    """Jaccard similarity of two shingle sets at or above ``threshold``."""
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


def select_quotes(items: pd.DataFrame, theme_keys: Sequence[str], *, per_theme: int = 3, min_len: int = 60,
                  max_len: int = 200, signal_of: dict[str, str] | None = None) -> pd.DataFrame:
    """Up to ``per_theme`` quotes per theme from ``items`` (feedback_id, date, source, language,
    text, themes, signals).

    Candidates: texts of at least ``min_len`` characters (after trimming to ``max_len``); items with
    fewer themes first, then those carrying the theme's own signal type (``signal_of``), then the
    most recent, then id.
    Near-duplicates (same normalised text or shingle Jaccard >= 0.5) are skipped, also across themes.
    """
    rows: list[dict] = []
    taken: list[frozenset] = []
    signal_of = signal_of or {}
    texts = items["text"].fillna("").astype(str)
    for key in theme_keys:
        mask = items["themes"].map(lambda t, k=key: k in t).astype(bool)
        cand = items.loc[mask].assign(qtext=texts[mask].map(lambda t: trim(t, max_len)))
        cand = cand.loc[cand["qtext"].str.len() >= min_len]
        if cand.empty:
            continue
        own = signal_of.get(key)
        cand = cand.assign(own_signal=cand["signals"].map(lambda s, o=own: o in s if o else False).astype(int),
                           n_themes=cand["themes"].map(len))
        # items about this theme alone quote it best; then the theme's own signal, then the most recent
        cand = cand.sort_values(["n_themes", "own_signal", "date", "feedback_id"],
                                ascending=[True, False, False, True], kind="mergesort")
        rank = 0
        for row in cand.itertuples(index=False):
            sh = shingles(row.qtext)
            if any(near_duplicate(sh, other) for other in taken):
                continue
            taken.append(sh)
            rank += 1
            rows.append({"theme": key, "rank": rank, "feedback_id": row.feedback_id, "date": row.date,
                         "source": row.source, "language": row.language, "text": row.qtext})
            if rank >= per_theme:
                break
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)
