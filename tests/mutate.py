"""`make mutate`: mutation testing (mutmut) of the modules that compute memo figures, one module at a time.

Each module in ``[tool.cmo_workbook.mutate]`` of pyproject.toml is mutated with only the fast
tests listed for it, so a run fits a laptop with two cores. mutmut only strips a ``src``
prefix from module names, so each module gets a scratch folder (``.mutmut/NAME``) in which
``src`` links to ``lib``; the shared mutmut settings come from ``[tool.mutmut]``. Prints the
score per module (killed ÷ mutants tested; one no test runs counts as survived), the surviving mutants and the run time;
exits 1 when a module is below ``min_score``.

Usage: ``python tests/mutate.py [MODULE ...]`` (default: every module). ``--again`` keeps the
previous run's results and re-tests only its survivors (after adding tests; a changed test list
in pyproject makes mutmut start over, so the driver keeps the earlier kills and reports the whole sample).
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import math
import random
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutmut"
KILLED = {1, 3}
NOT_RUN = {None, 2, 34}  # not checked, interrupted, skipped; a mutant no test covers counts as survived


def _toml_value(v: object) -> str:
    # JSON strings, numbers, booleans and lists of those are valid TOML
    return json.dumps(v)


def _write_config(folder: Path, module: dict, shared: dict, pytest_opts: dict) -> None:
    cfg = {**shared, "source_paths": ["src"], "only_mutate": [f"src/{module['file']}"],
           "pytest_add_cli_args_test_selection": list(module["tests"])}
    lines = ["[tool.mutmut]"] + [f"{k} = {_toml_value(v)}" for k, v in cfg.items()]
    lines += ["", "[tool.pytest.ini_options]"] + [f"{k} = {_toml_value(v)}" for k, v in pytest_opts.items()]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _prepare(name: str, module: dict, shared: dict, pytest_opts: dict, keep: bool) -> Path:
    folder = WORK / name
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for link in ["tests", *shared.get("also_copy", [])]:
        if not (folder / link).exists():
            (folder / link).symlink_to(ROOT / link)
    if not (folder / "src").exists():
        (folder / "src").symlink_to(ROOT / "lib")
    _write_config(folder, module, shared, pytest_opts)
    return folder


def _changed_from(folder: Path, module: dict, marker: str) -> set[str]:
    """Mutants whose first changed line lies at or after the line containing ``marker`` in the original."""
    import ast

    mutated = folder / "mutants" / "src" / module["file"]
    source = mutated.read_text(encoding="utf-8")
    funcs = {n.name: ast.get_source_segment(source, n).splitlines()[1:] for n in ast.walk(ast.parse(source))
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in n.name}
    keep = set()
    for name, lines in funcs.items():
        base, _, suffix = name.rpartition("__mutmut_")
        orig = funcs.get(f"{base}__mutmut_orig")
        start = next((i for i, line in enumerate(orig or []) if marker in line), None)
        if suffix == "orig" or start is None:
            continue
        first = next((i for i, (a, b) in enumerate(zip(orig, lines)) if a != b), min(len(orig), len(lines)))
        if first >= start:
            keep.add(name)
    return keep


def _results(folder: Path, module: dict) -> dict[str, int | None]:
    meta = folder / "mutants" / "src" / (module["file"] + ".meta")
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    pattern = module.get("mutants", "*")
    codes = {k: v for k, v in codes.items() if fnmatch.fnmatchcase(k, pattern)}
    if module.get("from_line"):
        # only the part of the function that the module entry is about (e.g. the runner's send + ledger step)
        part = _changed_from(folder, module, module["from_line"])
        codes = {k: v for k, v in codes.items() if k.rpartition(".")[2] in part}
    return codes


def _merge(folder: Path, module: dict, previous: dict[str, int | None], codes: dict[str, int | None]
           ) -> dict[str, int | None]:
    """Previous results where this run did not test a mutant; written back so a further ``--again`` sees them."""
    merged = {k: (codes.get(k) if codes.get(k) not in NOT_RUN else v) for k, v in previous.items()}
    merged.update({k: v for k, v in codes.items() if k not in merged})
    meta = folder / "mutants" / "src" / (module["file"] + ".meta")
    if meta.exists():
        data = json.loads(meta.read_text(encoding="utf-8"))
        data["exit_code_by_key"].update({k: v for k, v in merged.items() if v not in NOT_RUN})
        meta.write_text(json.dumps(data), encoding="utf-8")
    return merged


def _survivors(codes: dict[str, int | None]) -> list[str]:
    return sorted(k for k, v in codes.items() if v not in KILLED and v not in NOT_RUN)


def _mutmut(folder: Path, args: list[str], children: int) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *args]
    with open(folder / "mutmut.log", "ab") as fh:
        return subprocess.run(cmd, cwd=folder, stdout=fh, stderr=subprocess.STDOUT)


def _sample(folder: Path, module: dict, n: int, children: int) -> list[str]:
    """Generate the mutants and the test map without running any mutant; draw ``n`` of them (seeded)."""
    # a filter that matches nothing: mutmut generates mutants and collects stats, then stops
    _mutmut(folder, ["cmo_workbook.__sample_only__"], children)
    names = sorted(_results(folder, module))
    return sorted(random.Random(19).sample(names, min(n, len(names))))


def run_module(name: str, module: dict, shared: dict, pytest_opts: dict, *, again: bool,
               children: int, sample: int = 0) -> dict:
    """Mutate one module (or a random sample of its mutants); return counts, score, survivors, seconds."""
    previous = _results(WORK / name, module) if again else {}
    folder = _prepare(name, module, shared, pytest_opts, keep=again)
    started = time.monotonic()
    proc = subprocess.CompletedProcess([], 0)
    if previous:
        if _survivors(previous):
            proc = _mutmut(folder, _survivors(previous), children)
    elif sample:
        proc = _mutmut(folder, _sample(folder, module, sample, children), children)
    else:
        proc = _mutmut(folder, [module["mutants"]] if module.get("mutants") else [], children)
    seconds = time.monotonic() - started
    log = folder / "mutmut.log"
    codes = _results(folder, module)
    if previous:
        # mutmut starts over when the test list changed: the mutants killed before keep their result (tests were
        # only added), so the score stays that of the whole sample, not of the re-tested survivors alone
        codes = _merge(folder, module, previous, codes)
    killed = sum(1 for v in codes.values() if v in KILLED)
    ran = sum(1 for v in codes.values() if v not in NOT_RUN)
    survivors = _survivors(codes)
    untested = sorted(k for k, v in codes.items() if v in (33, 5))
    return {"name": name, "ok": proc.returncode == 0 and ran > 0, "mutants": len(codes), "killed": killed,
            "ran": ran, "untested": untested, "score": killed / ran if ran else float("nan"),
            "low": _wilson_low(killed, ran),
            "survivors": survivors, "seconds": seconds, "log": log}


def _wilson_low(k: int, n: int, z: float = 1.96) -> float:
    """Lower end of the 95 % Wilson interval of a share k/n (the score of a sample is an estimate)."""
    if not n:
        return float("nan")
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", help="module names from [tool.cmo_workbook.mutate.modules]")
    ap.add_argument("--again", action="store_true", help="re-test only the previous run's survivors")
    ap.add_argument("--children", type=int, default=2, help="parallel mutant workers (default 2)")
    ap.add_argument("--sample", type=int, default=0, metavar="N",
                    help="test a seeded random sample of N mutants per module (a quick estimate with its 95 %% range)")
    args = ap.parse_args(argv)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    conf = project["tool"]["cmo_workbook"]["mutate"]
    modules: dict[str, dict] = conf["modules"]
    shared = project["tool"].get("mutmut", {})
    pytest_opts = project["tool"]["pytest"]["ini_options"]
    unknown = sorted(set(args.modules) - set(modules))
    if unknown:
        print(f"unknown module(s) {', '.join(unknown)}; known: {', '.join(modules)}", file=sys.stderr)
        return 2
    chosen = args.modules or list(modules)
    min_score = float(conf.get("min_score", 0.8))
    started = time.monotonic()
    rows = []
    for name in chosen:
        print(f"mutate   {name} ({modules[name]['file']}) ...", flush=True)
        r = run_module(name, modules[name], shared, pytest_opts, again=args.again, children=args.children,
                       sample=args.sample)
        rows.append(r)
        status = f"{r['score']:.0%}" if r["ran"] else "no result"
        print(f"         {r['killed']}/{r['ran']} killed = {status} in {r['seconds']:.0f} s"
              + (f"; {len(r['untested'])} without a covering test" if r["untested"] else ""), flush=True)
        if not r["ok"]:
            print(f"         mutmut failed, see {r['log']}", flush=True)
    total = time.monotonic() - started
    print()
    print(f"{'module':<16} {'mutants':>7} {'tested':>6} {'killed':>6} {'score':>6} {'95% low':>7} {'seconds':>8}")
    for r in rows:
        print(f"{r['name']:<16} {r['mutants']:>7} {r['ran']:>6} {r['killed']:>6} {r['score']:>6.1%} {r['low']:>7.1%} "
              f"{r['seconds']:>8.0f}")
    killed, ran = sum(r["killed"] for r in rows), sum(r["ran"] for r in rows)
    print(f"{'all':<16} {sum(r['mutants'] for r in rows):>7} {ran:>6} {killed:>6} "
          f"{(killed / ran if ran else float('nan')):>6.1%} {_wilson_low(killed, ran):>7.1%} {total:>8.0f}")
    for r in rows:
        for s in r["survivors"]:
            print(f"survived {s}")
    low = [r["name"] for r in rows if not r["ok"] or not r["score"] >= min_score]
    if low:
        print(f"below {min_score:.0%} (or failed): {', '.join(low)}; see `cd .mutmut/NAME && mutmut show MUTANT`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
