"""Memo charts in IBCS notation (International Business Communication Standards).

Notation, the same in every chart:

* actual (AC) solid dark grey, previous year (PY) light grey, plan (PL) outlined (white fill,
  dark edge), forecast (FC) hatched (white fill, dark ``////``);
* absolute variances as red/green bars (green = good, respecting ``higher_is_better``),
  relative variances as pins (thin line with a square head);
* the title states the message (given by the caller), a smaller subtitle names measure, unit and
  period; values are labelled with :mod:`cmo_workbook.render.fmt`, so axes and gridlines are left out.

Each chart function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state, Agg canvas); :func:`to_png` renders it to byte-identical PNG bytes. Patches carry a ``gid``
(``'AC'``, ``'PY'``, ``'PL'``, ``'FC'``, ``'variance'``, ``'pin'``, ...) so tests and callers can
find the artists of one scenario.
"""
from __future__ import annotations

import io
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import fmt
from .i18n import check_lang, t

AC_COLOR = "#404040"
PY_COLOR = "#BFBFBF"
PL_EDGE = "#404040"
FC_HATCH = "////"
RED = "#E03C31"
GREEN = "#3C9A3C"
NEUTRAL = "#8C8C8C"
TEXT = "#262626"
MUTED = "#6E6E6E"
GRID = "#E8E8E8"
RANGE_FILL = "#E3E3E3"

DEFAULT_SIZE = (6.4, 2.6)
DEFAULT_DPI = 110
_HEADER_IN = 0.52  # inches above the plot area reserved for title and subtitle

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 8.5,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": AC_COLOR,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.7,
    "hatch.color": AC_COLOR,
    "legend.fontsize": 8,
    "axes.unicode_minus": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}

Formatter = Callable[[float], str]


# --- shared helpers ------------------------------------------------------------------------------


def _figure(size: tuple[float, float] | None, n_rows: int = 0) -> Figure:
    """A white Figure on an Agg canvas, constrained layout below a fixed header band."""
    width, height = size or DEFAULT_SIZE
    if size is None and n_rows > 0:
        height = max(1.5, 0.95 + 0.28 * n_rows)  # same bar thickness whatever the number of rows
    fig = Figure(figsize=(width, height), dpi=DEFAULT_DPI)
    FigureCanvasAgg(fig)
    fig.set_layout_engine("constrained", rect=(0.0, 0.0, 1.0, 1.0 - _HEADER_IN / height), w_pad=0.04, h_pad=0.02)
    return fig


def _header(fig: Figure, title: str, subtitle: str) -> None:
    """Message title (bold) and measure subtitle, left-aligned in the header band."""
    height = fig.get_figheight()
    x = 0.08 / fig.get_figwidth()
    fig.suptitle(title, x=x, y=1 - 0.06 / height, ha="left", va="top", fontsize=10, fontweight="bold",
                 color=TEXT, in_layout=False)
    fig.text(x, 1 - 0.28 / height, subtitle, ha="left", va="top", fontsize=8.5, color=MUTED, gid="subtitle")


def _legend(fig: Figure, handles: list[Patch]) -> None:
    """Scenario key on the subtitle line, right-aligned (kept out of the plot area)."""
    if not handles:
        return
    height = fig.get_figheight()
    fig.legend(handles=handles, loc="upper right", bbox_to_anchor=(1 - 0.04 / fig.get_figwidth(), 1 - 0.22 / height),
               ncol=len(handles), frameon=False, handlelength=1.1, handleheight=0.8, columnspacing=1.0,
               handletextpad=0.4, borderaxespad=0.0, fontsize=8)


def _scenario_handles(lang: str, scenarios: Sequence[str]) -> list[Patch]:
    styles = {
        "AC": dict(facecolor=AC_COLOR, edgecolor=AC_COLOR),
        "PY": dict(facecolor=PY_COLOR, edgecolor=PY_COLOR),
        "PL": dict(facecolor="white", edgecolor=PL_EDGE, linewidth=0.9),
        "FC": dict(facecolor="white", edgecolor=AC_COLOR, hatch=FC_HATCH, linewidth=0.7),
    }
    return [Patch(label=t(f"scenario_{s}", lang), **styles[s]) for s in scenarios]


def _floats(values: Sequence[Any] | None, name: str, n: int | None = None) -> np.ndarray:
    """Values as float array, missing → NaN; length checked against ``n``."""
    if values is None:
        return np.full(n or 0, np.nan)
    arr = np.array([np.nan if fmt.is_missing(v) else float(v) for v in values], dtype=float)
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} values but there are {n} categories/periods; pass one value each")
    return arr


