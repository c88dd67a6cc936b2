"""Signal types of a feedback item (multi-label) from the taxonomy's bilingual cue lists.

Types: question, complaint, feature_request, price_signal, service_expectation, praise.
A cue preceded by a negation word within a small window of the same clause is negated and then
handled per type (``on_negation``): ``complaint`` ("nicht zufrieden" -> complaint), ``drop``
("kein Problem" is no complaint) or ``keep`` ("nicht teuer" is still about price).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .language import BOUNDARY, COMMA, tokenize
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

    def _is_question(self, text: str, tokens: list[str]) -> bool:
        if "?" in text:
            return True
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
        if "question" in self.on_negation and self._is_question(text, tokens):
            found.add("question")
        return tuple(s for s in SIGNAL_TYPES if s in found)


def _drop_nested(matches: list) -> list:
    """Drop a cue lying inside a longer cue of another type ("would love" is a wish, not praise)."""
    long = [m for m in matches if m.end - m.start > 1]
    if not long:
        return matches
    return [m for m in matches
            if not any(o.label != m.label and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                       for o in long)]


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


def classify_explained(texts: Iterable[object], taxonomy: Mapping[str, Any]) -> tuple[
        list[tuple[str, ...]], list[tuple[str, ...]], list[dict[str, tuple[str, ...]]]]:
    """Like :func:`classify`, plus per text the taxonomy terms behind each theme (theme -> terms)."""
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
            cache[key] = (imply_from_themes(sig, themes, theme_signal), themes, {k: found[k] for k in themes})
        sig, themes, terms = cache[key]
        signals_out.append(sig)
        themes_out.append(themes)
        terms_out.append(terms)
    return signals_out, themes_out, terms_out


def detect_signals(texts: Iterable[object], taxonomy: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Signal types for each text (see :class:`SignalDetector`)."""
    detector = signal_detector(taxonomy)
    return [detector.detect(t) for t in texts]
