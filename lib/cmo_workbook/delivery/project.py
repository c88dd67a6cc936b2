"""The project's layout: where notebooks/ is, and which notebooks run at which cadence.

Kept apart from the runner so that ``validate`` can check params against the notebooks
without importing anything that talks to kernels.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..errors import SettingsError

CADENCE_KIND = {"monthly": "month", "quarterly": "quarter"}


def project_dir() -> Path:
    """The folder holding notebooks/: $CMO_PROJECT_DIR, the cwd, or the checkout this package lives in."""
    env = os.environ.get("CMO_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    if (Path.cwd() / "notebooks").is_dir():
        return Path.cwd().resolve()
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "notebooks").is_dir():
        return checkout
    raise SettingsError(
        f"no notebooks/ folder in {Path.cwd()} nor next to the installed package ({checkout}); cmo-workbook runs "
        "from a checkout of the project: cd into it (or set CMO_PROJECT_DIR=/path/to/checkout), and install it there "
        "with `make setup` (an editable install); a plain `pip install .` ships the library without the notebooks")


@dataclass(frozen=True)
class NotebookInfo:
    name: str
    path: Path
    cadence: str
    inputs: tuple[str, ...]
    title: str
    output: str = "memo"  # "deck": the notebook displays slides (impulse_deck), delivered by delivery.deck

    @property
    def kind(self) -> str:
        return CADENCE_KIND[self.cadence]


def discover(notebooks_dir: Path) -> dict[str, NotebookInfo]:
    """Notebooks that declare ``metadata.cmo.cadence`` (monthly/quarterly)."""
    found = {}
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        meta = nbformat.read(str(path), as_version=4).metadata.get("cmo", {})
        if meta.get("cadence") in CADENCE_KIND:
            found[path.stem] = NotebookInfo(path.stem, path, meta["cadence"], tuple(meta.get("inputs", [])),
                                            meta.get("title", path.stem), meta.get("output", "memo"))
    return found


