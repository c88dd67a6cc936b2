"""Which competitor observations matter to us, and which reports describe the same event.

Input is the canonical ``competitor_observations`` table with competitor names already
normalised (:func:`cmo_workbook.competitors.names.normalise_competitors`).

Relevance = impact weight × overlap × recency, where

* impact weight: high 3, medium 2, low 1, missing 1.5;
* overlap: the priority weight of the observation's segment if it is one of ours
  (``own_segments`` maps segment -> priority class, ``priorities`` class -> weight, a
  class without a weight counts 1.0), 0.25 for a segment we are not in, 0.5 when no
  segment is given; × 1.5 when the product is one of ours;
* recency: ``0.5 ** (age_days / half_life_days)``; observations after ``as_of`` count as new.
"""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..render.i18n import t
from .messaging import content_lemmas
from .stopwords import GERMAN, ENGLISH

IMPACT_WEIGHTS = {"high": 3.0, "medium": 2.0, "low": 1.0}
MISSING_IMPACT_WEIGHT = 1.5
OTHER_SEGMENT_WEIGHT = 0.25
UNKNOWN_SEGMENT_WEIGHT = 0.5
OWN_PRODUCT_FACTOR = 1.5
OWN_CLASS = "own"

_STOPWORDS = GERMAN | ENGLISH


