"""The decision log: what each memo recommended, what became of it, and what the named KPI did since.

After a memo is written the runner stores its recommendations in ``reports/PERIOD/decisions.yaml``
(:func:`record`), each under a stable id derived from what it is about (the memo, the recommendation's
``key`` or the KPI and segment it names, else its words without numbers; never its position), and
creates ``reports/PERIOD/decisions_status.yaml`` for the analyst (:func:`ensure_status_file`)::

    kpi_dashboard.cost_per_qualified_lead.linkedin:
      status: done        # done | open | dropped
      comment: LinkedIn-Budget ab Oktober −20 %

The next period's memo opens its recommendations with :func:`review`: each of the previous period's
recommendations with its status and, where it named a KPI, the value then and now from the KPI stores
("Kosten je qualifizierter Anfrage (LinkedIn) 794 € → 612 €").
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from ..errors import DataError, Problem
from ..render.wording import channel_label, channel_names
from ..metrics import channel_budget, channel_stake
from ..metrics.store import KpiStore, parse_window
from ..periods import Period
from ..render import fmt
from ..render.blocks import Block, Bullets, Paragraph
from ..render.i18n import lang_file, t
from .stakeholders import kpis_in

DECISIONS_FILE = "decisions.yaml"
STATUS_FILE = "decisions_status.yaml"
STATUSES = ("open", "done", "dropped")
#: words an analyst may write instead (parsing vocabulary, not memo text)
STATUS_WORDS = {"offen": "open", "erledigt": "done", "umgesetzt": "done", "verworfen": "dropped", "gestrichen": "dropped"}
_STATUS_HEAD = ("# What became of this period's recommendations: set status to done, open or dropped and add a\n"
                "# comment; the next period's memos show it beside the KPI's value then and now.\n")


@dataclass
class Decision:
    """One recommendation of one memo in one period, as the log keeps it."""

    id: str
    memo: str
    period: str
    action: str
    owner: str = ""
    due: str = ""
    lang: str = ""
    figures: list[dict[str, Any]] = field(default_factory=list)
    amount: float | None = None  #: the euros the decision asks for (a channel shift), the same in every memo

    @property
    def kpi(self) -> dict[str, Any] | None:
        """The first KPI value the recommendation named (metric, window, segment, value, text), if any."""
        return self.figures[0] if self.figures else None


def _slug(text: str, words: int = 5) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    tokens = [w for w in re.findall(r"[a-z]+", plain) if len(w) > 2][:words]  # no digits: amounts change monthly
    return "_".join(tokens) or "item"


#: decision kinds asked in several memos of a period under one id: the channel shift (metrics.channel_stake) and
#: the budget of a channel decided on its own (metrics.channel_budget)
PACK_DECISIONS = (channel_stake.DECISION, channel_budget.DECISION)


def decision_id(memo: str, item: dict[str, Any]) -> str:
    """``memo.key`` from what the recommendation is about: its key, else the KPI and segment it names, else its words."""
    if item.get("key"):
        # a period pack's decision (the channel shift) is one decision wherever it is asked: no memo prefix
        shared = str(item["key"]).split(".", 1)[0] in PACK_DECISIONS
        return str(item["key"]) if shared else f"{memo}.{item['key']}"
    figs = item.get("figures") or []
    if figs:
        f = figs[0]
        return ".".join(x for x in (memo, f["metric"], _slug(f.get("segment") or "", 3) if f.get("segment") else "") if x)
    return f"{memo}.{_slug(str(item.get('action', '')))}"


#: rates a recommendation names in words that :data:`~.stakeholders.KPI_WORDS` reads as their counts
_RATE_WORDS = {"sales_acceptance_rate": ("akzeptanzquote", "ablehnungsgr", "acceptance rate", "rejection reason")}


def channel_in(text: str) -> str:
    """The store segment of the first channel a text names ("LinkedIn-Budget ..." -> "channel=linkedin")."""
    low = text.casefold()
    hits = [(low.find(name.casefold()), key) for key, names in channel_names().items() for name in names.values()
            if len(name) > 3 and name.casefold() in low]
    return f"channel={min(hits)[1]}" if hits else ""


def infer_figure(item: dict[str, Any], store: KpiStore, lang: str, currency: str) -> dict[str, Any] | None:
    """The KPI a recommendation without figures is about, read from its words, with its value in ``store``.

    The metric comes from the action's words (else the evidence's, :func:`~.stakeholders.kpis_in`), the
    segment from a channel it names; the window is the one whose value the text quotes, else the period's own.
    """
    action, evidence = str(item.get("action", "")), str(item.get("evidence", ""))
    text = f"{action} {evidence}".casefold()
    named = [m for m, words in _RATE_WORDS.items() if any(w in text for w in words)]
    metrics = [m for m in named or kpis_in(action) or kpis_in(evidence) if m in store.catalogue]
    if not metrics:
        return None
    metric, segment = metrics[0], channel_in(action)
    own = "month" if store.period.kind == "month" else "quarter"
    kinds = [own] + [k for k in ("t3m", "t12m", "ytd", "asof") if k != own]
    found = []
    for kind in kinds:
        try:
            f = store.figure(metric, kind, segment)
        except KeyError:
            continue
        text = value_text(f.unit, f.value, lang, currency)
        found.append((text in f"{action} {evidence}", -kinds.index(kind), f, text))
    if not found:
        return None
    _, _, f, text = max(found, key=lambda x: (x[0], x[1]))
    return {"metric": metric, "window": f.window, "segment": segment, "value": None if f.value != f.value else f.value,
            "text": text}


def from_records(memo: str, period: str, records: Iterable[dict[str, Any]], lang: str,
                 store: KpiStore | None = None, currency: str = "EUR") -> list[Decision]:
    """The decisions of a memo from its block records (the ``recommendations`` blocks' items); with ``store``,
    an item that shows no KPI value gets the one its words point at (:func:`infer_figure`)."""
    out: list[Decision] = []
    seen: dict[str, int] = {}
    for rec in records:
        if rec.get("kind") != "recommendations":
            continue
        for item in rec.get("items") or []:
            item = json.loads(json.dumps(item))  # plain dicts: records read back from a notebook are NotebookNodes
            if not item.get("figures") and store is not None and item.get("infer_kpi", True):
                inferred = infer_figure(item, store, lang, currency)
                item = {**item, "figures": [inferred] if inferred else []}
            base = decision_id(memo, item)
            seen[base] = seen.get(base, 0) + 1
            key = base if seen[base] == 1 else f"{base}.{seen[base]}"  # two about the same thing in one memo
            out.append(Decision(key, memo, period, str(item.get("action", "")), str(item.get("owner", "")),
                                str(item.get("due", "")), lang, list(item.get("figures") or []),
                                None if item.get("amount") is None else float(item["amount"])))
    return out


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError([Problem(str(path), f"is not valid YAML: {getattr(exc, 'problem', exc)}",
                                 row=(mark.line + 1) if mark else None,
                                 fix="fix the line (e.g. quote a comment containing ':') or delete the file to start again")]) from None


def _file(name: str, lang: str | None, own: str | None) -> str:
    """``decisions.yaml`` for the company's language, ``decisions.en.yaml`` for English memos of a German company."""
    return lang_file(name, lang, own) if lang and own else name


def load(period_dir: Path, lang: str | None = None, own: str | None = None) -> list[Decision]:
    """Every memo's decisions of one period folder in memo language ``lang`` (company language ``own``;
    without them the company-language file); empty when none were recorded."""
    raw = _read_yaml(Path(period_dir) / _file(DECISIONS_FILE, lang, own)) or {}
    return [Decision(**{**d, "figures": list(d.get("figures") or [])}) for memo in sorted(raw) for d in raw[memo] or []]


def record(period_dir: Path, memo: str, period: str, records: Iterable[dict[str, Any]], lang: str,
           store: KpiStore | None = None, currency: str = "EUR", *, own: str | None = None) -> list[Decision]:
    """Store ``memo``'s recommendations in ``period_dir/decisions.yaml`` (replacing that memo's earlier ones);
    ``decisions.en.yaml`` when ``lang`` is not the company's language ``own``."""
    from ..render.export import write_atomic

    path = Path(period_dir) / _file(DECISIONS_FILE, lang, own or lang)
    raw = _read_yaml(path) or {}
    found = from_records(memo, period, records, lang, store, currency)
    raw[memo] = [d.__dict__ for d in found]
    if not raw[memo]:
        del raw[memo]
    write_atomic(path, yaml.safe_dump(raw, allow_unicode=True, sort_keys=True, width=120))
    return found


def load_status(period_dir: Path, lang: str | None = None, own: str | None = None) -> dict[str, dict[str, str]]:
    """The analyst's status per decision id; DataError names the file, id and value when a status is unknown.

    For memos in another language than the company's (``lang`` != ``own``) the company-language file's status
    counts, and ``decisions_status.en.yaml`` adds the ids only the translated memos have (worded ids)."""
    if lang and own and lang != own:
        return {**load_status(period_dir), **_load_status(Path(period_dir) / _file(STATUS_FILE, lang, own))}
    return _load_status(Path(period_dir) / STATUS_FILE)


def _load_status(path: Path) -> dict[str, dict[str, str]]:
    raw = _read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise DataError([Problem(str(path), "must map decision ids to {status, comment}", fix="see the file's header")])
    out, problems = {}, []
    for key, entry in raw.items():
        entry = entry if isinstance(entry, dict) else {"status": entry}
        status = str(entry.get("status") or "open").strip().lower()
        status = STATUS_WORDS.get(status, status)
        if status not in STATUSES:
            problems.append(Problem(str(path), f"{key}: status {status!r} is unknown", column="status", value=status,
                                    fix=f"use one of {', '.join(STATUSES)}"))
            continue
        out[str(key)] = {"status": status, "comment": str(entry.get("comment") or "").strip()}
    if problems:
        raise DataError(problems)
    return out


def ensure_status_file(period_dir: Path, lang: str | None = None, own: str | None = None) -> Path | None:
    """Create or extend ``decisions_status.yaml`` (``decisions_status.en.yaml`` for memo language ``lang`` other
    than the company's ``own``): every recorded decision without a status gets ``open``.

    What the analyst already entered stays as it is (the file is only appended to). None without decisions.
    """
    period_dir = Path(period_dir)
    decisions = load(period_dir, lang, own)
    if not decisions:
        return None
    path = period_dir / _file(STATUS_FILE, lang, own)
    known = load_status(period_dir, lang, own)
    missing = [d for d in decisions if d.id not in known]
    if not missing and path.is_file():
        return path
    if not missing and path.name != STATUS_FILE:
        return period_dir / STATUS_FILE  # a translation with no id of its own: the company file holds every status
    text = path.read_text(encoding="utf-8") if path.is_file() else _STATUS_HEAD
    if text and not text.endswith("\n"):
        text += "\n"
    for d in missing:
        text += yaml.safe_dump({d.id: {"status": "open", "comment": ""}}, allow_unicode=True, sort_keys=False,
                               width=200) + f"#   {d.action[:110]}\n"
    path.write_text(text, encoding="utf-8")
    return path


def value_text(unit: str, v: float, lang: str, currency: str) -> str:
    """A stored KPI value as a memo shows it (money compact from 10 000, rates as percent)."""
    if v is None or v != v:
        return fmt.MISSING
    if unit == "eur":
        return fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)
    if unit in ("rate", "ratio"):
        return fmt.percent(v, lang, 0)
    return fmt.number(v, lang)


