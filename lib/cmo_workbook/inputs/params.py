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

import yaml

from ..errors import ParamsError
from . import params_schema

# The schema of every key lives in params_schema (one line per key); this module adds the
# checks across keys and against the file system.
DATA_TABLES = params_schema.DATA_TABLES


class _Loader(yaml.SafeLoader):
    """Safe YAML, except that a date-like value that is no real day (2026-02-31) stays text for the schema to name."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _drop_nulls(node: Any) -> Any:
    """``key:`` without a value means "not set", as if the line were absent."""
    if isinstance(node, dict):
        return {k: _drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_nulls(v) for v in node]
    return node


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
    def holding_cost_rate(self) -> float:
        """Yearly cost of holding stock as a share of its value (``company.holding_cost_rate``, schema default)."""
        from .params_schema import default

        return float(self.company.get("holding_cost_rate", default("company", "holding_cost_rate")))

    @property
    def safety_stock_weeks(self) -> float:
        """Weeks of demand a safety stock holds (``company.safety_stock_weeks``, schema default)."""
        from .params_schema import default

        return float(self.company.get("safety_stock_weeks", default("company", "safety_stock_weeks")))

    @property
    def engine_memory_limit(self) -> str:
        """Memory the embedded DuckDB engine may use before it spills (``data.engine_memory_limit``, schema default)."""
        from .params_schema import default

        return str(self.raw["data"].get("engine_memory_limit", default("data", "engine_memory_limit"))).strip()

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
        from .channels import MARKETING_CHANNELS_DEFAULT  # one default, also documented in docs/presets.md

        return list(self.raw.get("channels", {}).get("marketing", MARKETING_CHANNELS_DEFAULT))

    def files(self, table: str) -> list[dict[str, Any]]:
        """The file entries configured for ``table`` (may be empty)."""
        return list(self.raw["data"].get(table) or [])

    def file_path(self, entry: dict[str, Any]) -> Path:
        """The file (or DuckDB database) of a table entry; SQL entries have none (see :mod:`.sources`)."""
        return (self.data_dir / entry["file" if "file" in entry else "duckdb"]).resolve()

    def notebook_params(self, notebook: str) -> dict[str, Any]:
        return dict((self.raw.get("notebooks") or {}).get(notebook) or {})

    def relpath(self) -> str:
        """The params path as the user would type it (relative to cwd when possible)."""
        try:
            return str(self.path.relative_to(Path.cwd()))
        except ValueError:
            return str(self.path)


#: a folder where one run's runner and its kernels share what they parsed and checked (set by the runner for the
#: run, see :func:`cmo_workbook.delivery.runner.share_parsed_inputs`; unset in JupyterLab, where every load checks)
CACHE_ENV = "CMO_INPUT_CACHE"


def _checked_copy(path: Path, check_files: bool, folder: str | Path | None = None) -> Path | None:
    """Where the run's cache keeps this exact params file (path, bytes, mtime) once it passed the checks."""
    import hashlib
    import os

    folder = folder or os.environ.get(CACHE_ENV)
    if not folder:
        return None
    try:
        data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    except OSError:
        return None
    key = hashlib.sha256(f"{path}\0{mtime}\0{check_files}\0".encode() + data).hexdigest()[:24]
    return Path(folder) / f"params-{key}.pickle"


def load_params(path: str | Path, *, check_files: bool = True) -> Params:
    """Read and validate a params YAML file; raise :class:`ParamsError` listing every problem.

    Within a run the runner checks the file once and its kernels take the checked settings from the run's
    cache (:data:`CACHE_ENV`): the same file, unchanged, passes the same checks."""
    import pickle

    path = Path(path).expanduser().resolve()
    cached = _checked_copy(path, check_files) if path.is_file() else None
    if cached is not None and cached.is_file():
        try:
            with open(cached, "rb") as fh:
                return Params(path=path, raw=pickle.load(fh))
        except Exception:  # a cache file cut short: check again
            pass
    params = _load_params(path, check_files)
    if cached is not None:
        keep_checked(params, cached.parent, check_files)
    return params


