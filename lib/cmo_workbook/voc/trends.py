"""Theme trends (current month vs previous month and a trailing baseline) and emerging terms."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd
from scipy import stats

FLAGS = ("rising", "falling", "new", "stable")
TREND_COLUMNS = [
    "theme", "n", "share", "n_prev", "share_prev", "delta_pp_prev", "n_baseline", "share_baseline",
    "delta_pp", "z", "p_value", "test", "flag",
]


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


def trend_flag(n: int, share: float, n_base: int, share_base: float, p: float, *,
               min_n: int = 5, alpha: float = 0.05) -> str:
    """'new' (absent in the baseline, now >= min_n), 'rising'/'falling' (significant at alpha
    with >= min_n items on the larger side) or 'stable'."""
    if n_base == 0:
        return "new" if n >= min_n else "stable"
    if not (p < alpha):
        return "stable"
    if share > share_base and n >= min_n:
        return "rising"
    if share < share_base and n_base >= min_n:
        return "falling"
    return "stable"


def theme_trends(months: Sequence[str], themes: Sequence[Sequence[str]], month: str, *,
                 baseline: Sequence[str], previous: str, min_n: int = 5, alpha: float = 0.05) -> pd.DataFrame:
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
        flag = trend_flag(n, share, n_base, share_base, p, min_n=min_n, alpha=alpha) if total_base else (
            "new" if n >= min_n else "stable")
        rows.append({
            "theme": theme, "n": n, "share": share, "n_prev": n_prev, "share_prev": share_prev,
            "delta_pp_prev": 100 * (share - share_prev), "n_baseline": n_base, "share_baseline": share_base,
            "delta_pp": 100 * (share - share_base), "z": z, "p_value": p, "test": test, "flag": flag,
        })
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    return out.sort_values(["n", "theme"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def emerging_terms(current: Iterable[Iterable[str]], baseline: Iterable[Iterable[str]], *,
                   prior: Iterable[Iterable[str]] | None = None, prior_scale: float = 0.1,
                   min_count: int = 3, z_min: float = 1.96, top: int = 20) -> pd.DataFrame:
    """Terms over-represented in ``current`` vs ``baseline`` (lists of terms per item).

    Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, eq. 16-22):
    alpha_w = prior_scale * count of w in the prior corpus (default: current + baseline; 0.1 keeps
    the shrinkage of rare words without drowning a month's signal), counts are per item (a word repeated in one item counts once). Returns term, count_current,
    count_baseline, delta (log-odds ratio), z; z >= z_min and count_current >= min_count, by z desc.
    """
    cur = Counter(w for doc in current for w in set(doc))
    base = Counter(w for doc in baseline for w in set(doc))
    bg = Counter(w for doc in prior for w in set(doc)) if prior is not None else cur + base
    n_i, n_j = sum(cur.values()), sum(base.values())
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
        if z >= z_min:
            rows.append({"term": w, "count_current": y_i, "count_baseline": y_j, "delta": delta, "z": z})
    out = pd.DataFrame(rows, columns=["term", "count_current", "count_baseline", "delta", "z"])
    return out.sort_values(["z", "term"], ascending=[False, True], kind="mergesort").head(top).reset_index(drop=True)