def segment_classes(own_segments: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """Case-folded segment -> priority class; a plain list gives every segment the class ``own``."""
    if isinstance(own_segments, Mapping):
        return {str(k).strip().casefold(): str(v or OWN_CLASS) for k, v in own_segments.items()}
    return {str(s).strip().casefold(): OWN_CLASS for s in own_segments}


def split_values(value: Any) -> list[str]:
    """Cell values like ``"servo; gearboxes"`` as a list of stripped names (empty for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [v.strip() for v in re.split(r"[;,/]", str(value)) if v.strip()]


def _product_match(product: Any, own_products: list[str]) -> str | None:
    for name in split_values(product):
        folded = name.casefold()
        for own in own_products:
            if re.search(rf"(?<!\w){re.escape(own.casefold())}(?!\w)", folded) or folded == own.casefold():
                return own
    return None


def _num(x: float, lang: str, digits: int = 2) -> str:
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if lang == "de" else text


#: the reason's languages: the weight as each has always shown it (German a fixed decimal comma, English ``:g``)
_REASON_LANGS = ("en", "de")


def _reason(parts: list[tuple[str, dict[str, Any], dict[str, str]]], lang: str) -> str:
    """One reason line in ``lang`` from (message id, fields, weights by language) parts (``comp_reason_*``)."""
    out = []
    for key, fields, weight in parts:
        if "impact" in fields:
            impact = fields["impact"]
            fields = {**fields, "impact": t(f"comp_impact_{impact}", lang) if impact in IMPACT_WEIGHTS else impact}
        out.append(t(key, lang, **fields, w=weight[lang]))
    return " · ".join(out)


def score_observations(
    obs: pd.DataFrame,
    *,
    own_segments: Mapping[str, str] | Iterable[str],
    own_products: Iterable[str],
    priorities: Mapping[str, float],
    as_of: Any,
    half_life_days: float = 60,
) -> pd.DataFrame:
    """Relevance of each observation to us, with the reason spelled out in English and German.

    Args:
        obs: ``date, competitor, topic, summary`` and optionally ``impact, segment, product``.
        own_segments: our segments, as segment -> priority class (``{servo: core}``) or a list.
        own_products: our product names (and product lines) to match ``product`` against.
        priorities: priority class -> weight (``{core: 1.0, growth: 0.7}``).
        as_of: reference date for the age of an observation.
        half_life_days: age at which an observation counts half.

    Returns:
        ``obs`` with ``impact_weight, overlap, age_days, recency, relevance`` (3 decimals),
        ``reason_en, reason_de``; sorted by relevance (highest first), then newest first.
    """
    as_of = pd.Timestamp(as_of)
    classes = segment_classes(own_segments)
    products = [str(p) for p in own_products]
    out = obs.copy()
    out["date"] = pd.to_datetime(out["date"])
    for col in ("impact", "segment", "product"):
        if col not in out.columns:
            out[col] = pd.NA

    rows = []
    for impact, segment, product, date in zip(out["impact"], out["segment"], out["product"], out["date"]):
        impact = None if pd.isna(impact) else str(impact).lower()
        iw = IMPACT_WEIGHTS.get(impact, MISSING_IMPACT_WEIGHT) if impact else MISSING_IMPACT_WEIGHT
        w = lambda x, digits=1: {"en": f"{x:g}", "de": _num(x, "de", digits)}  # noqa: E731
        parts = [("comp_reason_impact", {"impact": impact}, w(iw)) if impact else ("comp_reason_unrated", {}, w(iw))]

        segs = split_values(segment)
        ours = [(s, classes[s.casefold()]) for s in segs if s.casefold() in classes]
        if ours:
            seg, cls = max(ours, key=lambda sc: (float(priorities.get(sc[1], 1.0)), sc[0]))
            seg_w = float(priorities.get(cls, 1.0))
            parts.append(("comp_reason_our_segment", {"segment": seg, "cls": cls}, w(seg_w)))
        elif segs:
            seg_w = OTHER_SEGMENT_WEIGHT
            parts.append(("comp_reason_other_segment", {"segments": ", ".join(segs)}, w(seg_w, 2)))
        else:
            seg_w = UNKNOWN_SEGMENT_WEIGHT
            parts.append(("comp_reason_no_segment", {}, w(seg_w)))

        own = _product_match(product, products)
        prod_w = OWN_PRODUCT_FACTOR if own else 1.0
        if own:
            parts.append(("comp_reason_our_product", {"product": own}, w(prod_w)))

        age = max((as_of - date).days, 0)
        rec = 0.5 ** (age / half_life_days)
        parts.append(("comp_reason_age", {"days": age}, {"en": f"{rec:.2f}", "de": _num(rec, "de")}))
        rows.append((iw, seg_w * prod_w, age, rec, *(_reason(parts, lang) for lang in _REASON_LANGS)))

    cols = ["impact_weight", "overlap", "age_days", "recency", "reason_en", "reason_de"]
    scores = pd.DataFrame(rows, columns=cols, index=out.index)
    for col in cols:
        out[col] = scores[col]
    out["relevance"] = (out["impact_weight"] * out["overlap"] * out["recency"]).round(3)
    out = out[[c for c in out.columns if c not in ("reason_en", "reason_de")] + ["reason_en", "reason_de"]]
    return out.sort_values(["relevance", "date"], ascending=[False, False], kind="stable")


@functools.lru_cache(maxsize=4096)
def _lemmas(text: str) -> tuple[str, ...]:
    # Cached: merge_duplicates compares each summary with several others.
    return tuple(content_lemmas(text, stopwords=_STOPWORDS))


def text_similarity(a: str, b: str) -> float:
    """Similarity of two summaries in [0, 1]: the larger of the Jaccard index of their
    content-word lemmas and difflib's ratio of the two lemma sequences.

    Lemmas make "senkt Listenpreise" and "Listenpreis gesenkt" agree; comparing words, not
    characters, keeps two different sentences about the same competitor apart.
    """
    la, lb = _lemmas(a or ""), _lemmas(b or "")
    sa, sb = set(la), set(lb)
    jaccard = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
    return max(jaccard, difflib.SequenceMatcher(None, la, lb, autojunk=False).ratio())


_IMPACT_ORDER = {"low": 1, "medium": 2, "high": 3}


def _join_unique(values: pd.Series) -> Any:
    # Split only on ";" (our own joiner): names ("Müller, Anna") and URLs may hold commas.
    seen: list[str] = []
    for v in values.dropna():
        for part in str(v).split(";"):
            if part.strip() and part.strip() not in seen:
                seen.append(part.strip())
    return "; ".join(seen) if seen else pd.NA


def merge_duplicates(obs: pd.DataFrame, *, window_days: int = 3, similarity: float = 0.6) -> pd.DataFrame:
    """Merge reports of the same event into one item.

    Two observations are the same event when competitor and topic agree, the later date is
    at most ``window_days`` after the first report of the event and the summaries reach
    ``similarity`` (see :func:`text_similarity`) with any report already merged.

    Returns:
        One row per event with the columns of ``obs``: ``date`` is the earliest report,
        ``summary`` that report's text, ``observed_by`` and ``source_url`` all distinct
        values joined by ``; ``, ``impact`` the highest rated, other columns the first
        non-missing value; plus ``last_date`` and ``n_reports``. Sorted by date, competitor, topic.
    """
    df = obs.copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values(["competitor", "topic", "date", "summary"], kind="stable").reset_index(drop=True)
    event = np.full(len(df), -1)
    next_id = 0
    for _, group in df.groupby(["competitor", "topic"], sort=True):
        events: list[tuple[int, pd.Timestamp, list[str]]] = []  # (id, first date, summaries)
        for idx, date, summary in zip(group.index, group["date"], group["summary"].fillna("")):
            match = next((e for e in events if (date - e[1]).days <= window_days
                          and any(text_similarity(summary, s) >= similarity for s in e[2])), None)
            if match is None:
                match = (next_id, date, [])
                events.append(match)
                next_id += 1
            match[2].append(summary)
            event[idx] = match[0]
    df["_event"] = event

    def impact(values: pd.Series) -> Any:
        rated = [v for v in values.dropna() if str(v).lower() in _IMPACT_ORDER]
        return max(rated, key=lambda v: _IMPACT_ORDER[str(v).lower()]) if rated else pd.NA

    agg: dict[str, Any] = {c: "first" for c in df.columns if c not in ("_event", "date")}
    agg.update({c: _join_unique for c in ("observed_by", "source_url") if c in df.columns})
    if "impact" in df.columns:
        agg["impact"] = impact
    grouped = df.groupby("_event", sort=True)
    out = grouped.agg(agg)
    out.insert(0, "date", grouped["date"].min())
    out["last_date"] = grouped["date"].max()
    out["n_reports"] = grouped.size()
    out = out.sort_values(["date", "competitor", "topic"], kind="stable").reset_index(drop=True)
    return out[[c for c in obs.columns if c in out.columns] + ["last_date", "n_reports"]]
