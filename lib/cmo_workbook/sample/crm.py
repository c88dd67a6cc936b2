"""HubSpot-style contacts and deals with a realistic B2B funnel, plus journey touchpoints."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .events import GOOGLE_CAMPAIGNS, GOOGLE_KEYWORDS, LINKEDIN_CAMPAIGNS, PARTNERS, fairs, month_index, webinars
from .common import (COMPANY, PRODUCTS, SALES_REPS, Window, business_time, choice, month_day_weights,
                     next_business_moment)
from .companies import Company, email_for, make_companies, person
from .regions import HEADER as REGION_HEADER

# Monthly lead volume at an average month (trade fairs come from the fair calendar).
BASE_LEADS = {"organic_search": 70, "paid_search": 66, "linkedin": 58, "email": 38,
              "partners": 25, "sales_outbound": 30, "direct": 33}
LEADS_PER_WEBINAR = 40
SEASON = {1: 1.0, 2: 1.05, 3: 1.1, 4: 1.0, 5: 1.0, 6: 0.95, 7: 0.9, 8: 0.6, 9: 1.05, 10: 1.1, 11: 1.1, 12: 0.75}
ORGANIC_GROWTH = np.log(1.45) / 12          # +45 % year over year (planted effect 5)
LINKEDIN_MQLS_PER_MONTH = 19                # flat while spend rises (planted effect 1)
MQL_RATE = {"trade_fairs": 0.55, "organic_search": 0.45, "paid_search": 0.40, "linkedin": 0.33, "email": 0.35,
            "webinars": 0.45, "partners": 0.60, "sales_outbound": 0.35, "direct": 0.40}
SQL_RATE = {"trade_fairs": 0.62, "organic_search": 0.50, "paid_search": 0.45, "linkedin": 0.32, "email": 0.42,
            "webinars": 0.50, "partners": 0.66, "sales_outbound": 0.55, "direct": 0.50}
OPP_RATE = 0.45
WIN_RATE = 0.30
LOST_REASONS = ("Preis zu hoch", "Wettbewerber gewählt", "Kein Budget", "Projekt verschoben", "Technisch nicht passend")
LOST_P = (0.30, 0.27, 0.15, 0.18, 0.10)
UNQUALIFIED = ("Kein Bedarf", "Student/Wettbewerber", "Falsche Zielgruppe", "Budget fehlt", "Dublette")
UNQUALIFIED_P = (0.35, 0.12, 0.25, 0.18, 0.10)
OPEN_STAGES = ("Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
               "Decision Maker Bought-In", "Contract Sent")

CONTACT_HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Company Name", "Country/Region", "Industry",
    "Contact owner", "Lifecycle Stage", "Lead Status", "Create Date", "Original Traffic Source",
    "Original Traffic Source Drill-Down 1", "Original Traffic Source Drill-Down 2",
    "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date", "Became an Opportunity Date",
    "Became a Customer Date", "Date of first engagement", "Sales Feedback Date", "Unqualified Reason",
    REGION_HEADER,  # custom property: the sales region (see .regions)
]
DEAL_HEADER = [
    "Record ID", "Deal Name", "Pipeline", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner",
    "Deal Type", "Associated Company (Primary)", "Associated Company IDs (Primary)", "Associated Contact IDs",
    "Closed Lost Reason", "Original Traffic Source", "Original Traffic Source Drill-Down 1",
]
TOUCH_HEADER = ["Contact ID", "Touch Timestamp", "Channel", "Campaign", "Interaction Type"]
COUNTRY_NAMES = {"DE": "Germany", "AT": "Austria", "CH": "Switzerland", "NL": "Netherlands", "PL": "Poland"}


@dataclass
class Lead:
    channel: str
    created: pd.Timestamp
    source: str
    dd1: str
    dd2: str
    campaign: str
    burst: bool = False           # trade-fair import: sales answers slowly
    force_mql: bool | None = None  # LinkedIn: MQL count fixed per month
    company: Company | None = None
    first: str = ""
    last: str = ""
    email: str = ""
    record_id: int = 0
    owner: str = ""
    dates: dict = field(default_factory=dict)
    rejected: str = ""
    region: str = ""              # sales region, set by .regions.assign_regions from its own stream


@dataclass
class CrmData:
    leads: list[Lead]
    deals: list[list[str]]
    touches: list[list[str]]
    companies: list[Company]
    customers: list[tuple[Company, str, str, str]]   # company, first, last, e-mail


def _source_fields(rng: np.random.Generator, channel: str, ts: pd.Timestamp, window: Window) -> tuple[str, str, str, str]:
    """HubSpot Original Traffic Source + drill-downs + campaign for a non-fair, non-webinar lead."""
    m = month_index(window, ts)
    if channel == "organic_search":
        engine = choice(rng, ("google", "bing", "ecosia", "duckduckgo"), (0.86, 0.07, 0.04, 0.03))
        return "Organic search", engine, "unknown keywords (SSL)", "organic"
    if channel == "paid_search":
        live = [c for c in GOOGLE_CAMPAIGNS if c[2] <= m]
        p = np.array([c[1] for c in live])
        name = choice(rng, live, p / p.sum())[0]
        return "Paid search", name, choice(rng, GOOGLE_KEYWORDS[name]), name
    if channel == "linkedin":
        live = [c for c in LINKEDIN_CAMPAIGNS if c[4] <= m and ("Leadgen" in c[0] or "Retargeting" in c[0])]
        name = choice(rng, live)[0]
        return "Paid social", "linkedin_" + name[3:].lower(), "LinkedIn", name
    if channel == "email":
        name = f"newsletter_{ts.strftime('%Y-%m')}"
        return "Email marketing", name, "hubspot", name
    if channel == "partners":
        partner = choice(rng, PARTNERS)
        if rng.random() < 0.6:
            return "Offline sources", "IMPORT", f"Partner: {partner}", partner
        return "Referrals", f"partnerportal.{COMPANY['domain']}", partner, partner
    if channel == "sales_outbound":
        q = (ts.month - 1) // 3 + 1
        name = f"Outbound Q{q} {ts.year}"
        return "Offline sources", "CRM_UI", name, name
    return "Direct traffic", f"www.{COMPANY['domain']}/kontakt", "", "direct"


def _draw_days(rng: np.random.Generator, month: pd.Period, n: int) -> list[pd.Timestamp]:
    days, w = month_day_weights(month)
    picked = rng.choice(len(days), size=n, p=w)
    return [business_time(rng, days[i]) for i in sorted(picked)]


def _make_leads(rng: np.random.Generator, window: Window) -> list[Lead]:
    leads: list[Lead] = []
    end = pd.Timestamp(window.end) + pd.Timedelta(hours=23, minutes=59)
    for m, month in enumerate(window.months):
        season = SEASON[month.month]
        for channel, base in BASE_LEADS.items():
            lam = base * (1.0 if channel == "linkedin" else season)
            if channel == "organic_search":
                lam *= np.exp(ORGANIC_GROWTH * (m - 11.5))
            n = int(rng.poisson(lam))
            stamps = _draw_days(rng, month, n)
            mql_flags: list[bool | None] = [None] * n
            # planted effects 1 and 5 fix the monthly MQL count, so they do not hinge on sampling luck
            k = None
            if channel == "linkedin":
                k = LINKEDIN_MQLS_PER_MONTH if m == len(window.months) - 1 else \
                    LINKEDIN_MQLS_PER_MONTH + int(rng.integers(-2, 3))
            elif channel == "organic_search":
                k = int(round(lam * MQL_RATE[channel] * rng.uniform(0.96, 1.04)))
            if k is not None:
                chosen = set(rng.choice(n, size=min(k, n), replace=False).tolist())
                mql_flags = [i in chosen for i in range(n)]
            for ts, flag in zip(stamps, mql_flags):
                source, dd1, dd2, campaign = _source_fields(rng, channel, ts, window)
                leads.append(Lead(channel, ts, source, dd1, dd2, campaign, force_mql=flag))
    for fair in fairs(window):
        n = int(rng.poisson(fair.leads))
        fair_end = pd.Timestamp(fair.start) + pd.Timedelta(days=fair.days - 1)
        # badge scans are imported in one or two batches a few business days after the fair
        imports = [fair_end + pd.offsets.BDay(int(rng.integers(2, 5)))]
        imports.append(imports[0] + pd.offsets.BDay(int(rng.integers(1, 4))))
        for i in range(n):
            day = imports[0] if rng.random() < 0.7 else imports[1]
            ts = day.normalize() + pd.Timedelta(hours=9, minutes=int(rng.integers(0, 40)))
            leads.append(Lead("trade_fairs", ts, "Offline sources", "IMPORT", fair.name, fair.short, burst=True))
    for web in webinars(window):
        n = int(rng.poisson(LEADS_PER_WEBINAR * SEASON[web.day.month]))
        for _ in range(n):
            day = pd.Timestamp(web.day) - pd.Timedelta(days=int(rng.integers(0, 21)))
            ts = business_time(rng, day) if day.day_of_week < 5 else business_time(rng, day - pd.Timedelta(days=2))
            if ts < pd.Timestamp(window.start):
                ts = business_time(rng, pd.Timestamp(window.start))
            leads.append(Lead("webinars", ts, "Other campaigns", web.utm, "", f"Webinar {web.topic}"))
    leads = [lead for lead in leads if pd.Timestamp(window.start) <= lead.created <= end]
    leads.sort(key=lambda lead: (lead.created, lead.channel, lead.dd1))
    return leads


def _fmt(ts: pd.Timestamp | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def _funnel(rng: np.random.Generator, lead: Lead, end: pd.Timestamp) -> None:
    """Fill the lifecycle dates of one lead; dates after the window never happened (yet)."""
    c = lead.channel
    d: dict[str, pd.Timestamp | None] = {}
    is_mql = lead.force_mql if lead.force_mql is not None else rng.random() < MQL_RATE[c]
    if not is_mql:
        lead.dates = d
        return
    if c in ("linkedin", "organic_search"):
        # scored on the form fill itself: MQL in the month of creation keeps the planted monthly counts
        mql = lead.created + pd.Timedelta(minutes=int(rng.integers(1, 120)))
    else:
        lag_days = int(rng.integers(0, 4)) if c == "trade_fairs" else int(min(rng.geometric(0.25) - 1, 14))
        mql = lead.created + pd.Timedelta(days=lag_days, minutes=int(rng.integers(1, 600)))
    if mql > end:
        lead.dates = d
        return
    d["mql"] = mql
    # sales' first contact, in office hours; imported fair bursts wait days
    hours = min(rng.lognormal(np.log(30 if lead.burst else 5), 0.8), 150.0)
    engagement = next_business_moment(mql, float(hours))
    if rng.random() < 0.07 or engagement > end:
        engagement = None
    d["engagement"] = engagement
    base = engagement if engagement is not None else mql
    feedback = base + pd.Timedelta(days=int(rng.integers(1, 12)), hours=int(rng.integers(0, 6)))
    if (engagement is None and rng.random() < 0.5) or feedback > end:
        feedback = None
    d["feedback"] = feedback
    if feedback is None:
        lead.dates = d
        return
    if rng.random() >= SQL_RATE[c]:
        lead.rejected = choice(rng, UNQUALIFIED, UNQUALIFIED_P)
        lead.dates = d
        return
    # SQL is 2-30 days after MQL: sales' acceptance is that moment
    sql = mql + pd.Timedelta(days=int(rng.integers(2, 31)), hours=int(rng.integers(0, 8)))
    if engagement is not None:
        sql = min(max(sql, engagement + pd.Timedelta(hours=2)), mql + pd.Timedelta(days=30, hours=20))
    if sql > end:
        d["feedback"] = None
        lead.dates = d
        return
    d["feedback"] = sql
    d["sql"] = sql
    if rng.random() < OPP_RATE:
        opp = sql + pd.Timedelta(days=int(rng.integers(7, 61)), hours=int(rng.integers(0, 8)))
        if opp <= end:
            d["opp"] = opp
    lead.dates = d


def _deal_amount(rng: np.random.Generator, median: float, sigma: float) -> float:
    amount = rng.lognormal(np.log(median), sigma)
    return float(np.clip(round(amount / 50) * 50, 2_500, 420_000))


def _gap_days(rng: np.random.Generator, orders_per_year: float) -> int:
    """Days to a customer's next order; capped because a near-zero rate means 'not within the window'."""
    return int(min(rng.exponential(365 / max(orders_per_year, 1e-3)), 3_650))


