"""Marketing spend: Google Ads and LinkedIn daily exports and the hand-kept cost sheet."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from .events import GOOGLE_CAMPAIGNS, LINKEDIN_CAMPAIGNS, PARTNERS, fairs, webinars
from .common import COMPANY, SEASON_SPEND, Window, de_number, save_workbook_deterministic
from .crm import Lead

GOOGLE_MONTHLY = 16_500.0
LINKEDIN_MONTHLY = 7_600.0


def linkedin_multiplier(m: int, n_months: int) -> float:
    """Spend level relative to the first year: flat, then +60 % from Q1 to Q3 of the last year.

    Month indices count back from the last month so the effect sits at the end of any window.
    """
    back = n_months - 1 - m               # 0 = latest month (2026-10)
    ramp = {9: 1.15, 8: 1.2, 7: 1.25, 6: 1.45, 5: 1.55, 4: 1.65, 3: 1.85, 2: 1.95, 1: 2.0, 0: 2.05}
    return ramp.get(back, 1.0)


def _cents(values: np.ndarray) -> np.ndarray:
    return np.round(values * 100).astype(np.int64)


def _day_weights(rng: np.random.Generator, days: pd.DatetimeIndex) -> np.ndarray:
    w = np.where(days.day_of_week < 5, 1.0, 0.45) * rng.uniform(0.75, 1.25, len(days))
    return w / w.sum()


def google_ads_rows(rng: np.random.Generator, window: Window, leads: list[Lead]) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Preamble, header+rows and the two totals rows of the German Google Ads campaign report."""
    conv = Counter((lead.created.normalize(), lead.dd1) for lead in leads if lead.channel == "paid_search")
    records = []
    for m, month in enumerate(window.months):
        days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
        live = [c for c in GOOGLE_CAMPAIGNS if c[2] <= m]
        total_share = sum(c[1] for c in live)
        budget = GOOGLE_MONTHLY * SEASON_SPEND[month.month] * rng.uniform(0.92, 1.08)
        for name, share, _ in live:
            cents = _cents(budget * share / total_share * _day_weights(rng, days))
            if name == "Brand_DE":        # paused on a few days: no cost, conversions shown as ' --'
                cents[rng.choice(len(days), size=2, replace=False)] = 0
            cpc = {"Brand_DE": 0.9}.get(name, 2.8) * rng.uniform(0.85, 1.15, len(days))
            clicks = np.round(cents / 100 / cpc).astype(int)
            impressions = np.round(clicks / rng.uniform(0.03, 0.06, len(days))).astype(int)
            for i, day in enumerate(days):
                c = int(cents[i])
                if c == 0:
                    records.append((day, name, 0, 0, 0, None))
                    continue
                conversions = conv.get((day, name), 0) + float(rng.choice((0, 0, 0, 0.5, 1.0)))
                records.append((day, name, c, int(impressions[i]), int(clicks[i]), conversions))
    header = ["Tag", "Kampagne", "Kampagnentyp", "Währungscode", "Kosten", "Impr.", "Klicks", "Conversions"]
    rows = [header]
    for day, name, c, imp, clk, cv in records:
        rows.append([day.strftime("%d.%m.%Y"), name, "Suche", "EUR", de_number(c / 100), de_number(imp, 0),
                     de_number(clk, 0), " --" if cv is None else de_number(cv)])
    tc = sum(r[2] for r in records)
    ti = sum(r[3] for r in records)
    tk = sum(r[4] for r in records)
    tv = sum(r[5] or 0 for r in records)
    totals = [[label, "", "", "EUR", de_number(tc / 100), de_number(ti, 0), de_number(tk, 0), de_number(tv)]
              for label in ("Gesamt: Konto", "Gesamt: Suche")]
    preamble = ["Kampagnenbericht",
                f"{window.start.strftime('%d.%m.%Y')} - {window.end.strftime('%d.%m.%Y')}"]
    return preamble, rows, totals


