"""Shared pieces of the sample-company generator: calendar, names, number formats, writers."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261101
REFERENCE_DATE = date(2026, 11, 1)
COMPANY = {
    "name": "Kessler Antriebstechnik GmbH",
    "city": "Heilbronn",
    "revenue": 40_000_000.0,
    "gross_margin": 0.38,
    "currency": "EUR",
    "domain": "kessler-antriebstechnik.example",
}
CHANNELS = (
    "trade_fairs", "organic_search", "paid_search", "linkedin", "email",
    "webinars", "partners", "sales_outbound", "direct",
)
MONTHS = 24

# Fixed timestamp for xlsx metadata and zip entries: byte-identical output needs it.
FIXED_TIMESTAMP = datetime(2026, 11, 1, 7, 0, 0)


@dataclass(frozen=True)
class Window:
    """The 24 full months before the reference date, with month helpers."""

    reference: date

    @cached_property
    def start(self) -> date:
        return (pd.Timestamp(self.reference) - pd.DateOffset(months=MONTHS)).date()

    @property
    def end(self) -> date:
        """Last day inside the window (the day before the reference date)."""
        return self.reference - timedelta(days=1)

    @cached_property
    def months(self) -> list[pd.Period]:
        return list(pd.period_range(self.start, self.end, freq="M"))

    def month(self, index: int) -> pd.Period:
        """Month by index; negative counts back from the last month (-1 = latest)."""
        return self.months[index]

    @property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="D")


# --- names -------------------------------------------------------------------------------

FIRST_NAMES = (
    "Andreas", "Anna", "Benjamin", "Birgit", "Christian", "Claudia", "Daniel", "Daniela", "Dirk",
    "Eva", "Felix", "Florian", "Frank", "Gabriele", "Hans", "Heike", "Jan", "Jana", "Jens",
    "Johannes", "Jonas", "Julia", "Jürgen", "Katharina", "Klaus", "Kerstin", "Lars", "Laura",
    "Lena", "Lukas", "Markus", "Martin", "Matthias", "Michael", "Monika", "Nadine", "Nicole",
    "Oliver", "Patrick", "Peter", "Petra", "Ralf", "Sabine", "Sandra", "Sebastian", "Stefan",
    "Stefanie", "Sven", "Thomas", "Tobias", "Ute", "Uwe", "Wolfgang", "Yvonne", "Sören", "Björn",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner",
    "Krause", "Lehmann", "Köhler", "Maier", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Keller", "Günther", "Frank", "Berger",
    "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Ludwig", "Böhm",
)
COMPANY_TRADES = {
    "Maschinenbau": ("Maschinenbau", "Sondermaschinen", "Anlagenbau", "Werkzeugmaschinen"),
    "Verpackung": ("Verpackungsmaschinen", "Verpackungstechnik", "Etikettiertechnik"),
    "Lebensmitteltechnik": ("Lebensmitteltechnik", "Prozesstechnik", "Abfülltechnik"),
    "Intralogistik": ("Fördertechnik", "Lagertechnik", "Intralogistik", "Hebetechnik"),
    "Automotive-Zulieferer": ("Automotive", "Fahrzeugtechnik", "Präzisionsteile", "Umformtechnik"),
    "Medizintechnik": ("Medizintechnik", "Labortechnik", "Dentaltechnik"),
}
INDUSTRY_WEIGHTS = {
    "Maschinenbau": 0.32, "Verpackung": 0.16, "Lebensmitteltechnik": 0.12,
    "Intralogistik": 0.18, "Automotive-Zulieferer": 0.14, "Medizintechnik": 0.08,
}
COUNTRIES = {"DE": 0.80, "AT": 0.08, "CH": 0.06, "NL": 0.035, "PL": 0.025}
COUNTRY_TLD = {"DE": "de", "AT": "at", "CH": "ch", "NL": "nl", "PL": "pl"}
LEGAL_FORMS = {
    "DE": ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "KG"),
    "AT": ("GmbH", "Ges.m.b.H."), "CH": ("AG", "GmbH"), "NL": ("B.V.",), "PL": ("Sp. z o.o.",),
}
CITIES = {
    "DE": (("Heilbronn", "74072"), ("Stuttgart", "70173"), ("Nürnberg", "90402"), ("München", "80331"),
           ("Karlsruhe", "76131"), ("Ulm", "89073"), ("Bielefeld", "33602"), ("Dortmund", "44135"),
           ("Chemnitz", "09111"), ("Augsburg", "86150"), ("Kassel", "34117"), ("Freiburg", "79098")),
    "AT": (("Linz", "4020"), ("Graz", "8010"), ("Wien", "1010")),
    "CH": (("Zürich", "8001"), ("St. Gallen", "9000"), ("Winterthur", "8400")),
    "NL": (("Eindhoven", "5611"), ("Utrecht", "3511")),
    "PL": (("Wroclaw", "50-001"), ("Poznan", "60-001")),
}
STREETS = ("Hauptstraße", "Industriestraße", "Bahnhofstraße", "Gewerbestraße", "Am Hafen", "Daimlerstraße",
           "Robert-Bosch-Straße", "Carl-Benz-Straße", "Lindenweg", "Neckarstraße")
SALES_REPS = (
    "Markus Kessler", "Sabine Brandt", "Thomas Eberle", "Julia Hägele", "Stefan Vogt",
    "Anja Reuter", "Michael Dörr", "Katrin Weiß",
)
MARKETING_TEAM = ("Laura Schenk", "Tobias Renz", "Miriam Ott", "Felix Amann", "Carina Wolf")
PRODUCTS = (
    "Servogetriebe KS-60", "Servogetriebe KS-90", "Planetengetriebe KP-120", "Kegelradgetriebe KK-80",
    "Servoantrieb KD-400", "Kupplung KC-Flex", "Ersatzteile",
)


def slug(text: str) -> str:
    """ASCII e-mail/domain slug: 'Müller Fördertechnik' -> 'mueller-foerdertechnik'."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def choice(rng: np.random.Generator, options, p=None):
    """One element of a sequence, optionally weighted by ``p`` (need not sum to 1).

    Hand-rolled because numpy's ``choice`` turns tuples into arrays and is slow for single draws.
    """
    if p is None:
        return options[int(rng.integers(len(options)))]
    cum = np.cumsum(p)
    return options[min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(options) - 1)]


