"""Theme trends (current month vs previous month and a trailing baseline) and emerging terms.

Every "significant change" flag is controlled for multiple testing: the p-values of one memo's
themes and discovered topics form one family and are Benjamini–Hochberg adjusted (``q_value``);
emerging terms form a second family. A flag also needs a minimum effect (:data:`MIN_RATIO` and
:data:`MIN_PP`), so a tiny but "significant" shift in a large month is no headline.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

FLAGS = ("rising", "falling", "new", "stable")
TREND_COLUMNS = [
    "theme", "n", "share", "n_prev", "share_prev", "delta_pp_prev", "n_baseline", "share_baseline",
    "delta_pp", "z", "p_value", "q_value", "test", "flag",
]
#: a memo's false-flag budget: at most this share of months with nothing changing may show any flag.
#: It is split over the two families (themes + topics; emerging terms, from which topics are built),
#: so a stationary month shows a flag in either with probability <= ALPHA (union bound).
ALPHA = 0.05
FAMILY_ALPHA = ALPHA / 2
#: minimum effect of a flag: the share changes by at least this factor ...
MIN_RATIO = 1.25
#: ... and by at least this many percentage points
MIN_PP = 1.0


def bh_qvalues(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q); NaN p-values stay NaN and do not count as tests."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(np.clip(p[ok], 0.0, 1.0), method="bh")
    return q


def compare_shares(n: int, total: int, n_base: int, total_base: int) -> tuple[float, float, str]:
    """(z, p, test) comparing the share n/total against n_base/total_base (two-sided).

    Two-proportion z-test with pooled variance; Fisher's exact test when an expected cell count
    is below 5 (then z is the signed normal quantile of p, for sorting only).
    """
    if total <= 0 or total_base <= 0:
        return math.nan, math.nan, "none"
    pooled = (n + n_base) / (total + total_base)
    expected = [pooled * total, (1 - pooled) * total, pooled * total_base, (1 - pooled) * total_base]
    diff = n / total - n_base / total_base
    if min(expected) < 5:
        _, p = stats.fisher_exact([[n, total - n], [n_base, total_base - n_base]])
        z = math.copysign(stats.norm.isf(p / 2), diff) if p < 1 else 0.0
        return float(z), float(p), "fisher"
    se = math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / total_base))
    z = diff / se if se > 0 else 0.0
    return float(z), float(2 * stats.norm.sf(abs(z))), "z"


def trend_flag(n: int, share: float, n_base: int, share_base: float, q: float, *,
               min_n: int = 5, alpha: float = FAMILY_ALPHA, min_ratio: float = MIN_RATIO, min_pp: float = MIN_PP) -> str:
    """'new' (absent in the baseline, now >= min_n and significant), 'rising'/'falling' (significant,
    >= min_n items on the larger side, share changed by >= ``min_ratio`` and >= ``min_pp`` points) or
    'stable'. ``q`` is the (FDR-adjusted) p-value of the change."""
    if not (q < alpha):
        return "stable"
    if n_base == 0:
        return "new" if n >= min_n and share >= min_pp / 100 else "stable"
    big = abs(share - share_base) * 100 >= min_pp
    if share >= share_base * min_ratio and big and n >= min_n:
        return "rising"
    if share * min_ratio <= share_base and big and n_base >= min_n:
        return "falling"
    return "stable"


def flag_family(frame: pd.DataFrame, *, min_n: int = 5, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Set ``q_value`` (BH over all rows' ``p_value``) and ``flag`` on a frame of share comparisons.

    Rows need n, share, n_baseline, share_baseline, p_value; used for the themes and discovered
    topics of one memo together, so the memo's false-flag rate is controlled as a whole. Without a
    baseline (p is NaN) nothing is flagged: a first month has no trend.
    """
    out = frame.copy()
    out["q_value"] = bh_qvalues(out["p_value"].to_numpy(dtype=float)) if len(out) else []
    out["flag"] = [trend_flag(int(r.n), float(r.share), int(r.n_baseline), float(r.share_baseline), float(r.q_value),
                              min_n=min_n, alpha=alpha) if not math.isnan(r.p_value) else "stable"
                   for r in out[["n", "share", "n_baseline", "share_baseline", "p_value", "q_value"]].itertuples()]
    return out


