"""The monthly voice-of-customer memo (one page): narrative from a :class:`~.pipeline.VocResult`.

Three key messages (numbers first), the KPI strip, the top-5 themes table, price and service
expectations, quotes, actions with owner/due/expected effect and the footer, in de and en, by
explicit rules; every sentence is a catalogue message (``voc_…`` in render/locales). Everything returned is plain text; the memo blocks escape it. Topics that are new
or rising beyond the taxonomy (``res.topics``, FDR-controlled) reach the first screen; when the
taxonomy covers less than half of the month the memo says the picture is partial and leads with
them. The raw NMF candidate clusters stay with the analyst.

A rising complaint carries the revenue at stake: the month's feedback is linked to CRM accounts (customer number,
company name, e-mail domain; :func:`account_links`, match rate in the data note) and the order intake of the
accounts behind the theme over 12 months is stated with its window; its fix asks the decision with the euros on
both sides, naming the input (and its owner) where the cost is not in the data (:func:`decision_text`).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..render import fmt
from ..render.blocks import Header, Recommendation
from ..render.i18n import t, tn
from ..inputs.params import Params
from ..periods import Period
from ..voc.quotes import trim
from ..voc.recommend import AccountStake, SafetyStock, account_stake, link_accounts, match_summary, safety_stock
from ..voc.onboarding import taxonomy_path
from ..voc.themes import DEFAULT_TAXONOMY

#: theme owner keys of the taxonomy; who acts, as the CEO reads it, is message ``voc_owner_<key>``
OWNERS = ("operations", "finance", "quality", "service", "product", "sales", "marketing")
#: theme flags with a mark in the table (message ``voc_flag_<flag>``)
FLAGS = ("rising", "falling", "new", "stable")
#: recommendation rules with a fixed expected effect (message ``voc_effect_<rule>``)
_EFFECT_RULES = ("frequent_question", "feature_request_cluster", "price_pressure", "falling_complaint")
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


def in_sentence(label: str, lang: str) -> str:
    """A theme label inside a sentence: German keeps the capital of its nouns, English lowercases the label.

    Kept as a language test because the case is grammar, not wording (a message cannot lowercase its placeholder).
    """
    return label if lang == "de" else label.lower()


def _pct(x: float, lang: str) -> str:
    return fmt.percent(x, lang, 0)


def _owner(key: str, lang: str) -> str:
    return t(f"voc_owner_{key}", lang) if key in OWNERS else key


def _base_label(res: Any, lang: str) -> str:
    """'Ø Jul–Sep' / 'avg Jul–Sep' for the baseline months with data (the year is in the memo header);
    a gap inside the span shows as a list ('Ø Jul, Sep')."""
    months = [Period.parse(m) for m in res.baseline_months]
    if not months:
        return t("voc_no_baseline", lang)
    names = [fmt.month_name(m.start, lang) for m in months]
    contiguous = all(b == a.shift(1) for a, b in zip(months, months[1:]))
    span = names[0] if len(names) == 1 else (f"{names[0]}–{names[-1]}" if contiguous else ", ".join(names))
    return t("voc_baseline_avg", lang, months=span)


def first_month(res: Any) -> bool:
    """Whether no month before the report month has feedback: the memo compares with nothing and says so ("erster
    Monat mit Rückmeldungen: kein Vergleich"), with no trend claim and no comparison column of dashes."""
    return not list(getattr(res, "baseline_months", []) or [])


def _kpi(res: Any, metric: str) -> dict[str, float]:
    rows = res.kpis.loc[res.kpis["metric"] == metric]
    if rows.empty:
        return {"current": math.nan, "previous": math.nan, "baseline": math.nan, "n_current": 0, "n_previous": 0,
                "n_baseline": 0}
    return rows.iloc[0].to_dict()


def change_phrase(share: float, base: float, lang: str) -> str:
    """The rise of a share in words: 'verdreifacht', 'mehr als verdoppelt', '+45 %'."""
    if not base or fmt.is_missing(base) or fmt.is_missing(share):
        return t("voc_change_new", lang)
    ratio = share / base
    if ratio >= 1.9:
        k = round(ratio)
        word = t(f"voc_times_{k}", lang) if k in (2, 3, 4) else t("voc_times_k", lang, k=k)
        if ratio > k + 0.2:
            return t("voc_change_more_than", lang, change=word)
        if ratio < k - 0.1:
            return t("voc_change_almost", lang, change=word)
        return word
    if ratio <= 0.55:
        return t("voc_change_halved", lang)
    return fmt.pct_change(ratio - 1, lang)


def focus_theme(res: Any) -> dict[str, Any] | None:
    """The theme the memo leads with: rising/new complaint themes first, then any rising theme (largest Δ)."""
    flagged = res.themes.loc[res.themes["flag"].isin(["rising", "new"]) & (res.themes["n"] > 0)]
    if flagged.empty:
        return None
    flagged = flagged.assign(_c=(flagged["signal_type"] == "complaint").astype(int))
    return flagged.sort_values(["_c", "delta_pp", "theme"], ascending=[False, False, True], kind="mergesort").iloc[0].to_dict()


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
    return t("voc_significant", lang, test=text)


def topic_message(res: Any, row: dict[str, Any], lang: str) -> str:
    """'neu: WLAN / Internet / Zug – 76 Nennungen (30 % aller Rückmeldungen), Vormonat 24 …: who acts.'"""
    inside = row.get("theme_share", 0) >= 0.5 and row.get("theme")
    labels = dict(zip(res.themes["theme"], res.themes["label"]))
    where = (t("voc_topic_within", lang, theme=in_sentence(labels.get(row["theme"], row["theme"]), lang))
             if inside else "")
    return t("voc_topic_message", lang, mark=t("voc_topic_rising" if inside else "voc_change_new", lang),
             label=row["label"], within=where, n=fmt.number(row["n"], lang), share=_pct(row["share"], lang),
             n_prev=fmt.number(row["n_prev"], lang), base=_base_label(res, lang),
             share_base=_pct(row["share_baseline"], lang),
             change=change_phrase(row["share"], row["share_baseline"], lang),
             significance=_significance(row.get("q_value"), lang))


def coverage_message(res: Any, lang: str) -> str:
    """The share of feedback the taxonomy's themes cover; below half, that the picture is partial."""
    partial = getattr(res, "partial", res.coverage < 0.5)
    return t("voc_coverage_partial" if partial else "voc_coverage", lang, coverage=_pct(res.coverage, lang))


def key_messages(res: Any, lang: str) -> list[str]:
    """Three messages, each starting with its number or verdict: the focus (a rising complaint theme,
    or a new topic when the taxonomy covers little or nothing rises), NPS and complaints (only with
    scores), the next change."""
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
            cost = t("voc_focus_cost", lang, points=fmt.number(-impact, lang))
        out.append(t("voc_focus_message", lang, share=_pct(focus["share"], lang), n=fmt.number(focus["n"], lang),
                     total=fmt.number(total, lang), label=in_sentence(focus["label"], lang), base=base,
                     share_base=_pct(focus["share_baseline"], lang), change=ratio, cost=cost,
                     owner=_owner(focus["owner"], lang)))
    else:
        top = res.themes.loc[res.themes["n"] > 0].head(1)
        if partial:
            out.append(coverage_message(res, lang))
        elif len(top):
            r = top.iloc[0]
            out.append(t("voc_top_first" if first_month(res) else "voc_top_stable", lang, share=_pct(r["share"], lang),
                         label=in_sentence(r["label"], lang), base=base))
    nps, comp = _kpi(res, "nps"), _kpi(res, "complaint_share")
    pro, det = _kpi(res, "nps_promoters"), _kpi(res, "nps_detractors")
    comp_d = fmt.delta(comp["current"], comp["baseline"], lang, "pp", higher_is_better=False).text
    if nps["n_current"] and first_month(res):  # nothing to compare with: no previous month, no average, no verdict
        out.append(t("voc_nps_message_first", lang, nps=fmt.number(nps["current"], lang, signed=True),
                     n=fmt.number(nps["n_current"], lang), promoters=fmt.number(pro["current"], lang),
                     detractors=fmt.number(det["current"], lang), complaints=_pct(comp["current"], lang)))
    elif nps["n_current"]:
        nps_txt = fmt.number(nps["current"], lang, signed=True)
        p = getattr(res, "nps_p_value", math.nan)
        # "below average" is a verdict: only when the gap is more than survey noise (two-sided p < 0.05)
        verdict = (("voc_nps_below" if nps["current"] < nps["baseline"] else "voc_nps_above")
                   if not fmt.is_missing(p) and p < 0.05 else "voc_nps_chance")
        out.append(t("voc_nps_message", lang, nps=nps_txt, n=fmt.number(nps["n_current"], lang),
                     promoters=fmt.number(pro["current"], lang), detractors=fmt.number(det["current"], lang),
                     nps_prev=fmt.number(nps["previous"], lang, signed=True),
                     nps_base=fmt.number(nps["baseline"], lang, signed=True), base=base,
                     complaints=_pct(comp["current"], lang), complaints_delta=comp_d, verdict=t(verdict, lang)))
    other = res.themes.loc[res.themes["flag"].isin(["rising", "falling", "new"]) & (res.themes["n"] > 0)]
    if focus is not None:
        other = other.loc[other["theme"] != focus["theme"]]
    if topics:
        out.append(topic_message(res, topics[0], lang))
    elif len(other):
        r = other.reindex(other["delta_pp"].abs().sort_values(ascending=False, kind="mergesort").index).iloc[0]
        up = r["delta_pp"] > 0
        good = up == (r["signal_type"] == "praise")
        out.append(t("voc_other_theme", lang, share=_pct(r["share"], lang), label=in_sentence(r["label"], lang),
                     delta=fmt.pp(r["delta_pp"] / 100, lang), base=base, n=fmt.number(r["n"], lang),
                     verdict=t("voc_good_sign" if good else "voc_warning_sign", lang)))
    else:
        fr = _kpi(res, "feature_request_share")
        d = fmt.delta(fr["current"], fr["baseline"], lang, "pp", higher_is_better=None).text
        out.append(t("voc_requests_first" if first_month(res) else "voc_requests", lang,
                     share=_pct(fr["current"], lang), delta=d, share_base=_pct(fr["baseline"], lang), base=base))
    return out[:3]


def topic_quote_rows(res: Any, lang: str, per_topic: int = 2, max_len: int = 110) -> tuple[list[str], list[list[str]]]:
    """Two pseudonymised quotes per new/rising topic for the first screen, one column ("O-Töne: <label>")
    so each quote keeps to one line; with several topics each quote starts with its topic's label."""
    topics = new_topics(res)
    rows: list[list[str]] = []
    quotes = getattr(res, "topic_quotes", None)
    if quotes is None or quotes.empty or topics.empty:
        return [t("voc_quotes_header", lang)], rows
    several = len(topics) > 1
    for topic in topics.itertuples(index=False):
        sub = quotes.loc[quotes["theme"] == topic.topic].sort_values("rank", kind="mergesort").head(per_topic)
        for r in sub.itertuples(index=False):
            text = _quote(trim(r.text, max_len), r, lang)
            rows.append([f"{topic.label}: {text}" if several else text])
    header = (t("voc_topic_quotes_header", lang) if several
              else t("voc_topic_quotes_header_one", lang, topic=topics["label"].iloc[0]))
    return [header], rows


def _quote(text: str, r: Any, lang: str) -> str:
    """A quote in the memo language's quotation marks with its source and date."""
    return t("voc_quote", lang, text=text, source=_source_label(str(r.source), lang), date=fmt.date(r.date, lang))


def header(wb: Any) -> Header:
    """The memo's title line for the workbook ``wb`` (its period, company and date)."""
    return Header(t("voc_title", wb.lang), wb.period_label, wb.params.name, wb.generated, wb.lang)


def chart_subtitle(lang: str) -> str:
    """The theme chart's subtitle (the memo's analyst chart and the deck's customer slide)."""
    return t("voc_chart_subtitle", lang)


def headline(res: Any, lang: str) -> str:
    """The memo's headline: the first key message."""
    return key_messages(res, lang)[0]


#: the feedback export's source names (the data's vocabulary) -> message ``voc_source_<key>`` (``_short`` for the strip)
_SOURCES = {"Support-Ticket": "ticket", "Vertriebsgespräch": "sales", "NPS-Umfrage": "nps", "Bewertung": "review"}


def _source_label(source: str, lang: str, short: bool = False) -> str:
    """The source as the memo names it; ``short`` for the KPI strip."""
    key = _SOURCES.get(source)
    if key is None:
        return source
    return t(f"voc_source_{key}_short", lang) if short else t(f"voc_source_{key}", lang)


#: the strip's share KPIs, in order (label message ``voc_kpi_<metric>``, column name ``voc_kpi_<metric>_short``)
_SHARE_KPIS = ("complaint_share", "feature_request_share", "price_mention_share")


def kpi_strip(res: Any, lang: str) -> tuple[list[str], list[list[str]]]:
    """KPI table: value this month, previous month, 3-month average (baseline) and n."""
    cur = fmt.month(Period.parse(res.month).start, lang, short=True)
    header = [t("voc_kpi_metric", lang), cur, t("voc_kpi_previous", lang), _base_label(res, lang), "n"]
    rows: list[list[str]] = []
    vol = _kpi(res, "volume")
    sources = [m.split(":", 1)[1] for m in res.kpis["metric"] if m.startswith("volume:")]
    rows.append([t("voc_kpi_volume", lang), fmt.number(vol["current"], lang),
                 fmt.number(vol["previous"], lang), fmt.number(vol["baseline"], lang), fmt.number(vol["n_current"], lang)])
    parts = sorted(((src, _kpi(res, f"volume:{src}")) for src in sources), key=lambda p: (-p[1]["current"], p[0]))
    if parts:
        # one row for all sources keeps the strip short: "98 · 64 · 56 · 35"
        rows.append([t("voc_kpi_by_source", lang,
                       sources=" · ".join(_source_label(src, lang, short=True) for src, _ in parts))]
                    + [" · ".join(fmt.number(k[col], lang) for _, k in parts) for col in ("current", "previous", "baseline")]
                    + [""])
    for metric in _SHARE_KPIS:
        k = _kpi(res, metric)
        rows.append([t(f"voc_kpi_{metric}", lang), _pct(k["current"], lang), _pct(k["previous"], lang), _pct(k["baseline"], lang),
                     fmt.number(k["n_current"], lang)])
    nps = _kpi(res, "nps")
    if not (nps["n_current"] or nps["n_previous"] or nps["n_baseline"]):
        return header, rows  # a text-only export has no NPS: no column of dashes and "0 / 0 / 0"
    ppd = [_kpi(res, f"nps_{x}") for x in ("promoters", "passives", "detractors")]
    split = " / ".join(fmt.number(x["current"], lang) for x in ppd)
    rows.append([t("voc_kpi_nps", lang, split=split),
                 fmt.number(nps["current"], lang, signed=True), fmt.number(nps["previous"], lang, signed=True),
                 fmt.number(nps["baseline"], lang, signed=True), fmt.number(nps["n_current"], lang)])
    return header, rows


def _sentiment(net: float, lang: str) -> str:
    if fmt.is_missing(net):
        return fmt.MISSING
    tone = "negative" if net <= -0.2 else "positive" if net >= 0.2 else "mixed"
    word = t(f"voc_sentiment_{tone}", lang)
    return f"{word} ({fmt.number(100 * net, lang, signed=True)})"


def themes_table(res: Any, lang: str, top: int = 5) -> tuple[list[str], list[list[str]]]:
    """Top themes by n: share (n), Δ vs baseline in pp, sentiment (praise − complaint share), NPS impact, flag."""
    base = _base_label(res, lang)
    header = [t("voc_th_theme", lang), t("voc_th_share", lang), t("voc_th_delta", lang, base=base),
              t("voc_th_sentiment", lang), t("voc_th_nps", lang), t("voc_th_trend", lang)]
    header = [h.replace(" ", "\u00a0") for h in header]  # one-line headers keep the table short
    first = first_month(res)  # no comparison: no Δ and no trend column (every cell would be a dash)
    if first:
        header = [h for i, h in enumerate(header) if i not in (2, 5)]
    rows = []
    for r in top_themes(res, top).to_dict("records"):
        impact = r.get("nps_impact")
        rows.append([r["label"], f"{_pct(r['share'], lang)} ({fmt.number(r['n'], lang)})",
                     fmt.pp(r["delta_pp"] / 100, lang), _sentiment(r["net_sentiment"], lang),
                     fmt.MISSING if fmt.is_missing(impact) else fmt.number(impact, lang, 1, signed=True),
                     t(f"voc_flag_{r['flag']}", lang) if r["flag"] in FLAGS else r["flag"]])
        if first:
            rows[-1] = [c for i, c in enumerate(rows[-1]) if i not in (2, 5)]
    return header, rows


def top_themes(res: Any, top: int = 5) -> pd.DataFrame:
    """The month's largest themes (by n), the table's and the chart's rows."""
    return res.themes.loc[res.themes["n"] > 0].head(top).reset_index(drop=True)


def chart_title(res: Any, lang: str) -> str:
    """The chart's message: the focus theme's change, else that the mix is stable."""
    focus = focus_theme(res)
    if focus is None:
        return t("voc_chart_stable", lang)
    return t("voc_chart_focus", lang, label=focus["label"],
             change=change_phrase(focus["share"], focus["share_baseline"], lang))


def price_theme_note(res: Any, n_price: int, lang: str) -> str:
    """Why "Preis-Nennungen" (every item with a price signal) and the theme "Preis" (items with its keywords)
    show different shares in one memo; "" when no price theme was counted this month or both counts agree."""
    th = res.themes
    if "signal_type" not in th:
        return ""
    row = th.loc[(th["signal_type"] == "price_signal") & (th["n"] > 0)]
    if row.empty or int(row.iloc[0]["n"]) == n_price:
        return ""
    return t("voc_price_vs_theme", lang, n=fmt.number(n_price, lang), theme=str(row.iloc[0]["label"]),
             n_theme=fmt.number(int(row.iloc[0]["n"]), lang))


def expectations(res: Any, lang: str) -> list[str]:
    """Price and service expectations in the month's own words (counts of discount requests,
    competitor comparisons, response deadlines named), each against the baseline share."""
    now = res.items.loc[res.items["month"] == res.month]
    base = _base_label(res, lang)
    price = _kpi(res, "price_mention_share")
    ptexts = now.loc[now["signals"].map(lambda s: "price_signal" in s), "text"].astype(str)
    disc = int(ptexts.str.contains(_DISCOUNT).sum())
    comp = int(ptexts.str.contains(_COMPETITOR).sum())
    inc = int(ptexts.str.contains(_INCREASE).sum())
    first = first_month(res)
    if first:  # no earlier month: no trend claim ("Der Preisdruck nimmt zu" needs a comparison)
        lines = [t("voc_price_line_first", lang, share=_pct(price["current"], lang), discounts=disc, competitors=comp,
                   increases=inc)]
    else:
        pressure = "voc_price_calm" if price["current"] <= price["baseline"] else "voc_price_rising"
        lines = [t("voc_price_line", lang, share=_pct(price["current"], lang), share_base=_pct(price["baseline"], lang),
                   base=base, discounts=disc, competitors=comp, increases=inc) + " " + t(pressure, lang)]
    if note := price_theme_note(res, len(ptexts), lang):
        lines[0] += " " + note
    stexts = now.loc[now["signals"].map(lambda s: "service_expectation" in s), "text"].astype(str)
    share_now = len(stexts) / len(now) if len(now) else math.nan
    prior = res.items.loc[res.items["month"].isin(res.baseline_months)]
    share_base = float(prior["signals"].map(lambda s: "service_expectation" in s).mean()) if len(prior) else math.nan
    deadlines = Counter(_deadline(m, lang) for text in stexts for m in _DEADLINE.finditer(text))
    named = ", ".join(f"{k} ({v}×)" for k, v in sorted(deadlines.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    key = (("voc_service_line_deadlines_first" if first else "voc_service_line_deadlines") if named
           else ("voc_service_line_first" if first else "voc_service_line"))
    line = t(key, lang, share=_pct(share_now, lang), n=len(stexts),
             share_base=_pct(share_base, lang), base=base, deadlines=named)
    # what customers expect only when some of them said so (with none, "Kunden erwarten ..." would be invented)
    lines.append(line + " " + t("voc_service_expect", lang) if len(stexts) else line)
    return lines


def _deadline(m: re.Match, lang: str) -> str:
    """'innerhalb von 24 Stunden' -> '24 h'; 'within one business day' -> '1 WT' (messages ``voc_deadline_*``)."""
    num = m.group(1) or "1"
    unit = m.group(2).lower()
    if unit.startswith(("stund", "std", "hour")):
        return t("voc_deadline_hours", lang, n=num)
    if unit.startswith(("werk", "arbeit", "business", "working")):
        return t("voc_deadline_workdays", lang, n=num)
    return t("voc_deadline_days", lang, n=num)


def quote_rows(res: Any, lang: str, themes: Sequence[str] | None = None, per_theme: int = 2,
               exclude_ids: Sequence[str] = (), max_len: int = 160) -> tuple[list[str], list[list[str]]]:
    """Quotes of the given themes (default: the top 3), at most ``per_theme`` each, original language.

    Texts are already pseudonymised and trimmed to 60-200 characters by the library; ``exclude_ids``
    keeps quotes of analyst-only candidate themes out of the memo.
    """
    keys = list(themes) if themes is not None else top_themes(res, 3)["theme"].tolist()
    labels = dict(zip(res.themes["theme"], res.themes["label"]))
    header = [t("voc_qt_theme", lang), t("voc_qt_quote", lang)]
    rows = []
    q = res.quotes.loc[~res.quotes["feedback_id"].astype(str).isin([str(i) for i in exclude_ids])]
    for key in keys:
        sub = q.loc[q["theme"] == key].sort_values("rank", kind="mergesort").head(per_theme)
        for i, r in enumerate(sub.itertuples(index=False)):
            rows.append([labels.get(key, key) if i == 0 else "", _quote(trim(r.text, max_len), r, lang)])
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
    match = themes.loc[themes["theme"] == row["theme"]]
    info = match.iloc[0].to_dict() if len(match) else {}
    if row["rule"] in _URGENT_RULES:
        impact = info.get("nps_impact")
        gain = (t("voc_effect_gain", lang, points=fmt.number(-impact, lang))
                if not fmt.is_missing(impact) and impact < -1 and info.get("nps_n", 0) >= MIN_NPS_N_HEADLINE else "")
        return t("voc_effect_urgent", lang, label=in_sentence(row["label"], lang),
                 share_base=_pct(info.get("share_baseline"), lang), base=_base_label(res, lang), gain=gain)
    if row["rule"] in _EFFECT_RULES:
        return t(f"voc_effect_{row['rule']}", lang)
    return ""


def actions(res: Any, period: Period, lang: str, limit: int = 3, today: Any = None,
            stake: AccountStake | None = None, currency: str = "EUR",
            stock: SafetyStock | None = None) -> list[Recommendation]:
    """The library's recommendations as memo actions (owner, due, evidence, expected effect).

    Each carries a stable key (``rule.theme``) for the decision log; with ``stake`` (:func:`stake`), the urgent
    fix of that theme also asks the decision with its euros (:func:`decision_text`; ``stock``: its safety stock,
    :func:`stock`).

    Candidate clusters are left out (analyst only); a new topic beyond the taxonomy gets an action right after
    the urgent fixes (first when the taxonomy covers too little). At most one 'frequent question'
    action, the one with the most questions, so the page is about problems first.
    """
    recs = res.recommendations.loc[res.recommendations["rule"] != "candidate_theme"]
    out: list[Recommendation] = []
    questions = urgent = 0  # urgent: the leading run of urgent fixes, which a new topic does not push down
    for row in recs.to_dict("records"):
        if row["rule"] == "frequent_question":
            questions += 1
            if questions > 1:
                continue
        evidence = t("voc_evidence_first" if first_month(res) else "voc_evidence", lang,
                     n=fmt.number(row["n"], lang), share=_pct(row["share"], lang),
                     delta=fmt.pp(row["delta_pp"] / 100, lang), base=_base_label(res, lang))
        action, amount = row["action"], float("nan")
        if stake is not None and stake.theme == row["theme"] and row["rule"] in _URGENT_RULES:
            action = f"{action} {decision_text(stake, row['owner'], lang, currency, stock)}"
            if row["owner"] == "operations" and stock is not None:
                amount = float(stock.value)  # the decision log keeps the amount (next month: "Im … genannt: …")
        out.append(Recommendation(action=action, owner=_owner(row["owner"], lang), evidence=evidence,
                                  due=_due(period, row["rule"], lang, today), effect=_effect(row, res.themes, res, lang),
                                  key=f"{row['rule']}.{row['theme']}", amount=amount, infer_kpi=False))
        urgent += int(row["rule"] in _URGENT_RULES and urgent == len(out) - 1)
        if len(out) >= limit:
            break
    topics = new_topics(res).to_dict("records")
    partial = getattr(res, "partial", False)
    topic_actions: list[Recommendation] = []
    # a new topic outside the taxonomy has nobody responsible yet: naming one is the first action
    for topic in topics[: 1 if not partial else 2]:
        n, n_prev = fmt.number(topic["n"], lang), fmt.number(topic["n_prev"], lang)
        topic_actions.append(Recommendation(
            # the month named: quoted next month in "what became of the recommendations", a bare "9 mentions,
            # previous month 0" would read as that month's figures (and the new month's clusters count differently)
            action=t("voc_topic_action_month", lang, label=topic["label"], n=n, n_prev=n_prev,
                     month=fmt.month(period.start, lang, short=True)),
            owner=_owner("marketing", lang),
            evidence=t("voc_topic_evidence", lang, n=n, share=_pct(topic["share"], lang),
                       share_base=_pct(topic["share_baseline"], lang), base=_base_label(res, lang),
                       significance=_significance(topic["q_value"], lang)),
            due=_due(period, "rising_complaint", lang, today),
            effect=t("voc_topic_effect", lang), infer_kpi=False))
    # urgent fixes of rising complaint themes first, unless the taxonomy covers too little to trust them
    at = 0 if partial else urgent
    return (out[:at] + topic_actions + out[at:])[:limit]


def action_blocks(recs: list[Recommendation], res: Any, lang: str) -> list[Any]:
    """The actions section's body: the actions, or, when no rule of the taxonomy fires, a sentence saying why
    (never a bare heading); in the first month with feedback, that rising and new themes need a comparison."""
    from ..render.blocks import Paragraph, Recommendations
    from ..render.wording import recommendation_labels

    if recs:
        return [Recommendations(recs, recommendation_labels(lang))]
    return [Paragraph(t("voc_actions_none_first" if first_month(res) else "voc_actions_none", lang))]


def footer_lines(res: Any, lang: str) -> list[str]:
    """Data basis, theme coverage, taxonomy version, privacy and small-n caveats."""
    vol = _kpi(res, "volume")
    base_n = int(vol["n_baseline"])
    lines = [t("voc_footer_basis_first" if first_month(res) else "voc_footer_basis", lang,
               n=fmt.number(vol["current"], lang), base=_base_label(res, lang),
               n_base=fmt.number(base_n, lang), coverage=_pct(res.coverage, lang), taxonomy=res.taxonomy_version)]
    nps = _kpi(res, "nps")
    caveats = list(res.caveats)
    small = [r for r in top_themes(res).to_dict("records") if 0 < r.get("nps_n", 0) < 10]
    if small:
        most = max(r["nps_n"] for r in small)
        caveats.append(tn("voc_caveat_small_nps", len(small), lang, most=most))
    if nps["n_current"] and nps["n_current"] < 100 and not any("NPS" in c for c in res.caveats):
        caveats.append(t("voc_caveat_nps_n", lang, n=fmt.number(nps["n_current"], lang)))
    if caveats:
        lines.append(t("voc_caveats", lang, caveats=" ".join(c if c.endswith(".") else c + "." for c in caveats)))
    return lines


def kpi_strip_wide(res: Any, lang: str) -> tuple[list[str], list[list[str]], str]:
    """The KPI strip across the page: one column per KPI, rows this month / previous month / baseline / n.

    Returns (header, rows, by_source): the volume by source goes into one sentence under the strip,
    so a one-page memo keeps its strip to four rows.
    """
    header, rows = kpi_strip(res, lang)
    by_source_label = t("voc_kpi_by_source", lang, sources="").strip()
    by_source = next((r for r in rows if r[0].strip().startswith(by_source_label)), None)
    metrics = [r for r in rows if r is not by_source]
    short = {t(f"voc_kpi_{m}", lang): t(f"voc_kpi_{m}_short", lang) for m in ("volume", *_SHARE_KPIS)}
    cols = [short.get(r[0], r[0].split(" (")[0]) for r in metrics]
    wide_header = [""] + cols
    first = first_month(res)  # no previous month, no average: rows of "0" and dashes would read as measured
    wide_rows = [[header[i]] + [r[i] for r in metrics] for i in ((1, 4) if first else range(1, 5))]
    text = ""
    if by_source is not None:
        label = by_source[0].strip()
        text = (f"{label} {by_source[1]}" if first
                else f"{label} {by_source[1]} ({header[2]} {by_source[2]}; {header[3]} {by_source[3]})")
    nps = next((r[0] for r in metrics if r[0].startswith("NPS")), "")
    if nps:
        text += ("; " if text else "") + nps
    return wide_header, wide_rows, text


# -- revenue at stake -------------------------------------------------------------------------------------------

#: months of order intake counted for the accounts that raised an issue (the window is in every label)
STAKE_MONTHS = 12


#: the deal columns a stake reads (an empty table of them stands in when a company configured no deals)
DEAL_COLUMNS = ["deal_id", "deal_name", "status", "amount", "close_date", "company", "account_id"]


def crm_tables(ds: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The deals and CRM contacts (leads) a stake reads from the dataset; without deals an empty table, so the memo
    says the revenue at stake is unknown and which input would tell it instead of failing."""
    deals = ds.deals if ds.has("deals") else pd.DataFrame({c: pd.Series(dtype="object") for c in DEAL_COLUMNS})
    return deals, (ds.leads if ds.has("leads") else None)


def month_items(res: Any) -> pd.DataFrame:
    """The report month's items of a VoC result (pseudonymised text, themes)."""
    return res.items.loc[res.items["month"] == res.month]


def account_links(res: Any, feedback: pd.DataFrame, deals: pd.DataFrame, leads: pd.DataFrame | None) -> pd.DataFrame:
    """The month's feedback linked to CRM accounts (:func:`~cmo_workbook.voc.recommend.link_accounts`)."""
    ids = set(month_items(res)["feedback_id"].astype(str))
    return link_accounts(feedback.loc[feedback["feedback_id"].astype(str).isin(ids)], deals, leads)


def stake(res: Any, links: pd.DataFrame, deals: pd.DataFrame, period: Period) -> AccountStake | None:
    """Order intake of the accounts behind the focus theme, when it is a complaint (None otherwise or unlinked)."""
    focus = focus_theme(res)
    if focus is None or focus.get("signal_type") != "complaint":
        return None
    st = account_stake(month_items(res), links, deals, theme=focus["theme"], end=period.end, months=STAKE_MONTHS)
    return st if st.n_items else None


def won_window(start: Any, end: Any, lang: str) -> str:
    """'gewonnene Aufträge Nov 2025 – Okt 2026' for [start, end): the window of an order intake, always in its label."""
    return t("voc_stake_window", lang, span=fmt.month_range(start, pd.Timestamp(end) - pd.Timedelta(days=1), lang))


def stake_window(st: AccountStake, lang: str) -> str:
    """The window label of a stake's order intake."""
    return won_window(st.start, st.end, lang)


def _money(v: float, lang: str, currency: str) -> str:
    return fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)


def stake_message(st: AccountStake, lang: str, currency: str = "EUR", owner: str = "",
                  stock: SafetyStock | None = None) -> str:
    """'Auf dem Spiel: 2 Mio. € Auftragseingang von 46 betroffenen Kunden (…; 47 der 60 Rückmeldungen zugeordnet).'

    With the focus theme's ``owner``, the first screen also names the decision the first action asks and who
    puts the cost on it ('Zu entscheiden (siehe Maßnahmen): Sicherheitsbestand für … – ja/nein; …'); with the
    ``stock`` costed (:func:`stock`), the amount to approve and its yearly cost instead."""
    if not st.n_linked:
        return t("voc_stake_unlinked", lang, n=fmt.number(st.n_items, lang))
    text = t("voc_stake_message_months", lang, accounts=fmt.number(st.accounts, lang), months=feedback_months(st, lang),
             intake=_money(st.order_intake, lang, currency), window=stake_window(st, lang),
             linked=fmt.number(st.n_linked, lang), n=fmt.number(st.n_items, lang))
    if not owner:
        return text
    if owner == "operations" and stock is not None:
        return f"{text} {t('voc_stake_ask_stock', lang, **stock_values(stock, lang, currency, short=True))}"
    key = "voc_stake_ask_operations" if owner == "operations" else "voc_stake_ask_default"
    return f"{text} {t(key, lang, products=stake_products(st, lang, short=True), owner=_owner(owner, lang))}"


def _items_months(st: AccountStake, lang: str) -> str:
    """'Okt 2026' or 'Jul 2026 – Sep 2026': the feedback months a stake's items come from."""
    if not st.months:
        return ""
    first, last = st.months[0], st.months[-1]
    return fmt.month(first, lang, short=True) if first == last else fmt.month_range(first, last, lang)


def feedback_months(st: AccountStake, lang: str) -> str:
    """The feedback months the stake's customers come from ('Okt 2026'), in every label of the stake: a month's and a
    quarter's memo count different customers, and the label must say which (issue #11). Falls back to the
    order-intake window's last month, which is the feedback month by construction."""
    return _items_months(st, lang) or fmt.month(st.end - pd.Timedelta(days=1), lang, short=True)


def stake_products(st: AccountStake, lang: str, *, short: bool = False) -> str:
    """Which product lines a stake is about, with the feedback window: the one home for every memo and slide
    that names them (VoC memo, strategy memo, impulse deck), by :meth:`AccountStake.focus_products`.

    'Servogetriebe KS-90 (75 % der Rückmeldungen mit Produkt, Okt 2026)' when few lines carry the issue;
    'alle 6 genannten Produktlinien (Okt 2026: keine über 22 % der Rückmeldungen mit Produkt)' when it is spread.
    ``short`` (a slide's table cell): the lines only, or 'alle 6 Produktlinien'.
    """
    if not st.product_counts:
        return t("voc_stake_products_unknown", lang)
    named = sum(st.product_counts.values())
    focus = st.focus_products()
    if short:
        return (", ".join(focus) if focus else
                t("voc_stake_products_spread_short", lang, n=fmt.number(len(st.product_counts), lang)))
    months = _items_months(st, lang)
    if focus:
        share = sum(st.product_counts[p] for p in focus) / named
        return t("voc_stake_products_focus", lang, products=", ".join(focus), share=_pct(share, lang), months=months)
    return t("voc_stake_products_spread", lang, n=fmt.number(len(st.product_counts), lang),
             share=_pct(st.top_share, lang), months=months)


def decision_text(st: AccountStake, owner: str, lang: str, currency: str = "EUR",
                  stock: SafetyStock | None = None) -> str:
    """The decision the fix asks of the CEO, with the euros on both sides; a cost the data lacks is named as an
    input with its owner, never invented. Theme owner ``operations``: a safety stock for the lines
    :func:`stake_products` names, with ``stock`` (:func:`stock`) as 'Freigabe von X € Sicherheitsbestand …: ja / nein'
    with its yearly cost, the intake it keeps and its break-even."""
    if owner == "operations" and stock is not None:
        return t("voc_decision_stock", lang, **stock_values(stock, lang, currency))
    products = stake_products(st, lang)
    key = "voc_decision_operations" if owner == "operations" else "voc_decision_default"
    return t(key, lang, products=products, owner=_owner(owner, lang), intake=_money(st.order_intake, lang, currency),
             window=stake_window(st, lang))


def accounts_note(links: pd.DataFrame, lang: str) -> str:
    """Data note: how feedback was linked to accounts and the month's match rate."""
    m = match_summary(links)
    by = m["by"]
    return t("voc_footer_accounts", lang, linked=fmt.number(m["linked"], lang), n=fmt.number(m["n"], lang),
             rate=_pct(m["rate"], lang), by_id=fmt.number(by["account_id"], lang),
             by_company=fmt.number(by["company"], lang), by_domain=fmt.number(by["email_domain"], lang))


# -- the safety stock's cost ---------------------------------------------------------------------------------------


def stock(st: AccountStake | None, deals: pd.DataFrame, params: Params) -> SafetyStock | None:
    """The safety stock a delivery stake asks to approve, costed with the company's assumptions
    (``company.holding_cost_rate``, ``company.safety_stock_weeks``; :func:`~cmo_workbook.voc.recommend.safety_stock`).
    The one home of the figure the VoC memo, the strategy memo and the deck state; None without a stake or product
    lines in the CRM."""
    if st is None or not st.n_linked:
        return None
    return safety_stock(st, deals, gross_margin=params.gross_margin, holding_cost_rate=params.holding_cost_rate,
                        weeks=params.safety_stock_weeks)


def stock_basis(sk: SafetyStock, lang: str) -> str:
    """'Oktober 2026': the month a safety stock's amount rests on, the last month of its demand window (the same
    words on the first screen, in the action and on the slide)."""
    return fmt.month(sk.stake.end - pd.Timedelta(days=1), lang)


def stock_values(sk: SafetyStock, lang: str, currency: str = "EUR", *, short: bool = False) -> dict[str, str]:
    """The placeholders every safety-stock message fills (amount, cost, break-even, the stake beside it), formatted
    once for the VoC memo, the strategy memo and the deck. ``basis``: the month the amount rests on (the last month
    of its demand window, :func:`stock_basis`), in every label of the amount: a month's memo and a quarter's memo
    cost the stock on different months and so show different amounts (#11)."""
    st = sk.stake
    return {"stock": _money(sk.value, lang, currency), "basis": stock_basis(sk, lang),
            "cost": _money(sk.holding_cost, lang, currency),
            "rate": _pct(sk.holding_cost_rate, lang), "weeks": fmt.number(sk.weeks, lang),
            "products": stake_products(st, lang, short=short), "intake": _money(st.order_intake, lang, currency),
            "margin": _money(sk.margin_at_stake, lang, currency), "window": stake_window(st, lang),
            "share": _pct(sk.break_even_share, lang), "accounts": fmt.number(st.accounts, lang),
            "months": feedback_months(st, lang)}


def stock_note(sk: SafetyStock | None, lang: str, currency: str = "EUR") -> str:
    """Data note: how the safety stock was costed (demand, margin, weeks, rate: the assumptions named), '' without."""
    if sk is None:
        return ""
    values = stock_values(sk, lang, currency, short=True)
    return t("voc_footer_stock", lang, **{**values, "demand": _money(sk.demand, lang, currency),
                                          "gross_margin": _pct(sk.gross_margin, lang)})
