"""The quarterly stakeholder update (article 4.1): achieved, next, where we need support.

Three paragraphs drafted from the quarter's numbers (the period's KPI store), the annual
goals (:mod:`cmo_workbook.metrics.goals`, said via :mod:`cmo_workbook.memos.goals_block`), the marketing diary
(:func:`cmo_workbook.inputs.diary.quarter_summary`) and the stakeholder matrix
(:mod:`cmo_workbook.memos.stakeholders`), by explicit rules in de and en. The analyst edits the draft
before it goes out; every number carries a comparison and a consequence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence


from ..metrics.store import KpiStore
from ..render import fmt
from ..render.blocks import Fig, Rich
from ..inputs.diary import DiarySummary
from ..metrics.goals import GoalStatus
from .goals_block import metric_label, required_per_month, status_text, titles, value_text
from ..periods import Period
from .stakeholders import Stakeholder, serving

#: What marketing does next for a goal that is not on track, per metric (de, en).
NEXT_ACTIONS: dict[str, tuple[str, str]] = {
    "qualified_leads_web": ("Website-Inhalte und Suchanzeigen zu den meistgefragten Auslegungsthemen ausbauen",
                            "expand website content and search ads on the most requested sizing topics"),
    "qualified_leads": ("Messe- und Webinar-Kontakte schneller nachfassen und die Webinarreihe fortsetzen",
                        "follow up fair and webinar contacts faster and continue the webinar series"),
    "cost_per_qualified_lead": ("Budget von Kanälen mit steigenden Kosten je Anfrage zu den günstigsten umschichten",
                                "move budget from channels with rising cost per inquiry to the cheapest ones"),
    "marketing_pipeline_value": ("mit dem Vertrieb die größten offenen Anfragen priorisieren",
                                 "prioritise the largest open inquiries together with sales"),
    "marketing_won_revenue": ("mit dem Vertrieb die Angebote aus Marketing-Leads gezielt nachfassen",
                              "follow up quotes from marketing leads together with sales"),
}
_DEFAULT_NEXT = ("einen Maßnahmenplan vorlegen", "present an action plan")
#: What marketing asks of a department whose topics came up in the diary's feedback (default text).
_DEFAULT_ASK = ("eine gemeinsame Antwort an die Kunden im nächsten Jour fixe abstimmen",
                "agree a joint answer to customers in the next regular meeting")
_SUMS = ("qualified_leads", "sql", "marketing_pipeline_value", "marketing_won_revenue", "marketing_spend")


@dataclass(frozen=True)
class QuarterKpi:
    """A KPI of the quarter with the same quarter last year and the previous quarter (from the KPI store)."""

    key: str
    value: float
    year_ago: float
    previous: float
    higher_is_better: bool = True
    window: str = ""

    def fig(self, text: str) -> Fig:
        return Fig(text, self.key, self.window, self.value)


def quarter_kpis(store: KpiStore) -> dict[str, QuarterKpi]:
    """The quarter's catalogue values with year ago and previous quarter, as the period store holds them."""
    out: dict[str, QuarterKpi] = {}
    for key in _SUMS + ("cost_per_qualified_lead",):
        f = store.figure(key, "quarter")
        out[key] = QuarterKpi(key, f.value, f.py_value, f.prev_value,
                              store.catalogue[key].higher_is_better is not False, f.window)
    return out


@dataclass
class UpdateDraft:
    """The update: headline, three paragraphs, the departments it addresses (matrix order) and
    those it asks for support (most feedback first)."""

    headline: str
    achieved: str
    next: str
    support: str
    addressed: list[str] = field(default_factory=list)
    support_from: list[str] = field(default_factory=list)


def _money(v: float, lang: str, cur: str) -> str:
    return fmt.money(v, lang, currency=cur, compact=abs(v) >= 10_000)


def _mfig(k: QuarterKpi, lang: str, cur: str) -> Fig:
    return k.fig(_money(k.value, lang, cur))