def month_day_weights(month: pd.Period) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Days of a month and a weight per day: weekends and the Christmas week are quiet."""
    days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
    w = np.where(days.day_of_week < 5, 1.0, 0.15)
    xmas = (days.month == 12) & (days.day >= 22) | (days.month == 1) & (days.day <= 2)
    w = np.where(xmas, w * 0.15, w)
    return days, w / w.sum()


def business_time(rng: np.random.Generator, day: pd.Timestamp) -> pd.Timestamp:
    """A timestamp on ``day`` during office hours (07:30-18:00), to the minute."""
    minutes = int(rng.integers(7 * 60 + 30, 18 * 60))
    return day.normalize() + pd.Timedelta(minutes=minutes)


def next_business_moment(ts: pd.Timestamp, hours: float) -> pd.Timestamp:
    """``ts`` plus ``hours`` of office time (Mon-Fri 08:00-17:00)."""
    remaining = pd.Timedelta(hours=hours)
    t = ts
    while True:
        if t.day_of_week >= 5 or t.hour >= 17:
            t = (t + pd.Timedelta(days=1)).normalize() + pd.Timedelta(hours=8)
            continue
        if t.hour < 8:
            t = t.normalize() + pd.Timedelta(hours=8)
        day_end = t.normalize() + pd.Timedelta(hours=17)
        if t + remaining <= day_end:
            return (t + remaining).floor("min")
        remaining -= day_end - t
        t = day_end


# --- number formats -------------------------------------------------------------------------

def de_number(value: float, decimals: int = 2) -> str:
    """German number: 1234.5 -> '1.234,50'."""
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def en_number(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f}"


# --- writers --------------------------------------------------------------------------------

def write_csv(path: Path, rows: list[list[str]], *, encoding: str, delimiter: str = ",",
              bom: bool = False, preamble: list[str] = (), footer: list[list[str]] = ()) -> int:
    """Write rows (header first) with CRLF line ends like Excel/HubSpot; return the data-row count."""
    buf = io.StringIO()
    for line in preamble:
        buf.write(line + "\r\n")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    writer.writerows(footer)
    data = buf.getvalue().encode(encoding)  # strict: a character outside the code page is a bug
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(rows) - 1


def save_workbook_deterministic(wb, path: Path) -> None:
    """Save an openpyxl workbook so the same content gives the same bytes (at :data:`FIXED_TIMESTAMP`)."""
    from ..render.xlsx import stable_bytes

    wb.properties.creator = COMPANY["name"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(stable_bytes(wb, FIXED_TIMESTAMP))

# Paid media follows demand a little: less in August and at Christmas.
SEASON_SPEND = {1: 1.0, 2: 1.0, 3: 1.08, 4: 1.05, 5: 1.0, 6: 0.98, 7: 0.95, 8: 0.75, 9: 1.05, 10: 1.08,
                11: 1.08, 12: 0.8}
