"""Exceptions of cmo-workbook.

The tree mirrors the runner's exit codes::

    CmoWorkbookError
    ├── InputError                exit 2: bad params or data, nothing was executed
    │   ├── ParamsError           the params YAML (unknown key, wrong type, missing file)
    │   ├── DataError             one or more problems in input files (see Problem)
    │   │   └── StaleDataError    an input has no rows for the requested period
    │   ├── NotebookParameterError  a requested notebook parameter is unknown or of the wrong type
    │   └── SettingsError         environment settings (CMO_SMTP_*) missing or invalid
    ├── ExecutionError            exit 1: the notebook failed (cell error, timeout, dead kernel)
    ├── DeliveryError             exit 1: the memo could not be sent (SMTP)
    └── RunLockedError            exit 1: another run of the same period holds the lock

Messages name the thing, the bad value, what was expected and how to fix it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CmoWorkbookError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = 1


class InputError(CmoWorkbookError):
    """Bad params or data: the run stops before any kernel starts."""

    exit_code = 2


class ParamsError(InputError):
    """A problem in a params YAML file."""


class NotebookParameterError(InputError):
    """A parameter requested for a notebook is unknown or has the wrong type."""


class SettingsError(InputError):
    """Environment settings (CMO_SMTP_*) are missing or invalid."""


@dataclass(frozen=True)
class Problem:
    """One problem in one input file, precise enough to fix without reading code.

    ``row`` is the row number a spreadsheet program shows (1-based, title and header
    lines counted), ``column`` the header as written in the file.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    fix: str = ""

    def __str__(self) -> str:
        parts = [Path(self.file).name if self.file else "<input>"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        where = ", ".join(parts)
        text = f"{where}: "
        if self.value is not None:
            text += f"{_show(self.value)} {self.message}"
        else:
            text += self.message
        if self.fix:
            text += f"; {self.fix}"
        return text


def _show(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return repr(value)


class DataError(InputError):
    """One or more problems in input files, all reported at once."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in the input data:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class StaleDataError(DataError):
    """An input file has no rows for the requested period."""


class ExecutionError(CmoWorkbookError):
    """A notebook failed while executing (cell error, timeout or dead kernel)."""

    def __init__(self, message: str, *, notebook: Path | None = None, cell: int | None = None, fatal: bool = False):
        self.notebook = notebook
        self.cell = cell
        self.fatal = fatal  # stopped by a signal: the rest of the run stops too
        super().__init__(message)


class DeliveryError(CmoWorkbookError):
    """The memo could not be delivered by SMTP."""


class PartlyDeliveredError(DeliveryError):
    """The SMTP server took the memo for some recipients and refused others (recorded in the sent-ledger)."""


class RunLockedError(CmoWorkbookError):
    """Another run of the same period is in progress."""
