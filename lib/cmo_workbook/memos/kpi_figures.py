"""KPI values from the period store as memo figures: one formatting, one label, one set of comparisons.

Every memo shows a catalogue KPI through these helpers, so its label always carries the
window ("ROMI alle Aufträge, 12 Monate rollierend"), its value carries ``data-metric``,
``data-window`` and ``data-value``, and its comparisons are the ones the catalogue names.
"""
from __future__ import annotations

import math
import string

from ..metrics.store import Figure, KpiStore, parse_window
from ..render import fmt
from ..render.blocks import Comparison, Fig, Rich, Tile
from ..render.i18n import t


def rich(key: str, lang: str, **fields: object) -> Rich:
    """The message ``key`` as rich text: placeholders given a :class:`Fig` (or Rich) keep it as a figure
    (its ``data-metric`` span), all other fields are filled in as text."""
    template = t(key, lang, **{k: "{" + k + "}" for k in fields})  # the catalogue's (or company's) words
    parts: list[object] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name:
            value = fields[name]
            parts.append(value if isinstance(value, (Fig, Rich)) else str(value))
    return Rich(*parts)


def text(unit: str, value: float, lang: str, currency: str) -> str:
    """The formatted value of a KPI by its catalogue unit."""
    if unit == "eur":
        return fmt.money(value, lang, currency=currency, compact=abs(value) >= 10_000 if value == value else False)
    if unit in ("rate", "ratio"):
        return fmt.percent(value, lang, digits=0)
    if unit == "factor":
        return f"{fmt.number(value, lang, 1)} : 1"
    return fmt.number(value, lang)


def fig(f: Figure, lang: str, currency: str, *, shown: str | None = None) -> Fig:
    """The store value as a memo figure (``shown`` overrides the formatting, e.g. "3,95 €")."""
    return Fig(shown if shown is not None else text(f.unit, f.value, lang, currency), f.metric, f.window, f.value,
               f.segment)


def figure(store: KpiStore, metric: str, kind: str, lang: str, currency: str, segment: str = "") -> Fig:
    return fig(store.figure(metric, kind, segment), lang, currency)


def _labels(f: Figure, lang: str) -> tuple[str, str]:
    if f.window_kind == "month":
        return t("vs_prev_month", lang), t("vs_prev_year", lang)
    if f.window_kind == "quarter":
        return t("vs_prev_quarter", lang), t("vs_py_quarter", lang)
    step = (parse_window(f.window).end - parse_window(f.prev_window).end).n if f.prev_window else 1
    if step == 3:  # a quarterly memo's rolling window, one quarter earlier
        return t("vs_prev_window_q", lang), t("vs_py_window", lang)
    return t(f"vs_prev_window_{f.window_kind}", lang) if f.window_kind in ("t12m", "asof") else "", t("vs_py_window", lang)


def comparisons(f: Figure, lang: str, higher_is_better: bool | None, which: tuple[str, ...],
                target_label: str | None = None) -> list[Comparison]:
    """The comparisons the catalogue names for the metric, in its order; no comparison → "–".
    ``target_label`` names the target ("ggü. Plan" where controlling's plan is the target)."""
    kind = "pp" if f.unit in ("rate", "ratio") else "pct"
    prev_label, py_label = _labels(f, lang)
    out = []
    for c in which:
        if c == "previous" and f.prev_window:
            other, label = f.prev_value, prev_label
        elif c == "year_ago" and f.py_window:
            other, label = f.py_value, py_label
        elif c == "target" and not math.isnan(f.target):
            other, label = f.target, target_label or t("vs_target", lang)
        else:
            continue
        d = fmt.delta(f.value, other, lang, kind=kind, higher_is_better=higher_is_better)
        out.append(Comparison(label, d.text, d.good))
    return out


def too_few(store: KpiStore, f: Figure) -> bool:
    """Whether ``f`` rests on fewer cases than its catalogue minimum (``min_n``): then no memo judges it."""
    m = store.catalogue[f.metric]
    return bool(m.min_n) and f.n == f.n and f.n < m.min_n


def too_few_text(f: Figure, lang: str) -> str:
    """The count instead of a verdict: "3 von 3 angenommen, zu wenige für ein Urteil"."""
    n = int(f.n)
    hits = int(round(f.value * n)) if f.value == f.value else 0
    return t(f"kpi_{f.metric}_too_few", lang, k=fmt.number(hits, lang), n=fmt.number(n, lang))


def tile(store: KpiStore, metric: str, kind: str, lang: str, currency: str, so_what: str = "",
         segment: str = "", which: tuple[str, ...] | None = None) -> Tile:
    """A KPI tile straight from the store: label with window, value, catalogue comparisons, so-what.

    Below the catalogue's minimum sample the comparisons carry no good/bad colour and the so-what states the
    count instead of a verdict (100 % of 3 decided inquiries is no good news)."""
    m = store.catalogue[metric]
    f = store.figure(metric, kind, segment)
    planned = bool(m.plan_target) or m.kind == "spend_forecast"  # the target is controlling's plan
    cmps = comparisons(f, lang, m.higher_is_better, which or m.comparisons, t("kpi_vs_plan", lang) if planned else None)
    if too_few(store, f):
        cmps, so_what = [Comparison(c.label, c.delta, None) for c in cmps], too_few_text(f, lang)
    return Tile(store.label(metric, kind, lang), fig(f, lang, currency), cmps, so_what)
