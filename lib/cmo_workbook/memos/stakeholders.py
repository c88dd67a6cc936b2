"""The stakeholder matrix (article 4.2): departments, their goals, KPIs and challenges.

Params section ``stakeholders:`` is a list of departments::

    stakeholders:
      - department: Vertrieb
        department_en: Sales              # optional English name (memos in English)
        head: Vertriebsleitung            # a role, not a person's name
        goals: [Auftragseingang 2026 +8 %]
        kpis: [sql, marketing_pipeline_value, Angebotsquote]  # metric names or free text
        challenges: [Preisdruck durch Hartmann]
        topics: [preis, wettbewerb]       # optional: diary tags / words that concern this department
        support: Argumente gegen ...      # optional: what marketing asks of them (support_en in English)

Memos link each recommendation to the department whose KPI it serves (:func:`serving`,
:func:`link_recommendations`), so the CEO sees who benefits from an action.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from ..render.blocks import Recommendation
from ..render.i18n import t
from ..errors import ParamsError
from ..metrics.monthly import METRICS

_TEXT_LISTS = ("goals", "kpis", "challenges", "topics")
_KEYS = ("department", "department_en", "head", "head_en", "goals", "goals_en", "kpis", "challenges",
         "challenges_en", "topics", "support", "support_en")

# Words in a recommendation that point at a metric (recommendations rarely name their KPI).
KPI_WORDS: dict[str, tuple[str, ...]] = {
    "cost_per_qualified_lead": ("kosten je", "kosten pro", "cost per", "budget"),
    "qualified_leads_web": ("website", "webseite", "suchmaschine", "seo"),
    "qualified_leads": ("anfrage", "inquir", "lead"),
    "sql": ("akzeptanz", "ablehnung", "mql-kriterien", "accepted by sales", "rejection", "sales-marketing-sync",
            "sales sync"),
    "marketing_pipeline_value": ("pipeline",),
    "marketing_won_revenue": ("umsatz", "revenue", "auftrag"),
}


@dataclass(frozen=True)
class Stakeholder:
    """One row of the matrix."""

    department: str
    head: str
    goals: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    challenges: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    en: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def name(self, lang: str) -> str:
        """Department name in the memo language."""
        return self.en.get("department_en", self.department) if lang == "en" else self.department

    def text(self, key: str, lang: str) -> tuple[str, ...] | str:
        """``goals``/``challenges``/``head`` in the memo language (German when no English is given)."""
        value = getattr(self, key)
        if lang == "en" and f"{key}_en" in self.en:
            other = self.en[f"{key}_en"]
            return tuple(other) if isinstance(value, tuple) else other
        return value


def from_params(raw: Sequence[dict[str, Any]] | None) -> list[Stakeholder]:
    """The matrix from the params' ``stakeholders`` list; ParamsError names every problem."""
    out, problems = [], []
    for i, item in enumerate(raw or []):
        where = f'"stakeholders[{i}]"'
        if not isinstance(item, dict):
            problems.append(f"{where} must be a mapping with department, head, goals, kpis, challenges")
            continue
        for key in item:
            if key not in _KEYS:
                problems.append(f'{where}: unknown key "{key}"; allowed: {", ".join(_KEYS)}')
        for key in ("department", "head"):
            if not str(item.get(key) or "").strip():
                problems.append(f'{where}: missing "{key}" (text{", a role such as Vertriebsleitung" if key == "head" else ""})')
        if not item.get("kpis"):
            problems.append(f'{where}: list at least one KPI under "kpis" (a metric name such as sql, or text)')
        lists = {}
        for key in _TEXT_LISTS + ("goals_en", "challenges_en"):
            value = item.get(key) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                problems.append(f'{where}: "{key}" must be a list (got {value!r})')
                value = []
            lists[key] = tuple(str(v) for v in value)
        en = {k: item[k] for k in ("department_en", "head_en") if item.get(k)}
        en.update({k: lists[k] for k in ("goals_en", "challenges_en") if lists[k]})
        out.append(Stakeholder(str(item.get("department", "")).strip(), str(item.get("head", "")).strip(),
                               lists["goals"], lists["kpis"], lists["challenges"], lists["topics"], en))
    if problems:
        raise ParamsError("params: " + "; ".join(problems))
    return out


def kpis_in(text: str) -> list[str]:
    """Metrics a recommendation's text points at (by :data:`KPI_WORDS`), in that table's order."""
    low = text.casefold()
    return [k for k, words in KPI_WORDS.items() if any(w in low for w in words)]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\wäöüß]{4,}", text.casefold())}


