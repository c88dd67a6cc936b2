"""The monthly voice-of-customer memo (one page): narrative from a :class:`~.pipeline.VocResult`.

Three key messages (numbers first), the KPI strip, the top-5 themes table, price and service
expectations, quotes, actions with owner/due/expected effect and the footer, in de and en, by
explicit rules. Everything returned is plain text; the memo blocks escape it. Topics that are new
or rising beyond the taxonomy (``res.topics``, FDR-controlled) reach the first screen; when the
taxonomy covers less than half of the month the memo says the picture is partial and leads with
them. The raw NMF candidate clusters stay with the analyst.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..render import fmt
from ..render.blocks import Recommendation
from ..inputs.params import Params
from ..periods import Period
from ..voc.quotes import trim
from ..voc.onboarding import taxonomy_path
from ..voc.themes import DEFAULT_TAXONOMY

#: theme owner keys of the taxonomy -> who acts, as the CEO reads it
OWNERS = {
    "operations": ("Leitung Operations/Logistik", "Head of operations/logistics"),
    "finance": ("Leitung Finanzen", "Head of finance"),
    "quality": ("Qualitätsmanagement", "Quality management"),
    "service": ("Leitung Service", "Head of service"),
    "product": ("Produktmanagement", "Product management"),
    "sales": ("Vertriebsleitung", "Head of sales"),
    "marketing": ("Marketing", "Marketing"),
}
FLAG_MARK = {"rising": "▲", "falling": "▼", "new": "neu", "stable": "–"}
FLAG_MARK_EN = {"rising": "▲", "falling": "▼", "new": "new", "stable": "–"}
#: rules whose theme is a problem to fix quickly (due in two weeks), others by the end of next month
_URGENT_RULES = ("rising_complaint", "invoice_errors_rising")
_DISCOUNT = re.compile(r"\b(?:rabatt\w*|nachlass\w*|discount\w*|rebate\w*|mengenrabatt\w*|staffelpreis\w*|volume pricing)",
                       re.I)
_COMPETITOR = re.compile(r"(?:wettbewerb\w*|mitbewerber\w*|competitor\w*|competition|günstiger|cheaper)", re.I)
_INCREASE = re.compile(r"(?:preiserhöhung\w*|price increase\w*|zu teuer|too expensive|overpriced|teurer)", re.I)
_DEADLINE = re.compile(
    r"(?:innerhalb(?: von)?|within|binnen)\s+(?:(?:einem|einer|eines|one|a)\s+|(\d{1,3})\s*)"
    r"(stunden?|std\.?|hours?|tag(?:e|en)?|werktag(?:e|en)?|arbeitstag(?:e|en)?|days?|business days?|working days?)",
    re.I)


def settings(params: Params) -> dict[str, Any]:
    """VoC settings from params: ``taxonomy`` path (``voc.taxonomy`` relative to the params file; the
    repo's params/voc_taxonomy.yaml when not set) and ``allow_names`` (``memo.allow_customer_names``)."""
    return {"taxonomy": taxonomy_path(params), "allow_names": bool(params.memo.get("allow_customer_names", False))}


def _de(lang: str) -> bool:
    return lang == "de"


def _pct(x: float, lang: str) -> str:
    return fmt.percent(x, lang, 0)


def _owner(key: str, lang: str) -> str:
    de, en = OWNERS.get(key, (key, key))
    return de if _de(lang) else en


def _base_label(res: Any, lang: str) -> str:
    """'Ø Jul–Sep' / 'avg Jul–Sep' for the baseline months with data (the year is in the memo header);
    a gap inside the span shows as a list ('Ø Jul, Sep')."""
    months = [Period.parse(m) for m in res.baseline_months]
    if not months:
        return "ohne Vormonate" if _de(lang) else "no earlier months"
    names = [fmt.month_name(m.start, lang) for m in months]
    contiguous = all(b == a.shift(1) for a, b in zip(months, months[1:]))
    span = names[0] if len(names) == 1 else (f"{names[0]}–{names[-1]}" if contiguous else ", ".join(names))
    return ("Ø " if _de(lang) else "avg ") + span


def _kpi(res: Any, metric: str) -> dict[str, float]:
    rows = res.kpis.loc[res.kpis["metric"] == metric]
    if rows.empty:
        return {"current": math.nan, "previous": math.nan, "baseline": math.nan, "n_current": 0, "n_previous": 0,
                "n_baseline": 0}
    return rows.iloc[0].to_dict()


def change_phrase(share: float, base: float, lang: str) -> str:
    """The rise of a share in words: 'verdreifacht', 'mehr als verdoppelt', '+45 %'."""
    if not base or fmt.is_missing(base) or fmt.is_missing(share):
        return "neu" if _de(lang) else "new"
    ratio = share / base
    if ratio >= 1.9:
        k = round(ratio)
        words = {2: ("verdoppelt", "doubled"), 3: ("verdreifacht", "tripled"), 4: ("vervierfacht", "quadrupled")}
        word = words.get(k, (f"{k}-fach", f"{k}-fold"))[0 if _de(lang) else 1]
        if ratio > k + 0.2:
            return ("mehr als " if _de(lang) else "more than ") + word
        if ratio < k - 0.1:
            return ("fast " if _de(lang) else "almost ") + word
        return word
    if ratio <= 0.55:
        return "halbiert" if _de(lang) else "halved"
    return fmt.pct_change(ratio - 1, lang)


def focus_theme(res: Any) -> dict[str, Any] | None:
    """The theme the memo leads with: rising/new complaint themes first, then any rising theme (largest Δ)."""
    t = res.themes.loc[res.themes["flag"].isin(["rising", "new"]) & (res.themes["n"] > 0)]
    if t.empty:
        return None
    t = t.assign(_c=(t["signal_type"] == "complaint").astype(int))
    return t.sort_values(["_c", "delta_pp", "theme"], ascending=[False, False, True], kind="mergesort").iloc[0].to_dict()


#: survey answers a theme needs before the memo states its NPS cost as a fact
MIN_NPS_N_HEADLINE = 20


def new_topics(res: Any) -> pd.DataFrame:
    """The month's new or rising topics beyond the taxonomy's flagged themes (may be empty)."""
    topics = getattr(res, "topics", None)
    if topics is None or topics.empty:
        return pd.DataFrame(columns=["topic", "label", "n", "n_prev", "share", "share_baseline", "q_value", "theme",
                                     "theme_share", "n_baseline"])
    return topics.sort_values(["n", "topic"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _significance(q: float, lang: str) -> str:
    if fmt.is_missing(q):
        return ""
    bound = next((b for b in (0.001, 0.01) if q < b), None)
    text = (f"q < {fmt.number(bound, lang, 3 if bound < 0.01 else 2)}" if bound else f"q = {fmt.number(q, lang, 2)}")
    return ("signifikant, " if _de(lang) else "significant, ") + text


def topic_message(res: Any, row: dict[str, Any], lang: str) -> str:
    """'neu: WLAN / Internet / Zug – 76 Nennungen (30 % aller Rückmeldungen), Vormonat 24 …: who acts.'"""
    de = _de(lang)
    base = _base_label(res, lang)
    inside = row.get("theme_share", 0) >= 0.5 and row.get("theme")
    labels = dict(zip(res.themes["theme"], res.themes["label"]))
    where = ((f" (innerhalb {labels.get(row['theme'], row['theme'])})" if de else
              f" (within {labels.get(row['theme'], row['theme']).lower()})") if inside else "")
    mark = ("steigend" if de else "rising") if inside else ("neu" if de else "new")
    change = change_phrase(row["share"], row["share_baseline"], lang)
    sig = _significance(row.get("q_value"), lang)
    return (f"{mark}: {row['label']}{where} – {fmt.number(row['n'], lang)} Nennungen ({_pct(row['share'], lang)} aller "
            f"Rückmeldungen), Vormonat {fmt.number(row['n_prev'], lang)}; Anteil ggü. {base} "
            f"({_pct(row['share_baseline'], lang)}) {change}, {sig}: Marketing klärt die Ursache und benennt "
            "einen Verantwortlichen." if de else
            f"{mark}: {row['label']}{where} – {fmt.number(row['n'], lang)} mentions ({_pct(row['share'], lang)} of all "
            f"feedback), previous month {fmt.number(row['n_prev'], lang)}; share {change} vs {base} "
            f"({_pct(row['share_baseline'], lang)}), {sig}: marketing finds the cause and names an owner.")


def coverage_message(res: Any, lang: str) -> str:
    """The share of feedback the taxonomy's themes cover; below half, that the picture is partial."""
    de = _de(lang)
    cov = _pct(res.coverage, lang)
    if getattr(res, "partial", res.coverage < 0.5):
        return (f"Nur {cov} der Rückmeldungen passen zu einem Thema der Taxonomie – das Bild ist unvollständig: "
                "die neuen Themen oben zuerst lesen, die Taxonomie erweitern." if de else
                f"Only {cov} of feedback matches a taxonomy theme – the picture is partial: read the new topics "
                "above first, extend the taxonomy.")
    return (f"Die Themen der Taxonomie decken {cov} der Rückmeldungen ab." if de else
            f"The taxonomy's themes cover {cov} of feedback.")


def key_messages(res: Any, lang: str) -> list[str]:
    """Three messages, each starting with its number or verdict: the focus (a rising complaint theme,
    or a new topic when the taxonomy covers little or nothing rises), NPS and complaints (only with
    scores), the next change."""
    de = _de(lang)
    base = _base_label(res, lang)
    vol = _kpi(res, "volume")
    total = int(vol["current"])
    out = []
    focus = focus_theme(res)
    topics = new_topics(res).to_dict("records")
    partial = getattr(res, "partial", res.coverage < 0.5)
    if topics and (partial or focus is None):
        out.append(topic_message(res, topics.pop(0), lang))
    elif focus is not None:
        ratio = change_phrase(focus["share"], focus["share_baseline"], lang)
        impact = focus.get("nps_impact")
        cost = ""
        # a headline claim needs enough survey answers behind it; with fewer the table shows it as a tendency
        if not fmt.is_missing(impact) and impact < -1 and focus.get("nps_n", 0) >= MIN_NPS_N_HEADLINE:
            cost = (f", kostet {fmt.number(-impact, lang)} NPS-Punkte" if de
                    else f", costing {fmt.number(-impact, lang)} NPS points")
        out.append(
            f"{_pct(focus['share'], lang)} aller Rückmeldungen ({fmt.number(focus['n'], lang)} von {fmt.number(total, lang)}) "
            f"betreffen {focus['label']} – Anteil ggü. {base} ({_pct(focus['share_baseline'], lang)}) {ratio}{cost}: "
            f"{_owner(focus['owner'], lang)} muss gegensteuern."
            if de else
            f"{_pct(focus['share'], lang)} of all feedback ({fmt.number(focus['n'], lang)} of {fmt.number(total, lang)}) "
            f"concerns {focus['label'].lower()} – share {ratio} vs {base} ({_pct(focus['share_baseline'], lang)}){cost}. "
            f"{_owner(focus['owner'], lang)} must act.")
    else:
        top = res.themes.loc[res.themes["n"] > 0].head(1)
        if partial:
            out.append(coverage_message(res, lang))
        elif len(top):
            r = top.iloc[0]
            out.append(f"{_pct(r['share'], lang)} der Rückmeldungen betreffen {r['label']}; kein Thema steigt "
                       f"signifikant ggü. {base} – keine neue Baustelle." if de else
                       f"{_pct(r['share'], lang)} of feedback concerns {r['label'].lower()}; no theme rises significantly "
                       f"vs {base} – no new problem area.")
    nps, comp = _kpi(res, "nps"), _kpi(res, "complaint_share")
    pro, det = _kpi(res, "nps_promoters"), _kpi(res, "nps_detractors")
    comp_d = fmt.delta(comp["current"], comp["baseline"], lang, "pp", higher_is_better=False).text
    if nps["n_current"]:
        nps_txt = fmt.number(nps["current"], lang, signed=True)
        p = getattr(res, "nps_p_value", math.nan)
        # "below average" is a verdict: only when the gap is more than survey noise (two-sided p < 0.05)
        verdict = ("unter" if nps["current"] < nps["baseline"] else "über") if not fmt.is_missing(p) and p < 0.05 else ""
        verdict_de = (f"Die Zufriedenheit liegt signifikant {verdict} dem Durchschnitt der Vormonate." if verdict else
                      "Die Abweichung vom Durchschnitt der Vormonate liegt im Rahmen der Zufallsschwankung.")
        verdict_en = ((f"Satisfaction is significantly {'below' if verdict == 'unter' else 'above'} the average of "
                       "recent months.") if verdict else "The gap to recent months is within chance variation.")
        out.append(
            f"NPS {nps_txt} ({fmt.number(nps['n_current'], lang)} Antworten: {fmt.number(pro['current'], lang)} Promotoren, "
            f"{fmt.number(det['current'], lang)} Kritiker) ggü. {fmt.number(nps['previous'], lang, signed=True)} im Vormonat "
            f"und {fmt.number(nps['baseline'], lang, signed=True)} im {base}; Beschwerdeanteil {_pct(comp['current'], lang)} "
            f"({comp_d}). " + verdict_de
            if de else
            f"NPS {nps_txt} ({fmt.number(nps['n_current'], lang)} answers: {fmt.number(pro['current'], lang)} promoters, "
            f"{fmt.number(det['current'], lang)} detractors) vs {fmt.number(nps['previous'], lang, signed=True)} last month "
            f"and {fmt.number(nps['baseline'], lang, signed=True)} {base}; complaint share {_pct(comp['current'], lang)} "
            f"({comp_d}). " + verdict_en)
    other = res.themes.loc[res.themes["flag"].isin(["rising", "falling", "new"]) & (res.themes["n"] > 0)]
    if focus is not None:
        other = other.loc[other["theme"] != focus["theme"]]
    if topics:
        out.append(topic_message(res, topics[0], lang))
    elif len(other):
        r = other.reindex(other["delta_pp"].abs().sort_values(ascending=False, kind="mergesort").index).iloc[0]
        up = r["delta_pp"] > 0
        good = up == (r["signal_type"] == "praise")
        so = (("Ein gutes Zeichen – beibehalten." if good else "Ein Warnsignal – Ursache klären.") if de
              else ("A good sign – keep it up." if good else "A warning sign – find the cause."))
        out.append(f"{_pct(r['share'], lang)} der Rückmeldungen: {r['label']} "
                   f"({fmt.pp(r['delta_pp'] / 100, lang)} ggü. {base}, n = {fmt.number(r['n'], lang)}). {so}" if de else
                   f"{_pct(r['share'], lang)} of feedback: {r['label'].lower()} "
                   f"({fmt.pp(r['delta_pp'] / 100, lang)} vs {base}, n = {fmt.number(r['n'], lang)}). {so}")
    else:
        fr = _kpi(res, "feature_request_share")
        d = fmt.delta(fr["current"], fr["baseline"], lang, "pp", higher_is_better=None).text
        out.append(f"{_pct(fr['current'], lang)} der Rückmeldungen sind Wünsche ({d} ggü. {_pct(fr['baseline'], lang)} im "
                   f"{base}): Produktmanagement sichtet sie im Monatsrhythmus." if de else
                   f"{_pct(fr['current'], lang)} of feedback are feature requests ({d} vs {_pct(fr['baseline'], lang)} "
                   f"{base}): product management reviews them monthly.")
    return out[:3]


def topic_quote_rows(res: Any, lang: str, per_topic: int = 2, max_len: int = 110) -> tuple[list[str], list[list[str]]]:
    """Two pseudonymised quotes per new/rising topic for the first screen, one column ("O-Töne: <label>")
    so each quote keeps to one line; with several topics each quote starts with its topic's label."""
    de = _de(lang)
    topics = new_topics(res)
    rows: list[list[str]] = []
    quotes = getattr(res, "topic_quotes", None)
    if quotes is None or quotes.empty or topics.empty:
        return ["O-Töne" if de else "In customers' words"], rows
    several = len(topics) > 1
    for t in topics.itertuples(index=False):
        sub = quotes.loc[quotes["theme"] == t.topic].sort_values("rank", kind="mergesort").head(per_topic)
        for r in sub.itertuples(index=False):
            q = trim(r.text, max_len)
            text = (f"„{q}“ ({_source_label(str(r.source), lang)}, {fmt.date(r.date, lang)})" if de else
                    f"“{q}” ({_source_label(str(r.source), lang)}, {fmt.date(r.date, lang)})")
            rows.append([f"{t.label}: {text}" if several else text])
    label = "" if several else f": {topics['label'].iloc[0]}"
    return [("O-Töne zum neuen Thema" if de else "New topic in customers' words") + label], rows


def headline(res: Any, lang: str) -> str:
    """The memo's headline: the first key message."""
    return key_messages(res, lang)[0]


_SOURCES = {"Support-Ticket": ("Ticket", "support ticket", "ticket"), "Vertriebsgespräch": ("Vertrieb", "sales call", "sales"),
            "NPS-Umfrage": ("NPS", "NPS survey", "NPS"), "Bewertung": ("Bewertung", "review", "review")}


def _source_label(source: str, lang: str, short: bool = False) -> str:
    """The source as the memo names it; ``short`` for the KPI strip."""
    names = _SOURCES.get(source)
    if names is None:
        return source
    if _de(lang):
        return names[0] if short else source
    return names[2] if short else names[1]


def kpi_strip(res: Any, lang: str) -> tuple[list[str], list[list[str]]]:
    """KPI table: value this month, previous month, 3-month average (baseline) and n."""
    de = _de(lang)
    cur = fmt.month(Period.parse(res.month).start, lang, short=True)
    header = (["Kennzahl", cur, "Vormonat", _base_label(res, lang), "n"] if de
              else ["Metric", cur, "Previous month", _base_label(res, lang), "n"])
    rows: list[list[str]] = []
    vol = _kpi(res, "volume")
    sources = [m.split(":", 1)[1] for m in res.kpis["metric"] if m.startswith("volume:")]
    rows.append(["Rückmeldungen" if de else "Feedback items", fmt.number(vol["current"], lang),
                 fmt.number(vol["previous"], lang), fmt.number(vol["baseline"], lang), fmt.number(vol["n_current"], lang)])
    parts = sorted(((src, _kpi(res, f"volume:{src}")) for src in sources), key=lambda p: (-p[1]["current"], p[0]))
    if parts:
        # one row for all sources keeps the strip short: "98 · 64 · 56 · 35"
        rows.append([("  nach Quelle: " if de else "  by source: ") + " · ".join(_source_label(src, lang, short=True) for src, _ in parts)]
                    + [" · ".join(fmt.number(k[col], lang) for _, k in parts) for col in ("current", "previous", "baseline")]
                    + [""])
    for metric, de_l, en_l in (("complaint_share", "Beschwerdeanteil", "Complaint share"),
                               ("feature_request_share", "Anteil Wünsche", "Feature requests"),
                               ("price_mention_share", "Preis-Nennungen", "Price mentions")):
        k = _kpi(res, metric)
        rows.append([de_l if de else en_l, _pct(k["current"], lang), _pct(k["previous"], lang), _pct(k["baseline"], lang),
                     fmt.number(k["n_current"], lang)])
    nps = _kpi(res, "nps")
    if not (nps["n_current"] or nps["n_previous"] or nps["n_baseline"]):
        return header, rows  # a text-only export has no NPS: no column of dashes and "0 / 0 / 0"
    ppd = [_kpi(res, f"nps_{x}") for x in ("promoters", "passives", "detractors")]
    split = " / ".join(fmt.number(x["current"], lang) for x in ppd)
    rows.append([("NPS (Promotoren/Passive/Kritiker " if de else "NPS (promoters/passives/detractors ") + split + ")",
                 fmt.number(nps["current"], lang, signed=True), fmt.number(nps["previous"], lang, signed=True),
                 fmt.number(nps["baseline"], lang, signed=True), fmt.number(nps["n_current"], lang)])
    return header, rows


def _sentiment(net: float, lang: str) -> str:
    if fmt.is_missing(net):
        return fmt.MISSING
    word = ("negativ" if net <= -0.2 else "positiv" if net >= 0.2 else "gemischt") if _de(lang) else \
        ("negative" if net <= -0.2 else "positive" if net >= 0.2 else "mixed")
    return f"{word} ({fmt.number(100 * net, lang, signed=True)})"


def themes_table(res: Any, lang: str, top: int = 5) -> tuple[list[str], list[list[str]]]:
    """Top themes by n: share (n), Δ vs baseline in pp, sentiment (praise − complaint share), NPS impact, flag."""
    de = _de(lang)
    base = _base_label(res, lang)
    header = (["Thema", "Anteil (n)", f"Δ ggü. {base}", "Stimmung", "NPS-Wirkung", "Trend"] if de
              else ["Theme", "Share (n)", f"Δ vs {base}", "Sentiment", "NPS impact", "Trend"])
    header = [h.replace(" ", "\u00a0") for h in header]  # one-line headers keep the table short
    marks = FLAG_MARK if de else FLAG_MARK_EN
    rows = []
    for r in top_themes(res, top).to_dict("records"):
        impact = r.get("nps_impact")
        rows.append([r["label"], f"{_pct(r['share'], lang)} ({fmt.number(r['n'], lang)})",
                     fmt.pp(r["delta_pp"] / 100, lang), _sentiment(r["net_sentiment"], lang),
                     fmt.MISSING if fmt.is_missing(impact) else fmt.number(impact, lang, 1, signed=True),
                     marks.get(r["flag"], r["flag"])])
    return header, rows


def top_themes(res: Any, top: int = 5) -> pd.DataFrame:
    """The month's largest themes (by n), the table's and the chart's rows."""
    return res.themes.loc[res.themes["n"] > 0].head(top).reset_index(drop=True)


def chart_title(res: Any, lang: str) -> str:
    """The chart's message: the focus theme's change, else that the mix is stable."""
    focus = focus_theme(res)
    if focus is None:
        return ("Themenmix ohne signifikante Verschiebung ggü. den Vormonaten" if _de(lang)
                else "Theme mix without significant shift vs recent months")
    phrase = change_phrase(focus["share"], focus["share_baseline"], lang)
    return (f"{focus['label']}: Anteil {phrase}" if _de(lang) else f"{focus['label']}: share {phrase}")


def expectations(res: Any, lang: str) -> list[str]:
    """Price and service expectations in the month's own words (counts of discount requests,
    competitor comparisons, response deadlines named), each against the baseline share."""
    de = _de(lang)
    now = res.items.loc[res.items["month"] == res.month]
    base = _base_label(res, lang)
    price = _kpi(res, "price_mention_share")
    ptexts = now.loc[now["signals"].map(lambda s: "price_signal" in s), "text"].astype(str)
    disc = int(ptexts.str.contains(_DISCOUNT).sum())
    comp = int(ptexts.str.contains(_COMPETITOR).sum())
    inc = int(ptexts.str.contains(_INCREASE).sum())
    lines = [
        (f"Preis: {_pct(price['current'], lang)} der Rückmeldungen nennen Preise ({_pct(price['baseline'], lang)} im {base}); "
         f"darunter {disc}× Rabattwunsch, {comp}× Wettbewerbsvergleich, {inc}× „zu teuer“/Preiserhöhung."
         + (" Kein zunehmender Preisdruck." if price["current"] <= price["baseline"] else " Der Preisdruck nimmt zu."))
        if de else
        (f"Price: {_pct(price['current'], lang)} of feedback mentions prices ({_pct(price['baseline'], lang)} {base}); "
         f"of these {disc}× discount requests, {comp}× competitor comparisons, {inc}× 'too expensive'/price increase."
         + (" No rising price pressure." if price["current"] <= price["baseline"] else " Price pressure is rising.")),
    ]
    stexts = now.loc[now["signals"].map(lambda s: "service_expectation" in s), "text"].astype(str)
    share_now = len(stexts) / len(now) if len(now) else math.nan
    prior = res.items.loc[res.items["month"].isin(res.baseline_months)]
    share_base = float(prior["signals"].map(lambda s: "service_expectation" in s).mean()) if len(prior) else math.nan
    deadlines = Counter(_deadline(m) for t in stexts for m in _DEADLINE.finditer(t))
    named = ", ".join(f"{k} ({v}×)" for k, v in sorted(deadlines.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    lines.append(
        (f"Service: {_pct(share_now, lang)} der Rückmeldungen ({len(stexts)}) formulieren Erwartungen an den Service "
         f"({_pct(share_base, lang)} im {base})" + (f"; genannte Fristen: {named}." if named else ".")
         + " Kunden erwarten eine verbindliche Antwortzeit.")
        if de else
        (f"Service: {_pct(share_now, lang)} of feedback ({len(stexts)}) states service expectations "
         f"({_pct(share_base, lang)} {base})" + (f"; deadlines named: {named}." if named else ".")
         + " Customers expect a committed response time."))
    return lines


def _deadline(m: re.Match) -> str:
    """'innerhalb von 24 Stunden' -> '24 h'; 'within one business day' -> '1 Werktag'/'1 business day'."""
    num = m.group(1) or "1"
    unit = m.group(2).lower()
    if unit.startswith(("stund", "std", "hour")):
        return f"{num} h"
    if unit.startswith(("werk", "arbeit", "business", "working")):
        return f"{num} WT"
    return f"{num} d"


def quote_rows(res: Any, lang: str, themes: Sequence[str] | None = None, per_theme: int = 2,
               exclude_ids: Sequence[str] = (), max_len: int = 160) -> tuple[list[str], list[list[str]]]:
    """Quotes of the given themes (default: the top 3), at most ``per_theme`` each, original language.

    Texts are already pseudonymised and trimmed to 60-200 characters by the library; ``exclude_ids``
    keeps quotes of analyst-only candidate themes out of the memo.
    """
    de = _de(lang)
    keys = list(themes) if themes is not None else top_themes(res, 3)["theme"].tolist()
    labels = dict(zip(res.themes["theme"], res.themes["label"]))
    header = ["Thema", "Zitat (Quelle, Datum)"] if de else ["Theme", "Quote (source, date)"]
    rows = []
    q = res.quotes.loc[~res.quotes["feedback_id"].astype(str).isin([str(i) for i in exclude_ids])]
    for key in keys:
        sub = q.loc[q["theme"] == key].sort_values("rank", kind="mergesort").head(per_theme)
        for i, r in enumerate(sub.itertuples(index=False)):
            rows.append([labels.get(key, key) if i == 0 else "",
                         f"„{trim(r.text, max_len)}“ ({_source_label(str(r.source), lang)}, {fmt.date(r.date, lang)})"
                         if de else
                         f"“{trim(r.text, max_len)}” ({_source_label(str(r.source), lang)}, {fmt.date(r.date, lang)})"])
    return header, rows


def candidate_ids(res: Any) -> set[str]:
    """Feedback ids behind candidate themes and emerging terms outside the taxonomy (analyst only)."""
    ids: set[str] = set()
    for ex in res.candidates.get("example_ids", pd.Series(dtype=object)):
        ids.update(str(x) for x in ex)
    if "member_ids" in res.candidates:
        for ex in res.candidates["member_ids"]:
            ids.update(str(x) for x in ex)
    return ids


def _due(period: Period, rule: str, lang: str, today: Any = None) -> str:
    # counted from when the memo is read: a memo generated weeks after the month never sets a past deadline
    end = max(period.end, pd.Timestamp(today).normalize()) if today is not None else period.end
    due = end + pd.Timedelta(days=14) if rule in _URGENT_RULES else (end + pd.offsets.MonthEnd(1))
    return fmt.date(due, lang)


def _effect(row: dict[str, Any], themes: pd.DataFrame, res: Any, lang: str) -> str:
    de = _de(lang)
    t = themes.loc[themes["theme"] == row["theme"]]
    info = t.iloc[0].to_dict() if len(t) else {}
    base = _base_label(res, lang)
    if row["rule"] in _URGENT_RULES:
        impact = info.get("nps_impact")
        gain = (f" und bis zu {fmt.number(-impact, lang)} NPS-Punkte zurück" if de else
                f" and up to {fmt.number(-impact, lang)} NPS points back") \
            if not fmt.is_missing(impact) and impact < -1 and info.get("nps_n", 0) >= MIN_NPS_N_HEADLINE else ""
        return (f"Anteil {row['label']} zurück auf {_pct(info.get('share_baseline'), lang)} ({base}) in zwei Monaten{gain}."
                if de else f"Share of {row['label'].lower()} back to {_pct(info.get('share_baseline'), lang)} ({base}) "
                           f"within two months{gain}.")
    if row["rule"] == "frequent_question":
        return ("Weniger Rückfragen an Vertrieb und Service; schnellere Angebote." if de
                else "Fewer questions to sales and service; faster quotes.")
    if row["rule"] == "feature_request_cluster":
        return ("Entscheidung über die Umsetzung; Kunden fühlen sich gehört." if de
                else "A decision on the request; customers feel heard.")
    if row["rule"] == "price_pressure":
        return ("Rabatte begrenzen, Marge halten." if de else "Limit discounts, protect the margin.")
    if row["rule"] == "falling_complaint":
        return ("Erfolg sichern; Team motiviert." if de else "Secure the gain; team motivated.")
    return ""


def actions(res: Any, period: Period, lang: str, limit: int = 3, today: Any = None) -> list[Recommendation]:
    """The library's recommendations as memo actions (owner, due, evidence, expected effect).

    Candidate clusters are left out (analyst only); a new topic beyond the taxonomy gets an action right after
    the urgent fixes (first when the taxonomy covers too little). At most one 'frequent question'
    action, the one with the most questions, so the page is about problems first.
    """
    recs = res.recommendations.loc[res.recommendations["rule"] != "candidate_theme"]
    out: list[Recommendation] = []
    questions = urgent = 0  # urgent: the leading run of urgent fixes, which a new topic does not push down
    de = _de(lang)
    for row in recs.to_dict("records"):
        if row["rule"] == "frequent_question":
            questions += 1
            if questions > 1:
                continue
        evidence = (f"n = {fmt.number(row['n'], lang)}, Anteil {_pct(row['share'], lang)}, "
                    f"{fmt.pp(row['delta_pp'] / 100, lang)} ggü. {_base_label(res, lang)}" if de else
                    f"n = {fmt.number(row['n'], lang)}, share {_pct(row['share'], lang)}, "
                    f"{fmt.pp(row['delta_pp'] / 100, lang)} vs {_base_label(res, lang)}")
        action = row["action"]
        out.append(Recommendation(action=action, owner=_owner(row["owner"], lang), evidence=evidence,
                                  due=_due(period, row["rule"], lang, today), effect=_effect(row, res.themes, res, lang)))
        urgent += int(row["rule"] in _URGENT_RULES and urgent == len(out) - 1)
        if len(out) >= limit:
            break
    topics = new_topics(res).to_dict("records")
    partial = getattr(res, "partial", False)
    topic_actions: list[Recommendation] = []
    # a new topic outside the taxonomy has nobody responsible yet: naming one is the first action
    for t in topics[: 1 if not partial else 2]:
        topic_actions.append(Recommendation(
            action=(f"Neues Thema „{t['label']}“ ({fmt.number(t['n'], lang)} Nennungen, Vormonat "
                    f"{fmt.number(t['n_prev'], lang)}): Ursache klären, Verantwortlichen benennen, als Thema in die "
                    "Taxonomie aufnehmen." if de else
                    f"New topic \"{t['label']}\" ({fmt.number(t['n'], lang)} mentions, previous month "
                    f"{fmt.number(t['n_prev'], lang)}): find the cause, name an owner, add it to the taxonomy."),
            owner=_owner("marketing", lang),
            evidence=(f"n = {fmt.number(t['n'], lang)}, Anteil {_pct(t['share'], lang)} ggü. {_pct(t['share_baseline'], lang)} "
                      f"im {_base_label(res, lang)}, {_significance(t['q_value'], lang)}" if de else
                      f"n = {fmt.number(t['n'], lang)}, share {_pct(t['share'], lang)} vs {_pct(t['share_baseline'], lang)} "
                      f"{_base_label(res, lang)}, {_significance(t['q_value'], lang)}"),
            due=_due(period, "rising_complaint", lang, today),
            effect=("Das Thema hat einen Verantwortlichen und wird ab dem nächsten Memo als Thema gemessen." if de else
                    "The topic has an owner and is measured as a theme from the next memo on.")))
    # urgent fixes of rising complaint themes first, unless the taxonomy covers too little to trust them
    at = 0 if partial else urgent
    return (out[:at] + topic_actions + out[at:])[:limit]


def footer_lines(res: Any, lang: str) -> list[str]:
    """Data basis, theme coverage, taxonomy version, privacy and small-n caveats."""
    de = _de(lang)
    vol = _kpi(res, "volume")
    base_n = int(vol["n_baseline"])
    lines = [
        (f"Datenbasis: {fmt.number(vol['current'], lang)} Rückmeldungen im Monat, Vergleich {_base_label(res, lang)} "
         f"({fmt.number(base_n, lang)}); ▲/▼/neu = signifikant (≤ 5 % Fehlalarme; ≥ ×1,25, ≥ 1 Pp., n ≥ 5)."
         f" Themenabdeckung {_pct(res.coverage, lang)}, "
         f"Taxonomie {res.taxonomy_version}. Stimmung = Anteil Lob − Anteil Beschwerden; NPS-Wirkung = Gesamt-NPS − NPS "
         "ohne das Thema. Personenbezogene Daten sind pseudonymisiert." if de else
         f"Data basis: {fmt.number(vol['current'], lang)} feedback items this month, baseline {_base_label(res, lang)} "
         f"({fmt.number(base_n, lang)}); ▲/▼/new = significant (≤ 5 % false alarms; ≥ ×1.25, ≥ 1 pp, n ≥ 5)."
         f" Theme coverage {_pct(res.coverage, lang)}, "
         f"taxonomy {res.taxonomy_version}. Sentiment = praise share − complaint share; NPS impact = overall NPS − NPS "
         "without the theme. Personal data is pseudonymised."),
    ]
    nps = _kpi(res, "nps")
    caveats = list(res.caveats)
    small = [r for r in top_themes(res).to_dict("records") if 0 < r.get("nps_n", 0) < 10]
    if small:
        most = max(r["nps_n"] for r in small)
        caveats.append(f"NPS-Wirkung von {len(small)} Themen beruht auf höchstens {most} Antworten je Thema; nur Tendenz."
                       if de else f"NPS impact of {len(small)} themes rests on at most {most} answers each; "
                       "indicative only.")
    if nps["n_current"] and nps["n_current"] < 100 and not any("NPS" in c for c in res.caveats):
        caveats.append(f"NPS aus {fmt.number(nps['n_current'], lang)} Antworten: ±10 Punkte sind Zufall möglich."
                       if de else f"NPS from {fmt.number(nps['n_current'], lang)} answers: ±10 points can be chance.")
    if caveats:
        lines.append(("Hinweise: " if de else "Caveats: ") + " ".join(c if c.endswith(".") else c + "." for c in caveats))
    return lines


def kpi_strip_wide(res: Any, lang: str) -> tuple[list[str], list[list[str]], str]:
    """The KPI strip across the page: one column per KPI, rows this month / previous month / baseline / n.

    Returns (header, rows, by_source): the volume by source goes into one sentence under the strip,
    so a one-page memo keeps its strip to four rows.
    """
    header, rows = kpi_strip(res, lang)
    by_source = next((r for r in rows if r[0].strip().startswith(("nach Quelle", "by source"))), None)
    metrics = [r for r in rows if r is not by_source]
    short = {"Rückmeldungen": "Rückmeldungen", "Feedback items": "Feedback items",
             "Beschwerdeanteil": "Beschwerden", "Complaint share": "Complaints",
             "Anteil Wünsche": "Wünsche", "Feature requests": "Feature requests",
             "Preis-Nennungen": "Preis-Nennungen", "Price mentions": "Price mentions"}
    cols = [short.get(r[0], r[0].split(" (")[0]) for r in metrics]
    wide_header = [""] + cols
    wide_rows = [[header[i]] + [r[i] for r in metrics] for i in range(1, 5)]
    text = ""
    if by_source is not None:
        label = by_source[0].strip()
        text = (f"{label} {by_source[1]} ({header[2]} {by_source[2]}; {header[3]} {by_source[3]})")
    nps = next((r[0] for r in metrics if r[0].startswith("NPS")), "")
    if nps:
        text += ("; " if text else "") + nps
    return wide_header, wide_rows, text
