"""The quarterly stakeholder update (article 4.1): achieved, next, where we need support.

Three paragraphs drafted from the quarter's numbers (the period's KPI store), the annual
goals (:mod:`cmo_workbook.metrics.goals`, said via :mod:`cmo_workbook.memos.goals_block`), the marketing diary
(:func:`cmo_workbook.inputs.diary.quarter_summary`) and the stakeholder matrix
(:mod:`cmo_workbook.memos.stakeholders`), by explicit rules, worded from the message catalogues (``upd_*``). The analyst edits the draft
before it goes out; every number carries a comparison and a consequence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Sequence


from ..metrics import channel_budget as chb
from ..metrics.store import KpiStore
from ..render import fmt
from ..render.blocks import Fig, Rich
from ..render.i18n import t, tn
from ..inputs.diary import DiarySummary
from ..metrics.goals import GoalStatus
from .goals_block import goal_status_text, metric_label, required_per_month, status_text, titles, value_text
from ..periods import Period
from .stakeholders import Stakeholder, serving
from ..render.wording import channel_label, channel_names, rich
from .decisions import channel_in
from . import channel_decision

if TYPE_CHECKING:  # the sync's module only for the annotation: the update computes nothing of the sync
    from .sales_marketing_sync import Acceptance

#: Metrics with their own next action for a goal that is not on track (message ``upd_next_<metric>``);
#: any other metric gets ``upd_next_default``.
NEXT_ACTION_METRICS = ("qualified_leads_web", "qualified_leads", "cost_per_qualified_lead", "marketing_pipeline_value",
                       "marketing_won_revenue")
#: the channel a metric's next action grows ("... und Suchanzeigen ... ausbauen"); when its sales acceptance is below
#: the average (:meth:`~cmo_workbook.memos.sales_marketing_sync.Acceptance.below_average`) the action is
#: ``upd_next_<metric>_weak`` instead: grow the rest, tighten that channel's hand-over criteria first
NEXT_ACTION_CHANNELS = {"qualified_leads_web": "paid_search"}
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
    target: float = float("nan")  #: the quarter's plan (controlling), NaN without one

    @property
    def misses_plan(self) -> bool:
        """Whether a plan exists and the quarter is on its wrong side (the headline then says so first)."""
        if self.target != self.target or self.value != self.value:
            return False
        return self.value < self.target if self.higher_is_better else self.value > self.target

    def fig(self, text: str) -> Fig:
        return Fig(text, self.key, self.window, self.value)


def quarter_kpis(store: KpiStore) -> dict[str, QuarterKpi]:
    """The quarter's catalogue values with year ago and previous quarter, as the period store holds them."""
    out: dict[str, QuarterKpi] = {}
    for key in _SUMS + ("cost_per_qualified_lead",):
        f = store.figure(key, "quarter")
        out[key] = QuarterKpi(key, f.value, f.py_value, f.prev_value,
                              store.catalogue[key].higher_is_better is not False, f.window, f.target)
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
    comparisons: str = ""  #: the data note's sentence on what the figures are compared with


def _money(v: float, lang: str, cur: str) -> str:
    return fmt.money(v, lang, currency=cur, compact=abs(v) >= 10_000)


def _mfig(k: QuarterKpi, lang: str, cur: str) -> Fig:
    return k.fig(_money(k.value, lang, cur))


def _yoy(k: QuarterKpi, lang: str) -> str:
    return fmt.delta(k.value, k.year_ago, lang, higher_is_better=k.higher_is_better).text


def comparison_basis(k: QuarterKpi) -> str:
    """What a figure of the update is compared with: ``"py"`` (same quarter last year) or ``"prev"`` (previous
    quarter, when the store has no reliable year-ago value: deal-based KPIs in an export's first months).

    The one rule behind :func:`_vs` and the data note's :func:`comparisons_note`, so the note says what the
    comparisons really are. Qualified inquiries are always stated against the year-ago quarter (their sentence
    says so), with "–" when it is missing.
    """
    return "py" if k.key == "qualified_leads" or k.year_ago == k.year_ago else "prev"


