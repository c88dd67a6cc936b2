"""Hand-kept competitor files: observations (xlsx), price snapshots and messaging snapshots (CSV)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from .common import MARKETING_TEAM, SALES_REPS, Window, choice, de_number, save_workbook_deterministic

HARTMANN, NORD, VOSS, BRENNER, ALPIN = (
    "Hartmann Antriebe", "Nordgetriebe AG", "Voss Motion", "Brenner Industrietechnik", "Alpin Drives AG")
COMPETITORS = (HARTMANN, NORD, VOSS, BRENNER, ALPIN)
QUIET_COMPETITOR = ALPIN
QUIET_MONTHS = 5                       # no observation of the quiet competitor in the last 5 months
OBS_HEADER = ["Datum", "Wettbewerber", "Thema", "Beobachtung", "Quelle", "Beobachtet von", "Bedeutung", "Region",
              "Segment"]
PRICE_HEADER = ["Datum", "Wettbewerber", "Produkt", "Preis", "Währung", "Einheit", "Netto/Brutto", "Preisart",
                "Vergleichsprodukt"]
MSG_HEADER = ["Datum", "Wettbewerber", "Ort", "Text"]
HARTMANN_CUT = 0.12

_OBS = {
    "Produkt": ("{c} stellt neue Baureihe {p} vor, Fokus auf kompakte Bauform.",
                "{c} kündigt Nachfolger für {p} an, Markteinführung im nächsten Quartal.",
                "{c} launches a new version of {p} with higher torque density."),
    "Preis": ("Kunde berichtet: {c} bietet {pct} % unter unserem Angebot an.",
              "{c} gewährt Projektrabatte bis {pct} % im Maschinenbau.",
              "Customer says {c} quoted {pct} % below our price for {p}."),
    "Kampagne": ("{c} schaltet LinkedIn-Kampagne zu {p}.",
                 "Neue Google-Anzeigen von {c} auf unsere Markenbegriffe.",
                 "{c} runs a webinar series on servo sizing."),
    "Messe": ("{c} auf der {f} mit großem Stand, Schwerpunkt {p}.",
              "{c} nicht auf der {f} vertreten.",
              "{c} booth at {f} was busy, demo of {p}."),
    "Personal": ("{c} sucht {n} Vertriebsingenieure in Süddeutschland.",
                 "Key Account Manager von {c} ist zu einem Kunden gewechselt.",
                 "{c} is hiring application engineers in Poland."),
    "Partnerschaft": ("{c} kooperiert mit einem Motorhersteller für Komplettantriebe.",
                      "{c} hat neuen Vertriebspartner in Österreich.",),
    "Presse": ("Fachpresse: Interview mit der Geschäftsführung von {c} zu Wachstumsplänen.",
               "{c} meldet Umsatzplus von {pct} % im Geschäftsjahr.",
               "Press release: {c} opens a new plant."),
    "Sonstiges": ("{c} hat neue Website online.", "Gerücht: {c} wird übernommen.",
                  "{c} changed payment terms to 30 days net."),
}
_TOPIC_P = {"Produkt": 0.2, "Preis": 0.18, "Kampagne": 0.15, "Messe": 0.1, "Personal": 0.12, "Partnerschaft": 0.07,
            "Presse": 0.1, "Sonstiges": 0.08}
_COMP_P = {HARTMANN: 0.32, NORD: 0.24, VOSS: 0.18, BRENNER: 0.16, ALPIN: 0.10}
_SOURCES = ("LinkedIn", "Kundengespräch", "Messebesuch", "Fachpresse", "Website", "Google-Suche")
_REGIONS = ("DACH", "Süddeutschland", "Norddeutschland", "Österreich", "Schweiz", "Polen")
_SEGMENTS = ("Servogetriebe", "Planetengetriebe", "Kupplungen", "Maschinenbau", "Intralogistik", "alle")
_FAIRS = ("SPS Nürnberg", "Hannover Messe", "LogiMAT", "Motek")

# competitor products: (competitor, product, base price, currency, basis, our comparable product)
_PRODUCTS = (
    (HARTMANN, "HS-Servogetriebe 60", 1180.0, "EUR", "netto", "Servogetriebe KS-60"),
    (HARTMANN, "HS-Servogetriebe 90", 1640.0, "EUR", "netto", "Servogetriebe KS-90"),
    (HARTMANN, "HP-Planetengetriebe 120", 2250.0, "EUR", "netto", "Planetengetriebe KP-120"),
    (HARTMANN, "HK-Kegelradgetriebe 80", 1390.0, "EUR", "netto", "Kegelradgetriebe KK-80"),
    (NORD, "NG-Servo 60", 1090.0, "EUR", "netto", "Servogetriebe KS-60"),
    (NORD, "NG-Planet 120", 2120.0, "EUR", "netto", "Planetengetriebe KP-120"),
    (NORD, "NG-Planet 160", 2890.0, "EUR", "netto", ""),
    (VOSS, "VM-Servoantrieb 400W", 1490.0, "EUR", "brutto", "Servoantrieb KD-400"),
    (VOSS, "VM-Servogetriebe 60", 1310.0, "EUR", "brutto", "Servogetriebe KS-60"),
    (VOSS, "VM-Kupplung Flex 28", 189.0, "EUR", "brutto", "Kupplung KC-Flex"),
    (BRENNER, "BR-Kegelradgetriebe 80", 1345.0, "EUR", "netto", "Kegelradgetriebe KK-80"),
    (BRENNER, "BR-Planetengetriebe 120", 2180.0, "EUR", "netto", "Planetengetriebe KP-120"),
    (BRENNER, "BR-Kupplung 28", 172.0, "EUR", "netto", "Kupplung KC-Flex"),
    (ALPIN, "AD-Servogetriebe 60", 1290.0, "CHF", "netto", "Servogetriebe KS-60"),
    (ALPIN, "AD-Servogetriebe 90", 1780.0, "CHF", "netto", "Servogetriebe KS-90"),
    (ALPIN, "AD-Planet 120", 2390.0, "CHF", "netto", "Planetengetriebe KP-120"),
)
VAT = 0.19


def _obs_row(rng: np.random.Generator, day: pd.Timestamp, comp: str, topic: str, text: str,
             impact: str | None = None) -> list:
    return [day, comp, topic, text, choice(rng, _SOURCES), choice(rng, SALES_REPS + MARKETING_TEAM),
            impact or choice(rng, ("hoch", "mittel", "niedrig"), (0.15, 0.45, 0.40)), choice(rng, _REGIONS),
            choice(rng, _SEGMENTS)]


def observation_rows(rng: np.random.Generator, window: Window) -> list[list]:
    """3-8 observations a month, three reported twice, one with HTML, the planted Hartmann events."""
    n_months = len(window.months)
    comps = list(_COMP_P)
    rows: list[list] = []
    for m, month in enumerate(window.months):
        back = n_months - 1 - m
        p = np.array([0.0 if (c == QUIET_COMPETITOR and back < QUIET_MONTHS) else _COMP_P[c] for c in comps])
        products = {c: [x[1] for x in _PRODUCTS if x[0] == c] for c in comps}
        for _ in range(int(rng.integers(3, 9))):
            comp = choice(rng, comps, p / p.sum())
            topic = choice(rng, list(_TOPIC_P), np.array(list(_TOPIC_P.values())))
            text = choice(rng, _OBS[topic]).format(c=comp, p=choice(rng, products[comp]), f=choice(rng, _FAIRS),
                                                   pct=int(rng.integers(5, 20)), n=int(rng.integers(2, 6)))
            day = month.start_time + pd.Timedelta(days=int(rng.integers(0, month.days_in_month)))
            rows.append(_obs_row(rng, day, comp, topic, text))
    cut_day = _cut_date(window)
    rows.append(_obs_row(rng, cut_day + pd.Timedelta(days=1), HARTMANN, "Preis",
                         "Hartmann senkt die Listenpreise der HS-Servogetriebe um ca. 12 % (netto), gültig ab "
                         f"{cut_day.strftime('%d.%m.%Y')}. Mehrere Kunden haben uns darauf angesprochen.", "hoch"))
    q3 = window.month(-4).start_time
    rows.append(_obs_row(rng, q3 + pd.Timedelta(days=9), HARTMANN, "Kampagne",
                         "Hartmann wirbt auf LinkedIn und der Homepage mit 'Lieferzeit 48h' und Preisgarantie.",
                         "hoch"))
    promo = window.month(-2).start_time
    rows.append(_obs_row(rng, promo + pd.Timedelta(days=3), NORD, "Kampagne",
                         "Nordgetriebe Herbstaktion: 15 % Rabatt auf NG-Planet 120 bis Ende Oktober "
                         "(Aktionspreis, Listenpreis unverändert).", "mittel"))
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    inj = int(rng.integers(5, len(rows) - 5))
    rows[inj][3] = rows[inj][3] + " <script>alert(1)</script>"
    # the same event reported by a second colleague a day later
    candidates = [i for i in range(len(rows) - 10) if i != inj]
    for idx in sorted(rng.choice(candidates, size=3, replace=False).tolist(), reverse=True):
        dup = list(rows[idx])
        dup[0] = dup[0] + pd.Timedelta(days=1)
        dup[3] = "Auch gehört: " + dup[3]
        dup[5] = next(x for x in SALES_REPS + MARKETING_TEAM if x != rows[idx][5])
        rows.insert(idx + 1, dup)
    end = pd.Timestamp(window.end)
    rows = [r for r in rows if r[0] <= end]
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    return rows


def write_observations(rows: list[list], path: Path) -> int:
    wb = Workbook()
    ws = wb.active
    ws.title = "Beobachtungen"
    ws.append(OBS_HEADER)
    for r in rows:
        d = r[0]
        ws.append([datetime(d.year, d.month, d.day)] + r[1:])
        ws.cell(ws.max_row, 1).number_format = "DD.MM.YYYY"
    for col, width in zip("ABCDEFGHI", (12, 24, 14, 90, 16, 18, 10, 16, 16)):
        ws.column_dimensions[col].width = width
    save_workbook_deterministic(wb, path)
    return len(rows)


def _cut_date(window: Window) -> pd.Timestamp:
    """The Hartmann list-price cut: the 15th of the second-to-last month (2026-09-15)."""
    return window.month(-2).start_time + pd.Timedelta(days=14)


def price_rows(rng: np.random.Generator, window: Window) -> list[list[str]]:
    """Monthly price snapshots; Hartmann's servo cut with its own snapshot, a Nordgetriebe promo."""
    cut = _cut_date(window)
    promo_months = {window.month(-2), window.month(-1)}
    snapshots = []
    for month in window.months:
        day = month.start_time + pd.offsets.BDay(int(rng.integers(1, 5)))
        snapshots.append(day)
    snapshots.append(cut)
    rows = []
    for day in sorted(snapshots):
        for comp, product, base, currency, basis, ours in _PRODUCTS:
            if day == cut and comp != HARTMANN:
                continue
            price = base * (1.03 ** (day.year - window.start.year))   # yearly list increase in January
            if comp == BRENNER and day >= pd.Timestamp(window.month(8).start_time):
                price *= 1.04
            if comp == HARTMANN and product.startswith("HS-Servo") and day >= cut:
                price *= 1 - HARTMANN_CUT
            if basis == "brutto":
                price *= 1 + VAT
            price = round(price, 0) - (0.10 if basis == "brutto" else 0.0)
            rows.append((day, comp, product, price, currency, basis, "Listenpreis", ours))
            if comp == NORD and product == "NG-Planet 120" and day.to_period("M") in promo_months:
                rows.append((day, comp, product, round(price * 0.85, 2), currency, basis, "Aktion", ours))
            if comp == BRENNER and rng.random() < 0.08:
                rows.append((day, comp, product, round(price * rng.uniform(0.86, 0.95), 0), currency, basis,
                             "Angebot", ours))
    out = [PRICE_HEADER]
    for day, comp, product, price, currency, basis, kind, ours in rows:
        out.append([day.strftime("%d.%m.%Y"), comp, product, de_number(price), currency, "Stück", basis, kind, ours])
    return out


