"""KPI values from the period store as memo figures: one formatting, one label, one set of comparisons.

Every memo shows a catalogue KPI through these helpers, so its label always carries the
window ("Marketing-ROMI gesamt, 12 Monate rollierend"), its value carries ``data-metric``,
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


def sample_note(store: KpiStore, f: Figure, lang: str) -> str:
    """For a rate with a minimum sample (catalogue ``min_n``) that gets no verdict, the sentence instead ("" when
    it gets one): not measured (no count: the export lacks the input), no decision yet (0 cases), or the count
    below the minimum ("3 von 3 angenommen, zu wenige für ein Urteil")."""
    m = store.catalogue[f.metric]
    if not m.min_n:
        return ""
    if f.n != f.n:  # nothing counted: in a window the data cover, because the export lacks the input
        covered = store.has("qualified_leads", f.window) and not math.isnan(store.value("qualified_leads",
                                                                                        window=f.window))
        return t(f"kpi_{f.metric}_not_measured", lang) if f.value != f.value and covered else ""
    n = int(f.n)
    if n == 0:
        return t(f"kpi_{f.metric}_none", lang)
    if n < m.min_n:
        hits = int(round(f.value * n))
        return t(f"kpi_{f.metric}_too_few", lang, k=fmt.number(hits, lang), n=fmt.number(n, lang))
    return ""


def no_verdict(store: KpiStore, f: Figure) -> bool:
    """Whether no memo may judge ``f`` (see :func:`sample_note`)."""
    return bool(sample_note(store, f, "en"))


def tile(store: KpiStore, metric: str, kind: str, lang: str, currency: str, so_what: str = "",
         segment: str = "", which: tuple[str, ...] | None = None) -> Tile:
    """A KPI tile straight from the store: label with window, value, catalogue comparisons, so-what.

    Below the catalogue's minimum sample (or not measured at all) the comparisons carry no good/bad colour and
    the so-what states the count instead of a verdict (100 % of 3 decided inquiries is no good news)."""
    m = store.catalogue[metric]
    f = store.figure(metric, kind, segment)
    planned = bool(m.plan_target) or m.kind == "spend_forecast"  # the target is controlling's plan
    cmps = comparisons(f, lang, m.higher_is_better, which or m.comparisons, t("kpi_vs_plan", lang) if planned else None)
    note = sample_note(store, f, lang)
    if note:
        cmps, so_what = [Comparison(c.label, c.delta, None) for c in cmps], note
    return Tile(store.label(metric, kind, lang), fig(f, lang, currency), cmps, so_what)
