"""The monthly voice-of-customer analysis end to end: ``analyse(feedback, month=...) -> VocResult``."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, ParamsError, Problem, StaleDataError
from ..periods import Period
from ..render.i18n import t
from .discovery import TOPIC_COLUMNS, discover_candidates, rising_topics
from .language import LANGUAGES, Corpus
from .privacy import pseudonymise_many
from .quotes import select_quotes
from .recommend import recommend
from .scores import csat, nps, nps_difference_p, nps_mask, theme_scores
from .signals import SIGNAL_TYPES, classify_explained, number_words
from .themes import coverage, load_taxonomy
from .trends import emerging_terms, flag_family, theme_trends

REQUIRED = ("feedback_id", "date", "source")
#: fewer items than this in a month or theme make its numbers a caveat
SMALL_N = 30
#: below this share of the month's items matched to a theme the picture is partial: the memo leads
#: with the discovered topics
COVERAGE_MIN = 0.5


@dataclass
class VocResult:
    """Everything the VoC memo needs; every table carries its n."""

    month: str
    items: pd.DataFrame  #: analysis window, pseudonymised text, language, signals, themes (tuples)
    kpis: pd.DataFrame  #: metric, current, previous, baseline, n_current, n_previous, n_baseline
    themes: pd.DataFrame  #: one row per theme seen, by n desc (share, Δ pp, flag, sentiment, NPS impact)
    emerging_terms: pd.DataFrame  #: term, count_current, count_baseline, delta, z, p_value, q_value
    candidates: pd.DataFrame  #: candidate, label, top_terms, size, example_ids
    topics: pd.DataFrame  #: new/rising topics beyond the taxonomy's flags (see discovery.rising_topics), flagged
    topic_quotes: pd.DataFrame  #: like quotes, theme = topic id (T1, ...)
    theme_terms: pd.DataFrame  #: theme, term, n: which taxonomy term made the month's items match
    quotes: pd.DataFrame  #: theme, rank, feedback_id, date, source, language, text
    recommendations: pd.DataFrame  #: priority, rule, theme, label, owner, action, evidence columns
    coverage: float  #: share of the month's items matched to >= 1 theme
    taxonomy_version: str
    baseline_months: list[str] = field(default_factory=list)  #: the baseline months that have data
    missing_months: list[str] = field(default_factory=list)  #: baseline months without any data (left out)
    nps_p_value: float = math.nan  #: two-sided p of this month's NPS against the baseline's
    caveats: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """The taxonomy covers less than :data:`COVERAGE_MIN` of the month: the themes are a partial picture."""
        return self.coverage < COVERAGE_MIN


def analyse(feedback: pd.DataFrame, *, month: str, taxonomy: Mapping[str, Any] | str | Path | None = None,
            known_names: Iterable[str] = (), allow_names: bool = False, lang: str = "de", baseline_months: int = 3,
            min_n: int = 5,
            top_themes: int = 5, quotes_per_theme: int = 3, n_candidates: int = 5) -> VocResult:
    """Analyse the canonical ``feedback`` table for ``month`` ('YYYY-MM').

    Uses the month, the previous month and the ``baseline_months`` months before it (the baseline
    includes the previous month; months without any data are left out of it and listed in
    ``missing_months``). Text is pseudonymised first (``known_names`` plus the
    table's contact_name values), so nothing downstream sees personal data; ``allow_names=True``
    (params memo.allow_customer_names) keeps names but still removes e-mails, phones, IBANs, addresses.
    Raises ParamsError for a bad month/lang, DataError for missing columns and StaleDataError
    when the month has no rows.
    """
    period = _parse_month(month)
    if lang not in LANGUAGES:
        raise ParamsError(f"lang {lang!r} is not supported; expected one of {', '.join(LANGUAGES)}")
    if not 1 <= int(baseline_months) <= 12:
        raise ParamsError(f"baseline_months {baseline_months!r} must be between 1 and 12 (3-6 is usual)")
    tax = load_taxonomy(taxonomy)
    frame = _checked(feedback)
    current = str(period)
    previous = str(period.previous())
    window = [str(period.shift(-k)) for k in range(int(baseline_months), 0, -1)]
    frame = frame.loc[frame["month"].isin([*window, current])].copy()
    if not (frame["month"] == current).any():
        raise _stale(feedback, period)
    # a month without a single item is a gap in the export, not a month in which nobody said anything
    present = set(frame["month"])
    baseline = [m for m in window if m in present]
    missing = [m for m in window if m not in present]

    names = list(known_names)
    if "contact_name" in frame:
        names += [str(n) for n in frame["contact_name"].dropna().unique()]
    frame["text"] = pseudonymise_many(_texts(frame), known_names=names, allow_names=allow_names,
                                      lang=lang)
    # one tokenisation for every step; the work is done per distinct sentence
    corpus = Corpus(frame["text"], numbers_kept=number_words(tax))
    frame["language"] = _languages(frame, corpus)
    frame["signals"], frame["themes"], frame["theme_terms"] = classify_explained(frame["text"], tax, corpus=corpus)
    frame["_docs"] = pd.Series(corpus.content_lemmas(frame["language"].tolist()), index=frame.index, dtype=object)
    del corpus
    frame = frame.sort_values(["date", "feedback_id"], kind="mergesort").reset_index(drop=True)
    items = frame[[c for c in ("feedback_id", "date", "month", "source", "segment", "product", "language",
                               "text", "score", "score_scale", "signals", "themes") if c in frame]]

    info = {t["key"]: t for t in tax["themes"]}
    now = items.loc[items["month"] == current]
    trends = theme_trends(items["month"], items["themes"], current, baseline=baseline, previous=previous,
                          min_n=min_n)

    tokens_by_item = frame["_docs"].tolist()
    is_now = (items["month"] == current).to_numpy()
    emerging = emerging_terms([d for d, c in zip(tokens_by_item, is_now) if c],
                              [d for d, c in zip(tokens_by_item, is_now) if not c])
    topics = rising_topics(items["feedback_id"].tolist(), items["month"].tolist(), tokens_by_item,
                           items["text"].tolist(), items["language"].tolist(), items["themes"].tolist(), emerging,
                           month=current, previous=previous, baseline=baseline)
    trends, topics = _flag_together(trends, topics, min_n)
    themes = _themes_table(trends, now, info, lang)
    topics = _new_topics(topics, themes)
    topic_quotes = _topic_quotes(now, topics, quotes_per_theme)

    unmatched = now.loc[now["themes"].map(len) == 0]
    candidates = discover_candidates(unmatched["feedback_id"].astype(str).tolist(), unmatched["text"].tolist(),
                                     unmatched["language"].tolist(), n_candidates=n_candidates,
                                     docs=[tokens_by_item[i] for i in unmatched.index])
    top = themes.loc[themes["n"] > 0, "theme"].head(top_themes).tolist()
    quotes = select_quotes(now, top, per_theme=quotes_per_theme,
                           signal_of={k: v.get("signal_type", "") for k, v in info.items()})
    recs = recommend(themes, candidates, quotes, tax, lang=lang)
    kpis = _kpis(items, current, previous, baseline)
    cov = coverage(now["themes"])
    return VocResult(
        month=current, items=items.reset_index(drop=True), kpis=kpis, themes=themes, emerging_terms=emerging,
        candidates=candidates, topics=topics, topic_quotes=topic_quotes,
        theme_terms=_theme_terms(frame.loc[frame["month"] == current, "theme_terms"]),
        quotes=quotes, recommendations=recs, coverage=cov,
        taxonomy_version=str(tax["version"]), baseline_months=baseline, missing_months=missing,
        nps_p_value=_nps_p(items, current, baseline),
        caveats=_caveats(now, items, missing, themes, cov, lang),
    )


def _nps_p(items: pd.DataFrame, current: str, baseline: list[str]) -> float:
    """p of the month's NPS against the pooled baseline NPS (NaN without answers on either side)."""
    sides = []
    for part in (items.loc[items["month"] == current], items.loc[items["month"].isin(baseline)]):
        s = nps(part.loc[nps_mask(part), "score"])
        sides += [s["nps"], s["n"], s["promoters"], s["detractors"]]
    return nps_difference_p(*sides)


def _flag_together(trends: pd.DataFrame, topics: pd.DataFrame, min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One FDR family for the memo: the themes' and the discovered topics' share tests."""
    cols = ["n", "share", "n_baseline", "share_baseline", "p_value"]
    both = pd.concat([trends[cols], topics[cols]], ignore_index=True) if len(topics) else trends[cols]
    flagged = flag_family(both.astype({"n": int, "n_baseline": int}), min_n=min_n)
    trends = trends.assign(q_value=flagged["q_value"].to_numpy()[: len(trends)],
                           flag=flagged["flag"].to_numpy()[: len(trends)])
    topics = topics.assign(q_value=flagged["q_value"].to_numpy()[len(trends):],
                           flag=flagged["flag"].to_numpy()[len(trends):])
    return trends, topics


def _new_topics(topics: pd.DataFrame, themes: pd.DataFrame, overlap: float = 0.5) -> pd.DataFrame:
    """The flagged (new/rising) topics that no flagged taxonomy theme already reports."""
    if topics.empty:
        return topics.reset_index(drop=True)
    flagged = set(themes.loc[themes["flag"].isin(["rising", "new"]), "theme"])
    told = topics["theme"].isin(flagged) & (topics["theme_share"] >= overlap)
    out = topics.loc[topics["flag"].isin(["rising", "new"]) & ~told].reset_index(drop=True)
    out["topic"] = [f"T{i}" for i in range(1, len(out) + 1)]
    return out


def _topic_quotes(now: pd.DataFrame, topics: pd.DataFrame, per_topic: int) -> pd.DataFrame:
    """Quotes of each topic's members (pseudonymised, de-duplicated like theme quotes)."""
    if topics.empty:
        return select_quotes(now.iloc[:0], [])
    member_of: dict[str, tuple[str, ...]] = {}
    for t in topics.itertuples(index=False):
        for fid in t.member_ids:
            member_of[fid] = member_of.get(fid, ()) + (t.topic,)
    tagged = now.assign(themes=now["feedback_id"].map(lambda f: member_of.get(str(f), ())))
    # trimmed to what the memo shows, so two quotes never read the same
    return select_quotes(tagged, topics["topic"].tolist(), per_theme=per_topic, max_len=120)


def _theme_terms(terms: Iterable[Mapping[str, tuple[str, ...]]]) -> pd.DataFrame:
    """theme, term, n: how often each taxonomy term made one of the month's items match (the analyst's
    check that a theme means what it says)."""
    from collections import Counter

    counts = Counter((key, term) for item in terms for key, found in item.items() for term in found)
    rows = [{"theme": k, "term": t, "n": n} for (k, t), n in counts.items()]
    out = pd.DataFrame(rows, columns=["theme", "term", "n"])
    return out.sort_values(["theme", "n", "term"], ascending=[True, False, True], kind="mergesort").reset_index(drop=True)


def _parse_month(month: str) -> Period:
    try:
        period = Period.parse(month)
    except ValueError as exc:
        raise ParamsError(f"VoC month: {exc}") from None
    if period.kind != "month":
        raise ParamsError(f"VoC month {month!r} is a quarter; the VoC synthesis runs per month (e.g. 2026-10)")
    return period


def _checked(feedback: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in feedback.columns]
    if missing:
        raise DataError([Problem("feedback", f'has no column "{c}"', fix="map it in the reader preset "
                                 f"(canonical feedback columns: {', '.join(REQUIRED)}, text, score, ...)")
                         for c in missing])
    frame = feedback.copy()
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    bad = frame["date"].isna()
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(Problem("feedback", "is not a date", row=first + 2, column="date",
                                value=str(feedback["date"].iloc[first]),
                                fix="fix the cell or the date_format of the feedback file"))
    frame["feedback_id"] = frame["feedback_id"].astype(str)
    # optional canonical columns: a text-only export has no scores
    for column in ("score", "score_scale"):
        if column not in frame:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="Float64" if column == "score" else "string")
    frame["month"] = frame["date"].dt.strftime("%Y-%m")
    return frame


def _stale(feedback: pd.DataFrame, period: Period) -> StaleDataError:
    dates = pd.to_datetime(feedback["date"], errors="coerce").dropna()
    latest = dates.max().strftime("%Y-%m-%d") if len(dates) else "none (the table is empty)"
    return StaleDataError(Problem(
        "feedback", f"has no feedback items in {period} ({period.start:%Y-%m-%d} .. {period.last_day:%Y-%m-%d}); "
        f"latest date found: {latest}", column="date", value=str(period),
        fix="export the feedback up to the end of the month or analyse an earlier month"))


def _texts(frame: pd.DataFrame) -> list[str]:
    text = frame["text"].astype("string").fillna("") if "text" in frame else pd.Series("", index=frame.index)
    if "title" in frame:
        title = frame["title"].astype("string").fillna("")
        text = (title + ". " + text).where(title.str.len() > 0, text)
    return text.astype(str).tolist()


def _languages(frame: pd.DataFrame, corpus: Corpus) -> list[str]:
    detected = corpus.languages()
    if "language" not in frame:
        return detected
    given = frame["language"].astype("string").str.strip().str.lower().str[:2]
    # a language stated by the source system wins over the detector
    return [g if isinstance(g, str) and g in LANGUAGES else d for g, d in zip(given.tolist(), detected)]


def _share(series: pd.Series, signal: str) -> float:
    return float(series.map(lambda s: signal in s).mean()) if len(series) else math.nan


def _themes_table(trends: pd.DataFrame, now: pd.DataFrame, info: Mapping[str, dict], lang: str) -> pd.DataFrame:
    keys = trends["theme"].tolist()
    scores = theme_scores(now, keys)
    rows = []
    for key in keys:
        sub = now.loc[now["themes"].map(lambda t, k=key: k in t), "signals"]
        shares = {s: _share(sub, s) if len(sub) else 0.0 for s in SIGNAL_TYPES}
        rows.append({"theme": key, "label": info.get(key, {}).get(f"label_{lang}", key),
                     "owner": info.get(key, {}).get("owner", ""),
                     "signal_type": info.get(key, {}).get("signal_type", ""),
                     "complaint_share": shares["complaint"], "praise_share": shares["praise"],
                     "net_sentiment": shares["praise"] - shares["complaint"], "signal_shares": shares})
    extra = pd.DataFrame(rows, columns=["theme", "label", "owner", "signal_type", "complaint_share", "praise_share",
                                        "net_sentiment", "signal_shares"])
    out = trends.merge(extra, on="theme", how="left").merge(scores, on="theme", how="left")
    return out.sort_values(["n", "theme"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _metrics(part: pd.DataFrame) -> dict[str, tuple[float, int]]:
    """metric -> (value, n) for one month or the pooled baseline."""
    n = len(part)
    out: dict[str, tuple[float, int]] = {"volume": (float(n), n)}
    for source, count in part["source"].astype(str).value_counts().sort_index().items():
        out[f"volume:{source}"] = (float(count), n)
    for name, signal in (("complaint_share", "complaint"), ("feature_request_share", "feature_request"),
                         ("price_mention_share", "price_signal"), ("question_share", "question"),
                         ("praise_share", "praise")):
        out[name] = (_share(part["signals"], signal), n)
    score = nps(part.loc[nps_mask(part), "score"]) if "score" in part else nps([])
    out["nps"] = (score["nps"], score["n"])
    for k in ("promoters", "passives", "detractors"):
        out[f"nps_{k}"] = (float(score[k]), score["n"])
    c = csat(part)
    out["csat"] = (c["csat"], c["n"])
    return out


def _kpis(items: pd.DataFrame, current: str, previous: str, baseline: list[str]) -> pd.DataFrame:
    """Current vs previous month vs baseline: counts as monthly average, ratios pooled over the baseline."""
    now = _metrics(items.loc[items["month"] == current])
    prev = _metrics(items.loc[items["month"] == previous])
    base_items = items.loc[items["month"].isin(baseline)]
    base = _metrics(base_items)
    rows = []
    for metric in dict.fromkeys([*now, *prev, *base]):
        is_count = metric == "volume" or metric.startswith(("volume:", "nps_"))
        b_value = base.get(metric, (math.nan, 0))[0]
        if is_count:
            b_value = (b_value if not math.isnan(b_value) else 0.0) / len(baseline) if baseline else math.nan
        rows.append({"metric": metric, "current": now.get(metric, (0.0 if is_count else math.nan, 0))[0],
                     "previous": prev.get(metric, (0.0 if is_count else math.nan, 0))[0], "baseline": b_value,
                     "n_current": now.get(metric, (0, 0))[1], "n_previous": prev.get(metric, (0, 0))[1],
                     "n_baseline": base.get(metric, (0, 0))[1]})
    return pd.DataFrame(rows, columns=["metric", "current", "previous", "baseline", "n_current", "n_previous",
                                       "n_baseline"])


def _caveats(now: pd.DataFrame, items: pd.DataFrame, missing: list[str], themes: pd.DataFrame, cov: float,
             lang: str) -> list[str]:
    out = []
    if len(now) < SMALL_N:
        out.append(t("voc_caveat_small_month", lang, n=len(now)))
    n_nps = int(nps_mask(now).sum())
    if 0 < n_nps < SMALL_N:
        out.append(t("voc_caveat_small_nps_month", lang, n=n_nps))
    if missing:
        from ..render import fmt  # months in words ("Jul 2026"), not ISO keys, in the memo's data note

        out.append(t("voc_caveat_missing_months", lang, months=", ".join(fmt.month(m, lang, short=True) for m in missing)))
    small = themes.loc[(themes["n"] > 0) & (themes["n"] < 5), "label"].tolist()
    if small:
        out.append(t("voc_caveat_small_themes", lang, themes=", ".join(small)))
    if cov < COVERAGE_MIN:
        out.append(t("voc_caveat_coverage", lang, percent=round(100 * cov)))
    unknown = float((now["language"] == "unknown").mean()) if len(now) else 0.0
    if unknown > 0.2:
        out.append(t("voc_caveat_language", lang, share=f"{unknown:.0%}"))
    return out
