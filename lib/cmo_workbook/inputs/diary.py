"""The marketing diary (article 1.1): ten minutes a week on what was done, heard and learned.

Format: one Markdown file per ISO week, named ``YYYY-Www.md`` (``2026-W40.md``), with a small
YAML front matter and three sections of bullets::

    ---
    week: 2026-W40
    author: Marketingleitung
    tags: [webinar, linkedin]           # optional: themes of the week
    kpi: [qualified_leads]              # optional: metrics (cmo_workbook.metrics.monthly) the work aims at
    ---
    ## Umgesetzt                        # or: ## Done
    - Webinar „Servoauslegung in 30 Minuten“ mit 64 Teilnehmern
    ## Rückmeldungen                    # or: ## Feedback
    - Vertrieb: gute Gesprächsaufhänger aus den Webinar-Fragen
    ## Gelernt                          # or: ## Learned
    - Praxisthemen ziehen mehr Teilnehmer als Produktthemen

:func:`load_diary` reads a folder into a table and reports every malformed entry at once
(file, line, what to change). :func:`quarter_summary` turns a quarter's entries into the
qualitative part of the quarterly memos: themes of learnings and what worked, linked to the
KPI moves of the same months.
"""
from __future__ import annotations

import re
import difflib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import yaml

from ..render import fmt
from ..render.i18n import t
from ..errors import DataError, Problem
from ..periods import Period

#: Section headings (German and English spellings) -> column.
SECTIONS = {
    "umgesetzt": "done", "done": "done",
    "rückmeldungen": "feedback", "rueckmeldungen": "feedback", "feedback": "feedback",
    "gelernt": "learned", "learned": "learned",
}
FRONT_MATTER_KEYS = ("week", "author", "tags", "kpi")
COLUMNS = ["week", "week_start", "month", "author", "tags", "kpi", "done", "feedback", "learned", "file"]

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_TEMPLATE = "---\nweek: 2026-W40\nauthor: Marketingleitung\ntags: [webinar]\n---\n## Umgesetzt\n- ...\n## Rückmeldungen\n- ...\n## Gelernt\n- ..."


