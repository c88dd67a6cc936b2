"""The golden derivations themselves (tests/golden_raw.py): independent of the library, and reading the raw
exports' title and footer rows right. Fast (no notebook runs); the per-memo golden tables are the slow files
tests/test_golden_<notebook>.py."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import golden_raw as g


def test_golden_raw_never_imports_the_library(sample_dir):
    # a fresh interpreter: the derivations alone must not pull in cmo_workbook (conftest does, so not in-process)
    code = ("import sys; sys.path.insert(0, %r); import golden_raw as g; "
            "g.leads(); g.deals(); g.spend(); g.plan(); g.company_actuals(); g.feedback(); "
            "bad = [m for m in sys.modules if m.startswith('cmo_workbook')]; assert not bad, bad") % str(Path(__file__).parent)
    subprocess.run([sys.executable, "-c", code], check=True)


def test_raw_readers_drop_title_and_footer_rows(sample_dir):
    # Google Ads: 2 title lines + header + one row per campaign and day + "Gesamt: …" footer rows; the report's
    # own "Gesamt: Konto" total must equal our sum of the day rows (a footer read as data would double it)
    lines = (sample_dir / "ads" / "google_ads_kampagnen.csv").read_text(encoding="utf-8-sig").splitlines()
    footers = [line for line in lines if line.startswith("Gesamt:")]
    account_total = g.de_number(next(f for f in footers if f.startswith("Gesamt: Konto")).split('"')[1])
    sp = g.spend()
    google = sp[sp["file"] == "google_ads"]
    assert len(google) == len(lines) - 3 - len(footers)
    assert round(google["cost"].sum(), 2) == round(account_total, 2)
    # LinkedIn: 5 title lines + header, then only data rows
    li_lines = (sample_dir / "ads" / "linkedin_campaign_performance.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(sp[sp["file"] == "linkedin"]) == len([x for x in li_lines[6:] if x.strip()])
    # the sheet: some cost cells are German text ("9.500,00"), parsed, not NaN
    assert sp["cost"].notna().all() and (sp["cost"] >= 0).all()


def test_german_numbers_and_shown_figures():
    # hand-checked: thousands '.' and decimal ',' (de_number); a shown figure matches within half its last digit
    assert g.de_number("9.500,00") == 9500.0 and g.de_number("1.234,5") == 1234.5 and g.de_number(7760) == 7760.0
    assert g.shown("1,3 Mio. €") == (1.3, 1, 1e6) and g.shown("−1,8 Pp.") == (-1.8, 1, 0.01) \
        and g.shown("−1,8 Prozentpunkte") == (-1.8, 1, 0.01)
    assert g.shown("7.519 €") == (7519.0, 0, 1.0) and g.shown("1389") == (1389.0, 0, 1.0)
    assert g.shows("295 %", 2.9473) and not g.shows("295 %", 2.9551)          # 295,51 % would show 296 %
    assert g.shows("1,3 Mio. €", 1_285_000) and not g.shows("1,3 Mio. €", 1_350_001)


def test_business_hours_by_hand():
    # Friday 16:00 -> Monday 09:00 = 1 h Friday + 1 h Monday; 3 Oct 2026 (holiday) is a Saturday anyway;
    # Thursday 1 Oct 2026 10:00 -> Monday 5 Oct 10:00 = 7 + 9 + 2 = 18 h (weekend skipped)
    import pandas as pd

    assert g.business_hours(pd.Timestamp("2026-10-09 16:00"), pd.Timestamp("2026-10-12 09:00")) == 2.0
    assert g.business_hours(pd.Timestamp("2026-10-01 10:00"), pd.Timestamp("2026-10-05 10:00")) == 18.0
    # All Saints' Day (Sunday 1 Nov 2026) and Epiphany (Tuesday 6 Jan 2026) are no business days
    assert g.business_hours(pd.Timestamp("2026-01-05 17:00"), pd.Timestamp("2026-01-07 09:00")) == 1.0