def _yoy(k: QuarterKpi, lang: str) -> str:
    return fmt.delta(k.value, k.year_ago, lang, higher_is_better=k.higher_is_better).text


def _vs(k: QuarterKpi, lang: str) -> str:
    """The change vs the same quarter last year, or vs the previous quarter when the store has no
    reliable year-ago value (deal-based KPIs in an export's first months)."""
    if k.year_ago == k.year_ago:
        return f"{_yoy(k, lang)} {'ggü. Vorjahresquartal' if lang == 'de' else 'vs the same quarter last year'}"
    d = fmt.delta(k.value, k.previous, lang, higher_is_better=k.higher_is_better).text
    return f"{d} {'ggü. Vorquartal' if lang == 'de' else 'vs the previous quarter'}"


def achieved(kpis: dict[str, QuarterKpi], statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]],
             summary: DiarySummary | None, period: Period, lang: str, currency: str) -> str:
    """Paragraph 1: the quarter's results vs the same quarter last year, goals on track, what worked."""
    de = lang == "de"
    q = fmt.quarter(period.start, lang)
    ql, pipe, won = kpis["qualified_leads"], kpis["marketing_pipeline_value"], kpis["marketing_won_revenue"]
    names = titles(goals, lang)
    n = ql.fig(fmt.number(ql.value, lang))
    s = (Rich(f"Im {q} lieferte Marketing ", n, f" qualifizierte Anfragen ({_yoy(ql, lang)} ggü. Vorjahresquartal) und ",
              _mfig(pipe, lang, currency), f" neue Pipeline ({_vs(pipe, lang)}) – das ist der Auftragseingang der kommenden "
              "Quartale; aus Marketing-Anfragen kamen ", _mfig(won, lang, currency), f" Auftragseingang ({_vs(won, lang)}).")
         if de else
         Rich(f"In {q} marketing delivered ", n, f" qualified inquiries ({_yoy(ql, lang)} vs the same quarter last year) and ",
              _mfig(pipe, lang, currency), f" of new pipeline ({_vs(pipe, lang)}) – the order intake of the coming quarters; "
              "deals from marketing inquiries brought ", _mfig(won, lang, currency), f" of order intake ({_vs(won, lang)})."))
    on = [g for g in statuses if g.status in ("on_track", "achieved")]
    for g in on:
        v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
        s += (f" Damit ist das Ziel für {metric_label(g.metric, lang)} {status_text(g.status, lang)} "
              f"(Prognose {v(g.forecast)} ggü. Ziel {v(g.target)})." if de else
              f" This keeps the goal for {metric_label(g.metric, lang)} {status_text(g.status, lang)} "
              f"(forecast {v(g.forecast)} vs target {v(g.target)}).")
    if summary and summary.worked:
        parts = [f"{w.done} ({metric_label(w.kpi, lang)} im {fmt.month(w.month.start_time, lang)} "
                 f"{fmt.pct_change(w.change, lang)} ggü. Vorjahresmonat)" if de else
                 f"{w.done} ({metric_label(w.kpi, lang)} in {fmt.month(w.month.start_time, lang)} "
                 f"{fmt.pct_change(w.change, lang)} vs the same month last year)" for w in summary.worked[:1]]
        s += (" Gewirkt hat laut Marketing-Tagebuch: " + parts[0] + "." if de
              else " What worked, according to the marketing diary: " + parts[0] + ".")
    return s


