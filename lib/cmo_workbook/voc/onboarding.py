"""Taxonomy onboarding: draft a taxonomy from a company's own feedback, check how much of the data it
covers, and promote a discovered topic into it (``cmo-workbook taxonomy suggest|promote``).

Deterministic and offline (TF-IDF + NMF with a fixed seed, no model download). A draft is a start
for the analyst, not a finished taxonomy: labels are built from the top terms and owners are
placeholders; the signal cues and recommendation rules are the bundled (generic) ones.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import ParamsError
from ..inputs.params import Params
from .discovery import _surface
from .language import content_lemmas, detect_languages, tokenize
from .privacy import pseudonymise_many
from .signals import classify
from .themes import DEFAULT_TAXONOMY, coverage, load_taxonomy

#: below this share of matched items ``validate`` warns that the taxonomy does not fit the data
COVERAGE_WARN = 0.5
_SLUG = re.compile(r"[^a-z0-9]+")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def taxonomy_path(params: Params) -> Path:
    """The company's taxonomy: params ``voc.taxonomy`` (relative to the params file), else the bundled one."""
    raw = (params.raw.get("voc") or {}).get("taxonomy")
    return (params.path.parent / str(raw)).resolve() if raw else DEFAULT_TAXONOMY


def _texts(feedback: pd.DataFrame) -> list[str]:
    text = feedback["text"].astype("string").fillna("") if "text" in feedback else pd.Series("", index=feedback.index)
    if "title" in feedback:
        title = feedback["title"].astype("string").fillna("")
        text = (title + ". " + text).where(title.str.len() > 0, text)
    names = [str(n) for n in feedback["contact_name"].dropna().unique()] if "contact_name" in feedback else []
    return pseudonymise_many(text.astype(str).tolist(), known_names=names)


def coverage_report(feedback: pd.DataFrame, taxonomy: Mapping[str, Any] | str | Path | None = None) -> dict[str, Any]:
    """Share of all feedback items the taxonomy's themes match, with n and the taxonomy version."""
    tax = load_taxonomy(taxonomy)
    _, themes = classify(_texts(feedback), tax)
    return {"coverage": coverage(themes), "n": len(themes), "version": str(tax["version"])}


def coverage_warnings(params: Params, dataset: Any, threshold: float = COVERAGE_WARN) -> list[str]:
    """``validate`` check: a warning line when the taxonomy covers less than ``threshold`` of the feedback."""
    feedback = getattr(dataset, "feedback", None)
    if feedback is None or not len(feedback):
        return []
    path = taxonomy_path(params)
    rep = coverage_report(feedback, path)
    if rep["coverage"] >= threshold:
        return []
    try:
        shown = path.relative_to(params.path.parent.resolve())
    except ValueError:
        shown = path
    return [f"VoC taxonomy {shown} (version {rep['version']}) matches only {rep['coverage']:.0%} of "
            f"{rep['n']:,} feedback items (< {threshold:.0%}): the memo will say its picture is partial. Draft a "
            f"taxonomy from your own feedback: cmo-workbook taxonomy suggest --params {params.relpath()} --out "
            "voc_taxonomy_draft.yaml, edit it, then set voc.taxonomy in the params."]


def taxonomy_notes(params: Params, dataset: Any) -> list[tuple[str, str]]:
    """``validate`` note: without ``voc.taxonomy`` in the params the VoC memo sorts the feedback into the bundled
    taxonomy's themes, written for a drive-technology maker (gearboxes, spare parts, configurator), with its
    coverage of this feedback and how to draft one of the company's own."""
    feedback = getattr(dataset, "feedback", None)
    if feedback is None or not len(feedback) or (params.raw.get("voc") or {}).get("taxonomy"):
        return []
    rep = coverage_report(feedback, DEFAULT_TAXONOMY)
    return [("feedback", f"no voc.taxonomy in the params: the VoC memo uses the bundled theme taxonomy of a "
             f"drive-technology maker (params/voc_taxonomy.yaml, version {rep['version']}; it matches "
             f"{rep['coverage']:.0%} of the {rep['n']:,} feedback items); for themes of your own business draft one: "
             f"cmo-workbook taxonomy suggest --params {params.relpath()} --out voc_taxonomy_draft.yaml, edit it, "
             "then set voc.taxonomy in the params")]


def _slug(text: str) -> str:
    return _SLUG.sub("_", text.lower().translate(_FOLD)).strip("_")[:40] or "theme"