def _vs(k: QuarterKpi, lang: str) -> str:
    """The change vs the same quarter last year, or vs the previous quarter (:func:`comparison_basis`)."""
    if comparison_basis(k) == "py":
        return t("upd_vs_py_quarter", lang, change=_yoy(k, lang))
    return t("upd_vs_prev_quarter", lang, change=fmt.delta(k.value, k.previous, lang, higher_is_better=k.higher_is_better).text)


#: the figures of the "achieved" paragraph and the headline, in the order the data note names them
NOTE_KPIS = ("qualified_leads", "marketing_spend", "cost_per_qualified_lead", "marketing_pipeline_value",
             "marketing_won_revenue")


def comparisons_note(kpis: dict[str, QuarterKpi], lang: str, *, diary: bool = False, channel: bool = False) -> str:
    """Data note: which figures are compared with the year-ago quarter and which with the previous quarter,
    derived from each figure's :func:`comparison_basis` (never a fixed sentence that is wrong for some); ``diary``:
    the paragraph cites a diary activity beside its KPI's year-ago month; ``channel``: and the activity's channel
    with its cost per inquiry against the previous quarter."""
    groups: dict[str, list[str]] = {"py": [], "prev": []}
    for key in NOTE_KPIS:
        if key in kpis:
            groups[comparison_basis(kpis[key])].append(t(f"upd_note_kpi_{key}", lang))
    parts = [t(f"upd_note_cmp_{basis}", lang, figures=", ".join(names)) for basis, names in groups.items() if names]
    if channel:  # the channel sentence always compares with the previous quarter (its own reason, not a gap)
        parts.append(t("upd_note_cmp_channel", lang))
    if diary:
        parts.append(t("upd_note_cmp_diary", lang))
    return t("upd_note_comparisons", lang, comparisons="; ".join(parts))


def _rates(rate: float, average: float, lang: str) -> tuple[str, str]:
    """Rate and average as percentages, with a decimal when whole percents would read the same."""
    digits = 0 if round(rate * 100) != round(average * 100) else 1
    return fmt.percent(rate, lang, digits), fmt.percent(average, lang, digits)


def next_action(metric: str, lang: str, acceptance: Acceptance | None = None) -> str:
    """What marketing does next for a goal on ``metric`` that is not on track; a channel the action would grow is
    left out when its sales acceptance is below the average (``acceptance``: a
    :class:`~cmo_workbook.memos.sales_marketing_sync.Acceptance`; None: not known, the plain action)."""
    if metric not in NEXT_ACTION_METRICS:
        return t("upd_next_default", lang)
    channel = NEXT_ACTION_CHANNELS.get(metric)
    if channel and acceptance is not None and acceptance.below_average(channel):
        rate, average = _rates(acceptance.rates[channel], acceptance.average, lang)
        return t(f"upd_next_{metric}_weak", lang, channel=channel_label(channel, lang), rate=rate, average=average,
                 quarter=fmt.quarter(acceptance.window.start, lang))
    return t(f"upd_next_{metric}", lang)


def activity_channel(tags: Sequence[str], done: str) -> str:
    """The channel a diary activity belongs to: a tag that is a channel key or the start of its name ("messe" ->
    trade_fairs, "webinar" -> webinars), else a channel its text names; '' when none."""
    names = channel_names()
    for tag in (str(x).casefold() for x in tags):
        for key, by_lang in names.items():
            if tag == key or (len(tag) >= 4 and any(n.casefold().startswith(tag) for n in by_lang.values())):
                return key
    seg = channel_in(done)
    return seg.split("=", 1)[1] if seg else ""


def channel_result(store: KpiStore, channel: str, period: Period, lang: str, currency: str) -> Rich | None:
    """A channel's cost and what came of it, from the store, each with its window: spend and order intake from its
    inquiries over 12 months, cost per qualified inquiry in the quarter against the previous quarter (None when the
    store holds no spend for the channel)."""
    seg = f"channel={channel}"
    try:
        spend, won = store.figure("marketing_spend", "t12m", seg), store.figure("marketing_won_revenue", "t12m", seg)
        cpl = store.figure("cost_per_qualified_lead", "quarter", seg)
    except KeyError:
        return None
    if not spend.value or spend.value != spend.value:
        return None
    money = lambda f: Fig(_money(f.value, lang, currency), f.metric, f.window, f.value, segment=seg)  # noqa: E731
    last = period.month_periods()[-1].start
    return rich("upd_channel_result", lang, channel=channel_label(channel, lang), month=fmt.month(last, lang, short=True),
                spend=money(spend), won=money(won), quarter=fmt.quarter(period.start, lang),
                cpl=Fig(fmt.money(cpl.value, lang, currency=currency), cpl.metric, cpl.window, cpl.value, segment=seg),
                cpl_vs=fmt.delta(cpl.value, cpl.prev_value, lang, higher_is_better=False).text)


