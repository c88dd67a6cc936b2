"""Params files for generated sample companies: the bundled ``params/example.yaml`` pointed at other data.

``write_params(path, data_dir, name=..., language=...)`` keeps every section of the example (goals,
targets, competitors, stakeholders) and changes only what makes it another company: its name, memo
language, data folder, diary folder, taxonomy path (all relative to the new file) and e-mail domain.
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from .common import COMPANY, slug

EXAMPLE = Path(__file__).resolve().parents[3] / "params" / "example.yaml"


def _rel(target: Path, base: Path) -> str:
    return os.path.relpath(target.resolve(), base.resolve())


def params_for(path: Path, data_dir: Path, *, name: str = COMPANY["name"], language: str = "de",
               example: Path = EXAMPLE) -> dict:
    """The example params as a dict, made into the company ``name`` whose exports are in ``data_dir``."""
    raw = yaml.safe_load(example.read_text(encoding="utf-8"))
    base = Path(path).parent
    raw["company"]["name"] = name
    raw["company"]["language"] = language
    raw["data"]["dir"] = _rel(Path(data_dir), base)
    raw["diary"]["dir"] = _rel(Path(data_dir) / "diary", base)
    raw["voc"]["taxonomy"] = _rel(example.parent / raw["voc"]["taxonomy"], base)
    domain = f"{slug(name.replace('&', 'und'))}.example"
    text = yaml.safe_dump(raw["memo"], allow_unicode=True, sort_keys=False).replace(COMPANY["domain"], domain)
    raw["memo"] = yaml.safe_load(text)
    return raw


def write_params(path: Path, data_dir: Path, *, name: str = COMPANY["name"], language: str = "de") -> Path:
    """Write the params file of a generated company (see :func:`params_for`); return its path."""
    if language not in ("de", "en"):
        raise ValueError(f"language must be de or en (got {language!r})")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = params_for(path, data_dir, name=name, language=language)
    head = (f"# Params of a generated sample company ({name}); written by cmo-workbook sample-data --params-out.\n"
            "# Paths are relative to this file.\n")
    path.write_text(head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return path
