"""The sample company's controlling sheets: the plan (marketing budget per month and channel, company
revenue and order-intake plan) and the monthly actuals (revenue and order intake as the BWA reports them).

Plausible for a 40 M EUR drive-technology manufacturer: marketing budget ~1.1 M EUR a year (trade fairs in
March/April and October/November), revenue ~40 M EUR, order intake a little above revenue; marketing's planned
share of order intake 29 %. The CRM holds only part of the order intake (spare parts and service orders are
booked in the ERP without a CRM deal), so the company's order intake is larger than the CRM's won deals.
Deterministic: its own random stream, so the other files of the sample stay byte-identical.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .common import Window, de_number

PLAN_FILE = "controlling/planung.csv"
ACTUALS_FILE = "controlling/ist_umsatz_auftragseingang.csv"
PLAN_HEADER = ["Monat", "Kanal", "Kostenstelle", "Marketingbudget (€)", "Umsatzplan (€)", "Auftragseingang Plan (€)",
               "Auftragseingang Marketing Plan (€)", "Umsatz Marketing Plan (€)"]
ACTUALS_HEADER = ["Monat", "Umsatz (€)", "Auftragseingang (€)", "Quelle"]

#: monthly budget lines of the plan year 2026 (the German channel names the controller uses); fairs below
BUDGET_2026: dict[str, float] = {"Google Ads": 24_000.0, "LinkedIn": 11_000.0, "Newsletter": 2_500.0,
                                 "Webinare": 4_000.0, "SEO/Content": 8_000.0, "Partner": 1_000.0}
FAIRS_2026: dict[int, float] = {3: 110_000.0, 4: 150_000.0, 10: 110_000.0, 11: 125_000.0}
#: company plan per fiscal year: revenue, order intake, marketing order intake, marketing revenue
COMPANY_PLAN: dict[int, tuple[float, float, float, float]] = {
    2024: (37_000_000.0, 38_000_000.0, 9_500_000.0, 9_000_000.0),
    2025: (38_500_000.0, 39_500_000.0, 10_500_000.0, 10_000_000.0),
    2026: (40_000_000.0, 41_000_000.0, 11_900_000.0, 11_600_000.0),
}
#: the previous year's budget as a share of 2026's
BUDGET_SCALE = {2024: 0.9, 2025: 0.95, 2026: 1.0}
#: seasonality of revenue and order intake (August holidays, strong spring and autumn)
SEASON = np.array([0.90, 0.95, 1.10, 1.05, 1.00, 1.05, 1.00, 0.80, 1.05, 1.10, 1.05, 0.95])
SEASON = SEASON / SEASON.sum()


def _eur(value: float) -> str:
    return de_number(round(value, -2))


def plan_rows(window: Window) -> list[list[str]]:
    """Header plus one row per month and budget line, and one company row per month, for every
    calendar year the sample's window touches (a plan covers the whole year, future months too)."""
    years = sorted({m.year for m in window.months})
    rows = [PLAN_HEADER]
    for year in years:
        rev, oi, moi, mrev = COMPANY_PLAN[year]
        scale = BUDGET_SCALE[year]
        for month in range(1, 13):
            day = f"01.{month:02d}.{year}"
            for channel, amount in BUDGET_2026.items():
                rows.append([day, channel, "4600 Marketing", _eur(amount * scale), "", "", "", ""])
            if month in FAIRS_2026:
                rows.append([day, "Messe", "4610 Messen", _eur(FAIRS_2026[month] * scale), "", "", "", ""])
            s = SEASON[month - 1]
            rows.append([day, "", "1000 Unternehmen", "", _eur(rev * s), _eur(oi * s), _eur(moi * s), _eur(mrev * s)])
    return rows


def actuals_rows(rng: np.random.Generator, window: Window) -> list[list[str]]:
    """Header plus one row per month of the window: revenue and order intake around the plan (±4 %)."""
    rows = [ACTUALS_HEADER]
    for m in window.months:
        rev, oi, _, _ = COMPANY_PLAN[m.year]
        s = SEASON[m.month - 1]
        revenue = rev * s * (1 + rng.normal(0.0, 0.04))
        intake = oi * s * (1 + rng.normal(0.0, 0.04))
        rows.append([pd.Timestamp(m.start_time).strftime("%d.%m.%Y"), _eur(revenue), _eur(intake), "BWA"])
    return rows
