"""One consistent story (#11): no memo judges a channel or KPI both ways, no deadline lies in the past.

:func:`check` reads a built memo's block records and returns findings:

- **verdict**: the same channel or KPI is judged positively in one sentence ("Messen tragen sich") and
  negatively in another ("Messen verlieren Geld"), in this memo or in another memo of the same period
  (their verdicts are kept in ``reports/PERIOD/verdicts.yaml``). Only sentences that name exactly one
  subject count, and only explicit verdict phrases (:data:`VERDICT_WORDS`), so evidence is not mistaken
  for a judgement.
- **deadline**: a recommendation's due date, or a "bis/by/until <date>" in its action or effect (quoted goal
  titles excepted), ends before the generation date (:func:`cmo_workbook.periods.run_date`).

The runner prints findings as warnings; ``run --strict`` fails the run on any (:class:`StoryError`).
:func:`deadline_month` gives memos a deadline that is never in the past.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd
import yaml

from ..errors import ExecutionError
from ..render.wording import channel_names
from ..metrics.catalogue import catalogue
from ..periods import Period
from ..render.jargon import sentences

VERDICTS_FILE = "verdicts.yaml"

#: explicit judgements, negative ones first (a negative phrase often contains a positive one: "trägt sich nicht")
_GAP = r"\b[^.;:–]{0,40}?\b"  # a few words between a German verb and its "nicht"
VERDICT_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": ((rf"(?:trägt|tragen) sich{_GAP}nicht", rf"(?:verdient|verdienen){_GAP}Kosten{_GAP}nicht",
            rf"(?:lohnt|lohnen) sich{_GAP}nicht", r"(?:verliert|verlieren) Geld", r"unrentabel", r"nicht auf Kurs",
            r"Verlustbringer"),
           (r"(?:trägt|tragen) sich", r"(?:verdient|verdienen) (?:seine |ihre )?Kosten", r"(?:lohnt|lohnen) sich",
            r"rentabel", r"erfolgreich", r"ein Erfolg", r"auf Kurs")),
    "en": ((r"(?:does|do) not (?:reliably )?pay (?:for itself|for themselves|off|back)", r"loses? money",
            r"unprofitable", r"not profitable", r"not on track", r"off track",
            r"(?:does|do) not (?:reliably )?earn (?:back )?(?:its|their) costs?"),
           (r"pays? (?:for itself|for themselves|off)", r"profitable", r"successful", r"a success", r"on track",
            r"earns? (?:back )?(?:its|their) costs?")),
}
_DATE_DE = r"\d{1,2}\.\d{1,2}\.\d{4}"
_DATE_ISO = r"\d{4}-\d{2}-\d{2}"
_MONTHS = {"de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                  "November", "Dezember"],
           "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"]}
_MONTH_NAMES = {name.casefold(): i + 1 for names in _MONTHS.values() for i, name in enumerate(names)}
_MONTH = r"(?:" + "|".join(n for names in _MONTHS.values() for n in names) + r")\s+\d{4}"
_QUARTER = r"Q[1-4]\s?\d{4}"
_ANY_DATE = rf"(?:{_DATE_DE}|{_DATE_ISO}|(?:\d{{1,2}}\.?\s+)?{_MONTH}|{_QUARTER})"
_DEADLINE = re.compile(rf"(?<!\w)(?:bis(?: zum| Ende)?|spätestens|by|until|before|Frist:?|deadline:?)\s+({_ANY_DATE})", re.I)
_WHOLE_DATE = re.compile(rf"({_ANY_DATE})", re.I)
_CLAUSE = re.compile(r";\s+|\s+–\s+|(?<=\.)\s+(?=[€$£])")  # clauses judge separately
_QUOTED = re.compile(r"„[^“]*“|\"[^\"]*\"|'[^']*'|‚[^‘]*‘")


@dataclass(frozen=True)
class StoryFinding:
    """One inconsistency: ``rule`` is ``verdict``, ``decision`` (one id, two amounts) or ``deadline``."""

    rule: str
    memo: str
    subject: str
    text: str
    other: str = ""

    @property
    def message(self) -> str:
        if self.rule == "decision":
            return (f'{self.memo}: decision "{self.subject}" asks {self.text} against {self.other} – one decision has one '
                    "amount in every memo of the period (metrics.channel_stake / metrics.channel_budget .decision)")
        if self.rule == "deadline":
            return (f'{self.memo}: deadline "{self.subject}" is before the generation date – compute it from the run '
                    f'date (consistency.deadline_month): "{self.text[:140]}"')
        return (f'{self.memo}: "{self.subject}" is judged both ways – "{self.text[:110]}" against '
                f'"{self.other[:110]}"; say one verdict, from the channel\'s own figures')


class StoryError(ExecutionError):
    """Strict mode: the memos contradict themselves or name a deadline already past."""

    def __init__(self, findings: Sequence[StoryFinding]):
        self.findings = list(findings)
        super().__init__(f"{len(self.findings)} consistency finding(s):\n" + "\n".join(format_findings(self.findings)))


def format_findings(findings: Sequence[StoryFinding]) -> list[str]:
    """Run-log lines, one per finding."""
    return [f"warning  {f.rule}: {f.message}" for f in findings]


# --------------------------------------------------------------------------- verdicts


def _subjects(lang: str) -> dict[str, re.Pattern[str]]:
    """Channel and KPI names a verdict can be about, as word-boundary patterns."""
    names: dict[str, set[str]] = {}
    for key, labels in channel_names().items():
        names.setdefault(f"channel:{key}", set()).update(v for v in labels.values() if len(v) > 3)
    for m in catalogue():
        names.setdefault(f"kpi:{m.id}", set()).add(m.name(lang))
    return {k: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(v, key=len, reverse=True)) + r")(?!\w)", re.I)
            for k, v in names.items()}


def verdict(sentence: str, lang: str) -> int:
    """+1 for a positive judgement, −1 for a negative one, 0 for none (negative phrases win)."""
    neg, pos = VERDICT_WORDS.get(lang, VERDICT_WORDS["en"])
    rest = sentence
    found_neg = False
    for p in neg:
        rest, n = re.subn(p, " ", rest, flags=re.I)
        found_neg = found_neg or n > 0
    if found_neg:
        return -1
    return 1 if any(re.search(p, rest, re.I) for p in pos) else 0


def _texts(records: Iterable[dict[str, Any]]) -> list[str]:
    """The memo's prose (not the data note, tables or the header), recommendation items included."""
    out = []
    for r in records:
        kind = r.get("kind")
        if kind in ("data_note", "table", "header", "chart"):
            continue
        if kind == "recommendations" and r.get("items"):
            out += [" ".join(str(i.get(k, "")) for k in ("action", "evidence", "effect")) for i in r["items"]]
        else:
            out.append(str(r.get("text", "")))
    return out