def serving(owner_or_topic: str, kpis: Iterable[str], matrix: Sequence[Stakeholder], *,
            exclude: Iterable[str] = ()) -> Stakeholder | None:
    """The department a recommendation serves: most shared KPIs first, then topic words; None if nobody.

    Score per department: 3 per KPI in both lists, 2 per ``topics`` entry or free-text KPI found in
    ``owner_or_topic``, 1 if the department's name appears in it. Ties keep the matrix order.
    ``exclude`` drops departments (e.g. the recommendation's owner: it does not serve itself).
    """
    wanted = {k.casefold() for k in kpis}
    text = owner_or_topic.casefold()
    words = _words(owner_or_topic)
    skip = {e.casefold() for e in exclude}
    best, best_score = None, 0
    for st in matrix:
        if st.department.casefold() in skip or st.en.get("department_en", "").casefold() in skip:
            continue
        score = 3 * len(wanted & {k.casefold() for k in st.kpis})
        for term in st.topics + tuple(k for k in st.kpis if k not in METRICS):  # free-text KPIs match words
            if term.casefold() in text or term.casefold() in words:
                score += 2
        if st.department.casefold() in text:
            score += 1
        if score > best_score:
            best, best_score = st, score
    return best


def link_recommendations(recs: Sequence[Recommendation], matrix: Sequence[Stakeholder], lang: str,
                         kpis: Sequence[Sequence[str]] | None = None, kpi_label=None) -> list[Recommendation]:
    """Copies of ``recs`` with ``stakeholder`` filled: 'Vertrieb (Pipeline aus Marketing)'.

    ``kpis`` gives each recommendation's metrics; missing ones are read from its text
    (:func:`kpis_in`). A recommendation already carrying a stakeholder keeps it.
    """
    label = kpi_label or (lambda k, _l: k)
    out = []
    for i, rec in enumerate(recs):
        if rec.stakeholder:
            out.append(rec)
            continue
        text = " ".join((rec.action, rec.evidence, rec.effect))
        ks = list(kpis[i]) if kpis is not None and i < len(kpis) else kpis_in(text)
        st = serving(text, ks, matrix, exclude=[rec.owner] if rec.owner else [])
        if st is None:
            out.append(rec)
            continue
        shared = [k for k in ks if k in st.kpis]
        what = label(shared[0], lang) if shared else ""
        out.append(replace(rec, stakeholder=f"{st.name(lang)} ({what})" if what else st.name(lang)))
    return out


def matrix_table(matrix: Sequence[Stakeholder], lang: str, *, only: Iterable[str] | None = None,
                 kpi_label=None, columns: Sequence[str] = ("goals", "kpis", "challenges")) -> tuple[list[str], list[list[str]]]:
    """Header and rows (department with head, then ``columns`` of goals/kpis/challenges) for a memo table.

    ``only`` restricts the rows to these department names (either language), in the matrix order.
    """
    label = kpi_label or (lambda k, _l: k)
    keep = {o.casefold() for o in only} if only is not None else None
    header = [t("stk_col_department", lang)] + [t(f"stk_col_{c}", lang) for c in columns]
    rows = []
    for st in matrix:
        if keep is not None and not {st.department.casefold(), st.name("en").casefold()} & keep:
            continue
        cells = {"goals": "; ".join(st.text("goals", lang)), "kpis": ", ".join(label(k, lang) for k in st.kpis),
                 "challenges": "; ".join(st.text("challenges", lang))}
        rows.append([f"{st.name(lang)} ({st.text('head', lang)})"] + [cells[c] for c in columns])
    return header, rows


def owner_label(owner: str, matrix: Sequence[Stakeholder], lang: str) -> str:
    """A goal's ``owner`` from params in the memo language: each part ("Marketing & Vertrieb") that names a
    department of the matrix takes its name in ``lang`` ("Marketing & Sales"); other words stay as written."""
    names = {name.casefold(): st for st in matrix for name in (st.department, st.name("en"))}
    parts = [p.strip() for p in re.split(r"\s*&\s*|\s+und\s+|\s+and\s+", owner or "") if p.strip()]
    return " & ".join(names[p.casefold()].name(lang) if p.casefold() in names else p for p in parts)


def department_for(metric: str, matrix: Sequence[Stakeholder]) -> Stakeholder | None:
    """The first department of the matrix that lists ``metric`` among its KPIs (who answers for it besides marketing)."""
    return next((st for st in matrix if metric in st.kpis), None)


def joint_owner(metric: str, matrix: Sequence[Stakeholder], lang: str, marketing: str) -> str:
    """"Marketing & Vertrieb" for a KPI marketing shares with the department the matrix names; "" when none does."""
    st = department_for(metric, matrix)
    return f"{marketing} & {st.name(lang)}" if st is not None else ""
