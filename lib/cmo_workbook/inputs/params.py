"""Company params: one YAML file per company, validated before anything runs.

The file names the company, its data files (with the export preset of each), channel
rules, the CRM stage map, goals, targets and memo recipients. Paths in the file are
relative to the file itself. Secrets (SMTP password) never live here: see
:mod:`cmo_workbook.delivery.mail`.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import holidays as public_holidays
import yaml

from ..errors import ParamsError

DATA_TABLES = (
    "leads", "deals", "touchpoints", "spend", "feedback",
    "competitor_observations", "competitor_prices", "competitor_messaging", "web_traffic",
)

# Spec of the accepted keys: key -> (type, required, children). ``list`` of dicts uses
# the children spec for each item. Keep this the one place that defines the format.
_FILE_SPEC: dict[str, tuple] = {
    "file": (str, True, None),
    "preset": (str, True, None),
    "sheet": (str, False, None),
    "encoding": (str, False, None),
    "delimiter": (str, False, None),
    "header_row": (int, False, None),
    "date_format": ((str, list), False, None),
    "number_format": (str, False, None),
    "columns": (dict, False, None),
    "constants": (dict, False, None),
    "values": (dict, False, None),
}
_GOAL_SPEC: dict[str, tuple] = {
    "id": (str, True, None),
    "title": (str, True, None),
    "title_en": (str, False, None),
    "metric": (str, True, None),
    "baseline": ((int, float), True, None),
    "target": ((int, float), True, None),
    "start": ((str, date), True, None),
    "deadline": ((str, date), True, None),
    "owner": (str, False, None),
    "aggregation": (str, False, None),
}
_SPEC: dict[str, tuple] = {
    "version": (int, False, None),
    "company": (dict, True, {
        "name": (str, True, None),
        "language": (str, True, None),
        "currency": (str, True, None),
        "gross_margin": ((int, float), True, None),
        "fiscal_year_start": (int, False, None),
        "vat_rate": ((int, float), False, None),
        "state": (str, False, None),
    }),
    "data": (dict, True, {"dir": (str, False, None), "allow_stale": (bool, False, None),
                          **{t: (list, False, _FILE_SPEC) for t in DATA_TABLES}}),
    "channels": (dict, False, {
        "marketing": (list, False, None),
        "rules": (list, False, None),
        "use_default_rules": (bool, False, None),
    }),
    "stage_map": (dict, True, {"open": (list, True, None), "won": (list, True, None), "lost": (list, True, None)}),
    # lead status / lifecycle values -> canonical lead stage (inputs.semantics); each key optional
    "lead_stage_map": (dict, False, {s: (list, False, None) for s in
                                     ("lead", "qualified", "sales_accepted", "opportunity", "customer", "disqualified")}),
    "deal_links": (dict, False, {"fallback": (bool, False, None)}),
    "goals": (list, False, _GOAL_SPEC),
    "targets": (dict, False, None),
    "memo": (dict, True, {
        "recipients": (list, True, None),
        "cc": (list, False, None),
        "sender": (str, True, None),
        "analyst": (str, True, None),
        "subject_prefix": (str, False, None),
        "allow_customer_names": (bool, False, None),
        "attach_workbook": (bool, False, None),
        "slide_template": (str, False, None),
    }),
    "notebooks": (dict, False, None),
    "voc": (dict, False, None),
    "competitors": (dict, False, None),
    "stakeholders": (list, False, None),
    "sla": (dict, False, None),
    "diary": (dict, False, None),
    "kpis": (dict, False, {"params": (dict, False, None), "custom": (list, False, None), "signed_off": (dict, False, None)}),
    "history": (dict, False, {"dir": (str, False, None)}),
}

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true/false",
               dict: "a mapping (key: value lines)", list: "a list (lines starting with '- ')", date: "a date"}


def _type_name(t: type | tuple) -> str:
    ts = t if isinstance(t, tuple) else (t,)
    return " or ".join(_TYPE_NAMES.get(x, x.__name__) for x in ts)


@dataclass
class Params:
    """Validated params of one company. ``raw`` keeps the YAML as loaded."""

    path: Path
    raw: dict[str, Any]
    data_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir = (self.path.parent / self.raw["data"].get("dir", ".")).resolve()

    # Convenience accessors: one home for defaults.
    @property
    def company(self) -> dict[str, Any]:
        return self.raw["company"]

    @property
    def name(self) -> str:
        return self.company["name"]

    @property
    def language(self) -> str:
        return self.company["language"]

    @property
    def currency(self) -> str:
        return self.company["currency"]

    @property
    def gross_margin(self) -> float:
        return float(self.company["gross_margin"])

    @property
    def stage_map(self) -> dict[str, list[str]]:
        return self.raw["stage_map"]

    @property
    def goals(self) -> list[dict[str, Any]]:
        return self.raw.get("goals", [])

    @property
    def targets(self) -> dict[str, Any]:
        return self.raw.get("targets", {})

    @property
    def memo(self) -> dict[str, Any]:
        return self.raw["memo"]

    @property
    def marketing_channels(self) -> list[str]:
        default = ["trade_fairs", "organic_search", "paid_search", "linkedin", "email", "webinars",
                   "partners", "direct", "referral", "paid_social", "display", "other"]
        return list(self.raw.get("channels", {}).get("marketing", default))

    def files(self, table: str) -> list[dict[str, Any]]:
        """The file entries configured for ``table`` (may be empty)."""
        return list(self.raw["data"].get(table) or [])

    def file_path(self, entry: dict[str, Any]) -> Path:
        return (self.data_dir / entry["file"]).resolve()

    def notebook_params(self, notebook: str) -> dict[str, Any]:
        return dict((self.raw.get("notebooks") or {}).get(notebook) or {})

    def relpath(self) -> str:
        """The params path as the user would type it (relative to cwd when possible)."""
        try:
            return str(self.path.relative_to(Path.cwd()))
        except ValueError:
            return str(self.path)


def load_params(path: str | Path, *, check_files: bool = True) -> Params:
    """Read and validate a params YAML file; raise :class:`ParamsError` listing every problem."""
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise ParamsError(f"params file {path} does not exist; pass --params with a YAML file such as params/example.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamsError(f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', exc)}); check indentation and quotes") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{path.name}: not UTF-8 text; save the params file as UTF-8") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path.name}: expected a mapping of settings at the top level (got {type(raw).__name__})")
    problems: list[str] = []
    _check(raw, _SPEC, path.name, "", problems)
    if not problems:
        _check_semantics(raw, path, problems, check_files=check_files)
    if problems:
        head = f"{path.name}: {len(problems)} problem(s) in the params file:" if len(problems) > 1 else ""
        msg = "\n".join([head] + [f"  - {p}" for p in problems]) if head else problems[0]
        raise ParamsError(msg)
    return Params(path=path, raw=raw)


def _check(node: Any, spec: dict[str, tuple], fname: str, where: str, problems: list[str]) -> None:
    for key in node:
        if key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else f"; known keys: {', '.join(spec)}"
            problems.append(f'{fname}: unknown key "{where}{key}"{hint}')
    for key, (typ, required, children) in spec.items():
        if key not in node or node[key] is None:
            if required:
                problems.append(f'{fname}: missing required key "{where}{key}" ({_type_name(typ)})')
            continue
        value = node[key]
        if (isinstance(value, bool) and typ is not bool) or not isinstance(value, typ):
            problems.append(f'{fname}: "{where}{key}" must be {_type_name(typ)} (got {value!r})')
            continue
        if children and isinstance(value, dict):
            _check(value, children, fname, f"{where}{key}.", problems)
        elif children and isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    problems.append(f'{fname}: "{where}{key}[{i}]" must be a mapping (got {item!r})')
                else:
                    _check(item, children, fname, f"{where}{key}[{i}].", problems)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


_VAGUE = re.compile(r"\b(vorantreiben|stärken|verbessern|optimieren|drive|improve|boost|strengthen|enhance)\b", re.I)


def check_state(state: str) -> str:
    """The Bundesland code as the ``holidays`` package knows it, or a ValueError naming the choices."""
    code = str(state).strip().upper()
    known = [s for s in public_holidays.DE.subdivisions if len(s) == 2]
    if code not in known:
        raise ValueError(f"company.state {state!r} is not a German Bundesland code; use one of {', '.join(known)} "
                         "(e.g. BY for Bayern, NW for Nordrhein-Westfalen)")
    return code


def _check_semantics(raw: dict, path: Path, problems: list[str], *, check_files: bool) -> None:
    fname = path.name
    company = raw["company"]
    if company["language"] not in ("de", "en"):
        problems.append(f'{fname}: "company.language" must be "de" or "en" (got {company["language"]!r})')
    if not re.fullmatch(r"[A-Z]{3}", str(company["currency"])):
        problems.append(f'{fname}: "company.currency" must be an ISO code like EUR (got {company["currency"]!r})')
    gm = company["gross_margin"]
    if not 0 < gm < 1:
        problems.append(f'{fname}: "company.gross_margin" must be a fraction between 0 and 1, e.g. 0.38 for 38 % (got {gm!r})')
    fy = company.get("fiscal_year_start", 1)
    if not 1 <= fy <= 12:
        problems.append(f'{fname}: "company.fiscal_year_start" must be a month number 1-12 (got {fy!r})')
    if company.get("state") is not None:
        try:
            check_state(company["state"])
        except ValueError as exc:
            problems.append(f"{fname}: {exc}")
    memo = raw["memo"]
    for key in ("recipients", "cc"):
        for addr in memo.get(key) or []:
            if not isinstance(addr, str) or not _EMAIL.match(addr):
                problems.append(f'{fname}: "memo.{key}" entry {addr!r} is not an e-mail address (expected name@example.com)')
    for key in ("sender", "analyst"):
        if not _EMAIL.match(str(memo[key])):
            problems.append(f'{fname}: "memo.{key}" {memo[key]!r} is not an e-mail address (expected name@example.com)')
    if not memo["recipients"]:
        problems.append(f'{fname}: "memo.recipients" is empty; list at least the CEO\'s address')
    if memo.get("slide_template"):  # the impulse deck's company template (PowerPoint)
        tpl = Path(memo["slide_template"])
        tpl = tpl if tpl.is_absolute() else path.parent / tpl
        if tpl.suffix.lower() not in (".pptx", ".potx"):
            problems.append(f'{fname}: "memo.slide_template" {memo["slide_template"]!r} must be a PowerPoint file '
                            "(.potx or .pptx); save the company template in one of these formats")
        elif check_files and not tpl.is_file():
            problems.append(f'{fname}: "memo.slide_template" {memo["slide_template"]!r} not found (looked at {tpl}); '
                            "give the path relative to the params file, or remove the key for the default layout")
    stages: dict[str, str] = {}
    for status in ("open", "won", "lost"):
        for s in raw["stage_map"][status]:
            key = str(s).casefold()
            if key in stages and stages[key] != status:
                problems.append(f'{fname}: stage {s!r} is listed under both "stage_map.{stages[key]}" and "stage_map.{status}"; keep it in one')
            stages[key] = status
    seen_ids: set[str] = set()
    for i, g in enumerate(raw.get("goals") or []):
        where = f'"goals[{i}]" ({g.get("id")})'
        if g["id"] in seen_ids:
            problems.append(f"{fname}: {where}: duplicate goal id; give each goal its own id")
        seen_ids.add(g["id"])
        start, deadline = _as_date(g["start"]), _as_date(g["deadline"])
        if start is None or deadline is None:
            problems.append(f"{fname}: {where}: start and deadline must be dates like 2026-10-31 (got {g['start']!r}, {g['deadline']!r})")
        elif deadline <= start:
            problems.append(f"{fname}: {where}: deadline {deadline} is not after start {start}")
        if g["target"] == g["baseline"]:
            problems.append(f"{fname}: {where}: target equals baseline ({g['target']}); a goal needs a change to measure")
        if _VAGUE.search(g["title"]) and not re.search(r"\d", g["title"]):
            problems.append(
                f"{fname}: {where}: title {g['title']!r} is vague; state the measurable result with a number and a date, "
                f"e.g. \"Anzahl qualifizierter Website-Anfragen bis Oktober verdoppeln\""
            )
    data = raw["data"]
    data_dir = (path.parent / data.get("dir", ".")).resolve()
    if check_files:
        if not data_dir.is_dir():
            problems.append(f'{fname}: "data.dir" {data.get("dir")!r} is not a folder (resolved to {data_dir}); '
                            f"for the sample company run `cmo-workbook sample-data` first")
            return
        for table in DATA_TABLES:
            for i, entry in enumerate(data.get(table) or []):
                p = (data_dir / entry["file"]).resolve()
                if not p.exists():
                    close = difflib.get_close_matches(p.name, [q.name for q in p.parent.glob("*")], n=1) if p.parent.is_dir() else []
                    hint = f'; did you mean "{close[0]}"?' if close else ""
                    problems.append(f'{fname}: "data.{table}[{i}].file" {entry["file"]!r} does not exist (looked in {p.parent}){hint}')
