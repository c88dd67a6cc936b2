"""What competitors say: key terms they started or stopped using between two snapshots.

Input is ``competitor_messaging``: ``date, competitor, location, text`` (location is
where the text was seen: homepage hero, trade-fair slogan, LinkedIn about). Snapshots
are compared per competitor *and location*, each with the previous one of the same
place, so a LinkedIn text is never read as a change of the homepage.

Terms are unigrams and bigrams of lower-cased lemmas (simplemma, language detected per
text between German and English). Stopwords are removed and break phrases; hyphenated
German compounds such as ``Premium-Qualität`` stay one term; punctuation ends a phrase.
This is a comparison of vocabulary, not a text diff: reordering a sentence changes nothing.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

import pandas as pd
import simplemma

from .stopwords import BY_LANGUAGE

LANGUAGES = ("de", "en")

# Clause breaks: sentence and list punctuation, dashes between blanks, slogan separators.
_CLAUSE = re.compile(r"[.!?;:,|·•/()\[\]\"„“”»«+&]+|\s[-–—]\s|[–—]|\n")
# Words with inner hyphens kept together (compounds like "Premium-Qualität", "E-Mail").
_TOKEN = re.compile(r"\w+(?:[-‑]\w+)*")


def _stopword_set(lang_stopwords: Iterable[str] | Mapping[str, Iterable[str]]) -> frozenset[str]:
    if isinstance(lang_stopwords, Mapping):
        words: set[str] = set()
        for lang, extra in lang_stopwords.items():
            words |= set(BY_LANGUAGE.get(lang, ())) if extra is None else {w.lower() for w in extra}
        return frozenset(words)
    unknown = [lang for lang in lang_stopwords if lang not in BY_LANGUAGE]
    if unknown:
        raise ValueError(
            f"lang_stopwords: no stopword list for {', '.join(unknown)}; expected codes from {sorted(BY_LANGUAGE)} "
            "or a mapping language -> list of stopwords"
        )
    return frozenset().union(*(BY_LANGUAGE[lang] for lang in lang_stopwords))


def detect_language(text: str) -> str:
    """``de`` or ``en``, whichever simplemma finds more of its vocabulary in (German on a tie)."""
    scores = dict(simplemma.langdetect(text, lang=LANGUAGES))
    return "en" if scores.get("en", 0) > scores.get("de", 0) else "de"


def _lemma(token: str, langs: tuple[str, str]) -> str:
    # The lemma of a compound is its head with the modifiers kept: Premium-Qualitäten -> premium-qualität.
    parts = re.split(r"[-‑]", token)
    parts[-1] = simplemma.lemmatize(parts[-1], lang=langs)
    return "-".join(parts).lower()


def _runs(text: str, stopwords: frozenset[str], lang: str | None) -> list[list[str]]:
    """Runs of neighbouring content-word lemmas; punctuation and stopwords end a run."""
    lang = lang or detect_language(text)
    langs = (lang, "en" if lang == "de" else "de")
    runs: list[list[str]] = []
    for clause in _CLAUSE.split(text or ""):
        run: list[str] = []
        for token in _TOKEN.findall(clause):
            lemma = _lemma(token, langs)
            if token.lower() in stopwords or lemma in stopwords or len(lemma) < 2:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(lemma)
        if run:
            runs.append(run)
    return runs


def content_lemmas(text: str, *, stopwords: frozenset[str], lang: str | None = None) -> list[str]:
    """The content words of ``text`` as lower-cased lemmas, in order."""
    return [lemma for run in _runs(text, stopwords, lang) for lemma in run]


def key_terms(text: str, *, stopwords: frozenset[str], lang: str | None = None) -> Counter[str]:
    """Counts of unigram and bigram terms (lower-cased lemmas) in ``text``.

    A bigram joins two neighbouring content words of one clause; a stopword or
    punctuation between them breaks the phrase.
    """
    counts: Counter[str] = Counter()
    for run in _runs(text, stopwords, lang):
        counts.update(run)
        counts.update(f"{a} {b}" for a, b in zip(run, run[1:]))
    return counts


def _changes(before: Counter[str], after: Counter[str]) -> list[tuple[str, str, int, float]]:
    """(change, term, count, salience) for terms present on only one side."""
    rows = []
    for change, present, absent in (("started", after, before), ("stopped", before, after)):
        size = sum(c for t, c in present.items() if " " not in t) or 1
        # Words of the term the other snapshot lacks: a phrase re-combining words used before
        # (0 novel words) is rewording, not a new message.
        novel = {t: sum(absent.get(w, 0) == 0 for w in t.split(" "))
                 for t in present if absent.get(t, 0) == 0}
        new = {t: present[t] for t, n in novel.items() if n > 0}
        bigrams = [t for t in new if " " in t]
        for term, count in new.items():
            if " " not in term:
                # A word that only occurs inside a reported phrase adds nothing of its own.
                inside = sum(new[b] for b in bigrams if term in b.split(" "))
                if inside >= count:
                    continue
            rows.append((change, term, count, round(count * novel[term] / size, 4)))
    return rows


def messaging_changes(
    snapshots: pd.DataFrame,
    *,
    lang_stopwords: Iterable[str] | Mapping[str, Iterable[str]] = LANGUAGES,
) -> pd.DataFrame:
    """Key terms each competitor started or stopped using, per consecutive snapshot pair.

    Args:
        snapshots: ``date, competitor, text`` and optionally ``location``; texts of the
            same competitor, location and date are read as one snapshot.
        lang_stopwords: language codes whose built-in stopword lists apply, or a mapping
            language -> own list of stopwords (``None`` for the built-in list).

    Returns:
        One row per term: ``competitor, location, date_before, date_after, change``
        (``started``/``stopped``), ``term``, ``count`` (occurrences in the snapshot that has
        it) and ``salience`` (count × words of the term new to the other snapshot ÷
        content words of the snapshot that has it).
        Sorted by competitor, location, date, started before stopped, salience descending.
    """
    stopwords = _stopword_set(lang_stopwords)
    snaps = snapshots.copy()
    if "location" not in snaps.columns:
        snaps["location"] = ""
    snaps["location"] = snaps["location"].astype("string").fillna("")
    snaps["text"] = snaps["text"].astype("string").fillna("")
    snaps["date"] = pd.to_datetime(snaps["date"])
    snaps = (
        snaps.sort_values(["competitor", "location", "date", "text"], kind="stable")
        .groupby(["competitor", "location", "date"], sort=True)["text"]
        .agg("\n".join)
        .reset_index()
    )
    rows = []
    for (competitor, location), group in snaps.groupby(["competitor", "location"], sort=True):
        terms = [key_terms(t, stopwords=stopwords) for t in group["text"]]
        dates = list(group["date"])
        for i in range(1, len(group)):
            for change, term, count, salience in _changes(terms[i - 1], terms[i]):
                rows.append((competitor, location, dates[i - 1], dates[i], change, term, count, salience))
    cols = ["competitor", "location", "date_before", "date_after", "change", "term", "count", "salience"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(
        ["competitor", "location", "date_after", "change", "salience", "term"],
        ascending=[True, True, True, True, False, True], kind="stable",
    )
    return out.reset_index(drop=True)


def summarise_messaging_changes(changes: pd.DataFrame, *, top_n: int = 5) -> pd.DataFrame:
    """One row per snapshot pair with the ``top_n`` most salient ``started`` and ``stopped`` terms.

    Returns:
        ``competitor, location, date_before, date_after, started, stopped`` (terms joined by ``, ``).
    """
    key = ["competitor", "location", "date_before", "date_after"]
    if changes.empty:
        return pd.DataFrame(columns=[*key, "started", "stopped"])

    def top(kind: str) -> pd.Series:
        part = changes[changes["change"] == kind]
        return part.groupby(key, sort=True)["term"].agg(lambda s: ", ".join(list(s)[:top_n]))

    out = pd.concat({"started": top("started"), "stopped": top("stopped")}, axis=1).fillna("")
    return out.reset_index()
