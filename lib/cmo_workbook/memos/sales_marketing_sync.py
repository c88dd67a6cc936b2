"""The agenda memo for the monthly sales–marketing sync (article 4.2): narrative by explicit rules, de/en.

Numbers come from :mod:`cmo_workbook.metrics.sla`; this module compares them (previous month, SLA
target), writes the headline, the KPI tiles with their "so what", the tables and the agenda
items (recommendations with an owner). Person names never reach the memo: lead owners appear
under neutral labels (:func:`cmo_workbook.metrics.sla.owner_labels`); companies are business names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..render import fmt
from ..metrics import sla
from ..metrics.store import KpiStore
from ..render.blocks import Comparison, Recommendation, Rich, Tile
from . import kpi_figures
from ..inputs.channels import channel_label
from ..render.i18n import t
from ..inputs.loaders import Dataset
from ..periods import Period

#: HubSpot default deal stages in plain German (other CRMs' stages are shown as they are)
_STAGES_DE = {
    "appointment scheduled": "Termin vereinbart", "qualified to buy": "Kaufbereit",
    "presentation scheduled": "Präsentation geplant", "decision maker bought-in": "Entscheider überzeugt",
    "contract sent": "Vertrag versandt",
}


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


def _acceptance(decisions: pd.DataFrame) -> float:
    d = decisions[decisions["outcome"].isin(["accepted", "rejected"])]
    return float((d["outcome"] == "accepted").mean()) if len(d) else float("nan")


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
        owner_label=sla.owner_labels(ds.leads["owner"].dropna().unique(), lang, raw.get("owner_labels")),
        quality=sla.quality_by(decided, "channel"),
        reasons=sla.rejection_reasons(decided),
        acceptance_now=_acceptance(decided), acceptance_prev=_acceptance(decided_prev),
        acceptance_target=params.targets.get("mql_to_sql_rate"), store=store,
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


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _hours(h: float, lang: str) -> str:
    if h == float("inf"):  # median not reached: over half of the inquiries still wait for a first contact
        return "über die Hälfte unbeantwortet" if lang == "de" else "over half unanswered"
    return f"{fmt.number(h, lang, 1)}{fmt.NBSP}{t('sync_hours_unit', lang)}"


def worst_channel(f: SyncFacts) -> dict[str, Any] | None:
    """The channel with the most response breaches, with its share of all breaches."""
    bc = f.by_channel[f.by_channel["breaches"] > 0]
    if bc.empty:
        return None
    row = bc.iloc[0]
    return {"channel": row.name, "breaches": int(row["breaches"]), "rate": float(row["rate"]),
            "median": float(row["median_hours"]), "share": row["breaches"] / max(f.now.response_breach, 1),
            "leads": int(row["leads"])}


def headline(f: SyncFacts, lang: str) -> str:
    """The main SLA issue first: response rate vs target and previous month, and its biggest source."""
    de = lang == "de"
    cfg, now = f.cfg, f.now
    rate, prev = fmt.percent(now.response_rate, lang, 0), fmt.percent(f.prev.response_rate, lang, 0)
    target = fmt.percent(cfg.response_target, lang, 0)
    hours = fmt.number(cfg.response_hours, lang)
    worst = worst_channel(f)
    ok = now.response_rate >= cfg.response_target
    if de:
        s = (f"Der Vertrieb beantwortete {rate} der qualifizierten Anfragen binnen {hours} Arbeitsstunden "
             f"(Vormonat {prev}, Ziel {target})")
        if not ok and worst:
            s += (f" – {worst['breaches']} der {now.response_breach} verspäteten Anfragen kamen von "
                  f"{channel_label(worst['channel'], lang)}: Nachbearbeitung gemeinsam planen.")
        else:
            s += " – die Zusage an die Interessenten hält." if ok else " – Ursachen im Sync klären."
        return s
    s = (f"Sales answered {rate} of qualified inquiries within {hours} business hours "
         f"(previous month {prev}, target {target})")
    if not ok and worst:
        s += (f" – {worst['breaches']} of the {now.response_breach} late answers were "
              f"{channel_label(worst['channel'], lang)} inquiries: plan the follow-up together.")
    else:
        s += " – the promise to prospects holds." if ok else " – clarify the causes in the sync."
    return s


def tiles(f: SyncFacts, lang: str) -> list[Tile]:
    """Four tiles: answered within SLA, median response time, feedback within SLA, accepted by sales."""
    de = lang == "de"
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
        sw = (f"{now.response_breach} Anfragen warteten länger, {worst['breaches']} davon von "
              f"{channel_label(worst['channel'], lang)}: Interessenten kühlen ab, bevor der Vertrieb anruft." if de else
              f"{now.response_breach} inquiries waited longer, {worst['breaches']} of them from "
              f"{channel_label(worst['channel'], lang)}: prospects cool off before sales calls.")
    else:
        sw = ("Zusage eingehalten: Interessenten hören schnell von uns." if de
              else "Promise kept: prospects hear from us quickly.")
    label = (f"Binnen {fmt.number(cfg.response_hours, lang)} Arbeitsstd. beantwortet" if de
             else f"Answered within {fmt.number(cfg.response_hours, lang)} business hours")
    out.append(Tile(label, fmt.percent(now.response_rate, lang, 0),
                    [Comparison(vs_prev, c1, g1), Comparison(vs_tgt, c2, g2)], sw))
    # 2 median response time (lower is better); the SLA limit is the target
    finite = lambda v: v if v == v and abs(v) != float("inf") else float("nan")  # noqa: E731  (median not reached)
    d_prev = fmt.delta(finite(now.median_response_hours), finite(prev.median_response_hours), lang, kind="abs",
                       unit=t("sync_hours_unit", lang), higher_is_better=False, digits=1)
    d_tgt = fmt.delta(finite(now.median_response_hours), cfg.response_hours, lang, kind="abs",
                      unit=t("sync_hours_unit", lang), higher_is_better=False, digits=1)
    if worst and worst["median"] > cfg.response_hours:
        sw = (f"Die typische Anfrage ist schnell beantwortet; {channel_label(worst['channel'], lang)} brauchten im Mittel "
              f"{_hours(worst['median'], lang)} – das Problem sind Stapel, nicht der Alltag." if de else
              f"The typical inquiry is answered fast; {channel_label(worst['channel'], lang)} took a median "
              f"{_hours(worst['median'], lang)} – the problem is batches, not daily work.")
    else:
        sw = ("Innerhalb der Zusage: kein struktureller Engpass im Vertrieb." if de
              else "Within the promise: no structural bottleneck in sales.")
    out.append(Tile("Mittlere Antwortzeit (Median)" if de else "Median response time",
                    _hours(now.median_response_hours, lang),
                    [Comparison(vs_prev, d_prev.text, d_prev.good), Comparison(vs_tgt, d_tgt.text, d_tgt.good)], sw))
    # 3 feedback within SLA
    c1, g1 = pp(now.feedback_rate, prev.feedback_rate)
    c2, g2 = pp(now.feedback_rate, cfg.feedback_target)
    late = now.feedback_breach
    if now.feedback_rate < cfg.feedback_target:
        sw = (f"{late} Anfragen ohne rechtzeitiges Urteil: Marketing steuert Kampagnen ohne Wissen, welche Anfragen taugen."
              if de else f"{late} inquiries without a timely verdict: marketing steers campaigns without knowing which inquiries are good.")
    else:
        sw = ("Rückmeldung kommt rechtzeitig: Marketing kann Kampagnen nachsteuern." if de
              else "Feedback arrives in time: marketing can adjust campaigns.")
    label = (f"Rückmeldung binnen {fmt.number(cfg.feedback_days, lang)} Arbeitstagen" if de
             else f"Feedback within {fmt.number(cfg.feedback_days, lang)} business days")
    out.append(Tile(label, fmt.percent(now.feedback_rate, lang, 0),
                    [Comparison(vs_prev, c1, g1), Comparison(vs_tgt, c2, g2)], sw))
    # 4 accepted by sales (decisions of the month)
    cmps = [Comparison(vs_prev, *pp(f.acceptance_now, f.acceptance_prev))]
    if f.acceptance_target:
        cmps.append(Comparison(vs_tgt, *pp(f.acceptance_now, f.acceptance_target)))
    top = f.reasons.index[0] if len(f.reasons) else None
    if f.acceptance_target and f.acceptance_now < f.acceptance_target and top:
        sw = (f"Mehr als die Hälfte abgelehnt, häufigster Grund „{top}“: Kriterien für die Übergabe schärfen." if de and f.acceptance_now < 0.5
              else f"Unter Ziel, häufigster Grund „{top}“: Kriterien für die Übergabe schärfen." if de
              else f"Below target, top reason '{top}': tighten the hand-over criteria.")
    else:
        sw = ("Der Vertrieb nimmt die Anfragen an: die Übergabekriterien passen." if de
              else "Sales accepts the inquiries: the hand-over criteria fit.")
    if f.store is not None:
        out.append(kpi_figures.tile(f.store, "sales_acceptance_rate", "month", lang, "EUR", sw,
                                    which=("previous", "target")))
    else:
        out.append(Tile("Vom Vertrieb angenommen" if de else "Accepted by sales", fmt.percent(f.acceptance_now, lang, 0),
                        cmps, sw))
    return out


def _owner(f: SyncFacts, name: Any) -> str:
    return f.owner_label.get(str(name), "–")


def breach_tables(f: SyncFacts, lang: str, max_rows: int = 4, max_owners: int = 3) -> tuple[tuple[list[str], list[list[str]]],
                                                                       tuple[list[str], list[list[str]]]]:
    """(header, rows) per source and per owner: inquiries, answered within SLA, late, median time."""
    de = lang == "de"
    h = fmt.number(f.cfg.response_hours, lang)

    def rows(df: pd.DataFrame, name, n: int) -> list[list[str]]:
        shown = df[df["breaches"] > 0].head(n) if (df["breaches"] > 0).any() else df.head(n)
        out = [[name(k), fmt.number(r["leads"], lang), fmt.percent(r["rate"], lang, 0), fmt.number(r["breaches"], lang),
                _hours(r["median_hours"], lang)] for k, r in shown.iterrows()]
        rest = df.drop(index=shown.index)
        if len(rest):  # the table adds up to the headline: the remaining rows in one line
            leads = rest["leads"].sum()
            rate = (rest["rate"] * rest["leads"]).sum() / leads if leads else float("nan")
            out.append([(f"übrige ({len(rest)})" if de else f"others ({len(rest)})"), fmt.number(leads, lang),
                        fmt.percent(rate, lang, 0), fmt.number(rest["breaches"].sum(), lang), "–"])
        return out

    cols = (["Anfragen", f"binnen {h} Std.", "verspätet", "Median"] if de
            else ["Inquiries", f"within {h} h", "late", "Median"])
    src = (["Quelle" if de else "Source"] + cols, rows(f.by_channel, lambda k: channel_label(k, lang), max_rows))
    own = (["Betreuer" if de else "Owner"] + cols, rows(f.by_owner, lambda k: _owner(f, k), max_owners))
    return src, own


def quality_table(f: SyncFacts, lang: str, max_rows: int = 4) -> tuple[list[str], list[list[str]]]:
    """Lead quality per source: decided, accepted share, top rejection reasons."""
    de = lang == "de"
    header = (["Quelle", "entschieden", "angenommen", "häufigste Ablehnungsgründe"] if de
              else ["Source", "decided", "accepted", "top rejection reasons"])
    rows = []
    for k, r in f.quality.head(max_rows).iterrows():
        reasons = ", ".join(f"{name} ({n})" for name, n in r["top_reasons"]) or "–"
        rows.append([channel_label(k, lang), fmt.number(r["decided"], lang), fmt.percent(r["rate"], lang, 0), reasons])
    return header, rows


def quality_text(f: SyncFacts, lang: str) -> str:
    """Overall acceptance, the weakest source and the recycled leads in two sentences."""
    de = lang == "de"
    q = f.quality[f.quality["decided"] >= 10]
    parts = []
    if len(q):
        weak = q.sort_values(["rate", "decided"], ascending=[True, False], kind="stable").iloc[0]
        reason = weak["top_reasons"][0][0] if weak["top_reasons"] else "–"
        avg = (kpi_figures.figure(f.store, "sales_acceptance_rate", "month", lang, "EUR") if f.store is not None
               else fmt.percent(f.acceptance_now, lang, 0))
        parts.append(
            Rich(f"{channel_label(weak.name, lang)} liefert die schwächsten Anfragen: nur {fmt.percent(weak['rate'], lang, 0)} "
                 "der im Monat entschiedenen angenommen ggü. ", avg, " Akzeptanzquote der Monatskohorte, meist wegen "
                 f"„{reason}“ – dort die Übergabekriterien zuerst schärfen.")
            if de else
            Rich(f"{channel_label(weak.name, lang)} sends the weakest inquiries: only {fmt.percent(weak['rate'], lang, 0)} "
                 "of those decided this month accepted vs ", avg, f" acceptance of the month's cohort, mostly '{reason}' – "
                 "tighten the hand-over criteria there first."))
    n = len(f.recycled)
    if n:
        parts.append(f"{n} früher abgelehnte Kontakte meldeten sich erneut: Ablehnungsgrund vor dem nächsten Anruf prüfen."
                     if de else f"{n} contacts rejected earlier came back: check the earlier reason before calling.")
    else:
        parts.append("Kein früher abgelehnter Kontakt meldete sich erneut." if de
                     else "No contact rejected earlier came back.")
    return Rich(*[x for i, p in enumerate(parts) for x in ((" ", p) if i else (p,))])


def attribution_items(f: SyncFacts, lang: str, currency: str) -> list[str]:
    """Bullets: deals whose pipeline credit the sync has to settle."""
    de = lang == "de"
    m = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    items = []
    ns = f.attribution.get("no_source", pd.DataFrame())
    if len(ns):
        items.append(f"{_n(len(ns), 'neuer Auftrag', 'neue Aufträge')} ({m(ns['amount'].sum())}) ohne Quelle: niemandem "
                     "gutgeschrieben – Quelle im CRM nachtragen." if de else
                     f"{_n(len(ns), 'new deal', 'new deals')} ({m(ns['amount'].sum())}) without a source: nobody gets "
                     "credit – add the source in the CRM.")
    ow = f.attribution.get("outbound_with_marketing", pd.DataFrame())
    if len(ow):
        chans = sorted({c for cs in ow["touch_channels"] for c in cs})
        names = ", ".join(channel_label(c, lang) for c in chans)
        one = len(ow) == 1
        items.append((f"1 Auftrag aus Vertriebs-Kaltakquise ({m(ow['amount'].sum())}) hatte" if one else
                      f"{len(ow)} Aufträge aus Vertriebs-Kaltakquise ({m(ow['amount'].sum())}) hatten")
                     + f" vorher Marketing-Kontakt ({names}): gemeinsam festlegen, wem die Pipeline zählt."
                     if de else
                     (f"1 deal from sales outbound ({m(ow['amount'].sum())}) had" if one else
                      f"{len(ow)} deals from sales outbound ({m(ow['amount'].sum())}) had")
                     + f" marketing contact before ({names}): agree whose pipeline {'it counts' if one else 'they count'} as.")
    if not items:
        items.append("Alle neuen Aufträge des Monats haben eine eindeutige Quelle: keine offenen Zuordnungsfragen." if de
                     else "All new deals of the month have a clear source: no open credit questions.")
    return items


def shared_table(f: SyncFacts, lang: str, currency: str, max_rows: int = 4) -> tuple[list[str], list[list[str]]]:
    """Companies with an open deal and a new marketing inquiry: who coordinates the contact."""
    de = lang == "de"
    header = (["Firma", "Angebotsphase", "offener Wert", "neue Anfrage über"] if de
              else ["Company", "Deal stage", "Open value", "New inquiry via"])
    rows = []
    for _, r in f.shared.head(max_rows).iterrows():
        stage = _STAGES_DE.get(r["stage"].casefold(), r["stage"]) if de else r["stage"]
        via = ", ".join(channel_label(c, lang) for c in r["channels"])
        if r["new_leads"] > 1:
            via = f"{fmt.number(r['new_leads'], lang)}× {via}"
        rows.append([r["company"], stage, fmt.money(r["open_value"], lang, currency=currency, compact=True), via])
    return header, rows


def shared_text(f: SyncFacts, lang: str, currency: str, shown: int) -> str:
    de = lang == "de"
    n = len(f.shared)
    if not n:
        return ("Keine Firma mit offenem Angebot meldete sich zusätzlich über Marketing." if de
                else "No company with an open deal sent a new marketing inquiry.")
    total = fmt.money(f.shared["open_value"].sum(), lang, currency=currency, compact=True)
    more = (f" (die {shown} größten unten)" if de else f" (the {shown} largest below)") if n > shown else ""
    return (f"{n} Firmen mit offenen Angeboten über {total} fragten zusätzlich über Marketing an{more}: "
            "Betreuer informieren, damit niemand doppelt anruft." if de else
            f"{n} companies with open deals worth {total} also sent a marketing inquiry{more}: "
            "tell the account owner so nobody calls twice.")


def agenda(f: SyncFacts, lang: str, currency: str, next_sync: str) -> list[Recommendation]:
    """Agenda items of the sync as actions with owner, by rule (at most five)."""
    de = lang == "de"
    cfg, now = f.cfg, f.now
    out: list[Recommendation] = []
    worst = worst_channel(f)
    if worst and now.response_rate < cfg.response_target:
        label = channel_label(worst["channel"], lang)
        if worst["channel"] == "trade_fairs":
            action = ("Messe-Nachbearbeitung festlegen: Import-Termin vorab ankündigen, Anfragen am Importtag auf alle "
                      "Betreuer verteilen, Erstkontakt binnen 24 Arbeitsstunden." if de else
                      "Fix the trade-fair follow-up: announce the import date, spread the inquiries across all owners "
                      "on import day, first contact within 24 business hours.")
        else:
            action = (f"Anfragen aus {label} täglich verteilen und Vertretung regeln." if de
                      else f"Distribute {label} inquiries daily and arrange cover.")
        out.append(Recommendation(
            action=action, owner="Vertriebsleitung & Marketing" if de else "Head of sales & marketing",
            evidence=(f"{label}: {fmt.percent(worst['rate'], lang, 0)} binnen Zusage, Median {_hours(worst['median'], lang)}; "
                      f"{worst['breaches']} von {now.response_breach} Verspätungen." if de else
                      f"{label}: {fmt.percent(worst['rate'], lang, 0)} within the promise, median {_hours(worst['median'], lang)}; "
                      f"{worst['breaches']} of {now.response_breach} late answers."),
            due=next_sync,
            effect=("Messe-Kontakte werden angerufen, solange das Gespräch frisch ist." if de and worst["channel"] == "trade_fairs"
                    else "Interessenten hören binnen eines Tages von uns." if de
                    else "Prospects hear from us while the contact is fresh.")))
    if now.feedback_rate < cfg.feedback_target:
        out.append(Recommendation(
            action=(f"Rückmeldung zu jeder Anfrage binnen {fmt.number(cfg.feedback_days, lang)} Arbeitstagen mit Grund im CRM; "
                    "offene Fälle jeden Montag prüfen." if de else
                    f"Feedback on every inquiry within {fmt.number(cfg.feedback_days, lang)} business days with a reason in the CRM; "
                    "review open cases every Monday."),
            owner="Vertriebsleitung" if de else "Head of sales",
            evidence=(f"{fmt.percent(now.feedback_rate, lang, 0)} rechtzeitig ggü. Ziel {fmt.percent(cfg.feedback_target, lang, 0)}."
                      if de else f"{fmt.percent(now.feedback_rate, lang, 0)} on time vs target {fmt.percent(cfg.feedback_target, lang, 0)}."),
            due=next_sync))
    q = f.quality[f.quality["decided"] >= 10]
    if len(q) and f.acceptance_target and f.acceptance_now < f.acceptance_target:
        weak = q.sort_values(["rate", "decided"], ascending=[True, False], kind="stable").iloc[0]
        reason = weak["top_reasons"][0][0] if weak["top_reasons"] else "–"
        label = channel_label(weak.name, lang)
        out.append(Recommendation(
            action=(f"Übergabekriterien für {label} schärfen (Grund „{reason}“ vor der Übergabe abfragen)." if de else
                    f"Tighten the hand-over criteria for {label} (ask about '{reason}' before hand-over)."),
            owner="Marketing", due=next_sync,
            evidence=(f"{label}: {fmt.percent(weak['rate'], lang, 0)} angenommen ggü. Ziel {fmt.percent(f.acceptance_target, lang, 0)}."
                      if de else f"{label}: {fmt.percent(weak['rate'], lang, 0)} accepted vs target {fmt.percent(f.acceptance_target, lang, 0)}."),
))
    ow = f.attribution.get("outbound_with_marketing", pd.DataFrame())
    ns = f.attribution.get("no_source", pd.DataFrame())
    if len(ow) or len(ns):
        out.append(Recommendation(
            action=("Regel für die Zuordnung gemischter Aufträge beschließen (Kaltakquise mit vorherigem Marketing-Kontakt)."
                    if de else "Agree the credit rule for mixed deals (outbound with earlier marketing contact)."),
            owner="Marketing & Vertrieb" if de else "Marketing & sales", due=next_sync,
            evidence=(f"{_n(len(ow) + len(ns), 'Auftrag', 'Aufträge')} im Monat ohne eindeutige Quelle." if de
                      else f"{_n(len(ow) + len(ns), 'deal', 'deals')} this month without a clear source.")))
    if len(f.shared):
        out.append(Recommendation(
            action=("Gemeinsame Firmen abstimmen: Betreuer übernimmt die neue Anfrage, Marketing stoppt Werbung dorthin."
                    if de else "Coordinate shared companies: the account owner takes the new inquiry, marketing pauses ads there."),
            owner="Vertrieb (Betreuer)" if de else "Sales (account owners)", due=next_sync,
            evidence=(f"{len(f.shared)} Firmen mit offenem Angebot und neuer Anfrage." if de
                      else f"{len(f.shared)} companies with an open deal and a new inquiry.")))
    return out[:5]


def definitions(f: SyncFacts, lang: str) -> str:
    """Definitions for the data note (the only place marketing terms are spelled out)."""
    c = f.cfg
    h, d = fmt.number(c.response_hours, lang), fmt.number(c.feedback_days, lang)
    hrs = f"{fmt.number(c.day_start, lang)}–{fmt.number(c.day_end, lang)}"
    if lang == "de":
        return (f"SLA-Anfragen = qualifizierte Anfragen (MQL) aller Quellen, auch Vertrieb; Akzeptanzquote laut "
                f"Kennzahlenkatalog (nur Marketing-Kanäle, Kohorte des Monats). Antwortzeit = Arbeitsstunden (Mo–Fr {hrs} Uhr, "
                f"ohne gesetzliche Feiertage{' in ' + c.state if c.state else ''} und Betriebsruhetage) von der Übergabe bis zum "
                f"ersten Kontakt; ohne Kontakt nach {h} Std. verspätet, davor offen (nicht in den Quoten). Der Median zählt "
                f"unbeantwortete Anfragen mit (als noch wartend). Rückmeldung = Annahme (SQL) oder Ablehnung mit Grund binnen {d} Arbeitstagen.")
    return (f"SLA inquiries = qualified inquiries (MQL) from all sources, incl. sales; acceptance rate as in the "
            f"metric catalogue (marketing channels only, the month's cohort). Response time = business hours (Mon–Fri {hrs}, "
            f"excluding public holidays{' in ' + c.state if c.state else ''} and company days off) from hand-over to first "
            f"contact; without contact late after {h} h, before that pending (not in the rates). The median counts unanswered "
            f"inquiries too (as still waiting). Feedback = accepted (SQL) or rejected with a reason within {d} business days.")
