"""One consistent story (#11): no memo judges a channel or KPI both ways, no deadline lies in the past.

:func:`check` reads a built memo's block records and returns findings:

- **verdict**: the same channel or KPI is judged positively in one sentence ("Messen tragen sich") and
  negatively in another ("Messen verlieren Geld"), in this memo or in another memo of the same period
  (their verdicts are kept in ``reports/PERIOD/verdicts.yaml``) or of the periods its pack cross-references
  (:func:`pack_periods`: a month's memos cite the last complete quarter's). Only sentences that name exactly one
  subject count, and only explicit verdict phrases (:data:`VERDICT_WORDS`), so evidence is not mistaken
  for a judgement.
- **return**: a clause that sets a channel's order intake or revenue against a smaller cost ("Messen: 471 Tsd. €
  Kosten, 3,6 Mio. € Auftragseingang") reads as a success; it is a positive verdict, and a finding where the
  memo or the pack judges the channel as losing money (a negative ROMI counts as that judgement).
- **grow**: a channel is to be grown ("Suchanzeigen ausbauen") while a memo names its inquiries the weakest
  (:data:`GROW_WORDS`; a channel only gets "grow" when its sales acceptance is at least the average).
- **argument**: a memo sells on an argument ("Lieferfähigkeit belegen") that the customer feedback names as a
  rising weakness ("Lieferverzögerungen steigen", :data:`ARGUMENTS`).
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
#: channel names the memos use besides their catalogue label (the update's "Suchanzeigen")
CHANNEL_ALIASES: dict[str, tuple[str, ...]] = {"paid_search": ("Suchanzeigen", "search ads")}
#: a channel to be grown (+1) and a channel whose inquiries are the weakest (−1); "nicht ausbauen" is neither
GROW_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": ((r"schwächsten Anfragen", r"schwächste Quelle", r"schwächste Kanal"),
           (r"(?<!nicht )\bausbauen\b", r"(?<!nicht )\bausweiten\b", r"(?<!nicht )\baufstocken\b")),
    "en": ((r"weakest inquiries", r"weakest source", r"weakest channel"),
           (r"(?<!not )\bexpand\b", r"(?<!not )\bscale up\b", r"(?<!not )\bgrow (?:the )?budget\b")),
}
#: selling arguments: (the argument as a strength, the customer complaint that makes it a weakness) per language
ARGUMENTS: dict[str, dict[str, tuple[str, str]]] = {
    "delivery": {"de": (r"Lieferfähigkeit|Liefertreue|Liefersicherheit|Termintreue",
                        r"Lieferverz\w*|Lieferprobleme\w*|Lieferverzug\w*"),
                 "en": (r"availability|delivery capability|reliable delivery|on-time delivery",
                        r"late deliver\w*|delivery delays?|delivery problems?")},
}
#: a clause that sells on an argument, and one that says a complaint rises
_SELL = {"de": r"Argument\w*|\bbelegen\b|\bwerben\b|Verkaufsargument\w*", "en": r"argument\w*|\bprove\b|selling point\w*|\badvertise\b"}
_RISING = {"de": r"\bsteig\w*|gestiegen|verdoppelt|\bwächst|zunehm\w*|[+]\s?\d",
           "en": r"\bris(?:e|es|ing)\b|doubled|\bgrow\w*|increas\w*|[+]\s?\d"}
#: money as the memos write it: "471 Tsd. €", "3,6 Mio. €", "€3.6m", "800 €"
_SCALE = {"tsd.": 1e3, "mio.": 1e6, "mrd.": 1e9, "k": 1e3, "m": 1e6, "bn": 1e9}
_MONEY = r"(?:€\s?(?P<n1>\d[\d.,]*)(?P<s1>k|m|bn)?|(?P<n2>\d[\d.,]*)\s?(?P<s2>Tsd\.|Mio\.|Mrd\.)?\s?€)"
_RETURN = {"de": (rf"{_MONEY}\s+Kosten", rf"{_MONEY}\s+(?:Auftragseingang|Umsatz)"),
           "en": (rf"{_MONEY}\s+(?:of\s+)?(?:cost|spend)", rf"{_MONEY}\s+(?:of\s+)?(?:order intake|revenue)")}
#: a return on marketing stated with its value: "Rendite der Erstaufträge −31 %", "ROMI Erstaufträge −31 %",
#: "return on first orders −31%", "−31 % ROMI"
_ROMI = re.compile(r"(?:ROMI|Rendite|return on)(?: [A-Za-zÄÖÜäöüß-]+){0,3}:?\s+(?P<a>[−-]?\s?\d[\d.,]*)\s?%"
                   r"|(?P<b>[−-]?\d[\d.,]*)\s?% (?:ROMI|Rendite|return)")
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
    """One inconsistency: ``rule`` is ``verdict``, ``return``, ``grow``, ``argument``, ``decision`` (one id, two
    amounts) or ``deadline``."""

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
        if self.rule == "return":
            return (f'{self.memo}: "{self.subject}" reads as a success – "{self.text[:110]}" – but is judged as losing '
                    f'money – "{self.other[:110]}"; state the channel\'s return from the budget decision '
                    "(metrics.channel_budget) with its ROMI")
        if self.rule == "grow":
            return (f'{self.memo}: "{self.subject}" is to grow – "{self.text[:110]}" – but its inquiries are the '
                    f'weakest – "{self.other[:110]}"; grow a channel only when its sales acceptance is at least the '
                    "average")
        if self.rule == "argument":
            return (f'{self.memo}: selling on "{self.subject}" – "{self.text[:110]}" – which the customer feedback '
                    f'names as a rising weakness – "{self.other[:110]}"; drop that argument')
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
        names[f"channel:{key}"].update(CHANNEL_ALIASES.get(key, ()))
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


def _amount(m: re.Match[str], lang: str) -> float:
    """The euros of a :data:`_MONEY` match ("3,6 Mio. €" → 3.6e6)."""
    num, scale = m.group("n1") or m.group("n2"), (m.group("s1") or m.group("s2") or "").casefold()
    num = num.replace(".", "").replace(",", ".") if lang == "de" else num.replace(",", "")
    try:
        return float(num.rstrip(".")) * _SCALE.get(scale, 1.0)
    except ValueError:
        return float("nan")


def romi_verdict(clause: str) -> int:
    """−1 when the clause states ROMI values and all are negative (the channel loses money), else 0."""
    found = [(m.group("a") or m.group("b")).replace(" ", "") for m in _ROMI.finditer(clause)]
    return -1 if found and all(v[0] in "−-" for v in found) else 0


def return_verdict(clause: str, lang: str) -> int:
    """+1 when the clause sets order intake or revenue against a smaller cost ("471 Tsd. € Kosten, 3,6 Mio. €
    Auftragseingang") and states no negative ROMI: it reads as a success."""
    cost_p, back_p = _RETURN.get(lang, _RETURN["en"])
    cost, back = re.search(cost_p, clause), re.search(back_p, clause)
    if cost is None or back is None or romi_verdict(clause) < 0:
        return 0
    return 1 if _amount(back, lang) > _amount(cost, lang) else 0


def is_return_clause(clause: str, lang: str) -> bool:
    """Whether a positive verdict came from a return-vs-cost clause (the finding's rule is then ``return``)."""
    return verdict(clause, lang) == 0 and return_verdict(clause, lang) > 0


def grow_verdict(clause: str, lang: str) -> int:
    """+1 for "grow the channel", −1 for "its inquiries are the weakest", 0 for neither (weak wins)."""
    weak, grow = GROW_WORDS.get(lang, GROW_WORDS["en"])
    if any(re.search(p, clause, re.I) for p in weak):
        return -1
    return 1 if any(re.search(p, clause, re.I) for p in grow) else 0


def argument_verdicts(clause: str, lang: str) -> dict[str, int]:
    """Argument → +1 when the clause sells on it, −1 when it says the complaint against it rises."""
    out: dict[str, int] = {}
    for key, by_lang in ARGUMENTS.items():
        strength, weakness = by_lang.get(lang, by_lang["en"])
        if re.search(weakness, clause, re.I) and re.search(_RISING.get(lang, _RISING["en"]), clause, re.I):
            out[key] = -1
        elif re.search(strength, clause, re.I) and re.search(_SELL.get(lang, _SELL["en"]), clause, re.I):
            out[key] = 1
    return out


_PARTS = re.compile(r";\s+|\s+–\s+")  # clauses for amounts: "471 Tsd. € Kosten" keeps its "Tsd. €"


def verdicts(records: Iterable[dict[str, Any]], lang: str) -> dict[str, list[tuple[int, str]]]:
    """Subject → [(verdict, sentence)] for every sentence that names exactly one subject and judges it.

    Subjects: ``channel:<key>`` / ``kpi:<id>`` (pays or not: :data:`VERDICT_WORDS`, a negative ROMI, a return
    above its cost), ``grow:<channel>`` (grow vs weakest inquiries; every channel a grow clause names) and
    ``argument:<key>`` (selling on it vs a rising complaint)."""
    subjects = _subjects(lang)
    channels = {k: p for k, p in subjects.items() if k.startswith("channel:")}
    out: dict[str, list[tuple[int, str]]] = {}
    for text in _texts(records):
        for sent in sentences(text):
            for s in _CLAUSE.split(sent):
                v = verdict(s, lang)
                if not v:
                    continue
                named = [k for k, p in subjects.items() if p.search(s)]
                if len(named) == 1:
                    out.setdefault(named[0], []).append((v, s))
            for s in _PARTS.split(sent):
                named = [k for k, p in channels.items() if p.search(s)]
                v = 0 if verdict(s, lang) else romi_verdict(s) or return_verdict(s, lang)
                if v and len(named) == 1:
                    out.setdefault(named[0], []).append((v, s))
                g = grow_verdict(s, lang)
                if g and (len(named) == 1 or (g > 0 and named)):
                    for k in named:
                        out.setdefault(f"grow:{k}", []).append((g, s))
                for key, a in argument_verdicts(s, lang).items():
                    out.setdefault(f"argument:{key}", []).append((a, s))
    return out


#: the argument's name in a finding
_ARGUMENT_LABELS = {"delivery": {"de": "Lieferfähigkeit", "en": "delivery capability"}}


def _label(subject: str, lang: str) -> str:
    kind, key = subject.split(":", 1)
    if kind == "grow":
        return _label(key, lang)
    if kind == "argument":
        return _ARGUMENT_LABELS.get(key, {}).get(lang, key)
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


def pack_periods(period: str) -> list[str]:
    """The periods whose memos cross-reference ``period``'s, as the pack is built: a month's memos cite the last
    complete quarter at the month's end (2026-10 → 2026-Q3, 2026-09 → 2026-Q3, the quarter that holds it), so a
    quarter goes with the months that cite it (2026-Q3 → 2026-09, 2026-10, 2026-11); [] for no period."""
    try:
        p = Period.parse(period)
    except ValueError:
        return []
    if p.kind == "month":
        q = Period(p.year, (p.index - 1) // 3 + 1, "quarter")
        return [str(q if p.index % 3 == 0 else q.shift(-1))]
    last = p.month_periods()[-1]
    return [str(last.shift(i)) for i in range(3)]


def _finding(subject: str, memo: str, pos: str, neg: str, lang: str) -> StoryFinding:
    """The finding for a subject said positively in ``pos`` and negatively in ``neg``, by its axis."""
    kind = subject.split(":", 1)[0]
    if kind == "grow":
        rule = "grow"
    elif kind == "argument":
        rule = "argument"
    else:
        rule = "return" if is_return_clause(pos, lang) else "verdict"
    return StoryFinding(rule, memo, _label(subject, lang), pos, neg)


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
            out.append(_finding(subject, memo, pos[0], neg[0], lang))
    if period_dir is not None:
        here = Path(period_dir)
        # this period's other memos, then the pack's memos of the periods they cite (the month's quarter, ...)
        for folder, where in [(here, "")] + [(here.parent / p, p) for p in pack_periods(here.name)]:
            for other, theirs in sorted(_read(folder / file).items()):
                if other == memo and not where:
                    continue
                name = f"{memo} vs {other}" + (f" ({where})" if where else "")
                for subject, (v, s) in (theirs or {}).items():
                    against = [x for w, x in mine.get(subject, []) if w == -v]
                    if against:
                        pos, neg = (against[0], s) if v < 0 else (s, against[0])
                        out.append(_finding(subject, name, pos, neg, lang))
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