def _bare(ax: Axes, keep: Literal["x", "y", "none"] = "none") -> None:
    """Strip axes to IBCS minimum: no frame, no ticks except the kept axis' labels.

    Tick labels are hidden rather than their locator replaced, because panels share axes and a
    shared axis shares its locator.
    """
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    if keep != "x":
        ax.tick_params(axis="x", labelbottom=False)
    if keep != "y":
        ax.tick_params(axis="y", labelleft=False)


def _default_format(lang: str) -> Formatter:
    return lambda v: fmt.number(v, lang)


def _signed(value_format: Formatter) -> Formatter:
    """Explicit '+' for positive variances (negatives already carry the minus sign)."""
    return lambda v: ("+" if v > 0 else "") + value_format(v)


def _colour(variance: float, higher_is_better: bool) -> str:
    if variance == 0 or math.isnan(variance):
        return NEUTRAL
    return GREEN if (variance > 0) == higher_is_better else RED


def _span(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """Axis limits around [lo, hi] (always including 0) with room for labels."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if lo == hi:
        return -1.0, 1.0  # nothing to show (all zero or missing): any non-degenerate range
    width = (hi - lo) or 1.0
    return lo - (pad * width if lo < 0 else 0.0), hi + (pad * width if hi > 0 else 0.0)


def _period_labels(periods: Sequence[Any], lang: str) -> list[str]:
    """'Okt' per month, with the year on a second line at the first month and every January;
    quarterly pandas Periods get 'Q3' instead of the month name."""
    stamps = [fmt.to_timestamp(p) for p in periods]
    if len(periods) > 0 and all(isinstance(p, pd.Period) and p.freqstr.startswith("Q") for p in periods):
        return [f"Q{ts.quarter}\n{ts.year}" if i == 0 or ts.quarter == 1 else f"Q{ts.quarter}"
                for i, ts in enumerate(stamps)]
    labels = []
    for i, ts in enumerate(stamps):
        name = fmt.month_name(ts, lang)
        labels.append(f"{name}\n{ts.year}" if i == 0 or ts.month == 1 else name)
    return labels


# --- charts --------------------------------------------------------------------------------------


def columns_ac_py(
    periods: Sequence[Any],
    actual: Sequence[Any],
    previous_year: Sequence[Any] | None,
    *,
    title: str,
    subtitle: str,
    lang: str,
    plan: Sequence[Any] | None = None,
    forecast_from: Any = None,
    labels: Sequence[str] | None = None,
    value_format: Formatter | None = None,
    size: tuple[float, float] | None = None,
) -> Figure:
    """Monthly columns: AC in front of PY (IBCS overlapping columns), PL as outlined markers.

    Periods at or after ``forecast_from`` are forecast values and drawn hatched (FC). ``labels``
    overrides the x labels (default: month names, year at the first month and each January);
    ``value_format`` formats the column labels (default ``fmt.number``).
    """
    check_lang(lang)
    n = len(periods)
    ac = _floats(actual, "actual", n)
    py = _floats(previous_year, "previous_year", n)
    pl = _floats(plan, "plan", n) if plan is not None else None
    value_format = value_format or _default_format(lang)
    if forecast_from is not None:
        start = fmt.to_timestamp(forecast_from)
        is_fc = np.array([fmt.to_timestamp(p) >= start for p in periods], dtype=bool)
    else:
        is_fc = np.zeros(n, dtype=bool)

    with mpl.rc_context(STYLE):
        fig = _figure(size)
        _header(fig, title, subtitle)
        ax = fig.add_subplot()
        x = np.arange(n, dtype=float)
        width, shift = 0.56, 0.09
        # a month without a value (before an export begins) gets no column at all, never one drawn at 0
        has_py, has_ac = ~np.isnan(py), ~np.isnan(ac)
        if has_py.any():
            ax.bar(x[has_py] - shift, py[has_py], width, color=PY_COLOR, linewidth=0, zorder=1, gid="PY")
        ax.bar(x[~is_fc & has_ac] + shift, ac[~is_fc & has_ac], width, color=AC_COLOR, linewidth=0, zorder=2, gid="AC")
        ax.bar(x[is_fc & has_ac] + shift, ac[is_fc & has_ac], width, facecolor="white", edgecolor=AC_COLOR,
               hatch=FC_HATCH, linewidth=0.7, zorder=2, gid="FC")
        top = np.nanmax(np.concatenate([ac, py, pl if pl is not None else []])) if n else 1.0
        bottom = min(0.0, np.nanmin(np.concatenate([ac, py]))) if n else 0.0
        top = top if top > 0 and not math.isnan(top) else 1.0
        thickness = 0.022 * (top - bottom)
        label_height = 0.1 * (top - bottom)  # ~8 pt text in data units at the default size
        if pl is not None:
            # Plan as a thin outlined bar at plan level: readable on top of dark and white columns.
            ok = ~np.isnan(pl)
            ax.bar(x[ok] + shift, thickness, width + 0.16, bottom=pl[ok] - thickness / 2, facecolor="white",
                   edgecolor=PL_EDGE, linewidth=0.9, zorder=3, gid="PL")
        for xi, value, plan_value in zip(x, ac, pl if pl is not None else np.full(n, np.nan)):
            if math.isnan(value):
                continue
            if value < 0:  # label below a negative column
                ax.annotate(value_format(value), (xi + shift, value), xytext=(0, -2), textcoords="offset points",
                            ha="center", va="top", fontsize=8, color=TEXT)
                continue
            anchor = value
            if value - thickness <= plan_value <= value + label_height:
                anchor = plan_value + thickness / 2  # the plan marker would cross the label: lift it
            ax.annotate(value_format(value), (xi + shift, anchor), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, color=TEXT)
        ax.set_ylim(bottom - (1.3 * label_height if bottom < 0 else 0.0), top * 1.17)
        ax.set_xlim(-0.6, n - 0.4)
        ax.axhline(0, color=AC_COLOR, linewidth=0.9, zorder=4)
        _bare(ax, keep="x")
        ax.set_xticks(x, labels if labels is not None else _period_labels(periods, lang))

        scenarios = ["AC"] + (["FC"] if is_fc.any() else []) + (["PY"] if not np.all(np.isnan(py)) else [])
        scenarios += ["PL"] if pl is not None else []
        _legend(fig, _scenario_handles(lang, scenarios))
    return fig


def bars_variance(
    categories: Sequence[str],
    actual: Sequence[Any],
    reference: Sequence[Any],
    *,
    title: str,
    subtitle: str,
    lang: str,
    reference_kind: Literal["PL", "PY"] = "PL",
    higher_is_better: bool = True,
    relative: bool = True,
    value_format: Formatter | None = None,
    size: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal AC bars against PL (outlined) or PY (grey), an absolute variance panel
    (red/green bars) and, with ``relative=True``, a relative variance panel (pins, percent).

    Categories are drawn top to bottom in the order given.
    """
    check_lang(lang)
    if reference_kind not in ("PL", "PY"):
        raise ValueError(f"reference_kind {reference_kind!r} is not supported; expected 'PL' or 'PY'")
    n = len(categories)
    ac = _floats(actual, "actual", n)
    ref = _floats(reference, "reference", n)
    value_format = value_format or _default_format(lang)
    variance = ac - ref
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref != 0, variance / np.abs(ref), np.nan)
    y = np.arange(n, dtype=float)
    height, shift = 0.56, 0.09

    with mpl.rc_context(STYLE):
        fig = _figure(size, n_rows=n)
        _header(fig, title, subtitle)
        ratios = [1.5, 1.0, 1.0] if relative else [1.6, 1.0]
        axes = fig.subplots(1, len(ratios), sharey=True, gridspec_kw={"width_ratios": ratios, "wspace": 0.06})
        ax_main, ax_abs = axes[0], axes[1]

        # AC vs reference: reference behind and offset upwards (IBCS overlapping bars)
        if reference_kind == "PY":
            ax_main.barh(y - shift, np.nan_to_num(ref), height, color=PY_COLOR, linewidth=0, zorder=1, gid="PY")
        else:
            ax_main.barh(y - shift, np.nan_to_num(ref), height, facecolor="white", edgecolor=PL_EDGE,
                         linewidth=0.9, zorder=1, gid="PL")
        ax_main.barh(y + shift, np.nan_to_num(ac), height, color=AC_COLOR, linewidth=0, zorder=2, gid="AC")
        for yi, a, r in zip(y, ac, ref):
            # label right of whichever bar ends further out, so the PL outline never crosses it
            end = max(np.nan_to_num(a), np.nan_to_num(r), 0.0)
            ax_main.annotate(fmt.MISSING if math.isnan(a) else value_format(a), (end, yi + shift), xytext=(3, 0),
                             textcoords="offset points", ha="left", va="center", fontsize=8)
        hi = np.nanmax(np.concatenate([ac, ref, [0.0]]))
        lo = np.nanmin(np.concatenate([ac, ref, [0.0]]))
        ax_main.set_xlim(*_span(lo, hi, 0.3))
        ax_main.set_yticks(y, list(categories))
        _bare(ax_main, keep="y")
        ax_main.axvline(0, color=AC_COLOR, linewidth=0.9, zorder=3)
        ax_main.set_title(t("scenario_AC", lang) + " / " + t(f"scenario_{reference_kind}", lang), loc="left",
                          color=MUTED)

        colours = [_colour(v, higher_is_better) for v in variance]
        var_bars = ax_abs.barh(y, np.nan_to_num(variance), height, color=colours, linewidth=0, zorder=2,
                               gid="variance")
        signed = _signed(value_format)
        ax_abs.bar_label(var_bars, labels=[signed(v) if not math.isnan(v) else fmt.MISSING for v in variance],
                         padding=3, fontsize=8)
        ax_abs.set_xlim(*_span(np.nanmin(np.append(variance, 0.0)), np.nanmax(np.append(variance, 0.0)), 0.45))
        _bare(ax_abs)
        ax_abs.axvline(0, color=AC_COLOR, linewidth=0.9, zorder=3)
        ax_abs.set_title(t("variance_abs", lang, ref=t(f"scenario_{reference_kind}", lang)), loc="left", color=MUTED)

        if relative:
            ax_rel = axes[2]
            texts = [fmt.delta(a, r, lang, "pct", higher_is_better=higher_is_better).text for a, r in zip(ac, ref)]
            for yi, v, text in zip(y, rel, texts):
                colour = _colour(v, higher_is_better)
                if not math.isnan(v):
                    ax_rel.hlines(yi, 0, v, color=colour, linewidth=1.6, zorder=2, gid="pin")
                    ax_rel.plot([v], [yi], marker="s", markersize=5, color=colour, zorder=3, gid="pin_head")
                pos = 0.0 if math.isnan(v) else v
                ax_rel.annotate(text, (pos, yi), xytext=(5 if pos >= 0 else -5, 0), textcoords="offset points",
                                ha="left" if pos >= 0 else "right", va="center", fontsize=8)
            finite = rel[~np.isnan(rel)]
            ax_rel.set_xlim(*_span(finite.min(initial=0.0), finite.max(initial=0.0), 0.6))
            _bare(ax_rel)
            ax_rel.axvline(0, color=AC_COLOR, linewidth=0.9, zorder=3)
            ax_rel.set_title(t("variance_rel", lang, ref=t(f"scenario_{reference_kind}", lang)), loc="left",
                             color=MUTED)
        ax_main.set_ylim(n - 0.5, -0.5)  # first category on top
    return fig