def parse_week(text: str) -> date:
    """Monday of the ISO week ``YYYY-Www``; ValueError for anything else (W53 only where it exists)."""
    m = _WEEK.match(str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not an ISO week like 2026-W40")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValueError(f"{text!r} does not exist (ISO weeks run 01-52, 53 in some years)") from None


def week_label(day: date) -> str:
    """The ISO week of ``day`` as ``YYYY-Www``."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def week_month(week_start: date) -> pd.Period:
    """The month a week counts in: the month of its Thursday (the ISO rule for years, applied to months)."""
    return pd.Period(week_start + timedelta(days=3), freq="M")


def render_entry(week: str, author: str, done: Iterable[str], feedback: Iterable[str], learned: Iterable[str],
                 *, tags: Iterable[str] = (), kpi: Iterable[str] = (), lang: str = "de") -> str:
    """One diary file's text in the documented format (used by the sample generator and templates)."""
    head = {"week": week, "author": author}
    if tags:
        head["tags"] = list(tags)
    if kpi:
        head["kpi"] = list(kpi)
    names = ("Umgesetzt", "Rückmeldungen", "Gelernt") if lang == "de" else ("Done", "Feedback", "Learned")
    lines = ["---", yaml.safe_dump(head, allow_unicode=True, sort_keys=False, default_flow_style=None).strip(), "---"]
    for name, items in zip(names, (done, feedback, learned)):
        lines.append(f"## {name}")
        lines += [f"- {i}" for i in items]
        lines.append("")
    return "\n".join(lines)


def parse_entry(path: Path, known_kpis: Iterable[str] | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse one diary file; return (record, problems). A record is None when the file is unusable."""
    path = Path(path)
    problems: list[Problem] = []

    def bad(message: str, line: int | None = None, fix: str = "", value: object = None) -> None:
        problems.append(Problem(str(path), message, row=line, value=value, fix=fix))

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        bad("is not UTF-8 text", fix="save the diary file as UTF-8")
        return None, problems
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        bad("has no front matter", 1, "start the file with a '---' line, then 'week: 2026-W40' and 'author: ...', "
                                      "then '---' (see docs: marketing diary)")
        return None, problems
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        bad("front matter is not closed", 1, "add a '---' line after the 'week:' and 'author:' lines")
        return None, problems
    try:
        head = yaml.safe_load("\n".join(lines[1:close])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        bad(f"front matter is not valid YAML ({getattr(exc, 'problem', exc)})", (mark.line + 2) if mark else 2,
            "write one 'key: value' per line, lists as [a, b]")
        return None, problems
    if not isinstance(head, dict):
        bad("front matter must be 'key: value' lines", 2, "e.g. 'week: 2026-W40'")
        return None, problems
    for key in head:
        if key not in FRONT_MATTER_KEYS:
            close_key = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, n=1)
            bad(f"unknown front-matter key {key!r}", _line_of(lines, key, close),
                f'did you mean "{close_key[0]}"?' if close_key else f"allowed: {', '.join(FRONT_MATTER_KEYS)}")
    week = str(head.get("week", "")).strip()
    week_start = None
    if not week:
        bad("front matter has no 'week'", 2, "add 'week: YYYY-Www', e.g. 'week: 2026-W40'")
    else:
        try:
            week_start = parse_week(week)
        except ValueError as exc:
            bad(f"week {exc}", _line_of(lines, "week", close), "write the ISO week as YYYY-Www, e.g. 2026-W40")
    if week_start is not None and path.stem != week:
        bad(f"file name {path.name!r} does not match 'week: {week}'", _line_of(lines, "week", close),
            f"rename the file to {week}.md or correct the week")
    author = str(head.get("author") or "").strip()
    if not author:
        bad("front matter has no 'author'", 2, "add 'author: <role or name>'")
    tags = _as_list(head.get("tags"))
    kpi = _as_list(head.get("kpi"))
    if known_kpis is not None:
        known = list(known_kpis)
        for k in kpi:
            if k not in known:
                close_kpi = difflib.get_close_matches(k, known, n=1)
                bad(f"kpi {k!r} is not a metric the workbook computes", _line_of(lines, "kpi", close),
                    f'did you mean "{close_kpi[0]}"?' if close_kpi else f"use one of: {', '.join(known)}")
    sections: dict[str, list[str]] = {"done": [], "feedback": [], "learned": []}
    current: str | None = None
    for no, raw in enumerate(lines[close + 1:], start=close + 2):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("<!--") or re.match(r"^#\s", line):
            continue  # blank lines, comments and a '# KW 40' title are fine
        if m := re.match(r"^#{2,}\s*(.+?)\s*$", line):
            name = m.group(1).strip().casefold()
            if name not in SECTIONS:
                bad(f"unknown section heading {m.group(1)!r}", no,
                    "use '## Umgesetzt', '## Rückmeldungen', '## Gelernt' (or '## Done', '## Feedback', '## Learned')")
                current = "?"  # its bullets are covered by this message
            else:
                current = SECTIONS[name]
            continue
        if current == "?":
            continue
        if current is None:
            bad("text outside a section", no, "put it under '## Umgesetzt', '## Rückmeldungen' or '## Gelernt'")
            current = "?"  # one message per stray block is enough
            continue
        if m := _BULLET.match(line):
            sections[current].append(m.group(1).strip())
        elif sections[current] and raw[:1].isspace():
            sections[current][-1] += " " + line.strip()  # wrapped bullet
        else:
            sections[current].append(line.strip())
    if not any(sections.values()) and not problems:
        bad("has no entries", close + 2, "add bullets under '## Umgesetzt', '## Rückmeldungen' or '## Gelernt'")
    if problems:
        return None, problems
    return {"week": week, "week_start": pd.Timestamp(week_start), "month": week_month(week_start), "author": author,
            "tags": tags, "kpi": kpi, **sections, "file": str(path)}, problems


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _line_of(lines: list[str], key: str, close: int) -> int:
    for i in range(1, close):
        if lines[i].lstrip().startswith(f"{key}:"):
            return i + 1
    return 2


def diary_dir(params) -> Path | None:
    """The diary folder from the params' ``diary.dir`` (relative to the params file); None if not set."""
    section = params.raw.get("diary") or {}
    return (params.path.parent / section["dir"]).resolve() if section.get("dir") else None


def load_diary(folder: str | Path | None, known_kpis: Iterable[str] | None = None) -> pd.DataFrame:
    """All diary entries of ``folder`` sorted by week; raise DataError listing every malformed file.

    ``known_kpis`` (e.g. ``cmo_workbook.metrics.monthly.METRICS``) checks the ``kpi:`` lists.
    ``README.md`` and files starting with ``_`` (templates) are skipped. ``None`` (no ``diary.dir`` in the params,
    :func:`diary_dir`: the section is optional) gives no entries; a folder that is set but missing stays an error.
    """
    if folder is None:
        return pd.DataFrame(columns=COLUMNS)
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(Problem(str(folder), "diary folder does not exist",
                                fix="create it and add one file per week (2026-W40.md), or fix 'diary.dir' in the params"))
    records, problems = [], []
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md" or path.name.startswith("_"):
            continue
        if not _WEEK.match(path.stem):
            problems.append(Problem(str(path), "file name is not an ISO week",
                                    fix="name diary files YYYY-Www.md, e.g. 2026-W40.md"))
            continue
        rec, probs = parse_entry(path, known_kpis)
        problems += probs
        if rec:
            records.append(rec)
    if problems:
        raise DataError(problems)
    df = pd.DataFrame(records, columns=COLUMNS)
    return df.sort_values("week_start", kind="stable").reset_index(drop=True)


# --- quarter summary ---------------------------------------------------------------------------

_STOP = set("""
aber alle allem als also auch auf aus bei beim bin bis bitte da damit dann das dass dem den denen der des die dies
diese diesem diesen dieser doch dort durch ein eine einem einen einer eines er es etwa für gibt hat hatte haben hier
ich ihr im in ins ist ja jetzt kann kaum kein keine man mehr mit muss nach nicht noch nur ob oder ohne schon sehr sich
sie sind so über um und uns unser unsere vom von vor war waren was weil wenn werden wie wieder wir wird zu zum zur
zwei drei vier gut gute guten besser neue neuen wochen woche mal viel viele eher lieber weniger dafür darum
the and for with that this from are was were but not more less than into our they them their have has had will
""".split())
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß\-]{4,}")


@dataclass(frozen=True)
class Theme:
    """A theme of the quarter's learnings: a tag or a frequent term, in how many weeks, one example."""

    label: str
    weeks: int
    example: str
    source: str  # "tag" | "term"


@dataclass(frozen=True)
class Worked:
    """A diary entry whose week coincides with a KPI improvement in the same month."""

    week: str
    month: pd.Period
    kpi: str
    value: float
    reference: float  # the same KPI ``lag`` months earlier (default: same month last year)
    change: float  # relative change vs the reference (sign as measured)
    done: str      # what was done that week (first bullet)
    tags: tuple[str, ...] = ()
    lag: int = 12


@dataclass
class DiarySummary:
    """The qualitative part of a quarter: coverage, themes, what worked, what customers and sales said."""

    period: Period
    entries: int
    weeks: int
    themes: list[Theme] = field(default_factory=list)
    worked: list[Worked] = field(default_factory=list)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (week, text), latest first
    tag_weeks: dict[str, int] = field(default_factory=dict)
    feedback_tag_weeks: dict[str, int] = field(default_factory=dict)
    configured: bool = True  #: False: the params set no ``diary.dir`` (not "no entry written")


def in_period(diary: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Entries whose week counts in ``period`` (by the month of the week's Thursday)."""
    months = {pd.Period(str(m), freq="M") for m in period.month_periods()}
    return diary[diary["month"].isin(months)] if len(diary) else diary


def weeks_of(period: Period) -> list[str]:
    """The ISO weeks that count in ``period`` (their Thursday falls inside it)."""
    mondays = pd.date_range(period.start - pd.Timedelta(days=6), period.end, freq="W-MON")
    months = {pd.Period(str(m), freq="M") for m in period.month_periods()}
    return [week_label(d.date()) for d in mondays if week_month(d.date()) in months]


def quarter_summary(diary: pd.DataFrame, period: Period, monthly: pd.DataFrame | None = None, *,
                    higher_is_better: dict[str, bool | None] | None = None, min_rise: float = 0.05,
                    lag: int = 12, top: int = 3, configured: bool = True) -> DiarySummary:
    """Themes of learnings and what worked in ``period``.

    Themes: tags by number of weeks, then frequent terms of the "learned" bullets that no tag
    already covers (each counted once per week). What worked: entries whose ``kpi`` improved by at
    least ``min_rise`` in the entry's month against ``lag`` months earlier (12: the same month last
    year, which keeps seasons such as the August dip out of it) (``monthly`` from
    :func:`cmo_workbook.metrics.monthly.monthly`; direction from ``higher_is_better``, default: higher is
    better). One item per (month, KPI), the largest improvements first. ``configured=False``: the company keeps
    no diary (:func:`diary_dir` is None), which :func:`coverage_sentence` says instead of "0 of 13 weeks".
    """
    hib = {"cost_per_qualified_lead": False, **(higher_is_better or {})}
    q = in_period(diary, period)
    summary = DiarySummary(period, len(q), len(weeks_of(period)), configured=configured)
    if q.empty:
        return summary
    q = q.sort_values("week_start", ascending=False, kind="stable")  # latest example first
    tag_weeks: Counter = Counter()
    fb_tag_weeks: Counter = Counter()
    examples: dict[str, str] = {}
    for row in q.itertuples():
        for tag in dict.fromkeys(row.tags):
            tag_weeks[tag] += 1
            if row.feedback:
                fb_tag_weeks[tag] += 1
            if tag not in examples and row.learned:
                examples[tag] = _example_for(tag, row.learned)
    summary.tag_weeks = dict(tag_weeks)
    summary.feedback_tag_weeks = dict(fb_tag_weeks)
    tags_sorted = sorted(tag_weeks.items(), key=lambda kv: (-kv[1], kv[0]))
    themes = [Theme(tag, n, examples.get(tag, ""), "tag") for tag, n in tags_sorted if n >= 2][:top]
    covered = {t.casefold() for t in tag_weeks}
    terms: Counter = Counter()
    term_example: dict[str, str] = {}
    for row in q.itertuples():
        seen = set()
        for item in row.learned:
            for w in _WORD.findall(item):
                key = w.casefold()
                if key in _STOP or key in seen or any(key.startswith(c) or c.startswith(key) for c in covered):
                    continue
                seen.add(key)
                term_example.setdefault(key, item)
        terms.update(seen)
    for term, n in sorted(terms.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(themes) >= top + 1 or n < 2:
            break
        if not any(term in t.example.casefold() for t in themes):
            themes.append(Theme(term, n, term_example[term], "term"))
    summary.themes = themes
    summary.feedback = [(row.week, fb) for row in q.itertuples() for fb in row.feedback]
    if monthly is not None:
        summary.worked = _worked(q, monthly, hib, min_rise, lag)[:top]
    return summary


def _example_for(tag: str, learned: list[str]) -> str:
    """The learning that mentions the tag (by its first five letters), else the week's first learning."""
    stem = tag.casefold().replace("_", " ")[:5]
    return next((x for x in learned if stem in x.casefold()), learned[0])


def _worked(entries: pd.DataFrame, monthly: pd.DataFrame, hib: dict[str, bool | None], min_rise: float,
            lag: int) -> list[Worked]:
    best: dict[tuple, Worked] = {}
    for row in entries.sort_values("week_start", kind="stable").itertuples():
        for k in row.kpi:
            if k not in monthly or row.month not in monthly.index or (row.month - lag) not in monthly.index:
                continue
            now, prev = float(monthly.at[row.month, k]), float(monthly.at[row.month - lag, k])
            if not (prev > 0 and now == now):
                continue
            change = now / prev - 1
            up = hib.get(k, True) is not False
            if (change >= min_rise) if up else (change <= -min_rise):
                key = (row.month, k)
                if key not in best:  # the first entry of the month names what started it
                    best[key] = Worked(row.week, row.month, k, now, prev, change, row.done[0] if row.done else "",
                                       tuple(row.tags), lag)
    return sorted(best.values(), key=lambda w: (-abs(w.change), str(w.month), w.kpi))


def summary_bullets(summary: DiarySummary, lang: str, kpi_label=None) -> list[str]:
    """Bullets for a quarterly memo: coverage, what worked (with the KPI move), themes of learnings.

    ``kpi_label(metric, lang)`` names a metric in words (default: the metric key).
    """
    label = kpi_label or (lambda k, _l: k)
    out = []
    for w in summary.worked:
        ref = (t("diary_ref_year", lang) if w.lag == 12 else t("diary_ref_month", lang) if w.lag == 1 else
               t("diary_ref_lag", lang, lag=w.lag))
        out.append(t("diary_worked", lang, week=w.week, done=w.done, metric=label(w.kpi, lang),
                     month=fmt.month(w.month.start_time, lang), change=fmt.pct_change(w.change, lang), ref=ref))
    for th in summary.themes:
        out.append(t("diary_learned", lang, theme=th.label, weeks=fmt.number(th.weeks, lang), example=th.example))
    return out


def coverage_sentence(summary: DiarySummary, lang: str) -> str:
    """'Tagebuch: 12 von 13 Wochen geführt' – how complete the qualitative basis is; without a configured diary,
    that the paragraphs rest on the numbers and goals alone and where to set one up."""
    if not summary.configured:
        return t("diary_coverage_none", lang)
    return t("diary_coverage", lang, entries=fmt.number(summary.entries, lang), weeks=fmt.number(summary.weeks, lang))
