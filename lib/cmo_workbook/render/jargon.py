"""Jargon check for every memo (article 3.1–3.2): untranslated marketing terms and changes without a "so what".

Two rules, applied per sentence (per tile for KPI tiles):

1. **Jargon.** A glossary term (``data/glossary.yaml``, de and en; word boundaries, case-insensitive
   unless the entry says ``case_sensitive``) is flagged unless the same sentence carries its
   management translation (one of the entry's ``ok_with`` phrases, e.g. "MQL (qualifizierte
   Anfrage)"). The data note is where definitions live, so it is not checked for jargon, except for
   terms marked ``in_note`` (source file names: they belong in the analyst detail and the controlling
   workbook, not in the CEO's memo, footnote included). Terms marked ``note_defines`` (MQL, SQL, SLA,
   "Pp.", CLV, CAC) are fine anywhere once a sentence of the data note explains them (the term with one of
   its ``ok_with`` phrases); terms marked ``explain_once`` (ROMI) are fine after their first use in reading
   order carries the explanation ("Rendite der Marketingausgaben (ROMI)"), or once the data note explains them.
2. **So what.** A percent change (``+47 %``, ``−12 %``, ``+2,4 Pp.``) needs a comparison
   (``ggü.``, ``Vorjahr``, ``Ziel``, ``vs``, ``previous`` …) and a consequence marker (``:``, ``–``,
   ``damit``, ``weil``, ``means``, ``because`` … — the glossary lists them) in the same sentence.
   KPI tiles pass when they have a comparison line and a so-what sentence. Chart titles need only
   the comparison (the consequence is in the text around them); tables are evidence with their
   comparison in the header and are checked for jargon only.

Findings are warnings for the analyst's run log (:func:`format_findings`); ``strict=True`` raises
:class:`JargonError` (used by tests and ``cmo-workbook run --strict``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from ..errors import ExecutionError

GLOSSARY_FILE = Path(__file__).parents[1] / "data" / "glossary.yaml"

#: a signed percent change or percentage-point change; the sign must not follow a digit ("10-15 %" is a range)
CHANGE = re.compile(r"(?<![\w.,])[+\-−±]\s?\d[\d.,]*\s?(?:%|Pp\.?|pp\b|Prozentpunkte|percentage points)")
#: no sentence ends after these (German and English abbreviations common in memos)
_ABBREV = ("ggü.", "Pp.", "Mio.", "Tsd.", "Mrd.", "bzw.", "ca.", "Nr.", "inkl.", "ggf.", "vs.", "z.", "B.", "d.",
           "h.", "u.", "a.", "e.g.", "i.e.", "etc.", "Std.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "k.", "A.",
           "Jan.", "Feb.", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.", "Dr.", "max.", "min.", "zzgl.", "abzgl.")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"'(‚])")
_NO_RULE2 = {"header", "section", "table"}  # rule 2 does not apply (titles, evidence tables)
_COMPARISON_ONLY = {"chart"}


@dataclass(frozen=True)
class Term:
    term: str
    pattern: re.Pattern[str]
    langs: tuple[str, ...]
    translate: dict[str, str]
    ok_with: tuple[str, ...]
    note_defines: bool = False
    prose_only: bool = False  # glossary ``prose_only``: flagged in sentences, not in evidence tables
    explain_once: bool = False  # glossary ``explain_once``: fine after one explained use (or the note's)
    in_note: bool = False  # glossary ``in_note``: flagged in the data note too


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    comparison: tuple[re.Pattern[str], ...]
    consequence: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class JargonFinding:
    """One warning: ``rule`` is ``jargon`` or ``so_what``; ``snippet`` the term or number as written."""

    rule: str
    block: str
    snippet: str
    sentence: str
    hint: str

    @property
    def message(self) -> str:
        ctx = self.sentence if len(self.sentence) <= 140 else self.sentence[:137].rstrip() + "..."
        if self.rule == "jargon":
            return f'{self.block}: jargon "{self.snippet}" – write "{self.hint}" or explain it in the same sentence: "{ctx}"'
        return f'{self.block}: "{self.snippet}" has no {self.hint} – add what it is compared with and what follows: "{ctx}"'


class JargonError(ExecutionError):
    """Strict mode: the memo has untranslated jargon or changes without a so-what."""

    def __init__(self, findings: Sequence[JargonFinding]):
        self.findings = list(findings)
        super().__init__(f"{len(self.findings)} jargon finding(s):\n" + "\n".join(format_findings(self.findings)))


def _marker(text: str) -> re.Pattern[str]:
    esc = re.escape(text)
    # words match as prefixes ("Vorjahr" covers "Vorjahresmonat"); symbols anywhere
    return re.compile((r"(?<!\w)" + esc) if text[:1].isalnum() else esc, re.I)


@lru_cache(maxsize=4)
def load_glossary(path: str | Path = GLOSSARY_FILE) -> Glossary:
    """Read and compile the glossary YAML."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    terms = []
    for e in raw["terms"]:
        flags = 0 if e.get("case_sensitive") else re.I
        pat = re.compile(r"(?<![\w])(?:" + "|".join(e["patterns"]) + r")(?![\w])", flags)
        terms.append(Term(e["term"], pat, tuple(e.get("langs", ("de", "en"))),
                          {"de": e.get("translate_de", ""), "en": e.get("translate_en", "")},
                          tuple(e.get("ok_with", ())), bool(e.get("note_defines", False)),
                          bool(e.get("prose_only", False)), bool(e.get("explain_once", False)),
                          bool(e.get("in_note", False))))
    return Glossary(tuple(terms), tuple(_marker(m) for m in raw.get("comparison_markers", [])),
                    tuple(_marker(m) for m in raw.get("consequence_markers", [])))