def line_goal(
    dates: Sequence[Any],
    actual: Sequence[Any],
    target: float,
    deadline: Any,
    forecast: Sequence[Any] | pd.Series | None = None,
    forecast_low: Sequence[Any] | None = None,
    forecast_high: Sequence[Any] | None = None,
    *,
    title: str,
    subtitle: str,
    lang: str,
    forecast_dates: Sequence[Any] | None = None,
    value_format: Formatter | None = None,
    size: tuple[float, float] | None = None,
) -> Figure:
    """Progress towards a goal: actual as solid line, target as outlined marker at the deadline,
    forecast dashed with its range as a light band.

    The forecast's dates come from ``forecast_dates`` or, for a pandas Series, from its index;
    ``forecast_low``/``forecast_high`` align with the forecast. The forecast line starts at the
    last actual point so the two read as one path.
    """
    check_lang(lang)
    x = pd.to_datetime(pd.Series([fmt.to_timestamp(d) for d in dates])).to_numpy()
    y = _floats(actual, "actual", len(x))
    value_format = value_format or _default_format(lang)
    deadline_x = np.datetime64(fmt.to_timestamp(deadline), "ns")
    fx = fy = None
    if forecast is not None:
        if forecast_dates is None:
            if not isinstance(forecast, pd.Series):
                raise ValueError("forecast needs dates: pass forecast_dates=... or a pandas Series indexed by date")
            forecast_dates = list(forecast.index)
        fx = pd.to_datetime(pd.Series([fmt.to_timestamp(d) for d in forecast_dates])).to_numpy()
        fy = _floats(list(forecast), "forecast", len(fx))

    with mpl.rc_context(STYLE):
        fig = _figure(size)
        _header(fig, title, subtitle)
        ax = fig.add_subplot()
        last = int(np.flatnonzero(~np.isnan(y))[-1]) if np.any(~np.isnan(y)) else None
        if fx is not None:
            if forecast_low is not None and forecast_high is not None:
                low = _floats(forecast_low, "forecast_low", len(fx))
                high = _floats(forecast_high, "forecast_high", len(fx))
                ax.fill_between(fx, low, high, color=RANGE_FILL, linewidth=0, zorder=1, gid="FC_range")
            path_x, path_y = fx, fy
            if last is not None and fx[0] > x[last]:
                path_x, path_y = np.concatenate([[x[last]], fx]), np.concatenate([[y[last]], fy])
            ax.plot(path_x, path_y, color=AC_COLOR, linewidth=1.6, linestyle=(0, (3, 2)), zorder=2, gid="FC")
            ax.annotate(value_format(fy[-1]), (fx[-1], fy[-1]), xytext=(0, -11 if fy[-1] < target else 6),
                        textcoords="offset points", ha="center", fontsize=8, color=TEXT)
        ax.plot(x, y, color=AC_COLOR, linewidth=2.0, zorder=3, gid="AC")
        if last is not None:
            ax.plot([x[last]], [y[last]], marker="o", markersize=4, color=AC_COLOR, zorder=4)
            ax.annotate(value_format(y[last]), (x[last], y[last]), xytext=(0, 6), textcoords="offset points",
                        ha="right", fontsize=8, color=TEXT)
        ax.axhline(target, color=MUTED, linewidth=0.7, linestyle=(0, (1, 2)), zorder=1)
        ax.plot([deadline_x], [target], marker="o", markersize=8, markerfacecolor="white", markeredgecolor=PL_EDGE,
                markeredgewidth=1.3, linestyle="none", zorder=5, gid="target")
        ax.annotate(f"{t('target', lang)} {value_format(target)}", (deadline_x, target), xytext=(-8, 5),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8, fontweight="bold")

        everything = [v for arr in (y, fy, [target]) if arr is not None for v in np.asarray(arr, float)
                      if not math.isnan(v)]
        if forecast_high is not None and fx is not None:
            everything += [v for v in _floats(forecast_high, "forecast_high", len(fx)) if not math.isnan(v)]
        lo, hi = min(everything + [0.0]), max(everything)
        ax.set_ylim(lo, hi + 0.15 * (hi - lo or 1.0))
        right = max([deadline_x, x[-1]] + ([fx[-1]] if fx is not None else []))
        pad = (right - x[0]) * 0.02
        ax.set_xlim(x[0] - pad, right + pad)

        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.yaxis.grid(True, color=GRID, linewidth=0.7)
        ax.set_axisbelow(True)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, lang)))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        months = max(1, round((right - x[0]) / np.timedelta64(30, "D")))
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil(months / 8))))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, pos: _month_tick(v, pos, lang)))
    return fig


