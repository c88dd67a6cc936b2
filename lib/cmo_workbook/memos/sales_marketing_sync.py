"""The agenda memo for the monthly sales–marketing sync (article 4.2): narrative by explicit rules.

Numbers come from :mod:`cmo_workbook.metrics.sla`; this module compares them (previous month, SLA
target), writes the headline, the KPI tiles with their "so what", the tables and the agenda
items (recommendations with an owner); every sentence is a catalogue message (ids ``sync_…``).
Lead owners appear under their names from the CRM, or the team or role params give them (``sla.owner_labels``;
neutral "Vertrieb 1" labels with ``sla.show_owner_names: false``: :func:`cmo_workbook.metrics.sla.owner_labels`);
the rows a table leaves out are named plainly ("weitere 3 Vertriebler"); companies are business names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..render import fmt
from ..metrics import sla
from ..metrics.catalogue import MIN_DECIDED
from ..metrics.store import KpiStore
from ..render.blocks import Block, Comparison, Paragraph, Recommendation, Rich, Table, Tile
from . import kpi_figures
from ..render.i18n import t, tn
from ..render.wording import channel_label, rich
from ..inputs.findings import Finding
from ..inputs.loaders import Dataset
from ..inputs.plausibility import ALL_MEMOS, missing_rate_inputs
from ..periods import Period, run_date


@dataclass
class SyncFacts:
    """Everything the sync memo says, computed once per period."""

    period: Period
    cfg: sla.SlaConfig
    now: sla.SlaSummary
    prev: sla.SlaSummary
    cohort: pd.DataFrame  # MQLs of the month with SLA columns
    by_channel: pd.DataFrame
    by_owner: pd.DataFrame
    owner_label: dict[str, str]
    quality: pd.DataFrame  # decisions of the month per channel
    reasons: pd.Series
    acceptance_now: float
    acceptance_prev: float
    acceptance_target: float | None
    recycled: pd.DataFrame
    shared: pd.DataFrame
    attribution: dict[str, pd.DataFrame]
    store: KpiStore | None = None  # the period's KPI store: the acceptance rate is a catalogue KPI
    #: notes on lead columns the export lacks (no first-contact / feedback dates): those rates are not stated
    gaps: list[Finding] = field(default_factory=list)

    @property
    def response_dates(self) -> bool:
        """Whether the export carries first-contact dates (else the response SLA is not measured, not 0 %)."""
        return not any(g.key == "note_no_first_contact_dates" for g in self.gaps)

    @property
    def feedback_dates(self) -> bool:
        """Whether the export carries sales feedback dates (else the feedback SLA is not measured)."""
        return not any(g.key == "note_no_feedback_dates" for g in self.gaps)


def _acceptance(decisions: pd.DataFrame) -> float:
    d = decisions[decisions["outcome"].isin(["accepted", "rejected"])]
    return float((d["outcome"] == "accepted").mean()) if len(d) else float("nan")


@dataclass(frozen=True)
class Acceptance:
    """Sales acceptance of the inquiries sales decided on in a window: per channel (those with at least
    :data:`~cmo_workbook.metrics.catalogue.MIN_DECIDED` decisions) and over all of them (the average)."""

    window: Period
    rates: dict[str, float]
    average: float

    def below_average(self, channel: str) -> bool:
        """The rule for a "grow" verdict (#11): a channel is grown only when its acceptance is at least the
        average — the sync names the weakest source, no memo of the pack may ask to grow it. Too few decisions:
        no judgement (False)."""
        rate = self.rates.get(channel, math.nan)
        return rate == rate and self.average == self.average and rate < self.average


def acceptance_by_channel(ds: Dataset, period: Period) -> Acceptance:
    """Sales acceptance per channel of the inquiries decided in ``period`` (accepted ÷ decided, as the sync's
    quality table) and over all decided inquiries — the same decisions, so channel and average compare alike."""
    params = ds.params
    cfg = sla.SlaConfig.from_params(params.raw.get("sla") or {}, state=params.company.get("state"))
    decided = sla.decided_in(sla.lead_sla(ds.leads, cfg, period.end), period.start, period.end)
    q = sla.quality_by(decided, "channel")
    q = q[q["decided"] >= MIN_DECIDED]
    return Acceptance(period, {str(k): float(v) for k, v in q["rate"].items()}, _acceptance(decided))


def compute(ds: Dataset, period: Period, lang: str, store: KpiStore | None = None) -> SyncFacts:
    """SLA, lead quality, recycled leads, shared accounts and attribution questions of ``period``.

    With ``store`` the acceptance rate is the catalogue's ``sales_acceptance_rate`` (cohort of the
    month's qualified inquiries), the same value as in the KPI memo.
    """
    params = ds.params
    raw = params.raw.get("sla") or {}
    cfg = sla.SlaConfig.from_params(raw, state=params.company.get("state"))
    start, end = period.start, period.end
    prev = period.previous()
    frame = sla.lead_sla(ds.leads, cfg, end)
    # the previous month as it stood at its own cut-off, so both months are judged alike
    frame_prev = sla.lead_sla(ds.leads, cfg, prev.end)
    cohort = sla.cohort(frame, start, end)
    decided = sla.decided_in(frame, start, end)
    decided_prev = sla.decided_in(frame_prev, prev.start, prev.end)
    mkt = params.marketing_channels
    touch = ds.touchpoints if ds.has("touchpoints") else None
    deals = ds.deals if ds.has("deals") else ds.leads.iloc[0:0]
    facts = SyncFacts(
        period=period, cfg=cfg,
        now=sla.summarize(cohort), prev=sla.summarize(sla.cohort(frame_prev, prev.start, prev.end)),
        cohort=cohort,
        by_channel=sla.breaches_by(cohort, "channel"),
        by_owner=sla.breaches_by(cohort, "owner"),
        owner_label=sla.owner_labels(ds.leads["owner"].dropna().unique(), lang, raw.get("owner_labels"),
                                     names=bool(raw.get("show_owner_names", True))),
        quality=sla.quality_by(decided, "channel"),
        reasons=sla.rejection_reasons(decided),
        acceptance_now=_acceptance(decided), acceptance_prev=_acceptance(decided_prev),
        acceptance_target=params.targets.get("mql_to_sql_rate"), store=store, gaps=missing_rate_inputs(ds),
        recycled=sla.recycled_leads(ds.leads, start, end),
        shared=sla.shared_accounts(ds.leads, deals, start, end, mkt) if ds.has("deals") else pd.DataFrame(),
        attribution=(sla.attribution_questions(ds.deals, ds.leads, touch, start, end, mkt) if ds.has("deals")
                     else {"no_source": pd.DataFrame(), "outbound_with_marketing": pd.DataFrame()}),
    )
    if store is not None:
        acc = store.figure("sales_acceptance_rate", "month")
        facts.acceptance_now, facts.acceptance_prev = acc.value, acc.prev_value
        facts.acceptance_target = None if math.isnan(acc.target) else acc.target
    return facts


def _hours(h: float, lang: str) -> str:
    if h == float("inf"):  # median not reached: over half of the inquiries still wait for a first contact
        return t("sync_hours_unanswered", lang)
    return f"{fmt.number(h, lang, 1)}{fmt.NBSP}{t('sync_hours_unit', lang)}"


def worst_channel(f: SyncFacts) -> dict[str, Any] | None:
    """The channel with the most response breaches, with its share of all breaches (None without first-contact
    dates: every inquiry would look late)."""
    bc = f.by_channel[f.by_channel["breaches"] > 0]
    if bc.empty or not f.response_dates:
        return None
    row = bc.iloc[0]
    return {"channel": row.name, "breaches": int(row["breaches"]), "rate": float(row["rate"]),
            "median": float(row["median_hours"]), "share": row["breaches"] / max(f.now.response_breach, 1),
            "leads": int(row["leads"])}


def headline(f: SyncFacts, lang: str) -> str:
    """The main SLA issue first: response rate vs target and previous month, and its biggest source."""
    cfg, now = f.cfg, f.now
    fields = {"rate": fmt.percent(now.response_rate, lang, 0), "prev": fmt.percent(f.prev.response_rate, lang, 0),
              "target": fmt.percent(cfg.response_target, lang, 0), "hours": fmt.number(cfg.response_hours, lang)}
    worst = worst_channel(f)
    if not f.response_dates:  # nothing was measured: say so instead of "0 % within 24 business hours"
        return t("sync_headline_no_response_dates", lang, n=fmt.number(now.leads, lang), hours=fields["hours"])
    if now.response_rate >= cfg.response_target:
        return t("sync_headline_ok", lang, **fields)
    if worst:
        return t("sync_headline_late", lang, worst=worst["breaches"], n=now.response_breach,
                 channel=channel_label(worst["channel"], lang), **fields)
    return t("sync_headline_causes", lang, **fields)


def pending_note(f: SyncFacts, lang: str) -> str:
    """The leads the response rate leaves out (clock still running at the cut-off), or "" when there are none.

    The rate is on time ÷ (on time + late); without this sentence a reader divides by all handed-over leads.
    """
    n = f.now.response_pending
    if not n:
        return ""
    return tn("sync_sw_response_pending", n, lang, n=fmt.number(n, lang), hours=fmt.number(f.cfg.response_hours, lang))


def tiles(f: SyncFacts, lang: str) -> list[Tile]:
    """Four tiles: answered within SLA, median response time, feedback within SLA, accepted by sales."""
    cfg, now, prev = f.cfg, f.now, f.prev
    vs_prev, vs_tgt = t("vs_prev_month", lang), t("sync_vs_target", lang)

    def pp(a: float, b: float, hib: bool = True) -> tuple[str, bool | None]:
        d = fmt.delta(a, b, lang, kind="pp", higher_is_better=hib)
        return d.text, d.good

    worst = worst_channel(f)
    out = []
    # 1 response within SLA
    c1, g1 = pp(now.response_rate, prev.response_rate)
    c2, g2 = pp(now.response_rate, cfg.response_target)
    if worst and now.response_rate < cfg.response_target:
        sw = t("sync_sw_response_late", lang, n=now.response_breach, worst=worst["breaches"],
               channel=channel_label(worst["channel"], lang))
    else:
        sw = t("sync_sw_response_ok", lang)
    if note := pending_note(f, lang):
        sw = sw + " " + note
    if not f.response_dates:
        sw = t("sync_sw_no_response_dates", lang)  # the tool's header and the params key: in the data note
        out.append(Tile(t("sync_tile_response", lang, hours=fmt.number(cfg.response_hours, lang)), fmt.MISSING, [], sw))
        out.append(Tile(t("sync_tile_median", lang), fmt.MISSING, [], t("sync_sw_median_not_measured", lang)))
    else:
        out.append(Tile(t("sync_tile_response", lang, hours=fmt.number(cfg.response_hours, lang)),
                        fmt.percent(now.response_rate, lang, 0),
                        [Comparison(vs_prev, c1, g1), Comparison(vs_tgt, c2, g2)], sw))
        out.append(_median_tile(f, lang, worst))
    # 3 feedback within SLA
    c1, g1 = pp(now.feedback_rate, prev.feedback_rate)
    c2, g2 = pp(now.feedback_rate, cfg.feedback_target)
    if not f.feedback_dates:
        out.append(Tile(t("sync_tile_feedback", lang, days=fmt.number(cfg.feedback_days, lang)), fmt.MISSING, [],
                        t("sync_sw_no_feedback_dates", lang)))
    else:
        sw = (t("sync_sw_feedback_late", lang, n=now.feedback_breach) if now.feedback_rate < cfg.feedback_target
              else t("sync_sw_feedback_ok", lang))
        out.append(Tile(t("sync_tile_feedback", lang, days=fmt.number(cfg.feedback_days, lang)),
                        fmt.percent(now.feedback_rate, lang, 0),
                        [Comparison(vs_prev, c1, g1), Comparison(vs_tgt, c2, g2)], sw))
    out.append(_acceptance_tile(f, lang))
    return out


def _median_tile(f: SyncFacts, lang: str, worst: dict[str, Any] | None) -> Tile:
    """Median response time (lower is better); the SLA limit is the target."""
    cfg, now, prev = f.cfg, f.now, f.prev
    vs_prev, vs_tgt = t("vs_prev_month", lang), t("sync_vs_target", lang)
    finite = lambda v: v if v == v and abs(v) != float("inf") else float("nan")  # noqa: E731  (median not reached)
    d_prev = fmt.delta(finite(now.median_response_hours), finite(prev.median_response_hours), lang, kind="abs",
                       unit=t("sync_hours_unit", lang), higher_is_better=False, digits=1)
    d_tgt = fmt.delta(finite(now.median_response_hours), cfg.response_hours, lang, kind="abs",
                      unit=t("sync_hours_unit", lang), higher_is_better=False, digits=1)
    if worst and worst["median"] > cfg.response_hours:
        sw = t("sync_sw_median_batches", lang, channel=channel_label(worst["channel"], lang),
               hours=_hours(worst["median"], lang))
    else:
        sw = t("sync_sw_median_ok", lang)
    return Tile(t("sync_tile_median", lang), _hours(now.median_response_hours, lang),
                [Comparison(vs_prev, d_prev.text, d_prev.good), Comparison(vs_tgt, d_tgt.text, d_tgt.good)], sw)


def _acceptance_tile(f: SyncFacts, lang: str) -> Tile:
    """Accepted by sales (decisions of the month); no verdict below the catalogue's minimum of decided leads."""
    vs_prev, vs_tgt = t("vs_prev_month", lang), t("sync_vs_target", lang)

    def pp(a: float, b: float) -> tuple[str, bool | None]:
        d = fmt.delta(a, b, lang, kind="pp", higher_is_better=True)
        return d.text, d.good

    cmps = [Comparison(vs_prev, *pp(f.acceptance_now, f.acceptance_prev))]
    if f.acceptance_target:
        cmps.append(Comparison(vs_tgt, *pp(f.acceptance_now, f.acceptance_target)))
    top = f.reasons.index[0] if len(f.reasons) else None
    if f.acceptance_target and f.acceptance_now < f.acceptance_target and top:
        # German says "more than half rejected" below 50 %; the English text is the same for both
        sw = t("sync_sw_acceptance_most_rejected" if f.acceptance_now < 0.5 else "sync_sw_acceptance_below", lang,
               reason=top)
    else:
        sw = t("sync_sw_acceptance_ok", lang)
    if f.store is not None:
        tile = kpi_figures.tile(f.store, "sales_acceptance_rate", "month", lang, "EUR", sw,
                                which=("previous", "target"))
    else:
        tile = Tile(t("sync_tile_accepted", lang), fmt.percent(f.acceptance_now, lang, 0), cmps, sw)
    return tile


def _owner(f: SyncFacts, name: Any) -> str:
    return f.owner_label.get(str(name), "–")


def breach_tables(f: SyncFacts, lang: str, max_rows: int = 4, max_owners: int = 3) -> tuple[tuple[list[str], list[list[str]]],
                                                                       tuple[list[str], list[list[str]]]]:
    """(header, rows) per source and per owner: inquiries, answered within SLA, late, median time."""
    h = fmt.number(f.cfg.response_hours, lang)

    # leads whose 24-hour clock still ran at the cut-off are neither on time nor late: the rate leaves them out, so
    # the table shows them, else "übergeben − verspätet" over "übergeben" is not the rate printed beside it
    with_pending = bool(f.response_dates) and any(
        "pending" in df and int(df["pending"].sum()) > 0 for df in (f.by_channel, f.by_owner))

    def rows(df: pd.DataFrame, name, n: int, more: str) -> list[list[str]]:
        measured = f.response_dates  # without first-contact dates: the inquiries per row, nothing about them
        if not measured:
            shown = df.sort_values("leads", ascending=False, kind="stable").head(n)
        else:
            shown = df[df["breaches"] > 0].head(n) if (df["breaches"] > 0).any() else df.head(n)
        dash = fmt.MISSING
        out = [[name(k), fmt.number(r["leads"], lang)]
               + ([fmt.number(r["pending"], lang)] if with_pending else [])
               + [fmt.percent(r["rate"], lang, 0) if measured else dash,
                  fmt.number(r["breaches"], lang) if measured else dash,
                  _hours(r["median_hours"], lang) if measured else dash] for k, r in shown.iterrows()]
        rest = df.drop(index=shown.index)
        if len(rest):  # the table adds up to the headline: the remaining rows in one line
            # on the same base as each row's rate (on time ÷ decided), not weighted by all handed-over leads
            met = rest["met"].sum() if "met" in rest else (rest["rate"] * rest["leads"]).sum()
            decided = met + rest["breaches"].sum()
            rate = met / decided if decided else float("nan")
            out.append([tn(more, len(rest), lang, n=fmt.number(len(rest), lang)), fmt.number(rest["leads"].sum(), lang)]
                       + ([fmt.number(rest["pending"].sum(), lang)] if with_pending else [])
                       + [fmt.percent(rate, lang, 0) if measured else dash,
                          fmt.number(rest["breaches"].sum(), lang) if measured else dash, dash])
        return out

    cols = ([t("sync_col_inquiries", lang)] + ([t("sync_col_pending", lang)] if with_pending else [])
            + [t("sync_col_within", lang, hours=h), t("sync_col_late", lang), t("sync_col_median", lang)])
    src = ([t("sync_col_source", lang)] + cols, rows(f.by_channel, lambda k: channel_label(k, lang), max_rows,
                                                     "sync_row_more_sources"))
    own = ([t("sync_col_owner", lang)] + cols, rows(f.by_owner, lambda k: _owner(f, k), max_owners,
                                                    "sync_row_more_owners"))
    return src, own


def quality_table(f: SyncFacts, lang: str, max_rows: int = 4) -> tuple[list[str], list[list[str]]]:
    """Lead quality per source: decided, accepted share, top rejection reasons."""
    header = [t(key, lang) for key in ("sync_col_source", "sync_col_decided", "sync_col_accepted", "sync_col_reasons")]
    rows = []
    for k, r in f.quality.head(max_rows).iterrows():
        reasons = ", ".join(f"{name} ({n})" for name, n in r["top_reasons"]) or "–"
        rows.append([channel_label(k, lang), fmt.number(r["decided"], lang), fmt.percent(r["rate"], lang, 0), reasons])
    return header, rows


def quality_blocks(f: SyncFacts, lang: str) -> list[Block]:
    """Section 2's body: the sentences and the table per source; with no decided inquiry in the month a sentence
    says why instead of a table that is only its header (no sales feedback dates in the export, or none yet)."""
    header, rows = quality_table(f, lang)
    if rows:
        return [Paragraph(quality_text(f, lang)), Table(header, rows, align="lrrl")]
    if not f.feedback_dates:
        # one statement: without feedback dates no rejection is known, so "no rejected contact came back" is not
        # knowable either (recycled_leads needs them); the sentence says both are not measured
        return [Paragraph(t("sync_quality_no_feedback_dates", lang))]
    text = quality_text(f, lang)
    return [Paragraph(Rich(*getattr(text, "parts", (text,)), " ", t("sync_quality_none_decided", lang)))]


def quality_text(f: SyncFacts, lang: str) -> str:
    """Overall acceptance, the weakest source and the recycled leads in two sentences."""
    q = f.quality[f.quality["decided"] >= MIN_DECIDED]
    parts = []
    if len(q):
        weak = q.sort_values(["rate", "decided"], ascending=[True, False], kind="stable").iloc[0]
        avg = (kpi_figures.figure(f.store, "sales_acceptance_rate", "month", lang, "EUR") if f.store is not None
               else fmt.percent(f.acceptance_now, lang, 0))
        parts.append(rich("sync_quality_weakest", lang, channel=channel_label(weak.name, lang),
                          rate=fmt.percent(weak["rate"], lang, 0), average=avg,
                          reason=weak["top_reasons"][0][0] if weak["top_reasons"] else "–"))
    n = len(f.recycled)
    parts.append(tn("sync_quality_recycled", n, lang) if n else t("sync_quality_no_recycled", lang))
    return Rich(*[x for i, p in enumerate(parts) for x in ((" ", p) if i else (p,))])


#: credit questions about deals of which some are not won: worded as opportunities ("Verkaufschance"), not orders
_NOT_WON = {"sync_credit_no_source": "sync_credit_no_source_open", "sync_credit_outbound": "sync_credit_outbound_open"}


def _deal_word(key: str, deals: pd.DataFrame) -> str:
    """The message for ``deals``: ``key`` ("Auftrag", an order) only when every one of them is won; with an open
    or lost deal among them the opportunity wording ("Verkaufschance"): an open deal is no order yet."""
    won = "status" in deals and bool((deals["status"] == "won").all())
    return key if won else _NOT_WON[key]


def attribution_items(f: SyncFacts, lang: str, currency: str) -> list[str]:
    """Bullets: deals whose pipeline credit the sync has to settle."""
    m = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    items = []
    ns = f.attribution.get("no_source", pd.DataFrame())
    if len(ns):
        items.append(tn(_deal_word("sync_credit_no_source", ns), len(ns), lang, amount=m(ns["amount"].sum())))
    ow = f.attribution.get("outbound_with_marketing", pd.DataFrame())
    if len(ow):
        chans = sorted({c for cs in ow["touch_channels"] for c in cs})
        items.append(tn(_deal_word("sync_credit_outbound", ow), len(ow), lang, amount=m(ow["amount"].sum()),
                        channels=", ".join(channel_label(c, lang) for c in chans)))
    if not items:
        items.append(t("sync_credit_all_clear", lang))
    return items


#: HubSpot's default deal stages (as the CRM export spells them, case aside) -> catalogue id of their memo name;
#: other CRMs' stages are shown as they are
_STAGE_IDS = {
    "appointment scheduled": "sync_stage_appointment_scheduled", "qualified to buy": "sync_stage_qualified_to_buy",
    "presentation scheduled": "sync_stage_presentation_scheduled",
    "decision maker bought-in": "sync_stage_decision_maker_bought_in", "contract sent": "sync_stage_contract_sent",
}


def _stage(stage: str, lang: str) -> str:
    key = _STAGE_IDS.get(stage.casefold())
    return t(key, lang) if key else stage


def shared_table(f: SyncFacts, lang: str, currency: str, max_rows: int = 4) -> tuple[list[str], list[list[str]]]:
    """Companies with an open deal and a new marketing inquiry: who coordinates the contact."""
    header = [t(key, lang) for key in ("sync_col_company", "sync_col_stage", "sync_col_open_value", "sync_col_via")]
    rows = []
    for _, r in f.shared.head(max_rows).iterrows():
        via = ", ".join(channel_label(c, lang) for c in r["channels"])
        if r["new_leads"] > 1:
            via = t("sync_via_repeated", lang, n=fmt.number(r["new_leads"], lang), channels=via)
        rows.append([r["company"], _stage(r["stage"], lang), fmt.money(r["open_value"], lang, currency=currency, compact=True),
                     via])
    return header, rows


def shared_text(f: SyncFacts, lang: str, currency: str, shown: int) -> str:
    n = len(f.shared)
    if not n:
        return t("sync_shared_none", lang)
    total = fmt.money(f.shared["open_value"].sum(), lang, currency=currency, compact=True)
    if n > shown:
        return t("sync_shared_largest", lang, n=n, total=total, shown=shown)
    return tn("sync_shared", n, lang, total=total)


def _channel_cpl(f: SyncFacts, channel: str = ""):
    """The channel's OWN cost per qualified inquiry over the last 3 months from the store (all channels: ""),
    as the store's Figure; None without a store, or when the channel has no such value."""
    if f.store is None:
        return None
    try:
        fig = f.store.figure("cost_per_qualified_lead", "t3m", f"channel={channel}" if channel else "")
    except KeyError:
        return None
    return fig if fig.value == fig.value else None


def _worth(n: float, cpl, key: str, lang: str, currency: str, **fields: object):
    """What ``n`` inquiries cost at the store's ``cpl`` each, as the agenda item's euro sentence; the cost per
    inquiry keeps its data-metric span, so the decision log follows it into the next month ("" without a cost)."""
    if cpl is None or not n:
        return ""
    # the product of the figures as printed: "141 × 614 €" must read 86,6 Tsd. €, not 141 × 613,6 € = 86,5 (a cost
    # per inquiry from 10 000 € on prints compact, "12,3 Tsd. €", and is left unrounded)
    amount = n * (fmt.shown(cpl.value) if abs(cpl.value) < 10_000 else cpl.value)
    return kpi_figures.rich(key, lang, n=fmt.number(n, lang), cpl=kpi_figures.fig(cpl, lang, currency),
                            amount=fmt.money(amount, lang, currency=currency, compact=amount >= 10_000), **fields)


def _join(*parts: object) -> object:
    """The non-empty parts joined by spaces; rich text (figures) stays rich."""
    kept = [p for p in parts if p and str(p)]
    if any(isinstance(p, Rich) for p in kept):
        out: list[object] = []
        for p in kept:
            out += ([" "] if out else []) + [p]
        return Rich(*out)
    return " ".join(str(p) for p in kept)


def agenda(f: SyncFacts, lang: str, currency: str, next_sync: str) -> list[Recommendation]:
    """Agenda items of the sync as actions with owner, by rule (at most five); each says the euros at stake
    (the inquiries concerned at their channel's own cost per inquiry, or the order value in question) and the
    decision the sync takes."""
    cfg, now = f.cfg, f.now
    out: list[Recommendation] = []
    decide = t("sync_decide", lang)
    money = lambda v: fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)  # noqa: E731
    worst = worst_channel(f)
    if worst and now.response_rate < cfg.response_target:
        label = channel_label(worst["channel"], lang)
        fair = worst["channel"] == "trade_fairs"
        out.append(Recommendation(
            action=_join(t("sync_agenda_fair_followup", lang) if fair else t("sync_agenda_distribute", lang, channel=label),
                         decide),
            owner=t("sync_owner_sales_marketing", lang),
            evidence=t("sync_agenda_response_evidence", lang, channel=label, rate=fmt.percent(worst["rate"], lang, 0),
                       median=_hours(worst["median"], lang), worst=worst["breaches"], n=now.response_breach),
            due=next_sync,
            effect=_join(t("sync_effect_fair" if fair else "sync_effect_response", lang),
                         _worth(worst["breaches"], _channel_cpl(f, worst["channel"]), "sync_eur_late", lang, currency,
                                channel=label))))
    if f.feedback_dates and now.feedback_rate < cfg.feedback_target:
        out.append(Recommendation(
            action=_join(t("sync_agenda_feedback", lang, days=fmt.number(cfg.feedback_days, lang)), decide),
            owner=t("sync_owner_head_of_sales", lang),
            evidence=t("sync_agenda_feedback_evidence", lang, rate=fmt.percent(now.feedback_rate, lang, 0),
                       target=fmt.percent(cfg.feedback_target, lang, 0)),
            due=next_sync,
            effect=_worth(now.feedback_breach, _channel_cpl(f), "sync_eur_feedback", lang, currency)))
    q = f.quality[f.quality["decided"] >= MIN_DECIDED]
    if len(q) and f.acceptance_target and f.acceptance_now < f.acceptance_target:
        weak = q.sort_values(["rate", "decided"], ascending=[True, False], kind="stable").iloc[0]
        label = channel_label(weak.name, lang)
        out.append(Recommendation(
            action=_join(t("sync_agenda_handover", lang, channel=label,
                           reason=weak["top_reasons"][0][0] if weak["top_reasons"] else "–"), decide),
            owner=t("sync_owner_marketing", lang), due=next_sync,
            evidence=t("sync_agenda_handover_evidence", lang, channel=label, rate=fmt.percent(weak["rate"], lang, 0),
                       target=fmt.percent(f.acceptance_target, lang, 0)),
            effect=_worth(int(weak["rejected"]), _channel_cpl(f, str(weak.name)), "sync_eur_rejected", lang, currency,
                          channel=label)))
    ow = f.attribution.get("outbound_with_marketing", pd.DataFrame())
    ns = f.attribution.get("no_source", pd.DataFrame())
    # the credit rule is about sales-outbound deals with earlier marketing contact; a deal with no source at all
    # needs its source filled in, not a rule ("Kaltakquise mit vorherigem Marketing-Kontakt" would be wrong)
    for frame, action, evidence, effect in (
            (ow, "sync_agenda_credit_rule", "sync_agenda_credit_evidence", "sync_eur_credit"),
            (ns, "sync_agenda_fill_source", "sync_agenda_no_source_evidence", "sync_eur_no_source")):
        if not len(frame):
            continue
        value = float(frame["amount"].sum()) if "amount" in frame else 0.0
        out.append(Recommendation(
            action=_join(t(action, lang), decide), owner=t("sync_owner_marketing_sales", lang),
            due=next_sync, evidence=tn(evidence, len(frame), lang),
            effect=t(effect, lang, amount=money(value)) if value else ""))
    if len(f.shared):
        value = float(f.shared["open_value"].sum()) if "open_value" in f.shared else 0.0
        out.append(Recommendation(
            action=_join(t("sync_agenda_shared", lang), decide), owner=t("sync_owner_account_owners", lang),
            due=next_sync, evidence=tn("sync_agenda_shared_evidence", len(f.shared), lang),
            effect=t("sync_eur_shared", lang, amount=money(value)) if value else ""))
    return out[:5]


