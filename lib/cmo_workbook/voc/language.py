"""Tokens, lemmas and a small deterministic German/English language detector.

The detector only has to tell the two languages in use apart, so it scores function words and a
few characteristic letter patterns instead of loading a general model (langdetect is random,
lingua is large).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import simplemma

LANGUAGES = ("de", "en")
UNKNOWN = "unknown"
#: sentence boundary token emitted by :func:`tokenize` for . ! ? ; : (and placeholders)
BOUNDARY = "."
#: comma token: ends a negation window and may precede a question word
COMMA = ","
PUNCTUATION = frozenset((BOUNDARY, COMMA))

# [E-Mail], [Name] ... left by privacy.pseudonymise must not become words ("e", "mail").
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,20}\]")
_CONTRACTION = re.compile(r"n[’']t\b")
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[.!?;:]+|,|€")
#: what :func:`tokenize` reads as a sentence end (no other token can contain these characters)
_SENTENCE_END = re.compile(r"[.!?;:]+")
#: a number token of :func:`tokenize` (a maximal run of digits)
_NUMBER = re.compile(r"\d+")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})

# Function words only; words that are common in both languages ("in", "so", "was", "will",
# "man", "also", "war", "hat") are left out because they do not discriminate.
DE_FUNCTION_WORDS = frozenset("""
der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine ist sind
wir ich sie er es mit von für auf bei aus nach noch nur auch schon sehr wie wann warum wo wer
welche bitte danke dass wenn weil ob zum zur vom im ins beim uns unser unsere ihr ihre ihnen
mein meine mich mir dich dir sich haben habe hatte wurde wurden werden wird seit immer wieder
leider gibt gut mal doch jetzt hier dort heute gestern morgen kann können könnten soll sollte
muss müssen viel viele ganz alle alles nichts etwas eigentlich trotz über unter gegen zwischen
diese dieser dieses diesen nie mehr weniger sehr bis
""".split())
EN_FUNCTION_WORDS = frozenset("""
the a and or but not no is are were be been being we i you he she it they with of for on at
from after still only also already very how when why where who which what please thanks thank that
if because whether to into our us your their them my me this these those have has had do does did
done would could should can cannot just again there here today yesterday tomorrow any some all
nothing something about over under against between more less never our ours its than then
""".split())
_DE_PATTERNS = ("sch", "ung", "cht", "ich", "eit", "ei", "ie", "tz", "pf")
_EN_PATTERNS = ("th", "ing", "tion", "wh", "ly", "ee", "oo", "ou", "ck")
_UMLAUTS = frozenset("äöüß")


def _normalised(text: str) -> str:
    """Lower-cased, placeholders turned into sentence ends, "n't" into " not": what tokens are read from."""
    return _CONTRACTION.sub(" not", _PLACEHOLDER.sub(" . ", text.lower()))


def tokenize(text: object) -> list[str]:
    """Lower-cased word tokens with sentence ends as ``"."`` and commas as ``","``; placeholders dropped.

    ``don't`` becomes ``do not`` so the negation handling sees the "not". Hyphenated words split
    into their parts ("Portal-Login" -> "portal", "login").
    """
    if not isinstance(text, str) or not text:
        return []
    return [BOUNDARY if t[0] in ".!?;:" else t for t in _TOKEN.findall(_normalised(text))]


def other_number(kept: Iterable[str]) -> str:
    """The first of "1", "10", "100", ... that is not in ``kept``: a number token that matches nothing."""
    kept = frozenset(kept)
    return next(d for d in (str(10 ** k) for k in range(len(kept) + 1)) if d not in kept)


class Corpus:
    """Texts tokenised once and cut into sentences (at the ``"."`` tokens); each distinct sentence is
    stored once.

    Everything the analysis reads from tokens (language scores, signal cues, theme terms, content
    lemmas) stays within a sentence: a multi-word phrase never spans a sentence end, a negation
    window and a question clause stop at it. So a text's result is the union (or sum) of its
    sentences' results, and feedback repeats sentences far more often than whole texts ("Bitte um
    Rückruf.", a signature, a template line), which makes per-sentence work the unit to cache.
    """

    def __init__(self, texts: Iterable[object], *, numbers_kept: Iterable[str] | None = None):
        """``numbers_kept``: the numbers that may matter (those a cue or theme term contains); every other
        number token becomes :attr:`number`, so "Auftrag 4512345" and "Auftrag 4533210" are one
        sentence. ``None`` keeps every number as written."""
        #: the distinct sentences as token tuples (no "." tokens; commas kept)
        self.sentences: list[tuple[str, ...]] = []
        #: per text, the ids of its sentences in order
        self.items: list[tuple[int, ...]] = []
        #: per text, whether it contains a "?" (a question whatever its words)
        self.question_mark: list[bool] = []
        kept = None if numbers_kept is None else frozenset(numbers_kept)
        #: what every number outside ``numbers_kept`` reads as (None: numbers are kept as written)
        self.number = None if kept is None else other_number(kept)
        if kept:
            def read(text: str) -> str:
                return _NUMBER.sub(lambda m: m.group(0) if m.group(0) in kept else self.number, _normalised(text))
        elif kept is not None:
            def read(text: str) -> str:
                return _NUMBER.sub(self.number, _normalised(text))
        else:
            read = _normalised
        by_chunk: dict[str, int] = {}
        by_tokens: dict[tuple[str, ...], int] = {}
        for text in texts:
            text = text if isinstance(text, str) else ""
            self.question_mark.append("?" in text)
            ids = []
            for chunk in _SENTENCE_END.split(read(text)) if text else ():
                sid = by_chunk.get(chunk)
                if sid is None:
                    words = tuple(_TOKEN.findall(chunk))
                    sid = by_tokens.get(words) if words else -1
                    if sid is None:
                        sid = by_tokens[words] = len(self.sentences)
                        self.sentences.append(words)
                    by_chunk[chunk] = sid
                if sid >= 0:
                    ids.append(sid)
            self.items.append(tuple(ids))

    def __len__(self) -> int:
        return len(self.items)

    def tokens(self, i: int) -> list[str]:
        """The tokens of text ``i`` as :func:`tokenize` gives them, except that sentence ends between
        sentences are one "." (consecutive or leading/trailing ends are dropped) and numbers outside
        ``numbers_kept`` read as :attr:`number`."""
        out: list[str] = []
        for k, sid in enumerate(self.items[i]):
            if k:
                out.append(BOUNDARY)
            out.extend(self.sentences[sid])
        return out

    def languages(self, *, min_tokens: int = 2, min_margin: float = 1.0) -> list[str]:
        """:func:`detect_language` of each text, from per-sentence scores.

        The scores are multiples of 0.25, so summing them per sentence first is exact.
        """
        scores = [_counted_score(s) for s in self.sentences]
        out = []
        for ids in self.items:
            n = de = en = 0.0
            for sid in ids:
                c, d, e = scores[sid]
                n += c
                de += d
                en += e
            out.append(_decide(int(n), de, en, min_tokens, min_margin))
        return out

    def content_lemmas(self, languages: Sequence[str]) -> list[list[str]]:
        """:func:`content_lemmas` of each text in its language (one list per text)."""
        cache: dict[tuple[int, str], tuple[str, ...]] = {}
        out = []
        for ids, lang in zip(self.items, languages, strict=True):
            doc: list[str] = []
            for sid in ids:
                key = (sid, lang)
                lems = cache.get(key)
                if lems is None:
                    lems = cache[key] = tuple(content_lemmas(list(self.sentences[sid]), lang))
                doc.extend(lems)
            out.append(doc)
        return out


def fold(word: str) -> str:
    """Umlaut-free spelling used as an extra matching form ("verzogerung" typed without umlauts)."""
    return word.translate(_FOLD)


@lru_cache(maxsize=None)
def lemma(token: str, lang: str) -> str:
    """simplemma lemma of ``token`` in ``lang`` ('de'/'en'), lower-cased; cached per unique token."""
    return simplemma.lemmatize(token, lang=lang).lower()


@lru_cache(maxsize=None)
def forms(token: str) -> frozenset[str]:
    """Every spelling a term may match: the token, its German and English lemma, umlaut-folded."""
    if token.isdigit():
        return frozenset((token,))
    base = {token, lemma(token, "de"), lemma(token, "en")}
    return frozenset(base | {fold(b) for b in base})


@lru_cache(maxsize=None)
def _token_score(t: str) -> tuple[float, float]:
    de = float(t in DE_FUNCTION_WORDS) + float(bool(_UMLAUTS.intersection(t)))
    en = float(t in EN_FUNCTION_WORDS)
    # letter patterns break ties in short texts without function words ("Lieferung verspätet")
    de += 0.25 * sum(p in t for p in _DE_PATTERNS)
    en += 0.25 * sum(p in t for p in _EN_PATTERNS)
    return de, en


def _score(tokens: list[str]) -> tuple[float, float]:
    de = en = 0.0
    for t in tokens:
        if t in PUNCTUATION:
            continue
        d, e = _token_score(t)
        de += d
        en += e
    return de, en


def detect_language(text: object, *, min_tokens: int = 2, min_margin: float = 1.0) -> str:
    """'de', 'en' or 'unknown' (fewer than ``min_tokens`` words or scores closer than ``min_margin``).

    Mixed texts go to the language with more evidence.
    """
    return _decide(*_counted_score(tokenize(text)), min_tokens, min_margin)


def _counted_score(tokens: Iterable[str]) -> tuple[int, float, float]:
    """(number of words, German score, English score) of a token list (punctuation, numbers skipped)."""
    words = [t for t in tokens if t not in PUNCTUATION and not t.isdigit()]
    return (len(words), *_score(words))


def _decide(n_words: int, de: float, en: float, min_tokens: int, min_margin: float) -> str:
    if n_words < min_tokens or abs(de - en) < min_margin:
        return UNKNOWN
    return "de" if de > en else "en"


def detect_languages(texts: Iterable[object]) -> list[str]:
    """:func:`detect_language` for each text; identical texts are scored once."""
    cache: dict[object, str] = {}
    out = []
    for text in texts:
        key = text if isinstance(text, str) else None
        if key not in cache:
            cache[key] = detect_language(text)
        out.append(cache[key])
    return out


# Extra German words (sklearn ships English stop words only) that say nothing about a topic.
_DE_STOP_EXTRA = frozenset("""
ab da dann denn durch ja nein so man was war waren wäre hat hatten habe hast bin bist sein seine seiner
ihm ihn ihnen euch eure euer sei es ist zu zum zur in an am auch um wie wir uns vor wieder einem einer
sowie bzw usw etc dass daß damit dabei dafür davon dazu darauf darum hallo herr frau gmbh sehr geehrte
geehrter damen herren gruß grüße freundlichen liebe mfg vielen zusammen gerne gern bitte danke viele
dank thanks thank regards best hello hi dear sir madam fyi asap urgent telefonat gesprächsnotiz
besuchsbericht notiz meldet kd call note mentioned visit report tag guten morgen
""".split())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """German and English stop words (function words, sklearn's English list, greetings)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(DE_FUNCTION_WORDS | EN_FUNCTION_WORDS | _DE_STOP_EXTRA | set(ENGLISH_STOP_WORDS))


@lru_cache(maxsize=None)
def content_lemma(token: str, lang: str) -> str | None:
    """The lemma used for discovery and emerging terms, or None for stop words, numbers, short words."""
    if token in PUNCTUATION or token.isdigit() or len(token) < 3 or token in stop_words():
        return None
    lem = lemma(token, lang if lang in LANGUAGES else "de")
    return None if lem in stop_words() or len(lem) < 3 else lem


def content_lemmas(tokens: list[str], lang: str) -> list[str]:
    """Content lemmas of a token list, in order (duplicates kept)."""
    return [lem for t in tokens if (lem := content_lemma(t, lang))]
