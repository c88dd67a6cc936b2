"""The versioned bilingual theme taxonomy and the phrase matcher shared with signal cues."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParamsError
from .language import PUNCTUATION, fold, forms, tokenize

#: the default taxonomy shipped with the project (params/voc_taxonomy.yaml)
DEFAULT_TAXONOMY = Path(__file__).resolve().parents[3] / "params" / "voc_taxonomy.yaml"
THEME_FIELDS = ("key", "label_de", "label_en", "signal_type", "owner", "terms_de", "terms_en")
#: a German term must leave at least this many letters for the modifier to count as a compound head
_MIN_MODIFIER = 3
_MIN_HEAD = 4
#: a modifier ending in a verb particle or prefix makes a derived word, not a compound:
#: "Wintereinbruch" is winter + Einbruch, "Durchbruch" no kind of Bruch
_PARTICLES = ("ab", "an", "auf", "aus", "bei", "durch", "ein", "mit", "nach", "um", "unter", "über", "uber", "vor",
              "weg", "zu", "zusammen", "zurück", "zuruck", "los", "hin", "her", "fort")
#: linking letters between the parts of a German compound ("Rechnung-s-fehler", "Liefer(n)")
_LINKS = ("", "s", "es", "n", "en", "e", "er")
#: optional per-theme lists: ambiguous terms count only with a context term; exclusion terms veto the theme
THEME_OPTIONAL = ("ambiguous", "context", "exclude")


def load_taxonomy(taxonomy: Mapping[str, Any] | str | Path | None = None) -> dict[str, Any]:
    """Return the taxonomy as a dict, read from YAML when given a path; check its shape.

    ``None`` loads :data:`DEFAULT_TAXONOMY`. Raises :class:`ParamsError` naming the missing or
    malformed entry.
    """
    source = str(taxonomy) if isinstance(taxonomy, (str, Path)) else "taxonomy"
    if taxonomy is None:
        taxonomy, source = DEFAULT_TAXONOMY, str(DEFAULT_TAXONOMY)
    if isinstance(taxonomy, (str, Path)):
        path = Path(taxonomy)
        if not path.is_file():
            raise ParamsError(f"VoC taxonomy file {str(path)!r} does not exist; "
                              f"fix the path or use the default {DEFAULT_TAXONOMY}")
        with path.open(encoding="utf-8") as fh:
            taxonomy = yaml.safe_load(fh)
    if not isinstance(taxonomy, Mapping):
        raise ParamsError(f"{source}: expected a mapping with 'version', 'themes', 'signals' (got {type(taxonomy).__name__})")
    for key in ("version", "themes", "signals"):
        if key not in taxonomy:
            raise ParamsError(f"{source}: key {key!r} is missing; add it (see {DEFAULT_TAXONOMY.name})")
    seen: set[str] = set()
    for i, theme in enumerate(taxonomy["themes"]):
        missing = [f for f in THEME_FIELDS if f not in theme]
        if missing:
            raise ParamsError(f"{source}: theme #{i + 1} ({theme.get('key', '?')!r}) lacks {', '.join(missing)}; "
                              f"every theme needs {', '.join(THEME_FIELDS)}")
        if theme["key"] in seen:
            raise ParamsError(f"{source}: theme key {theme['key']!r} appears twice; keys must be unique")
        seen.add(theme["key"])
    return dict(taxonomy)


@dataclass(frozen=True)
class Match:
    """One phrase found in a token list: ``label`` at tokens ``start`` (incl.) .. ``end`` (excl.)."""

    label: str
    start: int
    end: int


class PhraseMatcher:
    """Finds labelled phrases in token lists by word form or lemma.

    Phrase syntax: ``word`` (a token whose form or lemma equals the word as written, so "kosten"
    matches "kostet"; German also as compound head when ``compounds`` and the modifier is itself a
    word, not a particle: "Getriebebruch" yes, "Wintereinbruch"/"Durchbruch" no), ``=word`` (the
    form only, "=late" does not match "later"), ``word*`` (prefix), ``*word`` (any compound ending
    in the word, when that is intended), ``two words`` (consecutive tokens, each by form or lemma). Phrase words are not lemmatised themselves: "könnte man" must not match
    "kann man".
    """

    def __init__(self, phrases: Iterable[tuple[str, str, str]], *, compounds: bool = True,
                 heads_en: Iterable[str] = ()):
        """``phrases``: (label, phrase, lang) triples; ``lang`` decides the compound rule (German only).

        ``heads_en``: English nouns that turn a preceding multi-word term into a modifier, the English
        twin of the German head rule: "spare parts portal" is about the portal, not about spare parts.
        """
        self._heads_en = frozenset(fold(h) for h in heads_en)
        self._exact: dict[str, set[str]] = {}
        self._form_only: dict[str, set[str]] = {}
        self._prefix: list[tuple[str, str]] = []
        self._heads: list[tuple[str, str]] = []
        self._suffix: list[tuple[str, str]] = []
        self._multi: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for label, phrase, lang in sorted(set(phrases)):
            text = str(phrase).strip().lower()
            if text.startswith("*"):
                stem = text.lstrip("*")
                if len(stem) < 3:
                    raise ParamsError(f"term {phrase!r} of {label!r}: a suffix needs at least 3 letters after '*'")
                self._suffix += [(st, label) for st in sorted({stem, fold(stem)})]
                continue
            if text.endswith("*"):
                stem = text.rstrip("*").replace("-", "")
                if len(stem) < 3:
                    raise ParamsError(f"term {phrase!r} of {label!r}: a prefix needs at least 3 letters before '*'")
                # the folded stem is only used when long enough not to swallow unrelated words
                for st in ({stem, fold(stem)} if len(fold(stem)) >= 5 else {stem}):
                    self._prefix.append((st, label))
                continue
            form_only = text.startswith("=")
            words = [w for w in tokenize(text.lstrip("=")) if w not in PUNCTUATION]
            if not words:
                continue
            keys = tuple(fold(w) for w in words)
            if len(keys) > 1:
                self._multi.setdefault(keys[0], []).append((keys, label, lang))
                continue
            for key in {keys[0], words[0]}:
                (self._form_only if form_only else self._exact).setdefault(key, set()).add(label)
            if compounds and lang == "de" and len(keys[0]) >= _MIN_HEAD:
                self._heads.append((keys[0], label))
        self.token_labels = lru_cache(maxsize=None)(self._token_labels)

    def _token_labels(self, token: str) -> frozenset[str]:
        """Labels a single token carries (exact, prefix or compound head); cached per token."""
        if token in PUNCTUATION:
            return frozenset()
        if token.isdigit():  # order numbers: only an exact term can match, no lemma or compound
            return frozenset(self._exact.get(token, set()) | self._form_only.get(token, set()))
        fs = forms(token)
        labels: set[str] = set(self._form_only.get(token, set()) | self._form_only.get(fold(token), set()))
        for f in fs:
            labels |= self._exact.get(f, set())
        for stem, label in self._prefix:
            if label not in labels and any(f.startswith(stem) for f in fs):
                labels.add(label)
        for stem, label in self._suffix:
            if label not in labels and any(f.endswith(stem) for f in fs):
                labels.add(label)
        for head, label in self._heads:
            if label not in labels and any(len(f) - len(head) >= _MIN_MODIFIER and f.endswith(head)
                                           and is_modifier(f[: len(f) - len(head)], head) for f in fs):
                labels.add(label)
        return frozenset(labels)

    def digit_words(self) -> frozenset[str]:
        """The numbers any phrase contains (a number token is matched only by an exact phrase word)."""
        words = set(self._exact) | set(self._form_only) | self._heads_en
        words |= {k for entries in self._multi.values() for keys, _, _ in entries for k in keys}
        return frozenset(w for w in words if w.isdigit())

    def find(self, tokens: list[str]) -> list[Match]:
        """Every match in ``tokens``, in token order."""
        out: list[Match] = []
        n = len(tokens)
        for i, tok in enumerate(tokens):
            for label in sorted(self.token_labels(tok)):
                out.append(Match(label, i, i + 1))
            if not self._multi or tok in PUNCTUATION:
                continue
            for f in sorted(forms(tok)):
                for keys, label, lang in self._multi.get(f, ()):
                    end = i + len(keys)
                    if end <= n and all(keys[k] in forms(tokens[i + k]) for k in range(1, len(keys))):
                        if lang == "en" and end < n and fold(tokens[end]) in self._heads_en:
                            continue  # a modifier of the next noun ("spare parts portal")
                        out.append(Match(label, i, end))
        return out

    def labels(self, tokens: list[str]) -> set[str]:
        """The set of labels found anywhere in ``tokens``."""
        found: set[str] = set()
        n = len(tokens)
        for i, tok in enumerate(tokens):
            found |= self.token_labels(tok)
            if not self._multi or tok in PUNCTUATION:
                continue
            # multi-word phrases directly (same rule as :meth:`find`, without building Match objects)
            for f in forms(tok):
                for keys, label, lang in self._multi.get(f, ()):
                    end = i + len(keys)
                    if label in found or end > n:
                        continue
                    if all(keys[k] in forms(tokens[i + k]) for k in range(1, len(keys))):
                        if lang == "en" and end < n and fold(tokens[end]) in self._heads_en:
                            continue
                        found.add(label)
        return found


def _known(word: str) -> bool:
    import simplemma

    return simplemma.is_known(word, lang="de")


@lru_cache(maxsize=None)
def is_modifier(part: str, head: str) -> bool:
    """Whether ``part`` + ``head`` is a compound with head ``head``: ``part`` is a known word (after
    removing a linking letter, or a verb stem: "liefer" + n), not a particle, and not "word +
    particle" where particle + head is a word of its own ("Winter|einbruch", not "Wintere|inbruch")."""
    if part in _PARTICLES:
        return False
    for particle in _PARTICLES:
        if part.endswith(particle) and _known(particle + head) and not _known(part):
            return False
    # a longer head that is a word of its own, and no compound with this head, wins: "Umsatz|steuer",
    # not "Umsatzs|teuer" (while "Motor|lieferverzögerung" still ends in "verzögerung")
    for k in range(_MIN_MODIFIER, len(part)):
        if _known(part[k:] + head) and _wordlike(part[:k]) and not is_modifier(part[k:], head):
            return False
    return _wordlike(part)


