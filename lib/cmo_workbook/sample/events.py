"""Event calendar of the sample company: trade fairs, webinars, ad campaigns (shared by leads and spend)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from .common import Window


@dataclass(frozen=True)
class Fair:
    name: str          # as in the HubSpot import drill-down: 'Messe SPS Nürnberg 2025'
    short: str         # campaign name in touchpoints and the cost sheet
    start: date
    days: int
    leads: int         # expected badge scans that are imported as leads
    cost: float        # booth, fees, travel: booked in the fair month
    stand: float       # stand construction invoice, the month before
    big: bool


def _weekday_on_or_after(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


# (name, city, month, first possible day, weekday, days, leads, cost, stand, big)
_FAIR_RULES = (
    ("SPS", "Nürnberg", 11, 15, 1, 3, 330, 125_000, 46_000, True),
    ("Hannover Messe", "Hannover", 4, 15, 0, 5, 300, 112_000, 41_000, True),
    ("LogiMAT", "Stuttgart", 3, 8, 1, 3, 95, 38_000, 12_000, False),
    ("FachPack", "Nürnberg", 9, 22, 1, 3, 80, 31_000, 10_000, False),
    ("Motek", "Stuttgart", 10, 6, 1, 4, 80, 27_000, 9_000, False),
)


def fairs(window: Window, *, upcoming: bool = False) -> list[Fair]:
    """Fairs whose leads are imported inside the window, in date order.

    ``upcoming`` adds the fairs of the following months too (their stand invoices fall inside).
    """
    out = []
    for year in range(window.start.year, window.end.year + 2):
        for name, city, month, day, weekday, days, leads, cost, stand, big in _FAIR_RULES:
            start = _weekday_on_or_after(date(year, month, day), weekday)
            # import happens about a week after the fair: the fair must end before the window closes
            inside = window.start <= start and start + timedelta(days=days + 10) <= window.end
            if inside or (upcoming and start > window.end and start <= window.end + timedelta(days=62)):
                label = f"{name} {city}" if name != "Hannover Messe" else name
                out.append(Fair(f"Messe {label} {year}", f"{name} {year}", start, days, leads, cost, stand, big))
    return sorted(out, key=lambda f: f.start)


WEBINAR_TOPICS = (
    "Servoauslegung in 30 Minuten", "Getriebe richtig dimensionieren", "Energieeffiziente Antriebe",
    "Predictive Maintenance für Getriebe", "Hygienic Design in der Lebensmitteltechnik",
    "Spielarme Planetengetriebe", "Antriebe für fahrerlose Transportsysteme",
)


@dataclass(frozen=True)
class Webinar:
    topic: str
    day: date
    utm: str           # HubSpot drill-down 1: 'webinar_servoauslegung-in-30-minuten_2025-03'


def webinars(window: Window) -> list[Webinar]:
    """About one webinar a month (none in August and December), on a Thursday mid-month."""
    from .common import slug

    out = []
    for i, month in enumerate(window.months):
        if month.month in (8, 12):
            continue
        day = _weekday_on_or_after(date(month.year, month.month, 14), 3)
        topic = WEBINAR_TOPICS[i % len(WEBINAR_TOPICS)]
        out.append(Webinar(topic, day, f"webinar_{slug(topic)}_{month.strftime('%Y-%m')}"))
    return out


GOOGLE_CAMPAIGNS = (
    # name, share of paid-search budget, first month index it runs
    ("Search_DE_Getriebe", 0.36, 0),
    ("Search_DE_Servoantriebe", 0.26, 0),
    ("Brand_DE", 0.12, 0),
    ("Search_AT_CH_Getriebe", 0.14, 0),
    ("Search_DE_Kupplungen", 0.12, 6),
)
GOOGLE_KEYWORDS = {
    "Search_DE_Getriebe": ("planetengetriebe", "getriebe hersteller", "kegelradgetriebe kaufen"),
    "Search_DE_Servoantriebe": ("servoantrieb", "servogetriebe", "servomotor mit getriebe"),
    "Brand_DE": ("kessler antriebstechnik", "kessler getriebe"),
    "Search_AT_CH_Getriebe": ("getriebe österreich", "planetengetriebe schweiz"),
    "Search_DE_Kupplungen": ("wellenkupplung", "elastische kupplung"),
}
LINKEDIN_CAMPAIGNS = (
    # name, group, objective, share of budget, first month index
    ("LI_Leadgen_Servogetriebe", "Leadgen DACH", "Lead Generation", 0.42, 0),
    ("LI_Awareness_Maschinenbau", "Awareness DACH", "Brand Awareness", 0.25, 0),
    ("LI_Retargeting_Website", "Retargeting", "Website Visits", 0.18, 0),
    ("LI_Leadgen_Intralogistik", "Leadgen DACH", "Lead Generation", 0.15, 14),
)
PARTNERS = ("Elektro Maier GmbH", "Antriebstechnik Nord Vertriebs GmbH", "Automation Partner Süd GmbH",
            "Industriebedarf Roth KG")


def month_index(window: Window, ts: pd.Timestamp) -> int:
    """Index of the window month that holds ``ts`` (0 = first)."""
    first = window.months[0]
    return (ts.year - first.year) * 12 + ts.month - first.month
