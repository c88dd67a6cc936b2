"""Recommendations from the taxonomy's rules: theme x trend flag x signal -> owner + action (de/en)."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..render import fmt

RECOMMENDATION_COLUMNS = ["priority", "rule", "theme", "label", "owner", "action", "flag", "n", "share",
                          "delta_pp", "p_value", "quote_id"]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _matches(when: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    themes = _as_list(when.get("theme"))
    if themes and row["theme"] not in themes:
        return False
    flags = _as_list(when.get("flag"))
    if flags and row["flag"] not in flags:
        return False
    if row["n"] < int(when.get("min_n", 1)):
        return False
    signal = when.get("signal")
    if signal and row["signal_shares"].get(signal, 0.0) < float(when.get("min_signal_share", 0.5)):
        return False
    return True


def _fmt(template: str, values: Mapping[str, Any]) -> str:
    safe = {k: (0.0 if isinstance(v, float) and math.isnan(v) else v) for k, v in values.items()}
    return template.format(**safe)


def recommend(themes: pd.DataFrame, candidates: pd.DataFrame, quotes: pd.DataFrame,
              taxonomy: Mapping[str, Any], *, lang: str = "de") -> pd.DataFrame:
    """One recommendation per theme (first matching rule) plus one per large candidate theme.

    ``themes`` needs theme, label, owner, n, share, delta_pp, p_value, flag and signal_shares (dict
    signal -> share of the theme's items). Evidence columns: n, share, delta_pp (vs baseline),
    p_value, quote_id (the theme's first quote, or a candidate's first example). Order: rule order,
    then n desc.
    """
    rules = list(taxonomy.get("recommendations") or [])
    first_quote = {}
    for q in quotes.itertuples(index=False):
        first_quote.setdefault(q.theme, q.feedback_id)
    rows = []
    for row in themes.to_dict("records"):
        for order, rule in enumerate(rules):
            if not _matches(rule.get("when") or {}, row):
                continue
            owner = row["owner"] if rule.get("owner") == "theme" else rule.get("owner", row["owner"])
            values = {"label": row["label"], "n": row["n"], "share_pct": 100 * row["share"],
                      "delta_pp": row["delta_pp"],
                      "signal_share_pct": 100 * row["signal_shares"].get((rule.get("when") or {}).get("signal"), 0.0)}
            # locale-formatted variants ("+13,5 Pp." in German memos) for the templates
            values.update({"delta_pp_text": fmt.pp(row["delta_pp"] / 100, lang),
                           "share_text": fmt.percent(row["share"], lang, 0),
                           "signal_share_text": fmt.percent(values["signal_share_pct"] / 100, lang, 0)})
            rows.append({"_order": order, "rule": rule["id"], "theme": row["theme"], "label": row["label"],
                         "owner": owner, "action": _fmt(rule[f"action_{lang}"], values), "flag": row["flag"],
                         "n": row["n"], "share": row["share"], "delta_pp": row["delta_pp"],
                         "p_value": row["p_value"], "quote_id": first_quote.get(row["theme"])})
            break
    cand_rule = taxonomy.get("candidate_recommendation")
    if cand_rule and not candidates.empty:
        for c in candidates.itertuples(index=False):
            if c.size < int(cand_rule.get("min_n", 1)):
                continue
            rows.append({"_order": len(rules), "rule": "candidate_theme", "theme": c.candidate, "label": c.label,
                         "owner": cand_rule.get("owner", "marketing"),
                         "action": _fmt(cand_rule[f"action_{lang}"], {"label": c.label, "n": c.size}),
                         "flag": "new", "n": c.size, "share": math.nan, "delta_pp": math.nan,
                         "p_value": math.nan, "quote_id": c.example_ids[0] if c.example_ids else None})
    if not rows:
        return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
    out = pd.DataFrame(rows).sort_values(["_order", "n", "theme"], ascending=[True, False, True], kind="mergesort")
    out["priority"] = range(1, len(out) + 1)
    return out[RECOMMENDATION_COLUMNS].reset_index(drop=True)
