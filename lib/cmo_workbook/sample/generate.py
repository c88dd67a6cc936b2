"""Deterministic generator of the bundled sample company (Kessler Antriebstechnik GmbH).

``generate(out_dir)`` writes every file of docs/sample-data.md in the format the real tool exports,
with the planted effects the memos must find. Same seed -> byte-identical files.
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .common import CHANNELS, COMPANY, REFERENCE_DATE, SEED, Window, write_csv
from . import controlling
from .competitors import messaging_rows, observation_rows, price_rows, write_observations
from .crm import contact_rows, generate_crm
from .feedback import feedback_rows
from .regions import assign_regions
from .spend import cost_sheet_rows, google_ads_rows, linkedin_rows, write_cost_sheet
from .texts import FEEDBACK_THEMES

__all__ = ["CHANNELS", "COMPANY", "FEEDBACK_THEMES", "FILES", "REFERENCE_DATE", "SEED", "generate", "main"]

#: Files written by :func:`generate`, relative to ``out_dir``.
FILES = (
    "crm/hubspot_contacts.csv",
    "crm/hubspot_deals.csv",
    "crm/touchpoints.csv",
    "ads/google_ads_kampagnen.csv",
    "ads/linkedin_campaign_performance.csv",
    "budget/marketingkosten.xlsx",
    "feedback/kundenfeedback.csv",
    "competitors/wettbewerb_beobachtungen.xlsx",
    "competitors/wettbewerb_preise.csv",
    "competitors/wettbewerb_botschaften.csv",
    controlling.PLAN_FILE,
    controlling.ACTUALS_FILE,
)


def _generate(out_dir: Path, seed: int, reference_date: date) -> dict[Path, int]:
    """Write all files; return each path with its number of data rows."""
    window = Window(reference_date)
    # one independent stream per file family: changing one generator leaves the others' output alone
    streams = np.random.SeedSequence(seed).spawn(6)
    rng = [np.random.Generator(np.random.PCG64(s)) for s in streams]
    out = Path(out_dir)
    counts: dict[Path, int] = {}

    crm = generate_crm(rng[0], window)
    # the leads' sales regions draw from their own stream too: every other value stays as it was
    assign_regions(np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 8]))), crm.leads, window)
    end = pd.Timestamp(window.end) + pd.Timedelta(hours=23, minutes=59)
    p = out / "crm/hubspot_contacts.csv"
    counts[p] = write_csv(p, contact_rows(crm.leads, end), encoding="utf-8")
    p = out / "crm/hubspot_deals.csv"
    counts[p] = write_csv(p, crm.deals, encoding="utf-8")
    p = out / "crm/touchpoints.csv"
    counts[p] = write_csv(p, crm.touches, encoding="utf-8", bom=True)

    preamble, rows, totals = google_ads_rows(rng[1], window, crm.leads)
    p = out / "ads/google_ads_kampagnen.csv"
    counts[p] = write_csv(p, rows, encoding="utf-8", preamble=preamble, footer=totals)
    preamble, rows = linkedin_rows(rng[2], window)
    p = out / "ads/linkedin_campaign_performance.csv"
    counts[p] = write_csv(p, rows, encoding="utf-8", preamble=preamble)
    p = out / "budget/marketingkosten.xlsx"
    counts[p] = write_cost_sheet(rng[3], cost_sheet_rows(rng[3], window), p)

    p = out / "feedback/kundenfeedback.csv"
    counts[p] = write_csv(p, feedback_rows(rng[4], window, crm.customers), encoding="cp1252", delimiter=";")

    p = out / "competitors/wettbewerb_beobachtungen.xlsx"
    counts[p] = write_observations(observation_rows(rng[5], window), p)
    p = out / "competitors/wettbewerb_preise.csv"
    counts[p] = write_csv(p, price_rows(rng[5], window), encoding="utf-8", delimiter=";", bom=True)
    p = out / "competitors/wettbewerb_botschaften.csv"
    counts[p] = write_csv(p, messaging_rows(rng[5], window), encoding="utf-8", delimiter=";", bom=True)

    # the controller's sheets draw from their own stream: the six above stay as they were
    ctl = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 7])))
    p = out / controlling.PLAN_FILE
    counts[p] = write_csv(p, controlling.plan_rows(window), encoding="utf-8", delimiter=";", bom=True)
    p = out / controlling.ACTUALS_FILE
    counts[p] = write_csv(p, controlling.actuals_rows(ctl, window), encoding="utf-8", delimiter=";", bom=True)
    return counts


def generate(out_dir: Path, *, seed: int = SEED, reference_date: date = REFERENCE_DATE,
             variant: str = "default") -> list[Path]:
    """Write the sample company's files under ``out_dir`` (subfolders created); return their paths, sorted.

    The data cover the 24 full months before ``reference_date``. Same ``seed`` and date give
    byte-identical files. ``variant="raw"`` gives the CRM files the traits of real downloads
    (status-only qualification, deals with only a source, empty won amounts; see :mod:`.variants`).
    """
    from .diary import write_diary  # hand-kept notes, not an export: not in FILES
    write_diary(Path(out_dir) / "diary", seed, reference_date)
    paths = sorted(_generate(Path(out_dir), seed, reference_date))
    _apply_variant(Path(out_dir), variant)
    return paths


def _apply_variant(out_dir: Path, variant: str) -> None:
    from .variants import VARIANTS, make_raw

    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)} (got {variant!r})")
    if variant == "raw":
        make_raw(out_dir)


def main(argv: list[str] | None = None) -> int:
    """CLI: ``sample-data --out DIR [--seed N] [--break FILE] [--params-out YAML --company-name N --language L]``.

    Prints one line per file with its data-row count (and the broken cell, and the params file written).
    """
    parser = argparse.ArgumentParser(prog="cmo-workbook sample-data",
                                     description="Write the bundled sample company's export files.")
    parser.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder (default: data/sample)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    parser.add_argument("--variant", choices=("default", "raw"), default="default",
                        help="raw: CRM files with status-only qualification, source-only deals, empty amounts")
    parser.add_argument("--break", dest="broken", metavar="FILE",
                        help="spoil one file on purpose (a text in a number or date column), e.g. crm/hubspot_deals.csv "
                             "or deals, leads: a company whose run is refused (exit 2)")
    parser.add_argument("--params-out", type=Path, metavar="YAML",
                        help="also write a params file for this data (the example's sections, this name and language)")
    parser.add_argument("--company-name", default=COMPANY["name"], help="company.name in --params-out")
    parser.add_argument("--language", choices=("de", "en"), default="de", help="company.language in --params-out")
    args = parser.parse_args(argv)
    from .variants import BREAK_ALIASES, BREAKABLE

    if args.broken and BREAK_ALIASES.get(args.broken, args.broken) not in BREAKABLE:  # before minutes of generating
        parser.error(f"--break {args.broken!r}: choose one of {', '.join([*BREAKABLE, *BREAK_ALIASES])}")
    counts = _generate(args.out, args.seed, REFERENCE_DATE)
    _apply_variant(args.out, args.variant)
    for path in sorted(counts):
        print(f"{path}: {counts[path]} rows")
    from .diary import write_diary

    entries = write_diary(args.out / "diary", args.seed, REFERENCE_DATE)
    print(f"{args.out / 'diary'}: {len(entries)} weekly diary entries")
    if args.broken:
        from .variants import break_file

        path, column, row = break_file(args.out, args.broken)
        print(f"{path}: broken on purpose (row {row}, column {column!r})")
    if args.params_out:
        from .params import write_params

        print(f"{write_params(args.params_out, args.out, name=args.company_name, language=args.language)}: params "
              f"of {args.company_name} ({args.language})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