def _open_stage(progress: float) -> str:
    return OPEN_STAGES[min(int(progress * len(OPEN_STAGES)), len(OPEN_STAGES) - 1)]


def generate_crm(rng: np.random.Generator, window: Window) -> CrmData:
    """Contacts, deals (new and repeat business) and touchpoints of the sample company."""
    end = pd.Timestamp(window.end) + pd.Timedelta(hours=23, minutes=59)
    start = pd.Timestamp(window.start)
    companies = make_companies(rng, 3600)
    legacy = companies[:420]           # customers from before the window: repeat orders only
    prospects = companies[420:]
    leads = _make_leads(rng, window)
    next_id = 51_000
    for lead in leads:
        # some companies send several contacts; a few contacts come from existing customers
        pool = legacy if rng.random() < 0.06 else prospects
        lead.company = pool[int(rng.integers(0, len(pool)))]
        lead.first, lead.last = person(rng)
        lead.email = email_for(lead.first, lead.last, lead.company.domain, int(rng.integers(0, 4)))
        next_id += int(rng.integers(1, 40))
        lead.record_id = next_id
        _funnel(rng, lead, end)
        if "mql" in lead.dates or lead.channel == "sales_outbound" or rng.random() < 0.3:
            lead.owner = SALES_REPS[hash_index(lead.company.company_id, len(SALES_REPS))]

    deals: list[dict] = []
    customers: dict[str, tuple[Company, str, str, str]] = {}
    for lead in leads:
        opp = lead.dates.get("opp")
        if opp is None:
            continue
        amount = _deal_amount(rng, 35_000, 0.78)
        cycle = int(np.clip(rng.lognormal(np.log(95), 0.55), 30, 270))
        close = (opp + pd.Timedelta(days=cycle)).normalize()
        won = rng.random() < WIN_RATE
        product = choice(rng, PRODUCTS[:6])
        deal = {"name": f"{lead.company.name} - {product}", "created": opp.normalize(), "close": close,
                "owner": lead.owner, "type": "New Business", "company": lead.company, "contact": str(lead.record_id),
                "amount": amount}
        if close <= end:
            deal["stage"] = "Closed Won" if won else "Closed Lost"
            deal["lost"] = "" if won else choice(rng, LOST_REASONS, LOST_P)
            if won:
                lead.dates["customer"] = close + pd.Timedelta(hours=int(rng.integers(8, 18)))
                customers.setdefault(lead.company.company_id, (lead.company, lead.first, lead.last, lead.email))
        else:
            deal["stage"] = _open_stage((end - opp).days / max(cycle, 1))
            deal["lost"] = ""
        deals.append(deal)

    # repeat orders: every customer buys again at its own rate (what CLV estimates)
    repeaters = [(c, "", start - pd.Timedelta(days=int(rng.integers(30, 2000)))) for c in legacy]
    first_win = {}
    for d in deals:
        if d["stage"] == "Closed Won":
            first_win.setdefault(d["company"].company_id, (d["company"], d["contact"], d["close"]))
    repeaters += [(c, contact, close) for c, contact, close in first_win.values()]
    for company, contact, since in repeaters:
        rate = rng.gamma(1.6, 1.0)                       # orders per year, varies a lot by customer
        t = max(since, start) + pd.Timedelta(days=_gap_days(rng, rate) + 45)
        owner = SALES_REPS[hash_index(company.company_id, len(SALES_REPS))]
        while t <= end:
            cycle = int(rng.integers(7, 61))
            close = t.normalize() + pd.Timedelta(days=cycle)
            product = choice(rng, PRODUCTS)
            deal = {"name": f"{company.name} - Nachbestellung {product}", "created": t.normalize(), "close": close,
                    "owner": owner, "type": "Existing Business", "company": company, "contact": contact,
                    "amount": _deal_amount(rng, 22_000, 0.7)}
            if close <= end:
                won = rng.random() < 0.86
                deal["stage"] = "Closed Won" if won else "Closed Lost"
                deal["lost"] = "" if won else choice(rng, LOST_REASONS[:2])
            else:
                deal["stage"] = _open_stage((end - t).days / cycle)
                deal["lost"] = ""
            deals.append(deal)
            t += pd.Timedelta(days=_gap_days(rng, rate) + 20)
        if not contact:
            first, last = person(rng)
            customers.setdefault(company.company_id, (company, first, last,
                                                      email_for(first, last, company.domain, int(rng.integers(0, 4)))))

    deals.sort(key=lambda d: (d["created"], d["company"].company_id, d["name"]))
    deal_rows = [DEAL_HEADER]
    deal_id = 15_200_000_000
    # HubSpot copies the contact's original source onto the deal; deals without a contact have none
    source_of = {str(lead.record_id): (lead.source, lead.dd1) for lead in leads}
    for d in deals:
        deal_id += int(rng.integers(1_000, 400_000))
        source, detail = source_of.get(d["contact"], ("", ""))
        deal_rows.append([str(deal_id), d["name"], "Sales Pipeline", d["stage"], f"{d['amount']:.2f}",
                          d["close"].strftime("%Y-%m-%d"), d["created"].strftime("%Y-%m-%d"), d["owner"], d["type"],
                          d["company"].name, d["company"].company_id, d["contact"], d["lost"], source, detail])
    touches = _touchpoints(rng, leads, window)
    customer_list = [customers[k] for k in sorted(customers)]
    return CrmData(leads, deal_rows, touches, companies, customer_list)


