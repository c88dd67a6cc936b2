"""The generated sample company loads cleanly: every file, every row, the full 24 months."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.sample.generate import CHANNELS

ROOT = Path(__file__).resolve().parents[1]
FIRST, LAST = pd.Timestamp("2024-11-01"), pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def ds(sample_dir):
    return load_dataset(load_params(ROOT / "params" / "example.yaml"), today=date(2026, 11, 1))


def csv_rows(path: Path, encoding: str, sep: str, skip: int = 0, footer_prefix: str | None = None) -> int:
    """Data rows counted with pandas, independently of the readers."""
    df = pd.read_csv(path, encoding=encoding, sep=sep, skiprows=skip, dtype=str, keep_default_na=False)
    if footer_prefix:
        df = df[~df.iloc[:, 0].str.startswith(footer_prefix)]
    return len(df)


def xlsx_rows(path: Path, sheet: str, header_row: int) -> int:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    return sum(1 for row in ws.iter_rows(min_row=header_row + 1, values_only=True) if any(c is not None for c in row))


def test_every_file_loads_all_its_rows(ds, sample_dir):
    d = sample_dir
    expected = {
        "crm/hubspot_contacts.csv": csv_rows(d / "crm/hubspot_contacts.csv", "utf-8", ","),
        "crm/hubspot_deals.csv": csv_rows(d / "crm/hubspot_deals.csv", "utf-8", ","),
        "crm/touchpoints.csv": csv_rows(d / "crm/touchpoints.csv", "utf-8-sig", ","),
        "ads/google_ads_kampagnen.csv": csv_rows(d / "ads/google_ads_kampagnen.csv", "utf-8", ",", skip=2,
                                                 footer_prefix="Gesamt"),
        "ads/linkedin_campaign_performance.csv": csv_rows(d / "ads/linkedin_campaign_performance.csv", "utf-8", ",",
                                                          skip=5),
        "budget/marketingkosten.xlsx": xlsx_rows(d / "budget/marketingkosten.xlsx", "Kosten", header_row=3),
        "feedback/kundenfeedback.csv": csv_rows(d / "feedback/kundenfeedback.csv", "cp1252", ";"),
        "competitors/wettbewerb_beobachtungen.xlsx": xlsx_rows(d / "competitors/wettbewerb_beobachtungen.xlsx",
                                                               "Beobachtungen", header_row=1),
        "competitors/wettbewerb_preise.csv": csv_rows(d / "competitors/wettbewerb_preise.csv", "utf-8-sig", ";"),
        "competitors/wettbewerb_botschaften.csv": csv_rows(d / "competitors/wettbewerb_botschaften.csv",
                                                           "utf-8-sig", ";"),
        # plan 2024-2026: 12 months × (6 budget lines + 1 company row) + 4 fair months, per year
        "controlling/planung.csv": 3 * (12 * 7 + 4),
        "controlling/ist_umsatz_auftragseingang.csv": csv_rows(d / "controlling/ist_umsatz_auftragseingang.csv",
                                                               "utf-8-sig", ";"),
    }
    loaded = {s.file.relative_to(d.resolve()).as_posix(): s.rows for s in ds.sources}
    assert loaded == expected
    # the sizes docs/sample-data.md promises (~10,000 contacts, ~2,300 deals, ~30,000 touches)
    assert 9_000 < len(ds.leads) < 11_000 and 2_000 < len(ds.deals) < 2_600 and 27_000 < len(ds.touchpoints) < 33_000


@pytest.mark.parametrize("table", ["leads", "touchpoints", "spend", "feedback"])
def test_monthly_tables_cover_exactly_the_24_months(ds, table):
    prof = ds.profile().loc[table]
    assert (prof["first"].normalize(), prof["last"].normalize()) == (FIRST, LAST)
    assert prof["months_without_rows"] == ""


@pytest.mark.parametrize("table", ["deals", "competitor_observations", "competitor_prices", "competitor_messaging"])
def test_other_tables_lie_inside_the_window(ds, table):
    prof = ds.profile().loc[table]
    assert FIRST <= prof["first"] and prof["last"] <= LAST


def test_derived_columns_are_complete(ds):
    assert set(ds.leads["channel"]) == set(CHANNELS)  # every lead source matched a rule; none fell to "other"
    assert set(ds.deals["status"]) == {"open", "won", "lost"}
    assert set(ds.spend["channel"].dropna()) <= set(CHANNELS) and ds.spend["channel"].notna().all()
    linked = ds.deals["lead_id"].notna()
    assert ds.deals.loc[linked, "channel"].notna().all()