def suggest_taxonomy(feedback: pd.DataFrame, *, n_themes: int = 8, n_terms: int = 8, seed: int = 0,
                     base: Mapping[str, Any] | str | Path | None = None) -> dict[str, Any]:
    """A draft taxonomy (themes with key, de/en labels, de/en terms) from ``feedback`` itself.

    NMF on TF-IDF of the items' content lemmas (pseudonymised first); each component becomes a
    theme with its top terms, split by the language of the items they occur in. ``signal_type`` is
    the members' most common signal (complaint, question, ...); ``owner`` is "marketing" for the
    analyst to change. Signals and recommendation rules are copied from ``base`` (the bundled
    taxonomy by default) so the draft loads as it is.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    frame = feedback.copy()
    frame["feedback_id"] = frame["feedback_id"].astype(str) if "feedback_id" in frame else range(len(frame))
    frame = frame.sort_values("feedback_id", kind="mergesort").reset_index(drop=True)
    texts = _texts(frame)
    langs = detect_languages(texts)
    docs = [content_lemmas(tokenize(t), lg) for t, lg in zip(texts, langs)]
    keep = [i for i, d in enumerate(docs) if len(d) >= 2]
    if len(keep) < 10:
        raise ParamsError(f"taxonomy suggest: only {len(keep)} feedback items with text; a draft needs at least 10 "
                          "(export more months or write the taxonomy by hand)")
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, min_df=max(2, len(keep) // 500), max_df=0.3, sublinear_tf=True)
    matrix = vectorizer.fit_transform([docs[i] for i in keep])
    k = max(1, min(n_themes, matrix.shape[0] - 1, matrix.shape[1]))
    model = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=400)
    weights = model.fit_transform(matrix)
    terms = vectorizer.get_feature_names_out()
    best = weights.argmax(axis=1)
    base_tax = load_taxonomy(base)
    signals, _ = classify([texts[i] for i in keep], base_tax)
    themes, seen = [], set()
    for c in np.argsort(-np.bincount(best, minlength=k), kind="stable"):
        members = np.flatnonzero(best == c)
        if len(members) < 3:
            continue
        order = [int(j) for j in np.argsort(-model.components_[c], kind="stable")[:n_terms] if model.components_[c][j] > 0]
        top = [str(terms[j]) for j in order]
        by_lang: dict[str, list[str]] = {"de": [], "en": []}
        for t in top:
            counts = Counter(langs[keep[i]] for i in members if t in docs[keep[i]])
            lang = "en" if counts.get("en", 0) > counts.get("de", 0) else "de"
            by_lang[lang].append(t)
        member_texts = [texts[keep[i]] for i in members]
        member_langs = [langs[keep[i]] for i in members]
        label = " / ".join(_surface(t, member_texts, member_langs) for t in top[:3])
        key = _slug(top[0])
        while key in seen:
            key += "_2"
        seen.add(key)
        sig = Counter(s for i in members for s in signals[i])
        signal_type = min(sig.items(), key=lambda kv: (-kv[1], kv[0]))[0] if sig else "complaint"
        themes.append({"key": key, "label_de": label, "label_en": label, "signal_type": signal_type,
                       "owner": "marketing", "terms_de": by_lang["de"], "terms_en": by_lang["en"],
                       "draft_items": int(len(members))})
    draft = {"version": f"draft-{date.today():%Y%m%d}", "themes": themes, "signals": base_tax["signals"]}
    for extra in ("recommendations", "candidate_recommendation", "compound_heads_en"):
        if extra in base_tax:
            draft[extra] = base_tax[extra]
    return draft


def dump_draft(draft: Mapping[str, Any], n_items: int) -> str:
    """The draft as commented YAML for the analyst to edit."""
    head = (f"# Draft VoC taxonomy from {n_items:,} of your own feedback items (cmo-workbook taxonomy suggest).\n"
            "# Edit before use: give each theme a plain label (de and en), an owner (operations, finance, quality,\n"
            "# service, product, sales, marketing), drop noise terms, merge themes that mean the same; add\n"
            "# ambiguous_/context_/exclude_ terms where a word has two meanings. draft_items = items per theme.\n"
            "# Then set voc.taxonomy in the params and run cmo-workbook validate (it reports the coverage).\n")
    return head + yaml.safe_dump(dict(draft), sort_keys=False, allow_unicode=True, width=110)


def promote(path: Path, topic: Mapping[str, Any], *, key: str | None = None, label_de: str | None = None,
            label_en: str | None = None, owner: str = "marketing", signal_type: str = "complaint",
            languages: Sequence[str] = ("de", "en")) -> str:
    """Add a discovered topic (label, terms) to the taxonomy file at ``path`` as a new theme.

    The theme block is inserted as text before ``signals:`` so the file's comments survive; the
    version gets a ``+<key>`` suffix (the memo states the version it used). Returns the new version.
    Raises ParamsError when the key exists.
    """
    tax = load_taxonomy(path)
    key = key or _slug(str(topic["terms"][0]))
    if key in {t["key"] for t in tax["themes"]}:
        raise ParamsError(f"taxonomy {path}: theme key {key!r} exists already; pass --key with a new key")
    label = str(topic["label"])
    terms = [str(t) for t in topic["terms"]]
    block = {"key": key, "label_de": label_de or label, "label_en": label_en or label, "signal_type": signal_type,
             "owner": owner, "terms_de": terms if "de" in languages else [],
             "terms_en": terms if "en" in languages else []}
    text = path.read_text(encoding="utf-8")
    dumped = yaml.safe_dump([block], sort_keys=False, allow_unicode=True, width=110)
    dumped = "".join("  " + line + "\n" for line in dumped.splitlines())
    marker = re.search(r"^signals:", text, re.M)
    if marker is None:
        raise ParamsError(f"taxonomy {path}: no top-level 'signals:' section to insert the theme before")
    version = f"{tax['version']}+{key}"
    text = text[:marker.start()] + f"  # promoted on {date.today():%Y-%m-%d} from the discovered topic \"{label}\"\n" \
        + dumped + "\n" + text[marker.start():]
    text = re.sub(r"^version:.*$", f'version: "{version}"', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    load_taxonomy(path)  # the file still loads
    return version
