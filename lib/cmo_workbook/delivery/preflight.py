"""Checks before any kernel starts that need more than the params schema.

The schema (:mod:`cmo_workbook.inputs.params_schema`) checks every key's type and range;
here the values are checked against the rest of the project: goal metrics against the KPIs
the workbook computes, notebook keys and their parameters against the notebooks, and the
reports folder and sent-ledger against the disk. Each check raises an error naming the file,
the key and the fix; :data:`CHECKS` is the list the runner calls, in order, for every run
(add a check there, e.g. a plausibility gate on the data).
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import NotebookParameterError, ParamsError, SettingsError
from ..inputs.params import Params
from ..metrics.monthly import METRICS

_PY_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f'did you mean "{close[0]}"?' if close else f"known: {', '.join(known)}"


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Name -> type name of the notebook's ``parameters`` cell (``period: str = "2026-10"``), as papermill infers them.

    Read with ``ast``, not papermill, so that ``validate`` imports nothing that talks to kernels.
    """
    import ast

    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    found: dict[str, str] = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            ann = node.annotation
            found[node.target.id] = ann.id if isinstance(ann, ast.Name) else ast.unparse(ann)
        elif isinstance(node, ast.Assign):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = type(value).__name__ if value is not None else "None"
    return found


def parameter_problems(notebook: Path, requested: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, message) for unknown names and wrong types among ``requested`` against the notebook's ``parameters`` cell."""
    declared = declared_parameters(notebook)
    problems = []
    for name, value in requested.items():
        if name not in declared:
            problems.append((name, f'{notebook.name}: unknown parameter "{name}"; {_hint(name, list(declared))}'))
            continue
        tname = declared[name]
        expected = _PY_TYPES.get(tname)
        if expected and (not isinstance(value, expected) or (isinstance(value, bool) and tname != "bool")):
            problems.append((name, f'{notebook.name}: parameter "{name}" must be {tname} '
                                   f'(got {value!r}, a {type(value).__name__})'))
    return problems


def check_parameters(notebook: Path, requested: Mapping[str, Any]) -> None:
    """Reject unknown names and wrong types before a kernel starts (papermill only warns)."""
    problems = parameter_problems(notebook, requested)
    if problems:
        raise NotebookParameterError("\n".join(text for _, text in problems))


def check_project(params: Params, notebooks: Mapping[str, Path]) -> None:
    """Goal metrics, ``notebooks:`` and ``memo.by_notebook`` against what the project has; all problems at once."""
    fname = params.path.name
    problems: list[str] = []
    for i, goal in enumerate(params.goals):
        if goal["metric"] not in METRICS:
            problems.append(f'{fname}: "goals[{i}].metric" {goal["metric"]!r} is not a KPI the workbook computes; '
                            f"{_hint(goal['metric'], list(METRICS))}")
    problems += wording_problems(params)
    known = sorted(notebooks)
    for key in ("notebooks", "memo.by_notebook"):
        section = params.raw if key == "notebooks" else params.memo
        for name, overrides in (section.get(key.split(".")[-1]) or {}).items():
            if name not in notebooks:
                problems.append(f'{fname}: "{key}.{name}" is not a notebook; {_hint(str(name), known)}')
            elif key == "notebooks":
                problems += [f'{fname}: "notebooks.{name}.{key}": {text}'
                             for key, text in parameter_problems(notebooks[name], overrides or {})]
    if problems:
        head = [f"{fname}: {len(problems)} problem(s) in the params file:"] if len(problems) > 1 else []
        raise ParamsError("\n".join(head + [f"  - {p}" if head else p for p in problems]))


def wording_problems(params: Params) -> list[str]:
    """The memo language has a catalogue and the company's own wording (``messages``) fits the catalogue."""
    from ..render import i18n

    fname, out = params.path.name, []
    try:
        i18n.check_lang(params.language)
    except ValueError as exc:
        out.append(f'{fname}: "company.language": {exc}')
    if params.raw.get("messages"):
        try:
            i18n.check_overrides(params.raw["messages"])
        except ValueError as exc:
            out.append(f"{fname}: {exc}")
    return out


def check_reports_dir(reports_dir: Path) -> None:
    """The reports folder must be a folder we can write to (checked by writing, which also catches read-only mounts)."""
    if reports_dir.exists() and not reports_dir.is_dir():
        raise SettingsError(f"reports folder {reports_dir} is a file, not a folder; pass --reports with a folder "
                            "(it is created if missing)")
    probe = reports_dir / f".write-test-{os.getpid()}"
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
    except OSError as exc:
        raise SettingsError(f"reports folder {reports_dir} is not writable ({exc.strerror or exc}); "
                            "make it writable for this user (chown/chmod, or remount read-write) "
                            "or pass --reports with another folder") from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass


def check_ledger(period_dir: Path) -> None:
    """A sent-ledger that cannot be read would let memos go out twice: refuse before the kernel starts."""
    from .mail import SentLedger

    SentLedger(period_dir).load()


Check = Callable[..., None]
#: project-level checks the runner calls once per run, before any kernel: f(params, notebooks)
CHECKS: list[Check] = [check_project]
