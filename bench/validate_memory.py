"""Benchmark: ``cmo-workbook validate`` of one large HubSpot contacts export.

Target (2 cores): a 200 MB leads CSV (~860,000 rows) validates in < 30 s with < 1 GB peak RSS.
The file is made from the sample generator's row shape (21 HubSpot columns, ~240 bytes a row),
with unique Record IDs and dates spread over two years; the run is a fresh process
(``python -m cmo_workbook validate``), measured with ``/usr/bin/time -v`` when present, else
``getrusage`` of the child.

    .venv/bin/python bench/validate_memory.py            # full size
    .venv/bin/python bench/validate_memory.py --rows 50000
"""
from __future__ import annotations

import argparse
import csv
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Company Name", "Country/Region", "Industry",
    "Contact owner", "Lifecycle Stage", "Lead Status", "Create Date", "Original Traffic Source",
    "Original Traffic Source Drill-Down 1", "Original Traffic Source Drill-Down 2",
    "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date", "Became an Opportunity Date",
    "Became a Customer Date", "Date of first engagement", "Sales Feedback Date", "Unqualified Reason",
]
SOURCES = (("Organic search", "google", ""), ("Paid search", "servo_kampagne_2026", "servo getriebe kaufen"),
           ("Offline Sources", "Messe SPS 2026", "Import"), ("Email marketing", "newsletter_2026-10", ""),
           ("Referrals", "partner-portal.example", ""), ("Paid social", "linkedin_leadgen_q4", "LinkedIn"),
           ("Direct traffic", "www.kessler-antriebstechnik.example/kontakt", ""))
STAGES = (("Lead", "Open"), ("Marketing Qualified Lead", "Attempted to Contact"),
          ("Sales Qualified Lead", "In Progress"), ("Opportunity", "Open Deal"), ("Customer", "Connected"),
          ("Other", "Unqualified"))
PARAMS = """version: 1
company: {name: Bench GmbH, language: de, currency: EUR, gross_margin: 0.4}
data:
  dir: .
  leads:
    - {file: hubspot_contacts.csv, preset: hubspot_contacts}
stage_map: {open: [], won: [], lost: []}
memo: {recipients: [ceo@example.com], sender: m@example.com, analyst: a@example.com}
"""
TARGET_SECONDS, TARGET_MB = 30, 1024


def write_contacts(path: Path, rows: int) -> int:
    """A deterministic contacts export with ``rows`` data rows; returns its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(HEADER)
        for i in range(rows):
            day = i * 730 // rows
            month, dom = divmod(day, 30)
            year, month = 2024 + (month + 10) // 12, (month + 10) % 12 + 1
            created = f"{year}-{month:02d}-{min(dom + 1, 28):02d} {8 + i % 10:02d}:{i % 60:02d}"
            source, dd1, dd2 = SOURCES[i % len(SOURCES)]
            stage, status = STAGES[(i * 7) % len(STAGES)]
            rank = (i * 7) % len(STAGES)
            mql = created if 1 <= rank else ""
            sql = created if 2 <= rank <= 4 else ""
            w.writerow([str(10_000_000 + i), "Sandra", f"Muster{i % 997}", f"kontakt{i}@firma{i % 5003}.example",
                        f"Firma {i % 5003} Antriebstechnik GmbH", "Germany", "Maschinenbau", "Anja Reuter", stage,
                        status, created, source, dd1, dd2, mql, sql, created if 3 <= rank <= 4 else "",
                        created if rank == 4 else "", created if rank else "", sql, ""])
    return path.stat().st_size


def run(rows: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="cmo-bench-validate-"))
    try:
        size = write_contacts(tmp / "hubspot_contacts.csv", rows)
        (tmp / "params.yaml").write_text(PARAMS, encoding="utf-8")
        cmd = [sys.executable, "-m", "cmo_workbook", "validate", "--params", str(tmp / "params.yaml")]
        timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
        if timer:
            cmd = [timer, "-v", *cmd]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"validate failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kb = int(match.group(1)) if match else usage.ru_maxrss
        # CPU seconds do not depend on what else runs on a shared machine; wall seconds do
        cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr)) \
            or usage.ru_utime + usage.ru_stime
        return {"rows": rows, "mb": size / 1e6, "seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=860_000)
    args = parser.parse_args(argv)
    r = run(args.rows)
    ok = r["seconds"] <= TARGET_SECONDS and r["peak_mb"] <= TARGET_MB
    print("| input | rows | seconds (wall) | CPU seconds | peak MB | target |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| leads CSV {r['mb']:.0f} MB | {r['rows']:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['peak_mb']:.0f} | "
          f"<= {TARGET_SECONDS} s, <= {TARGET_MB} MB{'' if ok else ' (MISSED)'} |")
    return 0 if ok or args.rows != 860_000 else 1


if __name__ == "__main__":
    sys.exit(main())
