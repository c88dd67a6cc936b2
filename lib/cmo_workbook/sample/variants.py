"""Variants of the sample company's exports with the traits real downloads have.

The default sample keeps every memo figure fixed (other tests pin them). ``raw`` rewrites the
generated CRM files the way many real exports look, which changes figures on purpose:

* contacts without any "Became a ..." date: qualification lives only in Lifecycle Stage and
  Lead Status (the workbook dates it from the create date);
* deals without associated contacts: only their own "Original Traffic Source" says where they
  came from;
* every 8th won deal without an amount (counted, not in revenue);
* HubSpot-style report lines around the deals table (a title line above the header, a
  totals line below).

Same input files -> byte-identical output.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

VARIANTS = ("default", "raw")
_STAGE_DATES = ("Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
                "Became an Opportunity Date", "Became a Customer Date")


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]], *, preamble: list[str] = (), footer: list[list[str]] = ()) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for line in preamble:
        w.writerow([line])
    w.writerows(rows)
    w.writerows(footer)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def make_raw(out_dir: Path) -> None:
    """Rewrite the CRM exports under ``out_dir`` (written by :func:`..generate.generate`) as the raw variant."""
    crm = Path(out_dir) / "crm"
    contacts = _read(crm / "hubspot_contacts.csv")
    head = contacts[0]
    blank = [head.index(c) for c in _STAGE_DATES]
    for row in contacts[1:]:
        for i in blank:
            row[i] = ""
    _write(crm / "hubspot_contacts.csv", contacts)

    deals = _read(crm / "hubspot_deals.csv")
    head = deals[0]
    contact, stage, amount = (head.index(c) for c in ("Associated Contact IDs", "Deal Stage", "Amount"))
    won = 0
    total = 0.0
    for row in deals[1:]:
        row[contact] = ""
        if row[stage] == "Closed Won":
            won += 1
            if won % 8 == 0:
                row[amount] = ""
        total += float(row[amount] or 0)
    totals = [["Total", "", "", "", f"{total:.2f}"] + [""] * (len(head) - 5)]
    _write(crm / "hubspot_deals.csv", deals, preamble=["All deals - export"], footer=totals)


# --------------------------------------------------------------------------- broken files (for refusal tests)

#: The files ``--break`` can spoil, with the cell it spoils: (column, data row, text put there).
BREAKABLE = {
    "crm/hubspot_deals.csv": ("Amount", 7, "zwölftausend"),
    "crm/hubspot_contacts.csv": ("Create Date", 7, "gestern"),
}
#: Short names accepted for the files above.
BREAK_ALIASES = {"deals": "crm/hubspot_deals.csv", "leads": "crm/hubspot_contacts.csv",
                 "contacts": "crm/hubspot_contacts.csv"}


def break_file(out_dir: Path, name: str) -> tuple[Path, str, int]:
    """Put a text where a number or date belongs in one generated file; return (file, column, spreadsheet row).

    The row is the one a spreadsheet program shows (header = row 1), as the validation message names it.
    """
    rel = BREAK_ALIASES.get(name, name)
    if rel not in BREAKABLE:
        raise ValueError(f"--break {name!r}: choose one of {', '.join([*BREAKABLE, *BREAK_ALIASES])}")
    column, data_row, text = BREAKABLE[rel]
    path = Path(out_dir) / rel
    rows = _read(path)
    rows[data_row][rows[0].index(column)] = text
    _write(path, rows)
    return path, column, data_row + 1