def next_steps(statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]], summary: DiarySummary | None,
               matrix: Sequence[Stakeholder], lang: str, currency: str) -> tuple[str, list[str]]:
    """Paragraph 2: for each goal not on track, its forecast and the next action, and whom it serves."""
    de = lang == "de"
    by_id = {g["id"]: g for g in goals}
    names = titles(goals, lang)
    parts, served = [], []
    for g in statuses:
        if g.status in ("on_track", "achieved"):
            continue
        cumulative = by_id.get(g.goal_id, {}).get("aggregation") == "cumulative"
        action = NEXT_ACTIONS.get(g.metric, _DEFAULT_NEXT)[0 if de else 1]
        st = serving(action, [g.metric], matrix, exclude=["Marketing"])
        v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
        what = metric_label(g.metric, lang)
        # short form: the goals table below carries the full title, baseline and range
        sentence = (f"Ziel für {what} {status_text(g.status, lang)} (Prognose {v(g.forecast)} ggü. Ziel {v(g.target)})"
                    if de else f"Goal for {what} {status_text(g.status, lang)} (forecast {v(g.forecast)} vs target {v(g.target)})")
        need = required_per_month(g) if cumulative else None
        if need is not None:
            sentence += (f", nötig wären {v(need)} je Monat" if de else f", it would take {v(need)} a month")
        if st is not None:
            served.append(st.department)
            who = f"{st.name(lang)} ({metric_label(g.metric, lang)})"
            parts.append(f"{sentence}: {action} – das dient dem Bereich {who}." if de
                         else f"{sentence}: we will {action} – this serves {who}.")
        else:
            parts.append(f"{sentence}: {action}." if de else f"{sentence}: we will {action}.")
    if not parts:
        parts.append("Alle Jahresziele sind auf Kurs; wir setzen die Maßnahmen des Quartals fort." if de
                     else "All annual goals are on track; we continue this quarter's measures.")
    return " ".join(parts), served


def support(summary: DiarySummary | None, statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]],
            matrix: Sequence[Stakeholder], lang: str, *, min_weeks: int = 2, top: int = 2,
            asks: dict[str, tuple[str, str]] | None = None) -> tuple[str, list[str]]:
    """Paragraph 3: departments whose topics came up in the diary's feedback in ``min_weeks`` weeks or more,
    and owners of goals off course other than marketing, each with what marketing needs from them.

    At most ``top`` departments (most weeks of feedback first). ``asks`` maps a department to its (de, en) ask (from the matrix' ``support`` texts); default: a joint answer.
    """
    de = lang == "de"
    asks = asks or {}
    found: dict[str, list[str]] = {}
    weight: dict[str, int] = {}  # most weeks of feedback per department, for the order
    if summary:
        for tag, n in sorted(summary.feedback_tag_weeks.items(), key=lambda kv: (-kv[1], kv[0])):
            if n < min_weeks:
                continue
            st = serving(tag, [], matrix, exclude=["Marketing"])
            if st is None:
                continue
            example = _feedback_about(tag, summary)
            if example is None:
                continue  # no remark names the topic: no evidence to quote
            weeks = fmt.number(n, lang)
            of = fmt.number(summary.weeks, lang)
            text = f"„{example}“ (in {weeks} von {of} Wochen)" if de else f"'{example}' (in {weeks} of {of} weeks)"
            if not any(example in x for x in found.get(st.department, [])):  # two tags, one remark: say it once
                found.setdefault(st.department, []).append(text)
            weight[st.department] = max(weight.get(st.department, 0), n)
    names = titles(goals, lang)
    for g in statuses:
        owner = str(next((x.get("owner", "") for x in goals if x["id"] == g.goal_id), ""))
        if g.status in ("on_track", "achieved") or not owner:
            continue
        for st in matrix:
            if st.department.casefold() in owner.casefold() and st.department.casefold() != "marketing":
                found.setdefault(st.department, []).append(
                    f"Ziel „{names.get(g.goal_id, g.title)}“ {status_text(g.status, lang)}" if de
                    else f"goal '{names.get(g.goal_id, g.title)}' {status_text(g.status, lang)}")
    if not found:
        return (("Derzeit brauchen wir keine zusätzliche Unterstützung; die Rückmeldungen des Quartals betreffen "
                 "Marketing selbst.") if de else
                "We need no extra support right now; this quarter's feedback concerns marketing itself."), []
    # most-mentioned first (weeks of feedback), then the matrix order
    rank = {st.department: i for i, st in enumerate(matrix)}
    order = sorted(found, key=lambda d: (-weight.get(d, 0), rank[d]))[:top]  # one page: the most pressing asks
    parts = []
    for dept in order:
        st = next(x for x in matrix if x.department == dept)
        ask = asks.get(dept, _DEFAULT_ASK)[0 if de else 1]
        evidence = found[dept][0]  # the most frequent remark; the rest is in the diary
        parts.append(f"Von {st.name(lang)}: {ask} – Anlass: {evidence}." if de
                     else f"From {st.name(lang)}: {ask} – because: {evidence}.")
    return " ".join(parts), order