def channel_budget_result(stake: chb.BudgetStake, lang: str, currency: str, today: date | None = None) -> str:
    """A channel decided on its own (trade fairs) in the figures of the pack's budget decision
    (:func:`cmo_workbook.memos.attribution_review.budget_decision`): first-order margin against cost, the ROMI
    with its range and the decision the quarterly review asks — never its order intake beside its cost, which
    reads as a success for a channel that loses money."""
    return t("upd_channel_budget", lang, **channel_decision.budget_fields(stake, lang, currency, today=today))


def channel_sentence(channel: str, store: KpiStore | None, period: Period, lang: str, currency: str,
                     budget: chb.BudgetStake | None = None, today: date | None = None) -> str | Rich | None:
    """What the update says beside a diary activity of ``channel``: the budget decision's figures when the channel
    is the one decided on its own (``budget``), else its cost and result from the store (None: nothing to say)."""
    if budget is not None and channel == budget.channel:
        return channel_budget_result(budget, lang, currency, today)
    return channel_result(store, channel, period, lang, currency) if store is not None and channel else None


def achieved(kpis: dict[str, QuarterKpi], statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]],
             summary: DiarySummary | None, period: Period, lang: str, currency: str,
             store: KpiStore | None = None, budget: chb.BudgetStake | None = None, today: date | None = None) -> Rich:
    """Paragraph 1: the quarter's results vs the same quarter last year (with what marketing spent), goals on track,
    and what the diary noted beside a KPI rise — a coincidence in time, not proof; an activity of a channel gets
    the channel's cost and result beside it (``store``), so a trade fair is not credited while its channel's cost
    per inquiry soars — for the channel of the pack's budget decision (``budget``) its margin, ROMI and decision
    (:func:`channel_sentence`)."""
    q = fmt.quarter(period.start, lang)
    ql, pipe, won = kpis["qualified_leads"], kpis["marketing_pipeline_value"], kpis["marketing_won_revenue"]
    spend, cpl = kpis["marketing_spend"], kpis["cost_per_qualified_lead"]
    s = rich("upd_achieved_results", lang, quarter=q, leads=ql.fig(fmt.number(ql.value, lang)), leads_change=_yoy(ql, lang),
             pipeline=_mfig(pipe, lang, currency), pipeline_vs=_vs(pipe, lang), won=_mfig(won, lang, currency),
             won_vs=_vs(won, lang), spend=_mfig(spend, lang, currency), spend_vs=_vs(spend, lang),
             cpl=cpl.fig(fmt.money(cpl.value, lang, currency=currency)), cpl_vs=_vs(cpl, lang))
    on = [g for g in statuses if g.status in ("on_track", "achieved")]
    for g in on:
        v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
        s += " " + t("upd_achieved_goal", lang, metric=metric_label(g.metric, lang), status=goal_status_text(g, lang, currency),
                     forecast=v(g.forecast), target=v(g.target))
    if summary and summary.worked:
        w = summary.worked[0]
        s += " " + t("upd_achieved_worked", lang, done=w.done, metric=metric_label(w.kpi, lang),
                     month=fmt.month(w.month.start_time, lang), change=fmt.pct_change(w.change, lang))
        result = channel_sentence(activity_channel(w.tags, w.done), store, period, lang, currency, budget, today)
        if result is not None:
            s += Rich(" ", result)
    return s


