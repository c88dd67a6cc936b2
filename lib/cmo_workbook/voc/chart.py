"""IBCS bar chart of theme shares: this month (AC, dark) against the trailing baseline (grey), with
the change in percentage points (red = worse, green = better, grey = neutral theme)."""
from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..render import fmt
from ..render.i18n import t
from ..render.charts import AC_COLOR, GREEN, MUTED, NEUTRAL, PY_COLOR, RED, STYLE, _bare, _figure, _header, _legend, _span


def theme_shares(categories: Sequence[str], current: Sequence[float], baseline: Sequence[float],
                 polarity: Sequence[int], *, title: str, subtitle: str, lang: str, current_label: str,
                 baseline_label: str, size: tuple[float, float] | None = None) -> Figure:
    """Horizontal bars per theme (top to bottom as given), shares as fractions 0..1.

    ``polarity`` per theme: -1 when a higher share is bad (complaints), +1 when good (praise), 0 neutral;
    it colours the Δ pp panel.
    """
    n = len(categories)
    ac = np.array([math.nan if fmt.is_missing(v) else float(v) for v in current])
    ref = np.array([math.nan if fmt.is_missing(v) else float(v) for v in baseline])
    diff = (ac - ref) * 100
    y = np.arange(n, dtype=float)
    height, shift = 0.56, 0.09
    with mpl.rc_context(STYLE):
        fig = _figure(size or (6.4, max(1.35, 0.7 + 0.21 * n)), n_rows=n)
        _header(fig, title, subtitle)
        _legend(fig, [Patch(label=current_label, facecolor=AC_COLOR, edgecolor=AC_COLOR),
                      Patch(label=baseline_label, facecolor=PY_COLOR, edgecolor=PY_COLOR)])
        ax, ax_d = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.7, 1.0], "wspace": 0.06})
        ax.barh(y - shift, np.nan_to_num(ref), height, color=PY_COLOR, linewidth=0, zorder=1, gid="baseline")
        ax.barh(y + shift, np.nan_to_num(ac), height, color=AC_COLOR, linewidth=0, zorder=2, gid="AC")
        for yi, a, r in zip(y, ac, ref):
            ax.annotate(fmt.percent(a, lang, 0), (max(np.nan_to_num(a), np.nan_to_num(r)), yi + shift), xytext=(3, 0),
                        textcoords="offset points", ha="left", va="center", fontsize=8)
        ax.set_xlim(*_span(0.0, float(np.nanmax(np.concatenate([ac, ref, [0.01]]))), 0.25))
        ax.set_yticks(y, list(categories))
        _bare(ax, keep="y")
        ax.axvline(0, color=AC_COLOR, linewidth=0.9, zorder=3)
        colours = [NEUTRAL if p == 0 or math.isnan(d) or round(d, 1) == 0 else (GREEN if (d > 0) == (p > 0) else RED)
                   for d, p in zip(diff, polarity)]
        bars = ax_d.barh(y, np.nan_to_num(diff), height, color=colours, linewidth=0, zorder=2, gid="variance")
        ax_d.bar_label(bars, labels=[fmt.pp(d / 100, lang) if not math.isnan(d) else fmt.MISSING for d in diff],
                       padding=3, fontsize=8)
        lo, hi = float(np.nanmin(np.append(diff, 0.0))), float(np.nanmax(np.append(diff, 0.0)))
        ax_d.set_xlim(*_span(lo, hi, 0.6))
        _bare(ax_d)
        ax_d.axvline(0, color=AC_COLOR, linewidth=0.9, zorder=3)
        ax_d.set_title(t("voc_chart_delta_axis", lang), loc="left", color=MUTED, fontsize=8)
        ax.set_ylim(n - 0.5, -0.5)
    return fig
