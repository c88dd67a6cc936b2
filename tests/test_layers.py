"""The package's folders follow the data's way, and imports only run downwards along it.

inputs -> metrics -> analyses (attribution, voc, competitors) -> memos -> delivery, with render
(formatting, blocks, charts, export) as the toolbox beside the memos that every layer may use and that
itself uses only the base modules (errors, periods). cli and the sample generator sit on top.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "lib" / "cmo_workbook"

LAYER_OF_TOP = {
    "errors": "base", "periods": "base",
    "render": "render",
    "inputs": "inputs",
    "metrics": "metrics",
    "attribution": "analyses", "voc": "analyses", "competitors": "analyses",
    "memos": "memos",
    "delivery": "delivery",
    "cli": "top", "__main__": "top", "sample": "top", "__init__": "top",
    "integrations": "top",  # adapters to other schedulers (Airflow): optional extras, imported by nothing
}
ORDER = ["base", "render", "inputs", "metrics", "analyses", "memos", "delivery", "top"]


def layer(dotted: str) -> str:
    """Layer of a module given as 'cmo_workbook.x.y'."""
    parts = dotted.split(".")
    return LAYER_OF_TOP[parts[1]] if len(parts) > 1 else "top"


def may_import(importer: str, imported: str) -> bool:
    if importer == imported:
        return True
    if imported == "render":  # the toolbox: everyone may format and draw
        return importer != "base"
    if importer == "render":
        return imported == "base"
    return ORDER.index(imported) <= ORDER.index(importer)


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1] + (["__init__"] if len(parts) == 2 else [])
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every cmo_workbook module a file imports (relative imports resolved), with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py" or package[-1] == "__init__":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "cmo_workbook":
                continue
            if target == "cmo_workbook" or not node.module:
                found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "cmo_workbook"]
    return found


MODULES = sorted(p for p in PKG.rglob("*.py"))


def test_every_module_has_a_layer():
    tops = {p.relative_to(PKG).parts[0].removesuffix(".py") for p in MODULES}
    assert tops <= set(LAYER_OF_TOP), f"modules without a layer: {sorted(tops - set(LAYER_OF_TOP))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_run_downwards(path):
    importer = layer(module_name(path))
    wrong = [f"line {n}: {target} ({layer(target)})" for n, target in imports_of(path)
             if not may_import(importer, layer(target))]
    assert not wrong, f"{path.relative_to(PKG)} ({importer}) imports upwards: {wrong}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_only_delivery_sends(path):
    name = module_name(path)
    if layer(name) in ("delivery", "top"):
        return
    sends = [t for _, t in imports_of(path) if t.startswith(("cmo_workbook.delivery",))]
    assert not sends, f"{name} imports {sends}: only delivery/ and the CLI may run notebooks or send mail"


def test_the_layer_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "probe.py"
    bad.write_text("from cmo_workbook.memos import kpi_dashboard\n", encoding="utf-8")
    targets = [t for _, t in imports_of_text(bad.read_text())]
    assert not may_import("metrics", layer(targets[0]))
    assert not may_import("render", "inputs") and may_import("memos", "render")


def imports_of_text(text: str) -> list[tuple[int, str]]:
    tree = ast.parse(text)
    return [(n.lineno, n.module) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