def next_steps(statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]], summary: DiarySummary | None,
               matrix: Sequence[Stakeholder], lang: str, currency: str, acceptance: Acceptance | None = None) -> tuple[str, list[str]]:
    """Paragraph 2: for each goal not on track, its forecast and the next action (:func:`next_action`, with the
    quarter's sales ``acceptance`` per channel), and whom it serves."""
    by_id = {g["id"]: g for g in goals}
    parts, served = [], []
    for g in statuses:
        if g.status in ("on_track", "achieved"):
            continue
        cumulative = by_id.get(g.goal_id, {}).get("aggregation") == "cumulative"
        action = next_action(g.metric, lang, acceptance)
        st = serving(action, [g.metric], matrix, exclude=["Marketing"])
        v = lambda x: value_text(g.metric, x, lang, currency)  # noqa: E731
        # short form: the goals table below carries the full title, baseline and range
        fields = dict(metric=metric_label(g.metric, lang), status=goal_status_text(g, lang, currency), forecast=v(g.forecast),
                      target=v(g.target))
        need = required_per_month(g) if cumulative else None
        sentence = (t("upd_next_goal_need", lang, need=v(need), **fields) if need is not None else
                    t("upd_next_goal", lang, **fields))
        if st is not None:
            served.append(st.department)
            who = f"{st.name(lang)} ({metric_label(g.metric, lang)})"
            parts.append(t("upd_next_serves", lang, goal=sentence, action=action, who=who))
        else:
            parts.append(t("upd_next_plain", lang, goal=sentence, action=action))
    if not parts:
        parts.append(t("upd_next_all_on_track", lang))
    return " ".join(parts), served


def support(summary: DiarySummary | None, statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]],
            matrix: Sequence[Stakeholder], lang: str, *, min_weeks: int = 2, top: int = 2,
            asks: dict[str, tuple[str, str]] | None = None) -> tuple[str, list[str]]:
    """Paragraph 3: departments whose topics came up in the diary's feedback in ``min_weeks`` weeks or more,
    and owners of goals off course other than marketing, each with what marketing needs from them.

    At most ``top`` departments (most weeks of feedback first). ``asks`` maps a department to its (de, en) ask
    (from the matrix' ``support`` texts); default: the message ``upd_ask_default`` (a joint answer).
    """
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
            text = t("upd_support_evidence", lang, example=example, weeks=fmt.number(n, lang),
                     of=fmt.number(summary.weeks, lang))
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
                    t("upd_support_goal", lang, goal=names.get(g.goal_id, g.title), status=status_text(g.status, lang)))  # goals not on track: no forecast caveat
    if not found:
        return t("upd_support_none", lang), []
    # most-mentioned first (weeks of feedback), then the matrix order
    rank = {st.department: i for i, st in enumerate(matrix)}
    order = sorted(found, key=lambda d: (-weight.get(d, 0), rank[d]))[:top]  # one page: the most pressing asks
    parts = []
    for dept in order:
        st = next(x for x in matrix if x.department == dept)
        ask = asks[dept][0 if lang == "de" else 1] if dept in asks else t("upd_ask_default", lang)
        evidence = found[dept][0]  # the most frequent remark; the rest is in the diary
        parts.append(t("upd_support_ask", lang, department=st.name(lang), ask=ask, evidence=evidence))
    return " ".join(parts), order


def _feedback_about(tag: str, summary: DiarySummary) -> str | None:
    """The latest feedback bullet that mentions the tag (its first five letters); None if none does."""
    stem = tag.casefold().replace("_", " ")[:5]
    return next((text for _w, text in summary.feedback if stem in text.casefold()), None)