@dataclass
class Outcome:
    """A previous decision with the analyst's status and the KPI's value then and now (NaN if not measurable)."""

    decision: Decision
    status: str
    comment: str
    metric: str = ""
    segment: str = ""
    before: float = math.nan
    after: float = math.nan
    unit: str = ""
    kind: str = ""  # the KPI's window kind, part of its label ("letzte 3 Monate")


def outcomes(decisions: Sequence[Decision], status: dict[str, dict[str, str]], store: KpiStore) -> list[Outcome]:
    """Each decision with its status and, where it named a KPI the current store holds in a later window, before →
    after (the first such figure it named: a quarter not yet complete again is skipped for the next one)."""
    out = []
    for d in decisions:
        st = status.get(d.id, {"status": "open", "comment": ""})
        o = Outcome(d, st["status"], st["comment"])
        for k in d.figures:
            if k.get("value") is None or k["metric"] not in store.catalogue:
                continue
            try:
                kind = parse_window(k["window"]).kind
                now = store.figure(k["metric"], kind, k.get("segment") or "")
            except (KeyError, ValueError):
                continue  # the KPI's window or segment is not in this period's store
            if now.window == k["window"]:
                # the same window still (a monthly memo's last complete quarter): no new value, try the next figure
                continue
            o.metric, o.segment, o.before, o.after, o.unit = (k["metric"], k.get("segment") or "", float(k["value"]),
                                                               now.value, now.unit)
            o.kind = kind
            break
        out.append(o)
    return out


