"""``cmo-workbook validate``: check params and every input without starting a kernel."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from . import plausibility, profile
from .loaders import load_dataset
from .params import load_params


def validate(params_path: Path, *, say: Callable[[str], None] = print,
             checks: Iterable[Callable[[Any, Any], list[str]]] = ()) -> int:
    """Print a short data profile; raise InputError (exit 2) on any problem.

    ``checks`` (params, dataset) -> warning lines, from the layers above (e.g. the VoC taxonomy's
    coverage of the feedback); warnings are printed, they do not fail the run.
    """
    params = load_params(params_path)
    ds = load_dataset(params)  # also checks the channel ids the params name against the data's channels
    # only now are the params fully checked: "ok" must not stand above an error about them
    say(f"params  {params.relpath()}: ok ({params.name}, language {params.language}, currency {params.currency})")
    for s in ds.sources:
        kind = {"parquet": "Parquet", "duckdb": "DuckDB query", "sql": "SQL query"}.get(s.kind)
        enc = s.encoding or kind or ("xlsx" + (f", sheet {s.sheet}" if s.sheet else ""))
        extra = []
        if s.dropped:
            extra.append(f"{len(s.dropped)} total/footer rows dropped")
        if s.unmapped:
            shown = ", ".join(s.unmapped[:4]) + (" ..." if len(s.unmapped) > 4 else "")
            extra.append(f"ignored columns: {shown}")
        say(f"file    {s.table:24s} {s.file.name}: {s.rows:,} rows, preset {s.preset}, {enc}"
            + (f" ({'; '.join(extra)})" if extra else ""))
    prof = ds.profile()
    say("")
    say(f"{'table':24s} {'rows':>8s}  {'first':10s}  {'last':10s}  months without rows")
    for name, row in prof.iterrows():
        first = "" if pd.isna(row["first"]) else f"{row['first']:%Y-%m-%d}"
        last = "" if pd.isna(row["last"]) else f"{row['last']:%Y-%m-%d}"
        say(f"{name:24s} {row['rows']:>8,}  {first:10s}  {last:10s}  {row['months_without_rows'] or '-'}")
    warnings = [*status_warnings(ds), *(w for check in checks for w in check(params, ds))]
    for w in warnings:
        say(f"warning {w}")
    say("")
    for line in profile.lines(ds):
        say(line)
    findings = plausibility.gate(ds)  # raises (exit 2) when a memo headline would be wrong
    notes = [*ds.findings, *findings]
    notes += [f for f in plausibility.missing_rate_inputs(ds) if f.key not in {n.key for n in notes}]
    if notes:
        say("")
        for f in notes:
            say(f"note    {f.table:24s} {f.en}" + (f"; {f.fix}" if f.fix else ""))  # the memo's note has no fix
    say("")
    say("ok: all inputs valid" + (f" ({len(warnings)} warning{'s' if len(warnings) > 1 else ''})" if warnings else ""))
    return 0


def status_warnings(ds: Any) -> list[str]:
    """A status-like column the preset does not map (``Phase``, ``Lead-Status``, ...): what it holds, and
    the params key that reads it."""
    out = []
    for s in ds.sources:
        for header, (_column, key, n, values) in s.status_like.items():
            held = (f"; {n:,} of its values would count as qualified ("
                    + ", ".join(f'"{k}" {v}' for k, v in list(values.items())[:5]) + ")") if n else ""
            out.append(f'{s.name}: column "{header}" looks like a lead status but is not read{held}; '
                       f"map it: {key} in {ds.params.relpath()}")
    return out