def agenda_blocks(f: SyncFacts, lang: str, currency: str, next_sync: str,
                  labels: dict[str, str] | None = None) -> list[Block]:
    """The agenda section's body: the items (:func:`agenda`), or, when no rule asks for a decision, a sentence saying
    why (never a bare heading): the first-contact or feedback dates the export lacks, else that no rule fired."""
    from ..render.blocks import Recommendations
    from ..render.wording import recommendation_labels

    items = agenda(f, lang, currency, next_sync)
    if items:
        return [Recommendations(items, labels or recommendation_labels(lang))]
    missing = [t(key, lang) for key, known in (("sync_missing_first_contact", f.response_dates),
                                               ("sync_missing_feedback", f.feedback_dates)) if not known]
    if not missing:
        return [Paragraph(t("sync_agenda_none", lang))]
    return [Paragraph(tn("sync_agenda_none_unmeasured", len(missing), lang,
                         missing=f" {t('sync_and', lang)} ".join(missing)))]


def next_sync(period: Period, lang: str, today: date | None = None) -> str:
    """'Due' of the agenda items: the next sync, named by its month; never a month already past on ``today``."""
    from .consistency import deadline_month

    due = deadline_month(period, today or run_date())
    return t("sync_next_sync", lang, month=fmt.month(due.start_time, lang))


def definitions(f: SyncFacts, lang: str) -> str:
    """Definitions for the data note (the only place marketing terms are spelled out)."""
    c = f.cfg
    fields = {"hours": fmt.number(c.response_hours, lang), "days": fmt.number(c.feedback_days, lang),
              "day_hours": f"{fmt.number(c.day_start, lang)}–{fmt.number(c.day_end, lang)}"}
    text = (t("sync_definitions_state", lang, state=c.state, **fields) if c.state
            else t("sync_definitions", lang, **fields))
    # what the export lacks, and how to add it: the tiles above say "not measured", here is why
    # (the feedback-date note reaches every memo's data note through the plausibility review already)
    return " ".join([text, *(g.text(lang) + "." for g in f.gaps if g.key not in ALL_MEMOS)])