def sentences(text: str) -> list[str]:
    """Split memo text into sentences (line wraps joined; no split after common abbreviations)."""
    flat = re.sub(r"\s+", " ", text).strip()
    if not flat:
        return []
    parts = _SPLIT.split(flat)
    out: list[str] = []
    for p in parts:
        if out and out[-1].rsplit(" ", 1)[-1] in _ABBREV:
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def _has(patterns: Iterable[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _ok_with(term: Term, text: str) -> bool:
    low = text.casefold()
    return any(w.casefold() in low for w in term.ok_with)


#: the start of a list item in a block's text ("- " bullets, "1. " recommendations)
_ITEM = re.compile(r"^\s*(?:[-•]|\d+\.)\s+", re.M)


def list_items(text: str) -> list[str]:
    """A bullet or recommendation list split into its items (the text itself when it is no list)."""
    starts = [m.start() for m in _ITEM.finditer(text)]
    if not starts:
        return [text]
    bounds = ([0] if starts[0] > 0 else []) + starts + [len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def _units(text: str, block: str) -> list[str]:
    # a tile is one unit; a table row is one unit (a translation in another row does not help); a list item's
    # sentences are units of their own (a plain word in another bullet does not excuse jargon in this one)
    if block == "kpis":
        return [text]
    if block == "table":
        return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]
    return [s for item in list_items(text) for s in sentences(item)]


def _jargon(text: str, lang: str, block: str, g: Glossary, defined: set[str]) -> list[JargonFinding]:
    """Jargon findings of one block; ``defined`` holds the terms already explained (the data note's, and an
    ``explain_once`` term after its first explained use, which this call adds)."""
    out = []
    units = _units(text, block)
    for term in g.terms:
        if lang not in term.langs or term.term in defined or (term.prose_only and block == "table"):
            continue
        for sent in units:
            m = term.pattern.search(sent)
            if not m:
                continue
            if _ok_with(term, sent):
                if term.explain_once:  # explained here: later uses in the memo need not repeat it
                    defined.add(term.term)
                    break
                continue
            out.append(JargonFinding("jargon", block, m.group(0), sent, term.translate.get(lang, "")))
    return out


def explained_in_note(note: str, g: Glossary) -> set[str]:
    """The ``note_defines``/``explain_once`` terms a sentence of the data note explains (the term with one of
    its ``ok_with`` phrases in that sentence; merely naming the term explains nothing)."""
    units = [u for item in list_items(note) for u in sentences(item)]
    return {t.term for t in g.terms if (t.note_defines or t.explain_once)
            and any(t.pattern.search(u) and _ok_with(t, u) for u in units)}


def _so_what(text: str, block: str, g: Glossary, *, need_consequence: bool = True) -> list[JargonFinding]:
    out = []
    for sent in sentences(text):
        m = CHANGE.search(sent)
        if not m:
            continue
        missing = [name for name, ok in (("comparison", _has(g.comparison, sent)),
                                         ("consequence", _has(g.consequence, sent) or not need_consequence)) if not ok]
        if missing:
            out.append(JargonFinding("so_what", block, m.group(0).strip(), sent, " and no ".join(missing)))
    return out


def check_text(text: str, lang: str, *, block: str = "text", glossary: Glossary | None = None) -> list[JargonFinding]:
    """Both rules on free text (one block of sentences)."""
    g = glossary or load_glossary()
    return _jargon(text, lang, block, g, set()) + _so_what(text, block, g)


def _tile_findings(tile: dict[str, Any], lang: str, g: Glossary, defined: set[str]) -> list[JargonFinding]:
    label = str(tile.get("label", ""))
    so_what = str(tile.get("so_what", ""))
    comparisons = [str(c) for c in tile.get("comparisons", [])]
    whole = " ".join([label, str(tile.get("value", "")), *comparisons, so_what])
    out = _jargon(whole, lang, "kpis", g, defined)
    change = CHANGE.search(whole)
    if change:
        missing = []
        if not comparisons and not _has(g.comparison, whole):
            missing.append("comparison")
        if not so_what.strip():
            missing.append("consequence")
        if missing:
            out.append(JargonFinding("so_what", "kpis", change.group(0).strip(), f"{label}: {tile.get('value', '')}",
                                     " and no ".join(missing)))
    return out


def check_records(records: Sequence[dict[str, Any]], lang: str, *, glossary: Glossary | None = None) -> list[JargonFinding]:
    """Both rules on memo block records (``{'kind', 'text', ...}`` as the memo blocks emit them)."""
    g = glossary or load_glossary()
    note = "\n".join(str(r.get("text", "")) for r in records if r.get("kind") == "data_note")
    defined = explained_in_note(note, g)
    out: list[JargonFinding] = []
    in_note = Glossary(tuple(t for t in g.terms if t.in_note), g.comparison, g.consequence)
    for r in records:
        kind = str(r.get("kind", "text"))
        if kind == "data_note":
            # the footnote explains jargon; source file names do not belong there either
            out.extend(_jargon(str(r.get("text", "")), lang, kind, in_note, set()))
            continue
        if kind == "kpis" and "tiles" in r:
            for tile in r["tiles"]:
                out.extend(_tile_findings(tile, lang, g, defined))
            continue
        text = str(r.get("alt") or r.get("text", "")) if kind == "chart" else str(r.get("text", ""))
        if kind == "header":
            text = str(r.get("title", text))
        out.extend(_jargon(text, lang, kind, g, defined))
        if kind not in _NO_RULE2:
            out.extend(_so_what(text, kind, g, need_consequence=kind not in _COMPARISON_ONLY))
    return out


def check_memo(memo: Any, *, strict: bool = False, lang: str | None = None) -> list[JargonFinding]:
    """Check a built memo (:class:`cmo_workbook.render.export.Memo`); ``strict`` raises :class:`JargonError` on findings."""
    lang = lang or getattr(memo, "lang", "de") or "de"
    records = getattr(memo, "records", None)
    findings = check_records(records, lang) if records else check_text(getattr(memo, "text", ""), lang)
    if strict and findings:
        raise JargonError(findings)
    return findings


def format_findings(findings: Sequence[JargonFinding]) -> list[str]:
    """Run-log lines, one per finding (the runner prints them after the memo line)."""
    return [f"warning  {f.rule}: {f.message}" for f in findings]