def verdicts(records: Iterable[dict[str, Any]], lang: str) -> dict[str, list[tuple[int, str]]]:
    """Subject → [(verdict, sentence)] for every sentence that names exactly one subject and judges it."""
    subjects = _subjects(lang)
    out: dict[str, list[tuple[int, str]]] = {}
    for text in _texts(records):
        for s in (c for x in sentences(text) for c in _CLAUSE.split(x)):
            v = verdict(s, lang)
            if not v:
                continue
            named = [k for k, p in subjects.items() if p.search(s)]
            if len(named) == 1:
                out.setdefault(named[0], []).append((v, s))
    return out


def _label(subject: str, lang: str) -> str:
    kind, key = subject.split(":", 1)
    if kind == "channel":
        return channel_names()[key].get(lang, key)
    return catalogue()[key].name(lang)


# --------------------------------------------------------------------------- deadlines


def deadline_end(text: str) -> date | None:
    """The last day a deadline text stands for ("15.11.2026", "November 2026", "Q4 2026"); None if no date."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", t):
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.fullmatch(r"Q([1-4])\s?(\d{4})", t, re.I):
        return pd.Period(f"{m.group(2)}Q{m.group(1)}", freq="Q").end_time.date()
    if m := re.fullmatch(r"(?:(\d{1,2})\.?\s+)?(\w+)\s+(\d{4})", t):
        month = _MONTH_NAMES.get(m.group(2).casefold())
        if month:
            p = pd.Period(f"{m.group(3)}-{month:02d}", freq="M")
            return date(p.year, p.month, int(m.group(1))) if m.group(1) else p.end_time.date()
    return None


def deadlines(records: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(deadline text, where it stands) of every recommendation: its due field and "bis/by <date>" in it."""
    out = []
    for r in records:
        if r.get("kind") != "recommendations":
            continue
        for item in r.get("items") or []:
            due = str(item.get("due", ""))
            for m in _WHOLE_DATE.finditer(due):
                out.append((m.group(1), due))
            for field in ("action", "effect"):
                text = _QUOTED.sub(" ", str(item.get(field, "")))  # a goal's title names its own deadline
                out += [(m.group(1), text) for m in _DEADLINE.finditer(text)]
    return out