#: abbreviations whose full stop ends no clause ("+6,8 Pp. ggü. Basis", "1,2 Mio. €")
_ABBREVIATIONS = frozenset({"pp", "ggü", "mio", "tsd", "bzw", "ca", "nr", "vs", "inkl", "zzgl", "max", "min", "approx"})


def _short(action: str, limit: int = 120) -> str:
    """The recommendation's first clause (up to a colon or full stop outside parentheses, abbreviations such as
    "Pp." or "ggü." not counted), at most ``limit`` characters (whole words)."""
    text = action.strip()
    head, depth = text, 0
    for m in re.finditer(r"[()]|(?<=[a-zäöüß0-9)“'])[:.](?=\s|$)", text):
        ch = m.group()
        if ch in "()":
            depth = max(0, depth + (1 if ch == "(" else -1))
            continue
        word = re.search(r"(\w+)$", text[: m.start()])
        if depth or (ch == "." and word is not None and word.group(1).casefold() in _ABBREVIATIONS):
            continue
        head = text[: m.start()]
        break
    head = head.strip()
    return head if len(head) <= limit else head[: limit].rsplit(" ", 1)[0].rstrip(",;–- ") + " …"


def sentence(o: Outcome, lang: str, currency: str, store: KpiStore) -> str:
    """'LinkedIn-Budget senken – erledigt (ab Oktober −20 %); Kosten je qualifizierter Anfrage (LinkedIn) 794 € → 612 €.'"""
    status = t(f"dec_status_{o.status}", lang)
    if o.comment:
        status = t("dec_status_comment", lang, status=status, comment=o.comment)
    action = _short(o.decision.action)
    if o.metric and o.before == o.before and o.after == o.after:
        # the window is part of the label (one number per KPI and window, #17)
        name = store.label(o.metric, o.kind, lang) if o.kind else store.catalogue[o.metric].name(lang)
        if o.segment:
            name = t("dec_metric_segment", lang, metric=name, segment=channel_label(o.segment.split("=")[-1], lang))
        hib = store.catalogue[o.metric].higher_is_better is not False
        # the change names what it is compared with (the decision's period), as every change in a memo must
        return t("dec_line_effect_since", lang, action=action, status=status, metric=name, then=_label_of(o.decision.period, lang),
                 before=value_text(o.unit, o.before, lang, currency), after=value_text(o.unit, o.after, lang, currency),
                 change=fmt.delta(o.after, o.before, lang, higher_is_better=hib).text)
    return t("dec_line", lang, action=action, status=status)