def _month_tick(value: float, pos: int | None, lang: str) -> str:
    ts = pd.Timestamp(mdates.num2date(value).replace(tzinfo=None))
    name = fmt.month_name(ts, lang)
    return f"{name}\n{ts.year}" if pos == 0 or ts.month == 1 else name


def bars_ranges(
    categories: Sequence[str],
    values: Sequence[Any],
    low: Sequence[Any],
    high: Sequence[Any],
    *,
    reference: float | None = None,
    title: str,
    subtitle: str,
    lang: str,
    reference_label: str | None = None,
    value_format: Formatter | None = None,
    size: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal AC bars with interval whiskers (e.g. ROMI per channel with its uncertainty range).

    A dashed vertical line marks ``reference`` (e.g. break-even ROMI 0 or 1), labelled
    ``reference_label``; the zero line is always drawn as the bars' base.
    """
    check_lang(lang)
    n = len(categories)
    v = _floats(values, "values", n)
    lo = _floats(low, "low", n)
    hi = _floats(high, "high", n)
    value_format = value_format or (lambda x: fmt.number(x, lang, 1))
    y = np.arange(n, dtype=float)

    with mpl.rc_context(STYLE):
        fig = _figure(size, n_rows=n)
        _header(fig, title, subtitle)
        ax = fig.add_subplot()
        ax.barh(y, np.nan_to_num(v), 0.5, color=AC_COLOR, linewidth=0, zorder=2, gid="AC")
        has_range = ~(np.isnan(lo) | np.isnan(hi) | np.isnan(v))
        ax.errorbar(v[has_range], y[has_range], xerr=[v[has_range] - lo[has_range], hi[has_range] - v[has_range]],
                    fmt="none", ecolor=MUTED, elinewidth=1.1, capsize=3, capthick=1.1, zorder=3, gid="range")
        for yi, vi, l, h in zip(y, v, lo, hi):
            if math.isnan(vi):
                ax.annotate(fmt.MISSING, (0, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
                continue
            end = (h if not math.isnan(h) else vi) if vi >= 0 else (l if not math.isnan(l) else vi)
            end = max(end, vi) if vi >= 0 else min(end, vi)
            ax.annotate(value_format(vi), (end, yi), xytext=(5 if vi >= 0 else -5, 0), textcoords="offset points",
                        ha="left" if vi >= 0 else "right", va="center", fontsize=8)
        ax.axvline(0, color=AC_COLOR, linewidth=0.9, zorder=4)
        if reference is not None and reference != 0:
            ax.axvline(reference, color=MUTED, linewidth=0.9, linestyle=(0, (3, 2)), zorder=1, gid="reference")
        if reference is not None and reference_label:
            ax.annotate(reference_label, (reference, -0.5), xytext=(3, 0), textcoords="offset points", ha="left",
                        va="bottom", fontsize=7.5, color=MUTED)
        extent = [x for x in np.concatenate([v, lo, hi, [0.0, reference or 0.0]]) if not math.isnan(x)]
        ax.set_xlim(*_span(min(extent), max(extent), 0.18))
        ax.set_yticks(y, list(categories))
        _bare(ax, keep="y")
        ax.set_ylim(n - 0.5, -0.75)
    return fig


def dot_position(
    categories: Sequence[str],
    values: Sequence[Any],
    own_value: float = 100.0,
    *,
    title: str,
    subtitle: str,
    lang: str,
    own_label: str | None = None,
    value_format: Formatter | None = None,
    size: tuple[float, float] | None = None,
) -> Figure:
    """Price position: one dot per competitor at its price index, pinned to the own-price line
    (``own_value``, usually 100). Categories top to bottom in the order given.
    """
    check_lang(lang)
    n = len(categories)
    v = _floats(values, "values", n)
    value_format = value_format or _default_format(lang)
    y = np.arange(n, dtype=float)

    with mpl.rc_context(STYLE):
        fig = _figure(size, n_rows=n)
        _header(fig, title, subtitle)
        ax = fig.add_subplot()
        for yi, vi in zip(y, v):
            if math.isnan(vi):
                ax.annotate(fmt.MISSING, (own_value, yi), xytext=(5, 0), textcoords="offset points", va="center",
                            fontsize=8)
                continue
            ax.hlines(yi, own_value, vi, color=PY_COLOR, linewidth=1.4, zorder=1, gid="pin")
            right = vi >= own_value
            ax.annotate(value_format(vi), (vi, yi), xytext=(7 if right else -7, 0), textcoords="offset points",
                        ha="left" if right else "right", va="center", fontsize=8)
        ok = ~np.isnan(v)
        ax.plot(v[ok], y[ok], marker="o", markersize=6.5, color=AC_COLOR, linestyle="none", zorder=3, gid="AC")
        ax.vlines(own_value, -0.5, n - 0.5, color=AC_COLOR, linewidth=1.2, zorder=2, gid="own")
        label = own_label if own_label is not None else t("own_price", lang, value=fmt.number(own_value, lang))
        ax.annotate(label, (own_value, -0.5), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=8, fontweight="bold")
        spread = max([abs(x - own_value) for x in v[ok]] + [1.0])
        ax.set_xlim(own_value - spread * 1.35, own_value + spread * 1.35)
        ax.set_yticks(y, list(categories))
        _bare(ax, keep="y")
        ax.set_ylim(n - 0.5, -0.9)
    return fig


def to_png(fig: Figure, *, dpi: int = DEFAULT_DPI) -> bytes:
    """Render ``fig`` to PNG bytes that are identical across runs, then close it.

    No Software/date metadata; the palette is small, so PNGs of memo charts stay around 15–40 KB.
    """
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)  # only matters if the caller created it through pyplot
    return buffer.getvalue()