def headline(kpis: dict[str, QuarterKpi], statuses: Sequence[GoalStatus], support_departments: Sequence[str],
             matrix: Sequence[Stakeholder], period: Period, lang: str, currency: str = "EUR") -> str:
    """The conclusion first: growth vs last year, the euros won from marketing inquiries, how many goals are on
    track, whose support we need."""
    q = fmt.quarter(period.start, lang)
    pipe, ql = kpis["marketing_pipeline_value"], kpis["qualified_leads"]
    names = [next(st.name(lang) for st in matrix if st.department == d) for d in support_departments[:2]]
    goals_part = goals_count(statuses, lang)
    won = kpis.get("marketing_won_revenue")
    if won is not None and won.value == won.value:  # what marketing delivered in euros, on the first line
        goals_part = t("upd_headline_won", lang, won=_money(won.value, lang, currency), won_vs=_vs(won, lang),
                       goals=goals_part)
    if pipe.year_ago != pipe.year_ago:  # no reliable year-ago pipeline: say the quarter-on-quarter change
        s = t("upd_headline_no_py", lang, quarter=q, leads_change=_yoy(ql, lang), pipeline_vs=_vs(pipe, lang), goals=goals_part)
    else:
        s = t("upd_headline_py", lang, quarter=q, pipeline_change=_yoy(pipe, lang), leads_change=_yoy(ql, lang),
              goals=goals_part)
    if ql.misses_plan:  # a missed plan comes before any growth vs last year (no cheerleading over a miss)
        s = t("upd_headline_plan_missed", lang, quarter=q, change=fmt.delta(ql.value, ql.target, lang).text,
              value=fmt.number(ql.value, lang, 0), target=fmt.number(ql.target, lang, 0),
              rest=s.removeprefix(t("upd_quarter_prefix", lang, quarter=q)))
    if not names:
        return t("upd_headline_end", lang, headline=s)
    who = names[0] if len(names) == 1 else t("upd_two_names", lang, first=names[0], second=names[1])
    return t("upd_headline_support", lang, headline=s, who=who)


def goals_count(statuses: Sequence[GoalStatus], lang: str) -> str:
    """'2 von 3 Jahreszielen auf Kurs' — a goal on track only by its forecast's assumption ("nur, wenn der
    Dezember …", :attr:`GoalStatus.rests_on_forecast`) is not counted as safe but named apart."""
    sure = sum(g.status in ("on_track", "achieved") and not g.rests_on_forecast for g in statuses)
    cond = sum(g.rests_on_forecast for g in statuses)
    n = fmt.number(len(statuses), lang)
    if not cond:
        return t("upd_headline_goals", lang, on_track=fmt.number(sure, lang), n=n)
    return tn("upd_headline_goals_conditional", cond, lang, sure=fmt.number(sure, lang), n=n,
              cond=fmt.number(cond, lang))


def draft(kpis: dict[str, QuarterKpi], period: Period, statuses: Sequence[GoalStatus], goals: Sequence[dict[str, Any]],
          summary: DiarySummary | None, matrix: Sequence[Stakeholder], lang: str, currency: str,
          asks: dict[str, tuple[str, str]] | None = None, store: KpiStore | None = None,
          budget: chb.BudgetStake | None = None, today: date | None = None, acceptance: Acceptance | None = None) -> UpdateDraft:
    """The whole update for ``period`` from its store KPIs (:func:`quarter_kpis`); ``statuses`` are
    the goals as of the quarter's last month; ``store`` adds a diary activity's channel result, ``budget`` (the
    pack's budget decision) that of the channel decided on its own; ``today``: the generation date; ``acceptance``
    (the quarter's sales acceptance per channel) keeps a below-average channel out of "grow"."""
    first = achieved(kpis, statuses, goals, summary, period, lang, currency, store, budget, today)
    second, served = next_steps(statuses, goals, summary, matrix, lang, currency, acceptance)
    third, helpers = support(summary, statuses, goals, matrix, lang, asks=asks)
    addressed = [st.department for st in matrix if st.department in set(served) | set(helpers)]
    worked = summary.worked[0] if summary and summary.worked else None
    channel = activity_channel(worked.tags, worked.done) if worked is not None and store is not None else ""
    # the cost per inquiry against the previous quarter is said for a channel other than the budget decision's
    has_channel = (bool(channel) and not (budget is not None and channel == budget.channel)
                   and channel_result(store, channel, period, lang, currency) is not None)
    note = comparisons_note(kpis, lang, diary=worked is not None, channel=has_channel)
    return UpdateDraft(headline(kpis, statuses, helpers, matrix, period, lang, currency), first, second, third, addressed,
                       helpers, note)


def asks_from_params(raw: Sequence[dict[str, Any]] | None) -> dict[str, tuple[str, str]]:
    """Department -> (de, en) ask from the params' ``stakeholders[].support`` / ``support_en``."""
    out = {}
    for item in raw or []:
        if isinstance(item, dict) and item.get("support"):
            out[str(item["department"])] = (str(item["support"]), str(item.get("support_en") or item["support"]))
    return out