_MESSAGES = {
    HARTMANN: {
        "old": (("Homepage", "Premium-Qualität aus Bayern: Servogetriebe für höchste Präzision."),
                ("LinkedIn Info", "Hartmann Antriebe steht seit 1962 für Premium-Qualität made in Germany. "
                                  "Präzisionsgetriebe für Maschinenbau und Automation."),
                ("Messe-Slogan", "Premium-Qualität, die sich bewegt.")),
        "new": (("Homepage", "Lieferzeit 48h auf alle HS-Servogetriebe - mit Preisgarantie bis Ende 2027."),
                ("LinkedIn Info", "Hartmann Antriebe: Lieferfähigkeit, auf die Sie bauen können. Servogetriebe ab "
                                  "Lager, Lieferzeit 48h, Preisgarantie für Rahmenverträge."),
                ("Messe-Slogan", "In 48h geliefert. Preis garantiert.")),
    },
    NORD: {"old": (("Homepage", "Planetengetriebe für die Intralogistik - robust, kompakt, zuverlässig."),
                   ("LinkedIn Info", "Nordgetriebe AG develops compact planetary gearboxes for intralogistics "
                                     "and packaging machines.")),
           "new": ()},
    VOSS: {"old": (("Homepage", "Motion made simple. Servo drives and gearboxes from one source."),
                   ("LinkedIn Info", "Voss Motion - configure your complete drive online in 5 minutes.")),
           "new": ()},
    BRENNER: {"old": (("Homepage", "Industrietechnik mit System: Getriebe, Kupplungen, Service aus einer Hand."),
                      ("Messe-Slogan", "Brenner - Ihr Systemlieferant für Antriebstechnik.")),
              "new": ()},
    ALPIN: {"old": (("Homepage", "Schweizer Präzision für anspruchsvolle Servoanwendungen."),
                    ("LinkedIn Info", "Alpin Drives AG: Swiss precision gearboxes for robotics and medical devices.")),
            "new": ()},
}


def messaging_rows(rng: np.random.Generator, window: Window) -> list[list[str]]:
    """Quarterly claim snapshots; Hartmann switches from premium quality to 48h delivery and price guarantee."""
    quarters = sorted({m.asfreq("Q") for m in window.months})
    switch = window.month(-4).asfreq("Q")        # 2026-Q3
    out = [MSG_HEADER]
    for q in quarters:
        first = max(q.start_time, pd.Timestamp(window.start))
        day = first + pd.offsets.BDay(int(rng.integers(1, 6)))
        for comp in COMPETITORS:
            msgs = _MESSAGES[comp]
            pool = msgs["new"] if msgs["new"] and q >= switch else msgs["old"]
            for place, text in pool:
                if place != "Homepage" and rng.random() < 0.35:
                    continue               # not every channel is checked every quarter
                out.append([day.strftime("%d.%m.%Y"), comp, place, text])
    return out