def deadline_month(period: Period, today: date, months: int = 1) -> pd.Period:
    """The month a follow-up is due: ``months`` after the period, but never before the generation month."""
    after = pd.Period(str(period.month_periods()[-1]), freq="M") + months
    return max(after, pd.Period(today, freq="M"))


# --------------------------------------------------------------------------- the check


def _read(path: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.is_file() else {}
    except yaml.YAMLError:
        return {}  # a damaged file is rewritten by the next memo; the check then covers this memo alone


def amounts(records: Iterable[dict[str, Any]], memo: str) -> list[tuple[str, float]]:
    """(decision id, amount) of every recommendation that asks for an amount, in the decision log's ids."""
    from .decisions import decision_id

    return [(decision_id(memo, item), float(item["amount"])) for r in records if r.get("kind") == "recommendations"
            for item in r.get("items") or [] if item.get("amount") is not None]


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.5  # euros: the amounts are rounded to 100 €, a cent apart is float noise


def decision_findings(records: Sequence[dict[str, Any]], memo: str, period_dir: Path | None = None,
                      file: str = "decisions.yaml") -> list[StoryFinding]:
    """The same decision id with two amounts: inside this memo, or against the period's decision log (``file``,
    the other memos' recommendations as :func:`cmo_workbook.memos.decisions.record` stored them)."""
    out: list[StoryFinding] = []
    mine = amounts(records, memo)
    first: dict[str, float] = {}
    for key, v in mine:
        if key in first and not _same(first[key], v):
            out.append(StoryFinding("decision", memo, key, _euros(v), _euros(first[key])))
        first.setdefault(key, v)
    if period_dir is not None:
        for other, logged in sorted(_read(Path(period_dir) / file).items()):
            if other == memo:
                continue
            for d in logged or []:
                v = d.get("amount") if isinstance(d, dict) else None
                if v is not None and d.get("id") in first and not _same(first[d["id"]], float(v)):
                    out.append(StoryFinding("decision", f"{memo} vs {other}", d["id"], _euros(first[d["id"]]),
                                            _euros(float(v))))
    return out


def _euros(v: float) -> str:
    return f"{v:,.0f} €"


def check(records: Sequence[dict[str, Any]], lang: str, memo: str, today: date,
          period_dir: Path | None = None, file: str = VERDICTS_FILE,
          decisions_file: str = "decisions.yaml") -> list[StoryFinding]:
    """Contradictory verdicts (in this memo and against the period's other memos), decision amounts that differ
    for the same decision id (:func:`decision_findings`) and past deadlines.

    ``file``: the period's verdicts of the memos in this memo's language (``verdicts.en.yaml`` for English memos
    of a German company, see :func:`cmo_workbook.render.i18n.lang_file`); ``decisions_file`` likewise the
    period's decision log."""
    out: list[StoryFinding] = decision_findings(records, memo, period_dir, decisions_file)
    mine = verdicts(records, lang)
    for subject, said in mine.items():
        pos = [s for v, s in said if v > 0]
        neg = [s for v, s in said if v < 0]
        if pos and neg:
            out.append(StoryFinding("verdict", memo, _label(subject, lang), pos[0], neg[0]))
    if period_dir is not None:
        for other, theirs in sorted(_read(Path(period_dir) / file).items()):
            if other == memo:
                continue
            for subject, (v, s) in (theirs or {}).items():
                against = [x for w, x in mine.get(subject, []) if w == -v]
                if against:
                    out.append(StoryFinding("verdict", f"{memo} vs {other}", _label(subject, lang), against[0], s))
    for text, where in deadlines(records):
        end = deadline_end(text)
        if end is not None and end < today:
            out.append(StoryFinding("deadline", memo, text, where))
    return out


def remember(period_dir: Path, memo: str, records: Sequence[dict[str, Any]], lang: str,
             file: str = VERDICTS_FILE) -> None:
    """Keep this memo's verdicts (one per subject) for the other memos of the period (in ``file``, per language
    as for :func:`check`) to be checked against."""
    from ..render.export import write_atomic

    path = Path(period_dir) / file
    raw = _read(path)
    mine = {k: [v[0][0], v[0][1]] for k, v in verdicts(records, lang).items()}
    if mine:
        raw[memo] = mine
    else:
        raw.pop(memo, None)
    if raw or path.exists():
        write_atomic(path, yaml.safe_dump(raw, allow_unicode=True, sort_keys=True, width=200))