def hash_index(key: str, n: int) -> int:
    """Stable territory assignment (Python's hash() is salted per process)."""
    return sum(ord(ch) * (i + 1) for i, ch in enumerate(key)) % n


def contact_rows(leads: list[Lead], end: pd.Timestamp) -> list[list[str]]:
    rows = [CONTACT_HEADER]
    for lead in sorted(leads, key=lambda x: x.record_id):
        d = lead.dates
        if "customer" in d:
            stage, status = "Customer", "Connected"
        elif "opp" in d:
            stage, status = "Opportunity", "Open Deal"
        elif "sql" in d:
            stage, status = "Sales Qualified Lead", "In Progress"
        elif lead.rejected:
            stage = "Other" if lead.record_id % 5 < 3 else "Marketing Qualified Lead"
            status = "Bad Timing" if lead.rejected == "Budget fehlt" and lead.record_id % 2 else "Unqualified"
        elif "mql" in d:
            stage = "Marketing Qualified Lead"
            status = "Attempted to Contact" if d.get("engagement") is not None else "Open"
        else:
            stage, status = "Lead", ("New" if (end - lead.created).days < 30 else "Open")
        c = lead.company
        rows.append([str(lead.record_id), lead.first, lead.last, lead.email, c.name, COUNTRY_NAMES[c.country],
                     c.industry, lead.owner, stage, status, _fmt(lead.created), lead.source, lead.dd1, lead.dd2,
                     _fmt(d.get("mql")), _fmt(d.get("sql")), _fmt(d.get("opp")), _fmt(d.get("customer")),
                     _fmt(d.get("engagement")), _fmt(d.get("feedback")), lead.rejected, lead.region])
    return rows


