"""Fictional German Mittelstand companies and their people."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import (CITIES, COMPANY_TRADES, COUNTRIES, COUNTRY_TLD, FIRST_NAMES, INDUSTRY_WEIGHTS,
                     LAST_NAMES, LEGAL_FORMS, STREETS, choice, slug)

_PREFIXES = ("Süd", "Nord", "West", "Rhein", "Neckar", "Alb", "Donau", "Franken", "Hohenlohe", "Main")


@dataclass(frozen=True)
class Company:
    company_id: str
    name: str
    industry: str
    country: str
    domain: str
    city: str
    postcode: str


def make_companies(rng: np.random.Generator, n: int) -> list[Company]:
    """``n`` distinct companies like 'Müller Fördertechnik GmbH', with ascending HubSpot ids."""
    industries = list(INDUSTRY_WEIGHTS)
    ind_p = np.array(list(INDUSTRY_WEIGHTS.values()))
    countries = list(COUNTRIES)
    ctry_p = np.array(list(COUNTRIES.values()))
    seen: set[str] = set()
    out: list[Company] = []
    next_id = 8_120_000_000
    while len(out) < n:
        industry = choice(rng, industries, ind_p / ind_p.sum())
        country = choice(rng, countries, ctry_p / ctry_p.sum())
        trade = choice(rng, COMPANY_TRADES[industry])
        form = choice(rng, LEGAL_FORMS[country])
        pattern = rng.random()
        if pattern < 0.6:
            stem = f"{choice(rng, LAST_NAMES)} {trade}"
        elif pattern < 0.8:
            stem = f"{choice(rng, LAST_NAMES)} & {choice(rng, LAST_NAMES)} {trade}"
        else:
            stem = f"{choice(rng, _PREFIXES)}{trade.lower()}"
        name = f"{stem} {form}"
        if name in seen:
            continue
        seen.add(name)
        city, postcode = choice(rng, CITIES[country])
        next_id += int(rng.integers(1_000, 90_000))
        domain = f"{slug(stem.replace('&', 'und'))}.{COUNTRY_TLD[country]}"
        out.append(Company(str(next_id), name, industry, country, domain, city, postcode))
    return out


def person(rng: np.random.Generator) -> tuple[str, str]:
    """A German first and last name."""
    return choice(rng, FIRST_NAMES), choice(rng, LAST_NAMES)


def email_for(first: str, last: str, domain: str, style: int) -> str:
    """Company e-mail in one of the usual patterns."""
    f, l = slug(first), slug(last)
    return (f"{f}.{l}@{domain}", f"{f[0]}.{l}@{domain}", f"{l}@{domain}", f"{f}{l}@{domain}")[style % 4]


def street_address(rng: np.random.Generator, company: Company) -> str:
    """'Hauptstraße 12, 74072 Heilbronn'."""
    return f"{choice(rng, STREETS)} {int(rng.integers(1, 180))}, {company.postcode} {company.city}"