def restated(recs: Sequence[Any], memo: str, reports_dir: Path, period: Period, lang: str, currency: str,
             own: str | None = None) -> list[Any]:
    """The recommendations with a clause where the previous period asked the same decision (same id) for another
    amount: "Im September 2026 genannt: 1,1 Mio. €." A month's memo and the quarter's memo before it may
    state one decision on two months' data; without the clause a reader sees two amounts for one decision."""
    from dataclasses import replace as _replace

    before = {d.id: d for d in load(previous_dir(reports_dir, period), lang, own)
              if d.amount is not None and d.amount == d.amount}
    out = []
    for r in recs:
        d = before.get(decision_id(memo, {"key": r.key, "action": r.action})) if r.key else None
        if d is not None and r.amount == r.amount:
            was, now = (value_text("eur", v, lang, currency) for v in (d.amount, r.amount))
            if was != now:  # as printed: a change below the display's rounding is no new amount
                r = _replace(r, action=f"{r.action} {t('dec_restated', lang, before=was, then=_label_of(d.period, lang))}")
        out.append(r)
    return out


def previous_dir(reports_dir: Path, period: Period) -> Path:
    """The folder of the period before ``period`` (the month or quarter before)."""
    return Path(reports_dir) / str(period.previous())


def review(reports_dir: Path, period: Period, memo: str, store: KpiStore, lang: str, currency: str,
           own: str | None = None) -> list[Block]:
    """The block that opens a memo's recommendations: what became of the previous period's ones (none: []),
    as the previous period's memo in the same language (company language ``own``) recorded them."""
    prev = previous_dir(reports_dir, period)
    mine = [d for d in load(prev, lang, own) if d.memo == memo]
    if not mine:
        return []
    found = outcomes(mine, load_status(prev, lang, own), store)
    intro = t("dec_review_intro", lang, period=_period_label(period.previous(), lang))
    return [Paragraph(intro), Bullets([sentence(o, lang, currency, store) for o in found])]


def _label_of(period: str, lang: str) -> str:
    """A stored period id ("2026-09", "2026-Q2") in words ("September 2026", "Q2 2026")."""
    import pandas as pd

    if "Q" in period:
        return fmt.quarter(pd.Period(period, freq="Q").start_time, lang)
    return fmt.month(pd.Period(period, freq="M").start_time, lang)


def _period_label(p: Period, lang: str) -> str:
    return fmt.month(p.start, lang) if p.kind == "month" else fmt.quarter(p.start, lang)
