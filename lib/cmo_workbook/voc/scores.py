"""NPS and CSAT overall and per theme, with the theme's impact on NPS; every number with its n."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

NPS_SCALE = "nps_0_10"
#: scale -> lowest score that counts as satisfied (top-2-box on 1-5, "good" on good/bad = 1/0)
CSAT_SCALES = {"csat_1_5": 4, "stars_1_5": 4, "csat_good_bad": 1}


def nps(scores: Sequence[float] | pd.Series) -> dict[str, float]:
    """NPS of 0-10 scores: promoters 9-10, passives 7-8, detractors 0-6; NaN scores are ignored.

    Returns nps (-100..100, NaN for n = 0), promoters, passives, detractors (counts) and n.
    """
    s = pd.to_numeric(pd.Series(scores, dtype="float64"), errors="coerce").dropna()
    n = len(s)
    promoters = int((s >= 9).sum())
    detractors = int((s <= 6).sum())
    passives = n - promoters - detractors
    value = 100.0 * (promoters - detractors) / n if n else math.nan
    return {"nps": value, "promoters": promoters, "passives": passives, "detractors": detractors, "n": n}


def nps_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows that carry an NPS answer (scale nps_0_10 and a score)."""
    if "score" not in frame or "score_scale" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["score_scale"].astype("string").eq(NPS_SCALE).fillna(False) & frame["score"].notna()


def csat(frame: pd.DataFrame) -> dict[str, float]:
    """Share (0-1) of satisfied answers over every CSAT-like scale present, with n."""
    if "score" not in frame or "score_scale" not in frame:
        return {"csat": math.nan, "n": 0}
    scale = frame["score_scale"].astype("string")
    satisfied = total = 0
    for name, threshold in CSAT_SCALES.items():
        s = pd.to_numeric(frame.loc[scale.eq(name).fillna(False), "score"], errors="coerce").dropna()
        total += len(s)
        satisfied += int((s >= threshold).sum())
    return {"csat": satisfied / total if total else math.nan, "n": total}


def theme_scores(frame: pd.DataFrame, theme_keys: Sequence[str]) -> pd.DataFrame:
    """Per theme: NPS of its items, n, NPS impact (overall NPS - NPS of the items without the theme), CSAT.

    ``frame`` has columns themes (tuples), score, score_scale. A negative impact means the theme
    pulls the NPS down. Impact is NaN when either side has no NPS answers.
    """
    is_nps = nps_mask(frame)
    overall = nps(frame.loc[is_nps, "score"])["nps"]
    has = {k: np.fromiter((k in t for t in frame["themes"]), bool, len(frame)) for k in theme_keys}
    rows = []
    for key in theme_keys:
        mask = pd.Series(has[key], index=frame.index)
        inside = nps(frame.loc[is_nps & mask, "score"])
        outside = nps(frame.loc[is_nps & ~mask, "score"])
        c = csat(frame.loc[mask])
        impact = overall - outside["nps"] if inside["n"] and outside["n"] else math.nan
        rows.append({"theme": key, "nps": inside["nps"], "nps_n": inside["n"], "nps_without": outside["nps"],
                     "nps_impact": impact, "csat": c["csat"], "csat_n": c["n"]})
    return pd.DataFrame(rows, columns=["theme", "nps", "nps_n", "nps_without", "nps_impact", "csat", "csat_n"])


def nps_difference_p(nps_a: float, n_a: int, promoters_a: int, detractors_a: int,
                     nps_b: float, n_b: int, promoters_b: int, detractors_b: int) -> float:
    """Two-sided p-value of the difference of two NPS (normal approximation of the trinomial).

    Var(NPS/100) = (p_promoters + p_detractors − (p_promoters − p_detractors)²) / n per sample;
    NaN when either side has no answers. A "below average" verdict needs p < 0.05, not just a gap.
    """
    from scipy import stats

    if not n_a or not n_b or math.isnan(nps_a) or math.isnan(nps_b):
        return math.nan

    def var(pro: int, det: int, n: int) -> float:
        pp, pd_ = pro / n, det / n
        return (pp + pd_ - (pp - pd_) ** 2) / n

    se = math.sqrt(var(promoters_a, detractors_a, n_a) + var(promoters_b, detractors_b, n_b))
    if se == 0:
        return 1.0 if nps_a == nps_b else 0.0
    return float(2 * stats.norm.sf(abs(nps_a - nps_b) / 100 / se))