def keep_checked(params: Params, folder: str | Path, check_files: bool = True) -> None:
    """Put params that passed :func:`load_params` into the run's cache ``folder`` for the run's kernels."""
    import os
    import pickle

    cached = _checked_copy(params.path, check_files, folder)
    if cached is None:
        return
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(params.raw, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    except OSError:  # no room for the cache: the kernels check again
        tmp.unlink(missing_ok=True)


def _load_params(path: Path, check_files: bool) -> Params:
    if not path.exists():
        raise ParamsError(f"params file {path} does not exist; pass a YAML file such as params/example.yaml "
                          "(cmo-workbook: --params FILE; plain papermill: -p params_file FILE, or --cwd notebooks "
                          "for the default ../params/example.yaml)")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamsError(f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', exc)}); check indentation and quotes") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{path.name}: not UTF-8 text; save the params file as UTF-8") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path.name}: expected a mapping of settings at the top level (got {type(raw).__name__})")
    raw = _drop_nulls(raw)
    problems = params_schema.check(raw, path.name)
    if not problems:
        _check_semantics(raw, path, problems, check_files=check_files)
    if problems:
        head = f"{path.name}: {len(problems)} problem(s) in the params file:" if len(problems) > 1 else ""
        msg = "\n".join([head] + [f"  - {p}" for p in problems]) if head else problems[0]
        raise ParamsError(msg)
    return Params(path=path, raw=raw)


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
    import holidays as public_holidays  # here: its country modules cost a third of a CPU second to load

    known = [s for s in public_holidays.DE.subdivisions if len(s) == 2]
    if code not in known:
        raise ValueError(f"company.state {state!r} is not a German Bundesland code; use one of {', '.join(known)} "
                         "(e.g. BY for Bayern, NW for Nordrhein-Westfalen)")
    return code


def _check_semantics(raw: dict, path: Path, problems: list[str], *, check_files: bool) -> None:
    fname = path.name
    company = raw["company"]
    if company.get("state") is not None:  # the schema says text; the holidays package says which codes exist
        try:
            check_state(company["state"])
        except ValueError as exc:
            problems.append(f"{fname}: {exc}")
    memo = raw["memo"]
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
        if start is not None and deadline is not None and deadline <= start:
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
    from .sources import entry_problems  # the source kinds' own rules (no database is contacted here)

    for table in DATA_TABLES:
        for i, entry in enumerate(data.get(table) or []):
            problems.extend(entry_problems(entry, f"data.{table}[{i}]", fname))
    if check_files:
        for key, want in (("voc.taxonomy", "file"), ("diary.dir", "folder")):
            section, name = key.split(".")
            value = (raw.get(section) or {}).get(name)
            target = (path.parent / str(value)).resolve() if value else None
            if target is not None and not (target.is_file() if want == "file" else target.is_dir()):
                problems.append(f'{fname}: "{key}" {value!r} is not a {want} (resolved to {target}); '
                                f"paths are relative to the params file; fix the path or remove the key")
        if not data_dir.is_dir():
            problems.append(f'{fname}: "data.dir" {data.get("dir")!r} is not a folder (resolved to {data_dir}); '
                            f"for the sample company run `cmo-workbook sample-data` first")
            return
        for table in DATA_TABLES:
            for i, entry in enumerate(data.get(table) or []):
                source = "file" if "file" in entry else "duckdb" if "duckdb" in entry else None
                if source is None:  # a SQL query: its server is contacted when the data is loaded
                    continue
                p = (data_dir / entry[source]).resolve()
                if not p.exists():
                    close = difflib.get_close_matches(p.name, [q.name for q in p.parent.glob("*")], n=1) if p.parent.is_dir() else []
                    hint = f'; did you mean "{close[0]}"?' if close else ""
                    problems.append(f'{fname}: "data.{table}[{i}].{source}" {entry[source]!r} does not exist (looked in {p.parent}){hint}')