@lru_cache(maxsize=None)
def _wordlike(part: str) -> bool:
    """A known word (maybe with a linking letter or as verb stem), or a chain of them ("motor|liefer")."""
    for link in _LINKS:
        stem = part[: len(part) - len(link)] if link and part.endswith(link) else part
        if len(stem) >= _MIN_MODIFIER and any(_known(stem + end) for end in ("", "e", "n", "en")):
            return True
    return any(_wordlike(part[:i]) and _wordlike(part[i:]) for i in range(_MIN_MODIFIER, len(part) - _MIN_MODIFIER + 1))


@lru_cache(maxsize=16)
def _theme_matcher_cached(spec: tuple, heads_en: tuple = ()) -> PhraseMatcher:
    return PhraseMatcher(spec, heads_en=heads_en)


#: separator of a theme matcher label: "theme<TAB>kind<TAB>term"
_SEP = "\t"


def theme_matcher(taxonomy: Mapping[str, Any]) -> PhraseMatcher:
    """The (cached) matcher of the taxonomy's theme terms; labels are "theme\tkind\tterm"
    (kind: term, ambiguous, context, exclude) so every match says which term fired."""
    spec = tuple(
        (_SEP.join((theme["key"], kind, str(term))), str(term), lang)
        for theme in taxonomy["themes"]
        for kind, field in (("term", "terms"), ("ambiguous", "ambiguous"), ("context", "context"),
                            ("exclude", "exclude"))
        for lang in ("de", "en")
        for term in theme.get(f"{field}_{lang}") or ()
    )
    return _theme_matcher_cached(spec, tuple(sorted(str(h).lower() for h in taxonomy.get("compound_heads_en") or ())))