def _us_date(d: pd.Timestamp) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def linkedin_rows(rng: np.random.Generator, window: Window) -> tuple[list[str], list[list[str]]]:
    """Metadata lines and daily rows of the LinkedIn Campaign Manager performance report."""
    n = len(window.months)
    records = []
    for m, month in enumerate(window.months):
        days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
        mult = linkedin_multiplier(m, n)
        budget = LINKEDIN_MONTHLY * mult * rng.uniform(0.98, 1.02)
        live = [c for c in LINKEDIN_CAMPAIGNS if c[4] <= m]
        total_share = sum(c[3] for c in live)
        for name, group, objective, share, _ in live:
            cents = _cents(budget * share / total_share * _day_weights(rng, days))
            impressions = np.round(cents / 100 / rng.uniform(28, 42, len(days)) * 1000).astype(int)
            clicks = rng.binomial(impressions, 0.0055)
            is_leadgen = objective == "Lead Generation"
            # the platform counts more form fills as spend grows; few of them qualify
            lam = (2.2 * np.sqrt(mult) * share / total_share) if is_leadgen else 0.0
            platform_leads = rng.poisson(lam * np.ones(len(days)) * (days.day_of_week < 5))
            for i, day in enumerate(days):
                records.append((day, name, group, objective, int(cents[i]), int(impressions[i]), int(clicks[i]),
                                int(platform_leads[i]), int(platform_leads[i] + rng.poisson(0.3))))
    header = ["Start Date (in UTC)", "Campaign Name", "Campaign Group Name", "Campaign Objective", "Currency",
              "Total Spent", "Impressions", "Clicks", "Leads", "Conversions"]
    rows = [header]
    for day, name, group, objective, c, imp, clk, leads, conv in records:
        rows.append([_us_date(day), name, group, objective, "EUR", f"{c / 100:.2f}", str(imp), str(clk),
                     str(leads), str(conv)])
    end = pd.Timestamp(window.end)
    ref = pd.Timestamp(window.reference)
    preamble = ["Campaign Performance Report (in UTC)", f"Report Start: {_us_date(pd.Timestamp(window.start))}",
                f"Report End: {_us_date(end)}", f"Date Generated: {_us_date(ref)} 07:00",
                f"Account: {COMPANY['name']} (508123456)"]
    return preamble, rows


def cost_sheet_rows(rng: np.random.Generator, window: Window) -> list[tuple]:
    """(date, Kanal, Kampagne, amount, Bemerkung) rows of the hand-kept cost sheet, by date."""
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    rows = []
    for fair in fairs(window, upcoming=True):
        day = pd.Timestamp(fair.start)
        rows.append((day, "Messe", fair.short, round(fair.cost * rng.uniform(0.9, 1.1), -1),
                     "Standmiete, Personal, Reise"))
        stand_day = (day - pd.DateOffset(months=1)).replace(day=int(rng.integers(10, 25)))
        rows.append((stand_day, "Messe", fair.short, round(fair.stand * rng.uniform(0.9, 1.1), -1),
                     "Standbau Rechnung"))
    for web in webinars(window):
        rows.append((pd.Timestamp(web.day), "Webinar", f"Webinar {web.topic}",
                     round(float(rng.uniform(2_000, 4_500)), -1), "Produktion & Moderation"))
    for month in window.months:
        first = month.start_time
        rows.append((first, "Webinar", "Webinar-Tool", 690.0, "Lizenz monatlich"))
        rows.append((first, "E-Mail", "Newsletter-Tool", 1_450.0, "Lizenz monatlich"))
        rows.append((first + pd.Timedelta(days=2), "SEO/Content", "SEO-Retainer", 9_500.0, "Agentur Pauschale"))
        if rng.random() < 0.35:
            rows.append((first + pd.Timedelta(days=int(rng.integers(5, 25))), "SEO/Content", "Content-Produktion",
                         round(float(rng.uniform(1_800, 5_500)), -1), "Fachartikel / Whitepaper"))
        if month.month in (1, 4, 7, 10):         # commissions for the past quarter
            quarter = (month - 1).quarter
            for partner in PARTNERS:
                rows.append((first + pd.Timedelta(days=14), "Partner", partner,
                             round(float(rng.uniform(4_500, 9_500)), -1),
                             f"Provision Q{quarter} {(month - 1).year}"))
    rows = [r for r in rows if start <= r[0] <= end]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


def write_cost_sheet(rng: np.random.Generator, rows: list[tuple], path: Path) -> int:
    """The Excel sheet 'Kosten': title row, empty row, header; a few amounts typed as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Kosten"
    ws["A1"] = "Marketingkosten (manuell gepflegt)"
    ws.append([])
    ws.append(["Datum", "Kanal", "Kampagne", "Kosten (€)", "Bemerkung"])
    as_text = set(rng.choice(len(rows), size=min(6, len(rows)), replace=False).tolist())
    for i, (day, kanal, kampagne, amount, note) in enumerate(rows):
        value = de_number(amount) if i in as_text else float(amount)
        ws.append([datetime(day.year, day.month, day.day), kanal, kampagne, value, note])
        r = ws.max_row
        ws.cell(r, 1).number_format = "DD.MM.YYYY"
        if i not in as_text:
            ws.cell(r, 4).number_format = "#,##0.00"
    for col, width in zip("ABCDE", (12, 14, 36, 14, 34)):
        ws.column_dimensions[col].width = width
    save_workbook_deterministic(wb, path)
    return len(rows)