_FIRST_TOUCH = {"trade_fairs": "event", "organic_search": "form", "paid_search": "form", "linkedin": "form",
                "email": "email_click", "webinars": "webinar", "partners": "form", "sales_outbound": "call",
                "direct": "form"}


def _touchpoints(rng: np.random.Generator, leads: list[Lead], window: Window) -> list[list[str]]:
    """1-8 journey touches per lead (about 3 on average)."""
    start = pd.Timestamp(window.start)
    end = pd.Timestamp(window.end) + pd.Timedelta(hours=23, minutes=59, seconds=59)
    web = webinars(window)
    rows = []
    for lead in leads:
        touches = []
        n_total = int(min(1 + rng.poisson(2.2), 8))
        if n_total > 1 and rng.random() < 0.4:
            before = lead.created - pd.Timedelta(days=int(rng.integers(1, 60)), minutes=int(rng.integers(0, 900)))
            ch = choice(rng, ("organic_search", "direct", "paid_search"), (0.55, 0.3, 0.15))
            touches.append((before, ch, "website", "visit"))
        touches.append((lead.created, lead.channel, lead.campaign, _FIRST_TOUCH[lead.channel]))
        opp = lead.dates.get("opp")
        if opp is not None and len(touches) < n_total:
            touches.append((opp - pd.Timedelta(days=int(rng.integers(0, 5)), hours=int(rng.integers(1, 6))),
                            "sales_outbound", "Angebotstermin", "meeting"))
        while len(touches) < n_total:
            t = lead.created + pd.Timedelta(days=int(rng.integers(1, 200)), minutes=int(rng.integers(0, 600)))
            r = rng.random()
            if r < 0.45:
                touches.append((t, "email", f"newsletter_{t.strftime('%Y-%m')}", "email_click"))
            elif r < 0.6:
                w = choice(rng, web)
                touches.append((pd.Timestamp(w.day) + pd.Timedelta(hours=10), "webinars", f"Webinar {w.topic}", "webinar"))
            elif r < 0.85:
                touches.append((t, choice(rng, ("organic_search", "direct")), "website", "visit"))
            else:
                touches.append((t, "linkedin", "LI_Retargeting_Website", "visit"))
        seen = set()
        for ts, ch, campaign, kind in sorted(touches, key=lambda x: x[0]):
            ts = ts.floor("s")
            if not start <= ts <= end or (ts, ch) in seen:
                continue
            seen.add((ts, ch))
            rows.append((lead.record_id, ts, ch, campaign, kind))
    rows.sort(key=lambda r: (r[0], r[1]))
    out = [TOUCH_HEADER]
    out += [[str(r[0]), r[1].strftime("%Y-%m-%d %H:%M:%S"), r[2], r[3], r[4]] for r in rows]
    return out
