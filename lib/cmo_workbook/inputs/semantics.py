"""What CRM exports mean, beyond their headers: lead stages, deal status and deal ↔ lead links.

Exports say "qualified" in different ways: a date (HubSpot ``Became a Marketing Qualified
Lead Date``), a lifecycle stage, a lead status (Salesforce ``Qualified``/``Converted``, a
German list's ``Qualifiziert``/``Angebot``/``Auftrag``), or several of them at once. This
module turns all of them into one canonical ``stage`` per lead and fills the stage dates
the metrics count by, so a status-only export is counted like one with dates:

* a lead's stage is the furthest stage any of its status values or stage dates reaches;
  ``disqualified`` wins unless the lead reached an opportunity;
* a stage the lead reached without a date of its own gets the earliest later stage date the
  export has, else the previous stage's date, else the create date (``fill_stage_dates``).

Deals get their status from ``stage_map`` in params first, then from the tools' default
stage names (:data:`DEAL_STATUS_VALUES`); their lead from the export's own link, from
Salesforce's ``Converted Opportunity ID`` on the lead, and only when the export carries no
link at all from the contact e-mail or the company name (:func:`link_deals`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .schema import LEAD_STAGES

#: funnel rank of each stage; disqualified has no rank of its own
RANK = {"lead": 0, "qualified": 1, "sales_accepted": 2, "opportunity": 3, "customer": 4}
#: the stage date that dates reaching each rank
STAGE_DATE = {1: "mql_date", 2: "sql_date", 3: "opportunity_date", 4: "customer_date"}
#: stages from which a lead counts as qualified
QUALIFIED_STAGES = ("qualified", "sales_accepted", "opportunity", "customer")

#: status and lifecycle values of HubSpot, Salesforce, Dynamics, Zoho, Pipedrive and German
#: hand-kept lists -> canonical stage (keys casefolded). Params ``lead_stage_map`` goes first.
LEAD_STAGE_VALUES: dict[str, str] = {
    # HubSpot lifecycle stages (labels and internal names) and lead statuses
    "subscriber": "lead", "lead": "lead", "other": "lead",
    "marketing qualified lead": "qualified", "marketingqualifiedlead": "qualified", "mql": "qualified",
    "sales qualified lead": "sales_accepted", "salesqualifiedlead": "sales_accepted", "sql": "sales_accepted",
    "opportunity": "opportunity", "customer": "customer", "evangelist": "customer",
    "new": "lead", "open": "lead", "in progress": "lead", "attempted to contact": "lead", "connected": "lead",
    "bad timing": "lead", "open deal": "opportunity", "unqualified": "disqualified",
    # Salesforce lead status defaults, Dynamics 365 and Zoho
    "open - not contacted": "lead", "working - contacted": "lead", "working": "lead", "contacted": "lead",
    "not contacted": "lead", "attempted to contact ": "lead", "contact in future": "lead", "nurturing": "lead",
    "qualified": "qualified", "marketing qualified": "qualified", "pre-qualified": "qualified",
    "sales accepted": "sales_accepted", "sales accepted lead": "sales_accepted", "accepted": "sales_accepted",
    "converted": "opportunity", "closed - converted": "opportunity",
    "closed - not converted": "disqualified", "disqualified": "disqualified", "junk lead": "disqualified",
    "lost lead": "disqualified", "not qualified": "disqualified", "no longer interested": "disqualified",
    "cannot contact": "disqualified", "canceled": "disqualified", "cancelled": "disqualified",
    "won": "customer", "closed won": "customer",
    # German hand-kept lists
    "neu": "lead", "offen": "lead", "in bearbeitung": "lead", "kontaktiert": "lead", "nachfassen": "lead",
    "qualifiziert": "qualified", "marketing-qualifiziert": "qualified",
    "akzeptiert": "sales_accepted", "vom vertrieb akzeptiert": "sales_accepted", "übergeben": "sales_accepted",
    "an vertrieb übergeben": "sales_accepted", "vertrieb übernommen": "sales_accepted",
    "angebot": "opportunity", "angebot erstellt": "opportunity", "in verhandlung": "opportunity",
    "auftrag": "customer", "auftrag erteilt": "customer", "kunde": "customer", "gewonnen": "customer",
    "abgelehnt": "disqualified", "disqualifiziert": "disqualified", "nicht qualifiziert": "disqualified",
    "kein interesse": "disqualified", "kein bedarf": "disqualified", "verloren": "disqualified",
}

#: default pipeline stage names -> open/won/lost, used after params ``stage_map``
DEAL_STATUS_VALUES: dict[str, str] = {
    # Salesforce and Zoho default opportunity stages
    "prospecting": "open", "qualification": "open", "needs analysis": "open", "value proposition": "open",
    "id. decision makers": "open", "identify decision makers": "open", "perception analysis": "open",
    "proposal/price quote": "open", "negotiation/review": "open",
    "closed won": "won", "closed lost": "lost", "closed-lost to competition": "lost",
    # HubSpot default pipeline (labels and internal names)
    "appointmentscheduled": "open", "qualifiedtobuy": "open", "presentationscheduled": "open",
    "decisionmakerboughtin": "open", "contractsent": "open", "closedwon": "won", "closedlost": "lost",
    "appointment scheduled": "open", "qualified to buy": "open", "presentation scheduled": "open",
    "decision maker bought-in": "open", "contract sent": "open",
    # Dynamics 365 status / German lists
    "won": "won", "lost": "lost", "open": "open",
    "gewonnen": "won", "auftrag": "won", "auftrag erteilt": "won", "verloren": "lost", "abgesagt": "lost",
    "absage": "lost", "offen": "open", "angebot": "open", "angebot versendet": "open", "in verhandlung": "open",
}

_LEGAL_FORMS = re.compile(
    r"\b(gmbh & co\.? kg|gmbh|ag|kg|ohg|ug|se|e\.? ?k\.?|ges\.?m\.?b\.?h\.?|b\.?v\.?|n\.?v\.?|ltd\.?|inc\.?|llc|"
    r"sp\.? z ?o\.? ?o\.?|s\.?a\.?|s\.?r\.?l\.?|co\.?)\b", re.I)


def stage_lookup(lead_stage_map: Mapping[str, list] | None) -> dict[str, str]:
    """Status value (casefolded) -> stage: params ``lead_stage_map`` over :data:`LEAD_STAGE_VALUES`."""
    lookup = dict(LEAD_STAGE_VALUES)
    for stage, values in (lead_stage_map or {}).items():
        for v in values or []:
            lookup[str(v).strip().casefold()] = stage
    return lookup


def _stage_of(values: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    keys = values.astype("string").str.strip().str.casefold()
    return keys.astype(object).map(lookup).astype(object)


def derive_lead_stages(leads: pd.DataFrame, lookup: Mapping[str, str]) -> dict[str, object]:
    """Set ``stage`` and fill missing stage dates in place; return counts for notes and the profile.

    Counts: ``by_status`` leads whose qualification came from a status without any date,
    ``unknown`` {status value: rows} not in any map, ``no_stage`` leads without a stage.
    """
    n = len(leads)
    rank = np.full(n, -1)
    disq = np.zeros(n, dtype=bool)
    unknown: dict[str, int] = {}
    for col in ("lifecycle_stage", "lead_status"):
        if col not in leads:
            continue
        raw = leads[col]
        stage = _stage_of(raw, lookup)
        present = raw.notna().to_numpy(dtype=bool)
        missing = present & pd.isna(stage).to_numpy(dtype=bool)
        for value, count in raw[missing].astype(str).str.strip().value_counts().items():
            unknown[value] = unknown.get(value, 0) + int(count)
        rank = np.maximum(rank, stage.map(RANK).fillna(-1).to_numpy(dtype=int))
        disq |= (stage == "disqualified").to_numpy(dtype=bool)
    # no status at all (LinkedIn forms, a bare list): every row is a lead until a date says more;
    # a status no map knows leaves the stage open (the plausibility review reports it)
    has_status = np.zeros(n, dtype=bool)
    for col in ("lifecycle_stage", "lead_status"):
        if col in leads:
            has_status |= leads[col].notna().to_numpy(dtype=bool)
    rank = np.where(has_status, rank, np.maximum(rank, 0))
    status_rank = rank.copy()
    for r, col in STAGE_DATE.items():
        if col in leads:
            rank = np.where(leads[col].notna().to_numpy(dtype=bool), np.maximum(rank, r), rank)
    by_status = int(((status_rank >= 1) & leads["mql_date"].isna().to_numpy(dtype=bool)).sum()) if n else 0
    fill_stage_dates(leads, rank)
    names = np.array(["lead", "qualified", "sales_accepted", "opportunity", "customer"], dtype=object)
    stage = np.where(rank >= 0, names[np.clip(rank, 0, 4)], None)
    stage = np.where(disq & (rank < RANK["opportunity"]), "disqualified", stage)
    leads["stage"] = pd.Series(stage, index=leads.index, dtype="string")
    return {"by_status": by_status, "unknown": unknown, "no_stage": int(pd.isna(stage).sum())}


def fill_stage_dates(leads: pd.DataFrame, rank: np.ndarray) -> None:
    """Give every stage a lead reached a date: earliest later stage date, else previous stage, else created."""
    have = {r: leads[c].copy() for r, c in STAGE_DATE.items() if c in leads}
    previous = leads["created_date"]
    for r, col in STAGE_DATE.items():
        if col not in leads:
            continue
        reached = pd.Series(rank >= r, index=leads.index)
        later = [have[j] for j in have if j > r]
        candidate = pd.concat(later, axis=1).min(axis=1) if later else pd.Series(pd.NaT, index=leads.index)
        candidate = candidate.fillna(previous)
        leads[col] = leads[col].where(leads[col].notna() | ~reached, candidate)
        previous = leads[col].fillna(previous)


def deal_status_lookup(stage_map: Mapping[str, list]) -> dict[str, str]:
    """Stage (casefolded) -> open/won/lost: params ``stage_map`` over :data:`DEAL_STATUS_VALUES`."""
    lookup = dict(DEAL_STATUS_VALUES)
    for status, names in stage_map.items():
        for s in names or []:
            lookup[str(s).strip().casefold()] = status
    return lookup


def company_key(values: pd.Series) -> pd.Series:
    """Company names compared without case, legal form and punctuation ("Wolf GmbH" = "wolf")."""
    s = values.astype("string").str.casefold().str.replace(_LEGAL_FORMS, " ", regex=True)
    s = s.str.replace(r"[^\w]+", " ", regex=True).str.split().str.join(" ")
    return s.where(s != "", pd.NA)


def salesforce_key(values: pd.Series) -> pd.Series:
    """Salesforce ids match on their first 15 characters (reports mix 15- and 18-character ids)."""
    s = values.astype("string").str.strip()
    long = s.str.len().eq(18) & s.str.fullmatch(r"[A-Za-z0-9]{18}").fillna(False)
    return s.where(~long.fillna(False), s.str.slice(0, 15))


def link_deals(deals: pd.DataFrame, leads: pd.DataFrame, *, fallback: bool) -> dict[str, int]:
    """Fill ``deals.lead_id`` and ``deals.link`` in place; return how many deals each method linked.

    ``export``: the deal file named its lead; ``converted``: a lead's ``deal_id``;
    ``email`` / ``company`` (only with ``fallback``, i.e. when no file carries a link):
    the lead with the same contact e-mail, else the earliest lead of the same company
    created on or before the deal.
    """
    link = pd.Series(pd.NA, index=deals.index, dtype="string")
    link[deals["lead_id"].notna()] = "export"
    if leads["deal_id"].notna().any():
        conv = leads[leads["deal_id"].notna()]
        by_deal = pd.Series(conv["lead_id"].to_numpy(), index=salesforce_key(conv["deal_id"]).to_numpy())
        by_deal = by_deal[~by_deal.index.duplicated()]
        found = salesforce_key(deals["deal_id"]).map(by_deal)
        take = deals["lead_id"].isna() & found.notna()
        deals.loc[take, "lead_id"] = found[take]
        link[take] = "converted"
    if fallback:
        if deals["contact_email"].notna().any() and leads["contact_email"].notna().any():
            by_mail = leads.sort_values("created_date").assign(k=leads["contact_email"].str.strip().str.casefold())
            by_mail = by_mail.drop_duplicates("k").set_index("k")["lead_id"]
            found = deals["contact_email"].str.strip().str.casefold().map(by_mail)
            take = deals["lead_id"].isna() & found.notna()
            deals.loc[take, "lead_id"] = found[take]
            link[take] = "email"
        if deals["company"].notna().any() and leads["company"].notna().any():
            ld = leads.assign(k=company_key(leads["company"]))[["k", "created_date", "lead_id"]].dropna(subset=["k"])
            ld = ld.sort_values("created_date")
            todo = deals["lead_id"].isna() & deals["company"].notna()
            dk = deals.loc[todo].assign(k=company_key(deals.loc[todo, "company"]))
            dk = dk.dropna(subset=["k"])
            if len(dk):
                merged = dk.reset_index().merge(ld, on="k", suffixes=("", "_lead"))
                merged = merged[merged["created_date_lead"].dt.normalize() <= merged["created_date"]]
                first = merged.sort_values("created_date_lead").drop_duplicates("index").set_index("index")
                deals.loc[first.index, "lead_id"] = first["lead_id_lead"].to_numpy()
                link[first.index] = "company"
    deals["link"] = link
    counts = link.value_counts()
    return {m: int(counts.get(m, 0)) for m in ("export", "converted", "email", "company")}


__all__ = ["LEAD_STAGE_VALUES", "DEAL_STATUS_VALUES", "LEAD_STAGES", "QUALIFIED_STAGES", "stage_lookup",
           "derive_lead_stages", "fill_stage_dates", "deal_status_lookup", "link_deals", "company_key"]
