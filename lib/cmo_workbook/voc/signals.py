"""Signal types of a feedback item (multi-label) from the taxonomy's bilingual cue lists.

Types: question, complaint, feature_request, price_signal, service_expectation, praise.
A cue preceded by a negation word within a small window of the same clause is negated and then
handled per type (``on_negation``): ``complaint`` ("nicht zufrieden" -> complaint), ``drop``
("kein Problem" is no complaint) or ``keep`` ("nicht teuer" is still about price).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from .language import BOUNDARY, COMMA, Corpus, other_number, tokenize
from .themes import PhraseMatcher, resolve_themes, theme_matcher

SIGNAL_TYPES = ("question", "complaint", "feature_request", "price_signal", "service_expectation", "praise")
#: words that start a new clause for the negation window ("nicht schnell, aber gut")
_MASK = "_mask"
_CLAUSE_BREAKERS = frozenset({BOUNDARY, COMMA, "aber", "jedoch", "sondern", "trotzdem", "but", "however", "although"})


class SignalDetector:
    """Compiled cue lists of one taxonomy; :meth:`detect` is pure and deterministic."""

    def __init__(self, signals: Mapping[str, Any]):
        types = signals["types"]
        unknown = set(types) - set(SIGNAL_TYPES)
        if unknown:
            raise ValueError(f"unknown signal type(s) {sorted(unknown)} in the taxonomy; expected {SIGNAL_TYPES}")
        self.window = int(signals.get("window", 3))
        self.negators = frozenset(str(w).lower() for lang in ("de", "en") for w in signals.get(f"negators_{lang}", ()))
        self.on_negation = {k: v.get("on_negation", "drop") for k, v in types.items()}
        phrases = [(kind, str(cue), lang) for kind, spec in types.items() for lang in ("de", "en")
                   for cue in spec.get(f"cues_{lang}") or ()]
        phrases += [(_MASK, str(p), "de") for p in signals.get("mask") or ()]
        self.cues = PhraseMatcher(phrases, compounds=True)
        q = types.get("question", {})
        self.wh = frozenset(str(w).lower() for lang in ("de", "en") for w in q.get(f"wh_{lang}", ()))
        self.verb_first = frozenset(
            tuple(tokenize(str(p))) for lang in ("de", "en") for p in q.get(f"verb_first_{lang}", ()))
        self.greetings = frozenset(str(w).lower() for w in q.get("greetings", ()))

    def _negated(self, tokens: list[str], start: int) -> bool:
        for k in range(start - 1, max(-1, start - 1 - self.window), -1):
            tok = tokens[k]
            if tok in _CLAUSE_BREAKERS:
                return False
            if tok in self.negators:
                return True
        return False

    def _asks(self, tokens: list[str] | tuple[str, ...]) -> bool:
        """Whether a clause of ``tokens`` is worded as a question (question word, verb first)."""
        tokens = list(tokens)
        start = 0
        after_sentence_end = True
        for i, tok in enumerate(tokens + [BOUNDARY]):
            if tok in (BOUNDARY, COMMA):
                if self._clause_asks(tokens[start:i], after_sentence_end):
                    return True
                start, after_sentence_end = i + 1, tok == BOUNDARY
        return False

    def _clause_asks(self, clause: list[str], sentence_start: bool) -> bool:
        while clause and clause[0] in self.greetings:
            clause = clause[1:]
        if not clause:
            return False
        if clause[0] in self.wh:
            return True
        return sentence_start and (tuple(clause[:2]) in self.verb_first or tuple(clause[:1]) in self.verb_first)

    def detect(self, text: object) -> tuple[str, ...]:
        """Signal types of one text, in :data:`SIGNAL_TYPES` order."""
        return self.detect_tokens(text if isinstance(text, str) else "", tokenize(text))

    def detect_tokens(self, text: str, tokens: list[str]) -> tuple[str, ...]:
        """Like :meth:`detect` for an already tokenised text (``text`` is only checked for '?')."""
        return self.combine(self.cue_signals(tokens), "?" in text)

    def combine(self, found: frozenset[str], question_mark: bool) -> tuple[str, ...]:
        """Signal types in :data:`SIGNAL_TYPES` order from :meth:`cue_signals` (of a text or the union of
        its sentences') and whether the text has a '?'."""
        if question_mark and "question" in self.on_negation:
            found = found | {"question"}
        return tuple(s for s in SIGNAL_TYPES if s in found)

    def digit_words(self) -> frozenset[str]:
        """Numbers that occur in a cue, negator or question word: every other number token is alike."""
        words = self.negators | self.wh | self.greetings | {w for p in self.verb_first for w in p}
        return self.cues.digit_words() | {w for w in words if w.isdigit()}

    def cue_signals(self, tokens: list[str] | tuple[str, ...]) -> frozenset[str]:
        """The signal types of ``tokens`` except the '?' rule ("question" when a clause asks)."""
        tokens = list(tokens)
        found: set[str] = set()
        for m in _drop_nested(self.cues.find(tokens)):
            if m.label == _MASK:
                continue
            if not self._negated(tokens, m.start):
                found.add(m.label)
                continue
            action = self.on_negation.get(m.label, "drop")
            if action == "keep":
                found.add(m.label)
            elif action in SIGNAL_TYPES:
                found.add(action)
        if "question" in self.on_negation and self._asks(tokens):
            found.add("question")
        return frozenset(found)


def _drop_nested(matches: list) -> list:
    """Drop a cue lying inside a longer cue of another type ("would love" is a wish, not praise)."""
    long = [m for m in matches if m.end - m.start > 1]
    if not long:
        return matches
    return [m for m in matches
            if not any(o.label != m.label and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                       for o in long)]


#: contrast words: a theme's required signal must stand on the same side of one as the theme's term
_CONTRAST = frozenset({"aber", "jedoch", "sondern", "trotzdem", "but", "however", "although"})


def _contrast_parts(tokens: Sequence[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for tok in tokens:
        if tok in _CONTRAST:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def required_together(themes: tuple[str, ...], tokens: Sequence[str], required: Mapping[str, str],
                      detector: "SignalDetector", matcher: Any) -> tuple[str, ...]:
    """``themes`` without a theme whose ``requires_signal`` (other than a question) and terms only meet on different
    sides of a contrast word: "Gute Qualität, aber die Rückmeldung vom Service dauert zu lange." praises the
    quality and complains about the service: no "praise for the service" (a mixed item); "Der Support war super,
    aber die App stürzt ab." still is."""
    if not any(k in required and required[k] != "question" for k in themes) or not _CONTRAST & set(tokens):
        return themes
    parts = [(detector.cue_signals(p), resolve_themes(theme_labels(matcher, p))) for p in _contrast_parts(tokens)]
    return tuple(k for k in themes if k not in required or required[k] == "question"
                 or any(required[k] in sig and k in found for sig, found in parts))


def theme_labels(matcher: Any, tokens: Sequence[str]) -> set[str]:
    """The matcher's labels of ``tokens`` (a list, as :meth:`PhraseMatcher.labels` takes)."""
    return matcher.labels(list(tokens))


def imply_from_themes(signals: tuple[str, ...], themes: tuple[str, ...],
                      theme_signal: Mapping[str, str]) -> tuple[str, ...]:
    """Add 'complaint' when the item names a complaint theme and is no praise, question or wish.

    "Lieferung kam zwei Wochen nach dem Liefertermin" has no complaint word, but a delivery-delay
    statement without praise is a complaint.
    """
    if {"complaint", "praise", "question", "feature_request"} & set(signals):
        return signals
    if any(theme_signal.get(t) == "complaint" for t in themes):
        return tuple(s for s in SIGNAL_TYPES if s in signals or s == "complaint")
    return signals


@lru_cache(maxsize=16)
def _detector_cached(key: str, signals_yaml: str) -> SignalDetector:
    import yaml

    return SignalDetector(yaml.safe_load(signals_yaml))


def signal_detector(taxonomy: Mapping[str, Any]) -> SignalDetector:
    """The (cached) detector of the taxonomy's ``signals`` section."""
    import yaml

    dumped = yaml.safe_dump(dict(taxonomy["signals"]), sort_keys=True, allow_unicode=True)
    return _detector_cached(str(taxonomy.get("version")), dumped)


def classify(texts: Iterable[object], taxonomy: Mapping[str, Any]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(signals, themes) per text: cue signals, themes (with ``requires_signal``), implied complaints.

    Identical texts are classified once.
    """
    signals, themes, _ = classify_explained(texts, taxonomy)
    return signals, themes


def classify_explained(texts: Iterable[object], taxonomy: Mapping[str, Any], *, corpus: Corpus | None = None) -> tuple[
        list[tuple[str, ...]], list[tuple[str, ...]], list[dict[str, tuple[str, ...]]]]:
    """Like :func:`classify`, plus per text the taxonomy terms behind each theme (theme -> terms).

    With ``corpus`` (the same texts as a :class:`~.language.Corpus`) the work is done once per
    distinct sentence and the texts' results are unions of their sentences' (same result).
    """
    if corpus is not None:
        return _classify_corpus(corpus, taxonomy)
    detector = signal_detector(taxonomy)
    matcher = theme_matcher(taxonomy)
    required = {t["key"]: t["requires_signal"] for t in taxonomy["themes"] if t.get("requires_signal")}
    theme_signal = {t["key"]: t.get("signal_type", "") for t in taxonomy["themes"]}
    cache: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[str, ...]]]] = {}
    signals_out, themes_out, terms_out = [], [], []
    for text in texts:
        key = text if isinstance(text, str) else ""
        if key not in cache:
            tokens = tokenize(key)
            sig = detector.detect_tokens(key, tokens)
            found = resolve_themes(matcher.labels(tokens))
            themes = tuple(sorted(k for k in found if k not in required or required[k] in sig))
            themes = required_together(themes, tokens, required, detector, matcher)
            cache[key] = (imply_from_themes(sig, themes, theme_signal), themes, {k: found[k] for k in themes})
        sig, themes, terms = cache[key]
        signals_out.append(sig)
        themes_out.append(themes)
        terms_out.append(terms)
    return signals_out, themes_out, terms_out


def number_words(taxonomy: Mapping[str, Any]) -> frozenset[str]:
    """The numbers a signal cue or theme term of ``taxonomy`` contains; any other number token is alike
    (pass them as ``Corpus(..., numbers_kept=...)``)."""
    return signal_detector(taxonomy).digit_words() | theme_matcher(taxonomy).digit_words()


def _classify_corpus(corpus: Corpus, taxonomy: Mapping[str, Any]) -> tuple[
        list[tuple[str, ...]], list[tuple[str, ...]], list[dict[str, tuple[str, ...]]]]:
    """:func:`classify_explained` per distinct sentence; a text's cue signals and theme labels are the
    union of its sentences' (nothing the matchers read crosses a sentence end).

    Numbers that no cue or term contains are read alike (order and invoice numbers make every text
    distinct but never change a match or a negation window), so they share one cache entry.
    """
    detector = signal_detector(taxonomy)
    matcher = theme_matcher(taxonomy)
    required = {t["key"]: t["requires_signal"] for t in taxonomy["themes"] if t.get("requires_signal")}
    theme_signal = {t["key"]: t.get("signal_type", "") for t in taxonomy["themes"]}
    kept = number_words(taxonomy)
    number = other_number(kept)
    canonical: dict[tuple[str, ...], int] = {}
    parts: list[tuple[frozenset[str], frozenset[str]]] = []  # per canonical sentence: cue signals, theme labels
    words_of: list[tuple[str, ...]] = []  # per canonical sentence: its words (a contrast word may split a theme)
    cid_of = []
    for words in corpus.sentences:
        key = tuple(number if w.isdigit() and w not in kept else w for w in words)
        cid = canonical.get(key)
        if cid is None:
            cid = canonical[key] = len(parts)
            parts.append((detector.cue_signals(key), frozenset(matcher.labels(list(key)))))
            words_of.append(key)
        cid_of.append(cid)
    cache: dict[tuple, tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[str, ...]]]] = {}
    resolved: dict[tuple, tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[str, ...]]]] = {}
    signals_out, themes_out, terms_out = [], [], []
    for ids, mark in zip(corpus.items, corpus.question_mark, strict=True):
        key = (mark, *(cid_of[sid] for sid in ids))
        hit = cache.get(key)
        if hit is None:
            cues: frozenset[str] = frozenset().union(*(parts[c][0] for c in key[1:]))
            labels: frozenset[str] = frozenset().union(*(parts[c][1] for c in key[1:]))
            # texts made of different sentences often carry the same cues and terms
            hit = resolved.get((mark, cues, labels))
            if hit is None:
                sig = detector.combine(cues, mark)
                found = resolve_themes(labels)
                themes = tuple(sorted(k for k in found if k not in required or required[k] in sig))
                hit = resolved[(mark, cues, labels)] = (imply_from_themes(sig, themes, theme_signal), themes,
                                                        {k: found[k] for k in themes})
            # the same cues and labels may be split by a contrast word in one text and not in another
            words = [w for c in key[1:] for w in (*words_of[c], BOUNDARY)]
            kept = required_together(hit[1], words, required, detector, matcher)
            if kept != hit[1]:
                hit = (imply_from_themes(detector.combine(cues, mark), kept, theme_signal), kept,
                       {k: hit[2][k] for k in kept})
            cache[key] = hit
        signals_out.append(hit[0])
        themes_out.append(hit[1])
        terms_out.append(hit[2])
    return signals_out, themes_out, terms_out


def detect_signals(texts: Iterable[object], taxonomy: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Signal types for each text (see :class:`SignalDetector`)."""
    detector = signal_detector(taxonomy)
    return [detector.detect(t) for t in texts]