def theme_trends(months: Sequence[str], themes: Sequence[Sequence[str]], month: str, *,
                 baseline: Sequence[str], previous: str, min_n: int = 5, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """One row per theme seen in the month, its previous month or the baseline months.

    ``months`` and ``themes`` are per item ('YYYY-MM', theme keys). Shares are per item (an item
    with two themes counts for both). Baseline = the pooled ``baseline`` months. Sorted by n desc.
    """
    frame = pd.DataFrame({"month": list(months), "themes": list(themes)})
    totals = frame["month"].value_counts()
    exploded = frame.explode("themes").dropna(subset=["themes"])
    counts = exploded.groupby(["themes", "month"]).size()
    total = int(totals.get(month, 0))
    total_prev = int(totals.get(previous, 0))
    total_base = int(sum(totals.get(m, 0) for m in baseline))
    rows = []
    window = {month, previous, *baseline}
    for theme in sorted(set(exploded.loc[exploded["month"].isin(window), "themes"])):
        c = counts.loc[theme]
        n = int(c.get(month, 0))
        n_prev = int(c.get(previous, 0))
        n_base = int(sum(c.get(m, 0) for m in baseline))
        share = n / total if total else math.nan
        share_prev = n_prev / total_prev if total_prev else math.nan
        share_base = n_base / total_base if total_base else math.nan
        z, p, test = compare_shares(n, total, n_base, total_base)
        rows.append({
            "theme": theme, "n": n, "share": share, "n_prev": n_prev, "share_prev": share_prev,
            "delta_pp_prev": 100 * (share - share_prev), "n_baseline": n_base, "share_baseline": share_base,
            "delta_pp": 100 * (share - share_base), "z": z, "p_value": p, "q_value": math.nan, "test": test,
            "flag": "stable",
        })
    out = flag_family(pd.DataFrame(rows, columns=TREND_COLUMNS), min_n=min_n, alpha=alpha)
    return out.sort_values(["n", "theme"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _tarone_testable(min_p: np.ndarray, alpha: float) -> np.ndarray:
    """Tarone's rule: the smallest family size m such that at most m tests can reach alpha / m.

    A term seen twice in total can never be significant among thousands; leaving such untestable
    terms out of the family is what keeps BH powerful on word counts (Tarone 1990, Gilbert 2005).
    """
    order = np.sort(min_p)
    for m in range(1, len(order) + 1):
        if (order <= alpha / m).sum() <= m:
            return min_p <= alpha / m
    return np.zeros(len(min_p), dtype=bool)


def emerging_terms(current: Iterable[Iterable[str]], baseline: Iterable[Iterable[str]], *,
                   prior: Iterable[Iterable[str]] | None = None, prior_scale: float = 0.1,
                   min_count: int = 3, z_min: float = 1.96, top: int = 20, alpha: float = FAMILY_ALPHA,
                   min_ratio: float = MIN_RATIO) -> pd.DataFrame:
    """Terms over-represented in ``current`` vs ``baseline`` (lists of terms per item), FDR-controlled.

    Ranking: log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
    eq. 16-22): alpha_w = prior_scale * count of w in the prior corpus (default: current +
    baseline), counts per item (a word repeated in one item counts once). Significance: the exact
    one-sided binomial test of the term's current count among its total count against the current
    month's share of items, BH-adjusted over the testable terms (Tarone); a term is kept with
    q < ``alpha``, z >= ``z_min``, count_current >= ``min_count`` and an item rate at least
    ``min_ratio`` times the baseline rate. Returns term, count_current, count_baseline, delta, z,
    p_value, q_value by z desc.
    """
    columns = ["term", "count_current", "count_baseline", "delta", "z", "p_value", "q_value"]
    current, baseline = [list(d) for d in current], [list(d) for d in baseline]
    cur = Counter(w for doc in current for w in set(doc))
    base = Counter(w for doc in baseline for w in set(doc))
    bg = Counter(w for doc in prior for w in set(doc)) if prior is not None else cur + base
    n_i, n_j = sum(cur.values()), sum(base.values())
    docs_i, docs_j = len(current), len(baseline)
    if not docs_i or not docs_j:
        return pd.DataFrame(columns=columns)
    share = docs_i / (docs_i + docs_j)
    a0 = prior_scale * sum(bg.values())
    rows = []
    for w in sorted(cur):
        y_i, y_j = cur[w], base.get(w, 0)
        a_w = prior_scale * bg.get(w, 0)
        if y_i < min_count or a_w <= 0:
            continue
        delta = (math.log((y_i + a_w) / (n_i + a0 - y_i - a_w))
                 - math.log((y_j + a_w) / (n_j + a0 - y_j - a_w)))
        z = delta / math.sqrt(1 / (y_i + a_w) + 1 / (y_j + a_w))
        rows.append((w, y_i, y_j, delta, z))
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=columns[:5])
    total = (frame["count_current"] + frame["count_baseline"]).to_numpy()
    frame["p_value"] = stats.binom.sf(frame["count_current"].to_numpy() - 1, total, share)
    testable = _tarone_testable(share ** total.astype(float), alpha)
    q = np.full(len(frame), np.nan)
    if testable.any():
        q[testable] = bh_qvalues(frame.loc[testable, "p_value"].to_numpy())
    frame["q_value"] = q
    rate_i = frame["count_current"] / docs_i
    rate_j = frame["count_baseline"] / docs_j
    keep = (frame["q_value"] < alpha) & (frame["z"] >= z_min) & (rate_i >= min_ratio * rate_j)
    out = frame.loc[keep]
    return out.sort_values(["z", "term"], ascending=[False, True], kind="mergesort").head(top).reset_index(drop=True)