def _feedback_about(tag: str, summary: DiarySummary) -> str | None:
    """The latest feedback bullet that mentions the tag (its first five letters); None if none does."""
    stem = tag.casefold().replace("_", " ")[:5]
    return next((text for _w, text in summary.feedback if stem in text.casefold()), None)


def headline(kpis: dict[str, QuarterKpi], statuses: Sequence[GoalStatus], support_departments: Sequence[str],
             matrix: Sequence[Stakeholder], period: Period, lang: str) -> str:
    """The conclusion first: growth vs last year, how many goals are on track, whose support we need."""
    de = lang == "de"
    q = fmt.quarter(period.start, lang)
    pipe, ql = kpis["marketing_pipeline_value"], kpis["qualified_leads"]
    n_on = sum(g.status in ("on_track", "achieved") for g in statuses)
    names = [next(st.name(lang) for st in matrix if st.department == d) for d in support_departments[:2]]
    who = " und ".join(names) if de else " and ".join(names)
    no_py = pipe.year_ago != pipe.year_ago  # no reliable year-ago pipeline: say the quarter-on-quarter change
    if de:
        s = (f"{q}: {_yoy(ql, lang)} qualifizierte Anfragen ggü. Vorjahresquartal und Pipeline {_vs(pipe, lang)}, "
             if no_py else f"{q}: {_yoy(pipe, lang)} Pipeline und {_yoy(ql, lang)} qualifizierte Anfragen ggü. Vorjahresquartal, ")
        s += f"{fmt.number(n_on, lang)} von {fmt.number(len(statuses), lang)} Jahreszielen auf Kurs"
        return s + (f" – Unterstützung brauchen wir von {who}." if names else ".")
    s = (f"{q}: qualified inquiries {_yoy(ql, lang)} vs the same quarter last year and pipeline {_vs(pipe, lang)}, "
         if no_py else f"{q}: pipeline {_yoy(pipe, lang)} and qualified inquiries {_yoy(ql, lang)} vs the same quarter last year, ")
    s += f"{fmt.number(n_on, lang)} of {fmt.number(len(statuses), lang)} annual goals on track"
    return s + (f" – we need support from {who}." if names else ".")


def draft(kpis: dict[str, QuarterKpi], period: Period, statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]],
          summary: DiarySummary | None, matrix: Sequence[Stakeholder], lang: str, currency: str,
          asks: dict[str, tuple[str, str]] | None = None) -> UpdateDraft:
    """The whole update for ``period`` from its store KPIs (:func:`quarter_kpis`); ``statuses`` are
    the goals as of the quarter's last month."""
    first = achieved(kpis, statuses, goals, summary, period, lang, currency)
    second, served = next_steps(statuses, goals, summary, matrix, lang, currency)
    third, helpers = support(summary, statuses, goals, matrix, lang, asks=asks)
    addressed = [st.department for st in matrix if st.department in set(served) | set(helpers)]
    return UpdateDraft(headline(kpis, statuses, helpers, matrix, period, lang), first, second, third, addressed,
                       helpers)


def asks_from_params(raw: Sequence[dict[str, Any]] | None) -> dict[str, tuple[str, str]]:
    """Department -> (de, en) ask from the params' ``stakeholders[].support`` / ``support_en``."""
    out = {}
    for item in raw or []:
        if isinstance(item, dict) and item.get("support"):
            out[str(item["department"])] = (str(item["support"]), str(item.get("support_en") or item["support"]))
    return out
