"""Customer feedback export (German Excel CSV): tickets, call notes, NPS survey, reviews."""
from __future__ import annotations

import numpy as np

from .common import PRODUCTS, Window, choice, month_day_weights
from .companies import Company, street_address
from .texts import compose

HEADER = ["Nr.", "Datum", "Quelle", "Kunde", "Ansprechpartner", "E-Mail", "Produkt", "Segment", "Bewertung",
          "Kommentar"]
SOURCES = ("Support-Ticket", "Vertriebsgespräch", "NPS-Umfrage", "Bewertung")
SOURCE_P = (0.40, 0.20, 0.27, 0.13)
BASE_SHARE = {
    "delivery_delay": 0.08, "invoice_errors": 0.08, "product_quality": 0.12, "spare_parts": 0.09,
    "documentation": 0.09, "price": 0.11, "service_response": 0.10, "online_configurator": 0.08,
    "energy_efficiency": 0.07, "praise_support": 0.18, "spare_parts_portal": 0.0,
}
# Months counted back from the latest: the planted rise of delivery delays and the new portal theme.
DELAY_SHARE = {1: 0.16, 0: 0.26}
PORTAL_SHARE = {1: 0.05, 0: 0.08}
# P(detractor 0-6), P(passive 7-8); the rest promoters 9-10. Detractors sit in delays and invoices.
NPS_BY_THEME = {
    "delivery_delay": (0.85, 0.12), "invoice_errors": (0.8, 0.15), "product_quality": (0.45, 0.3),
    "price": (0.25, 0.45), "service_response": (0.35, 0.35), "spare_parts": (0.2, 0.45),
    "documentation": (0.1, 0.45), "online_configurator": (0.05, 0.45), "energy_efficiency": (0.03, 0.4),
    "praise_support": (0.0, 0.05), "spare_parts_portal": (0.4, 0.45), None: (0.08, 0.27),
}
PII_KINDS = ("email", "phone", "iban", "address", "name")
XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _iban(rng: np.random.Generator) -> str:
    """A German IBAN with correct check digits (ISO 13616 mod 97), grouped in fours."""
    bban = f"{int(rng.integers(10_000_000, 99_999_999))}{int(rng.integers(0, 10**10)):010d}"
    numeric = int(bban + "131400")         # 'DE' -> 13 14, check digits 00
    check = 98 - numeric % 97
    iban = f"DE{check:02d}{bban}"
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def _phone(rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        return f"+49 7131 {int(rng.integers(100000, 999999))}"
    return f"0171 {int(rng.integers(1000000, 9999999))}"


def _pii_sentence(rng: np.random.Generator, kind: str, lang: str, company: Company, first: str, last: str,
                  email: str) -> str:
    de = lang == "de"
    if kind == "email":
        return f"Bitte Antwort an {email}." if de else f"Please reply to {email}."
    if kind == "phone":
        return f"Rückruf bitte unter {_phone(rng)}." if de else f"Call me back on {_phone(rng)}."
    if kind == "iban":
        return f"Gutschrift bitte auf IBAN {_iban(rng)}." if de else f"Please refund to IBAN {_iban(rng)}."
    if kind == "address":
        return (f"Neue Lieferadresse: {street_address(rng, company)}." if de
                else f"New delivery address: {street_address(rng, company)}.")
    return f"Ansprechpartner ist {first} {last}." if de else f"Contact person: {first} {last}."


def _shares(back: int) -> dict[str, float]:
    shares = dict(BASE_SHARE)
    others = 1.0 - shares["delivery_delay"]
    shares["delivery_delay"] = DELAY_SHARE.get(back, shares["delivery_delay"])
    shares["spare_parts_portal"] = PORTAL_SHARE.get(back, 0.0)
    rest = 1.0 - shares["delivery_delay"] - shares["spare_parts_portal"]
    for k in shares:
        if k not in ("delivery_delay", "spare_parts_portal"):
            shares[k] *= rest / others
    return shares


def _nps_score(rng: np.random.Generator, theme: str | None) -> int:
    p_det, p_pas = NPS_BY_THEME[theme]
    r = rng.random()
    if r < p_det:
        return int(rng.choice(7, p=(0.04, 0.04, 0.08, 0.12, 0.17, 0.25, 0.30)))
    if r < p_det + p_pas:
        return int(rng.integers(7, 9))
    return int(rng.choice((9, 10), p=(0.55, 0.45)))


def feedback_rows(rng: np.random.Generator, window: Window,
                  customers: list[tuple[Company, str, str, str]]) -> list[list[str]]:
    """Header and ~250 rows a month of customer feedback with the planted themes, PII and HTML."""
    themes = list(BASE_SHARE)
    items = []
    n_months = len(window.months)
    for m, month in enumerate(window.months):
        shares = _shares(n_months - 1 - m)
        p = np.array([shares[t] for t in themes])
        p /= p.sum()
        n = int(rng.poisson(250 * (0.8 if month.month in (8, 12) else 1.0)))
        days, w = month_day_weights(month)
        # exact theme counts per month (largest remainder), so the planted shares do not hinge on luck
        raw = p * n
        counts = np.floor(raw).astype(int)
        counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
        month_themes = rng.permutation(np.repeat(np.arange(len(themes)), counts))
        for day_i, t in zip(sorted(rng.choice(len(days), size=n, p=w)), month_themes):
            items.append((days[day_i], themes[int(t)]))
    rows = [HEADER]
    n_items = len(items)
    pii_rows = dict(zip(sorted(rng.choice(n_items, size=60, replace=False).tolist()), PII_KINDS * 12))
    xss_rows = dict(zip(sorted(rng.choice(n_items, size=6, replace=False).tolist()), XSS * 3))
    for i, (day, theme) in enumerate(items):
        source = choice(rng, SOURCES, SOURCE_P)
        company, first, last, email = customers[int(rng.integers(0, len(customers)))]
        lang = "de" if rng.random() < 0.7 else "en"
        product = choice(rng, PRODUCTS[:6]) if theme != "spare_parts" else choice(rng, PRODUCTS)
        score = ""
        text_theme: str | None = theme
        if source == "NPS-Umfrage":
            if rng.random() < 0.3 and i not in pii_rows and i not in xss_rows:
                text_theme = None      # score without a comment
            score = str(_nps_score(rng, text_theme))
        second = None
        if text_theme is not None and rng.random() < 0.15:
            second = choice(rng, [t for t in themes if t not in (theme, "delivery_delay", "spare_parts_portal")])
        text = "" if text_theme is None else compose(rng, text_theme, lang, source, product, second)
        if i in pii_rows:
            text += " " + _pii_sentence(rng, pii_rows[i], lang, company, first, last, email)
        if i in xss_rows:
            text += " " + xss_rows[i]
        named = source in ("Support-Ticket", "Vertriebsgespräch") or i in pii_rows or rng.random() < 0.3
        rows.append([str(100_001 + i), day.strftime("%d.%m.%Y"), source, company.name if named or source != "Bewertung" else "",
                     f"{first} {last}" if named else "", email if named and source == "Support-Ticket" or i in pii_rows else "",
                     product, company.industry, score, text])
    return rows