def resolve_themes(labels: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Theme key -> the terms that made it match, from a theme matcher's labels.

    A theme matches on one of its terms, or on an ambiguous term together with a context term (or
    another term); any exclusion term of the theme vetoes it ("Ticket" in "Zugticket kaufen" is
    no support ticket when the theme excludes "zug").
    """
    parts: dict[str, dict[str, list[str]]] = {}
    for label in labels:
        key, kind, term = label.split(_SEP, 2)
        parts.setdefault(key, {}).setdefault(kind, []).append(term)
    out = {}
    for key, kinds in sorted(parts.items()):
        if kinds.get("exclude"):
            continue
        strong = kinds.get("term", [])
        if strong or (kinds.get("ambiguous") and kinds.get("context")):
            out[key] = tuple(sorted(set(strong + (kinds.get("ambiguous", []) if kinds.get("context") or strong
                                                  else []))))
    return out


def explain(tokens: list[str], taxonomy: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Which taxonomy terms make ``tokens`` match each theme (before ``requires_signal``)."""
    return resolve_themes(theme_matcher(taxonomy).labels(tokens))


def match_themes(tokens_list: Iterable[list[str]], taxonomy: Mapping[str, Any],
                 signals_list: Iterable[tuple[str, ...]] | None = None) -> list[tuple[str, ...]]:
    """Sorted theme keys for each token list (multi-label; empty tuple when unmatched).

    A theme with ``requires_signal`` (e.g. praise_support: praise) is kept only on items that carry
    that signal; pass ``signals_list`` (one tuple per item) for it to apply, otherwise such themes
    are dropped.
    """
    matcher = theme_matcher(taxonomy)
    required = {t["key"]: t["requires_signal"] for t in taxonomy["themes"] if t.get("requires_signal")}
    tokens_list = list(tokens_list)
    signals_list = list(signals_list) if signals_list is not None else [()] * len(tokens_list)
    out = []
    for tokens, signals in zip(tokens_list, signals_list, strict=True):
        found = set(resolve_themes(matcher.labels(tokens)))
        if required:
            found = {k for k in found if k not in required or required[k] in signals}
        out.append(tuple(sorted(found)))
    return out


def theme_info(taxonomy: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Theme key -> its taxonomy entry."""
    return {t["key"]: t for t in taxonomy["themes"]}


def coverage(themes: Iterable[tuple[str, ...]]) -> float:
    """Share of items matched to at least one theme (0.0 for no items)."""
    themes = list(themes)
    return sum(1 for t in themes if t) / len(themes) if themes else 0.0
