"""Discovery: what customers talk about beyond the taxonomy.

* :func:`rising_topics` — topics that are new or rising this month, built from the significant
  emerging terms (taxonomy or not); the memo reports them with size, change and significance.
* :func:`discover_candidates` — clusters of the month's unmatched items (TF-IDF on lemmas + NMF),
  the raw material for ``cmo-workbook taxonomy suggest``/``promote``.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from .language import content_lemmas, tokenize

CANDIDATE_COLUMNS = ["candidate", "label", "top_terms", "size", "example_ids"]


def discover_candidates(ids: Sequence[str], texts: Sequence[str], languages: Sequence[str], *,
                        n_candidates: int = 5, min_size: int = 3, top_terms: int = 4, examples: int = 3,
                        random_state: int = 0, docs: Sequence[Sequence[str]] | None = None) -> pd.DataFrame:
    """Cluster unmatched items into at most ``n_candidates`` candidate themes.

    Items are sorted by id first so the result does not depend on input order; NMF uses
    init='nndsvd' (deterministic) and a fixed ``random_state``. Each item joins its strongest
    component; candidates with fewer than ``min_size`` items are dropped. ``label`` joins the top
    terms; ``example_ids`` are the items loading most on the component. Empty frame when there is
    too little text. ``docs``: the items' content lemmas when already computed (else read from the texts).
    """
    frame = pd.DataFrame({"id": list(ids), "text": list(texts), "lang": list(languages)})
    if docs is not None:
        frame["docs"] = pd.Series(list(docs), index=frame.index, dtype=object)
    frame = frame.sort_values("id", kind="mergesort").reset_index(drop=True)
    docs = (frame["docs"].tolist() if docs is not None
            else [content_lemmas(tokenize(t), lang) for t, lang in zip(frame["text"], frame["lang"])])
    # one-word items ("Top!", "Danke") carry no topic
    keep = [i for i, d in enumerate(docs) if len(d) >= 2]
    if len(keep) < max(min_size, 2):
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, min_df=2, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([docs[i] for i in keep])
    except ValueError:  # no term occurs in two items
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    k = min(n_candidates, matrix.shape[0] - 1, matrix.shape[1])
    if k < 1:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    model = NMF(n_components=k, init="nndsvd", random_state=random_state, max_iter=400)
    weights = model.fit_transform(matrix)
    terms = vectorizer.get_feature_names_out()
    best = weights.argmax(axis=1)
    strong = weights.max(axis=1) > 0
    rows = []
    for c in range(k):
        members = np.flatnonzero((best == c) & strong)
        if len(members) < min_size:
            continue
        order = np.argsort(-model.components_[c], kind="stable")[:top_terms]
        top = [str(terms[j]) for j in order if model.components_[c][j] > 0]
        ex = members[np.argsort(-weights[members, c], kind="stable")][:examples]
        rows.append({"label": " / ".join(top[:3]), "top_terms": tuple(top), "size": int(len(members)),
                     "example_ids": tuple(str(frame.loc[keep[i], "id"]) for i in ex)})
    rows.sort(key=lambda r: (-r["size"], r["label"]))
    for i, r in enumerate(rows, 1):
        r["candidate"] = f"C{i}"
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


TOPIC_COLUMNS = ["topic", "label", "terms", "n", "share", "n_prev", "n_baseline", "share_baseline", "delta_pp", "z",
                 "p_value", "q_value", "flag", "theme", "theme_share", "member_ids"]
_WORD = re.compile(r"[^\W\d_][\w\-]*")


def rising_topics(ids: Sequence[str], months: Sequence[str], docs: Sequence[Sequence[str]], texts: Sequence[str],
                  languages: Sequence[str], themes: Sequence[Sequence[str]], emerging: pd.DataFrame, *, month: str,
                  previous: str, baseline: Sequence[str], max_topics: int = 3, overlap: float = 0.5,
                  label_terms: int = 3) -> pd.DataFrame:
    """Topics built from the month's significant emerging terms, taxonomy or not, with their counts.

    Seeds are the FDR-significant ``emerging`` terms by z; a later seed whose items mostly (>=
    ``overlap``) lie inside an earlier topic joins that topic instead of making its own. A topic's
    members are the items carrying any of its terms; n / n_prev / n_baseline count them in the month,
    the previous month and the pooled ``baseline`` months (those with data), and ``compare_shares``
    tests the share (flags are set by the caller with the themes, one FDR family). ``label`` joins
    the most frequent surface forms of the seed and the words most typical of its members;
    ``theme`` is the taxonomy theme covering most members (``theme_share`` of them). Deterministic.
    """
    from .trends import compare_shares

    if emerging.empty:
        return pd.DataFrame(columns=TOPIC_COLUMNS)
    months = list(months)
    totals = Counter(months)
    total, total_prev = totals.get(month, 0), totals.get(previous, 0)
    total_base = sum(totals.get(m, 0) for m in baseline)
    seeds = emerging["term"].tolist()
    sets = [set(d) for d in docs]
    has = {t: frozenset(i for i, s in enumerate(sets) if t in s) for t in seeds}
    groups: list[list[str]] = []
    for term in seeds:
        home = next((g for g in groups if len(has[term] & _members(g, has)) >= overlap * len(has[term])), None)
        if home is not None:
            home.append(term)
        elif len(groups) < max_topics:
            groups.append([term])
    in_window = set(baseline) | {month}
    df_now = Counter(w for s, m in zip(sets, months) if m == month for w in s)
    rows = []
    for g in groups:
        members = sorted(i for i in _members(g, has) if months[i] in in_window)
        now = [i for i in members if months[i] == month]
        n = len(now)
        n_prev = sum(1 for i in members if months[i] == previous)
        n_base = sum(1 for i in members if months[i] in baseline)
        share = n / total if total else math.nan
        share_base = n_base / total_base if total_base else math.nan
        z, p, _ = compare_shares(n, total, n_base, total_base)
        # co-terms: frequent among the members and far more typical of them than of the month
        inside = Counter(w for i in now for w in sets[i])
        co = sorted((w for w, c in inside.items() if w not in g and c >= max(2, 0.3 * n)),
                    key=lambda w: (-inside[w] / (df_now[w] or 1) * inside[w], w))
        label_lemmas = (g + co)[:label_terms]
        theme_count = Counter(t for i in now for t in themes[i])
        theme, theme_n = min(theme_count.items(), key=lambda kv: (-kv[1], kv[0])) if theme_count else ("", 0)
        rows.append({"label": " / ".join(_surface(w, [texts[i] for i in now], [languages[i] for i in now])
                                         for w in label_lemmas),
                     "terms": tuple(g), "n": n, "share": share, "n_prev": n_prev, "n_baseline": n_base,
                     "share_baseline": share_base, "delta_pp": 100 * (share - share_base), "z": z, "p_value": p,
                     "q_value": math.nan, "flag": "stable", "theme": theme, "theme_share": theme_n / n if n else 0.0,
                     "member_ids": tuple(str(ids[i]) for i in now)})
    rows.sort(key=lambda r: (-r["z"] if not math.isnan(r["z"]) else 0.0, r["label"]))
    for k, r in enumerate(rows, 1):
        r["topic"] = f"T{k}"
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def _members(group: Sequence[str], has: dict[str, frozenset[int]]) -> frozenset[int]:
    out: frozenset[int] = frozenset()
    for t in group:
        out |= has[t]
    return out


def _surface(term: str, texts: Sequence[str], languages: Sequence[str]) -> str:
    """The spelling customers use most for a lemma ("WLAN" for 'wlan', "Ersatzteilportal")."""
    from .language import content_lemma

    seen: Counter[str] = Counter()
    for text, lang in zip(texts, languages):
        for w in _WORD.findall(text):
            if content_lemma(w.lower(), lang) == term:
                seen[w] += 1
    return min(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0] if seen else term
