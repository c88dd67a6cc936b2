"""Candidate themes in feedback the taxonomy does not cover (TF-IDF on lemmas + NMF), for the analyst."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from .language import content_lemmas, tokenize

CANDIDATE_COLUMNS = ["candidate", "label", "top_terms", "size", "example_ids"]


def discover_candidates(ids: Sequence[str], texts: Sequence[str], languages: Sequence[str], *,
                        n_candidates: int = 5, min_size: int = 3, top_terms: int = 4, examples: int = 3,
                        random_state: int = 0) -> pd.DataFrame:
    """Cluster unmatched items into at most ``n_candidates`` candidate themes.

    Items are sorted by id first so the result does not depend on input order; NMF uses
    init='nndsvd' (deterministic) and a fixed ``random_state``. Each item joins its strongest
    component; candidates with fewer than ``min_size`` items are dropped. ``label`` joins the top
    terms; ``example_ids`` are the items loading most on the component. Empty frame when there is
    too little text.
    """
    frame = pd.DataFrame({"id": list(ids), "text": list(texts), "lang": list(languages)})
    frame = frame.sort_values("id", kind="mergesort").reset_index(drop=True)
    docs = [content_lemmas(tokenize(t), lang) for t, lang in zip(frame["text"], frame["lang"])]
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
