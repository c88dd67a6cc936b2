"""Independent derivations of the sample company's memo figures, from the RAW export files.

The golden tests (``tests/test_golden_<notebook>.py``) assert every figure a memo shows against the
values derived here. Nothing here imports ``cmo_workbook``: each file is read with plain pandas /
openpyxl, with its encoding, separator, decimal mark, title lines and footer rows stated explicitly,
and each KPI is written from its definition (``metrics/catalogue.py`` and ``params/example.yaml``),
not ported from the library. When a figure here and a memo differ, one of the two is wrong; the test
says which figure and both values.

The company's definitions come from params/example.yaml, read with plain PyYAML (not the library's
params loader): marketing channels, gross margin, fiscal year start, stage words, targets, SLA
settings, our product prices. The web channels of the goal "web_inquiries" and Bavaria's public
holidays are written out here by hand.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

PARAMS = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))

#: channels.marketing (sales_outbound, referral, other are not marketing)
MARKETING = tuple(PARAMS["channels"]["marketing"])
#: goal "web_inquiries" (metric qualified_leads_web): MQLs from the website channels
WEB = ("organic_search", "paid_search", "direct")
GROSS_MARGIN = float(PARAMS["company"]["gross_margin"])
FISCAL_YEAR_START = int(PARAMS["company"]["fiscal_year_start"])
#: stage_map won / lost (one stage each in the sample); every other stage is open
(WON,), (LOST,) = PARAMS["stage_map"]["won"], PARAMS["stage_map"]["lost"]


# --- periods -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """A closed range of months [first, last] as pandas Periods, with the memo's window code."""

    first: pd.Period
    last: pd.Period

    def months(self) -> pd.PeriodIndex:
        return pd.period_range(self.first, self.last, freq="M")

    @property
    def end(self) -> pd.Timestamp:
        """The first instant after the window (a date column is in the window iff first <= d < end)."""
        return (self.last + 1).to_timestamp()

    @property
    def start(self) -> pd.Timestamp:
        return self.first.to_timestamp()

    def has(self, s: pd.Series) -> pd.Series:
        """Which timestamps of ``s`` fall into the window (NaT never does)."""
        return (s >= self.start) & (s < self.end)


def month(p: str) -> Window:
    m = pd.Period(p, freq="M")
    return Window(m, m)


def quarter(p: str) -> Window:
    """"2026-Q3" -> Jul..Sep 2026."""
    q = pd.Period(p.replace("-", ""), freq="Q")
    return Window(q.asfreq("M", "start"), q.asfreq("M", "end"))


def trailing(last: str, n: int) -> Window:
    """The n months ending with month ``last`` (a quarter ends with its last month)."""
    end = quarter(last).last if "Q" in last else pd.Period(last, freq="M")
    return Window(end - (n - 1), end)


def ytd(last: str) -> Window:
    """Fiscal year to date (fiscal year starts in January for the sample company)."""
    end = quarter(last).last if "Q" in last else pd.Period(last, freq="M")
    start_year = end.year if end.month >= FISCAL_YEAR_START else end.year - 1
    return Window(pd.Period(f"{start_year}-{FISCAL_YEAR_START:02d}", freq="M"), end)


def window(code: str) -> Window:
    """The memo's ``data-window`` code: "2026-10", "2026-Q3", "2026-10/T3M", "…/T12M", "…/YTD"."""
    base, _, kind = code.partition("/")
    if not kind:
        return quarter(base) if "Q" in base else month(base)
    if kind == "T3M":
        return trailing(base, 3)
    if kind == "T12M":
        return trailing(base, 12)
    if kind == "YTD":
        return ytd(base)
    raise ValueError(f"window {code!r}: no golden definition for {kind!r}")


# --- German numbers --------------------------------------------------------------------------------

def de_number(value: object) -> float:
    """'9.500,00' / '1.234,5' / 9500 -> float; '' or None -> NaN (German thousands '.' and decimal ',')."""
    if value is None:
        return float("nan")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace("€", "").strip()
    if not text:
        return float("nan")
    return float(text.replace(".", "").replace(",", "."))


# --- the raw files -----------------------------------------------------------------------------------

def source_channel(source: object, detail1: object, detail2: object) -> str:
    """Our channel key for a HubSpot 'Original Traffic Source' and its drill-downs.

    Written from what the sample export contains (look at the distinct values): offline sources are
    fair imports ("Messe …"), partner imports ("Partner: …") or sales' own outbound lists; webinar
    registrations arrive as 'Other campaigns' webinar_…; the partner portal as a referral.
    """
    src = "" if pd.isna(source) else str(source)
    detail = " ".join("" if pd.isna(d) else str(d) for d in (detail1, detail2)).lower()
    if src == "Offline sources":
        if "messe" in detail:
            return "trade_fairs"
        if "partner" in detail:
            return "partners"
        if "outbound" in detail:
            return "sales_outbound"
        return "other"
    if src == "Other campaigns":
        return "webinars" if "webinar" in detail else "other"
    if src == "Referrals":
        return "partners" if "partner" in detail else "referral"
    if src == "Paid social":
        return "linkedin" if "linkedin" in detail else "paid_social"
    return {"Organic search": "organic_search", "Paid search": "paid_search", "Email marketing": "email",
            "Direct traffic": "direct"}.get(src, "other")


@functools.cache
def leads() -> pd.DataFrame:
    """HubSpot contacts export: UTF-8, ',' separated, ISO timestamps 'YYYY-MM-DD HH:MM'."""
    raw = pd.read_csv(SAMPLE / "crm" / "hubspot_contacts.csv", sep=",", encoding="utf-8", dtype=str)
    ts = {"created": "Create Date", "mql": "Became a Marketing Qualified Lead Date",
          "sql": "Became a Sales Qualified Lead Date", "opportunity": "Became an Opportunity Date",
          "customer": "Became a Customer Date", "first_contact": "Date of first engagement",
          "feedback": "Sales Feedback Date"}
    out = pd.DataFrame({k: pd.to_datetime(raw[v], format="%Y-%m-%d %H:%M") for k, v in ts.items()})
    out["id"] = raw["Record ID"]
    out["owner"] = raw["Contact owner"]
    out["reject_reason"] = raw["Unqualified Reason"]
    out["lead_status"] = raw["Lead Status"]
    out["channel"] = [source_channel(*r) for r in raw[["Original Traffic Source", "Original Traffic Source Drill-Down 1",
                                                        "Original Traffic Source Drill-Down 2"]].itertuples(index=False)]
    out["marketing"] = out["channel"].isin(MARKETING)
    return out


@functools.cache
def deals() -> pd.DataFrame:
    """HubSpot deals export: UTF-8, ',' separated, Amount with a decimal point, ISO dates.

    A deal's channel is its contact's (the lead that became the deal); a deal without an
    associated contact (re-orders of existing customers) has no marketing source.
    """
    raw = pd.read_csv(SAMPLE / "crm" / "hubspot_deals.csv", sep=",", encoding="utf-8", dtype=str)
    out = pd.DataFrame({
        "id": raw["Record ID"],
        "stage": raw["Deal Stage"],
        "amount": raw["Amount"].astype(float),
        "created": pd.to_datetime(raw["Create Date"], format="%Y-%m-%d"),
        "closed": pd.to_datetime(raw["Close Date"], format="%Y-%m-%d"),
        "new_business": raw["Deal Type"].eq("New Business"),
        "account": raw["Associated Company IDs (Primary)"],
        "contact": raw["Associated Contact IDs"],
        "lost_reason": raw["Closed Lost Reason"],
    })
    by_contact = leads().set_index("id")["channel"]
    out["channel"] = out["contact"].map(by_contact).fillna("other")
    out["marketing"] = out["channel"].isin(MARKETING)
    out["won"] = out["stage"].eq(WON)
    out["lost"] = out["stage"].eq(LOST)
    out["open"] = ~(out["won"] | out["lost"])
    return out


#: marketingkosten.xlsx 'Kanal' -> channel key
_SHEET_CHANNEL = {"E-Mail": "email", "Webinar": "webinars", "SEO/Content": "organic_search", "Partner": "partners",
                  "Messe": "trade_fairs"}


@functools.cache
def spend() -> pd.DataFrame:
    """All marketing cost lines: date, channel, cost (EUR), source file.

    * Google Ads report: UTF-8, two title lines (report name, date range), ',' separated, German
      numbers in quotes ("1.234,56"); footer rows "Gesamt: …" – the rule: a row counts only if its
      first cell is a date dd.mm.yyyy.
    * LinkedIn campaign performance: five title lines, US dates m/d/yyyy, decimal point.
    * marketingkosten.xlsx, sheet Kosten: a title row and an empty row above the header; 'Kosten (€)'
      is mostly numeric but some cells were typed as German text ("9.500,00").
    """
    g = pd.read_csv(SAMPLE / "ads" / "google_ads_kampagnen.csv", sep=",", encoding="utf-8-sig", skiprows=2, dtype=str)
    g = g[g["Tag"].str.fullmatch(r"\d{2}\.\d{2}\.\d{4}", na=False)]
    google = pd.DataFrame({"date": pd.to_datetime(g["Tag"], format="%d.%m.%Y"), "channel": "paid_search",
                           "cost": g["Kosten"].map(de_number), "file": "google_ads"})
    li = pd.read_csv(SAMPLE / "ads" / "linkedin_campaign_performance.csv", sep=",", encoding="utf-8-sig", skiprows=5,
                     dtype=str)
    li = li[li["Start Date (in UTC)"].str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", na=False)]
    linkedin = pd.DataFrame({"date": pd.to_datetime(li["Start Date (in UTC)"], format="%m/%d/%Y"), "channel": "linkedin",
                             "cost": li["Total Spent"].astype(float), "file": "linkedin"})
    ws = openpyxl.load_workbook(SAMPLE / "budget" / "marketingkosten.xlsx", read_only=True, data_only=True)["Kosten"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Datum"))
    body = [r for r in rows[header + 1:] if r and hasattr(r[0], "year")]
    sheet = pd.DataFrame({"date": pd.to_datetime([r[0] for r in body]),
                          "channel": [_SHEET_CHANNEL[r[1]] for r in body],
                          "cost": [de_number(r[3]) for r in body], "file": "sheet"})
    return pd.concat([google, linkedin, sheet], ignore_index=True)


def _de_csv(path: Path) -> pd.DataFrame:
    """A German Excel CSV written as UTF-8 with BOM: ';' separated, German numbers, dates dd.mm.yyyy."""
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)


@functools.cache
def plan() -> pd.DataFrame:
    """controlling/planung.csv: one row per month and channel with the marketing budget, plus one
    company row per month (cost centre '1000 Unternehmen') with the revenue and order-intake plans."""
    raw = _de_csv(SAMPLE / "controlling" / "planung.csv")
    out = pd.DataFrame({"month": pd.to_datetime(raw["Monat"], format="%d.%m.%Y").dt.to_period("M"),
                        "channel": raw["Kanal"], "cost_centre": raw["Kostenstelle"]})
    for col, name in (("Marketingbudget (€)", "budget"), ("Umsatzplan (€)", "revenue_plan"),
                      ("Auftragseingang Plan (€)", "order_intake_plan"),
                      ("Auftragseingang Marketing Plan (€)", "marketing_order_intake_plan"),
                      ("Umsatz Marketing Plan (€)", "marketing_revenue_plan")):
        out[name] = raw[col].map(de_number)
    return out


@functools.cache
def company_actuals() -> pd.DataFrame:
    """controlling/ist_umsatz_auftragseingang.csv: revenue and order intake per month (BWA)."""
    raw = _de_csv(SAMPLE / "controlling" / "ist_umsatz_auftragseingang.csv")
    return pd.DataFrame({"month": pd.to_datetime(raw["Monat"], format="%d.%m.%Y").dt.to_period("M"),
                         "revenue": raw["Umsatz (€)"].map(de_number),
                         "order_intake": raw["Auftragseingang (€)"].map(de_number)})


@functools.cache
def feedback() -> pd.DataFrame:
    """feedback/kundenfeedback.csv: German Excel 'CSV (Trennzeichen-getrennt)' – cp1252, ';', dd.mm.yyyy."""
    raw = pd.read_csv(SAMPLE / "feedback" / "kundenfeedback.csv", sep=";", encoding="cp1252", dtype=str)
    out = raw.rename(columns={"Nr.": "id", "Datum": "date", "Quelle": "source", "Kunde": "customer",
                              "Produkt": "product", "Segment": "segment", "Bewertung": "score",
                              "Kommentar": "text"})
    out["date"] = pd.to_datetime(out["date"], format="%d.%m.%Y")
    out["score"] = pd.to_numeric(out["score"])
    return out


# --- KPIs, each from its catalogue definition ---------------------------------------------------------

def _seg(df: pd.DataFrame, segment: str) -> pd.DataFrame:
    """Rows of one segment ("channel=linkedin"); "" = all rows."""
    if not segment:
        return df
    key, _, value = segment.partition("=")
    return df[df[key] == value]


def qualified_leads(w: Window, segment: str = "") -> int:
    """count(leads where mql_date in window and channel in channels.marketing)."""
    ld = _seg(leads(), segment)
    return int((ld["marketing"] & w.has(ld["mql"])).sum())


def qualified_leads_web(w: Window) -> int:
    ld = leads()
    return int((ld["channel"].isin(WEB) & w.has(ld["mql"])).sum())


def sql(w: Window) -> int:
    """count(leads where sql_date in window and channel in channels.marketing)."""
    ld = leads()
    return int((ld["marketing"] & w.has(ld["sql"])).sum())


def leads_created(w: Window) -> int:
    """All new contacts (every source, sales outbound included)."""
    return int(w.has(leads()["created"]).sum())


def sales_acceptance_rate(w: Window) -> float:
    """accepted / (accepted + rejected) of the cohort with MQL date in the window, counting only
    decisions taken before the window ends (accepted = became SQL; rejected = an 'Unqualified Reason'
    with its sales feedback date)."""
    ld = leads()
    cohort = ld[ld["marketing"] & w.has(ld["mql"])]
    accepted = (cohort["sql"] < w.end).sum()
    rejected = (cohort["reject_reason"].notna() & (cohort["feedback"] < w.end) & ~(cohort["sql"] < w.end)).sum()
    return accepted / (accepted + rejected)


def marketing_spend(w: Window, segment: str = "") -> float:
    s = _seg(spend(), segment)
    return float(s.loc[w.has(s["date"]), "cost"].sum())


def cost_per_qualified_lead(w: Window, segment: str = "") -> float:
    return marketing_spend(w, segment) / qualified_leads(w, segment)


def marketing_pipeline_value(w: Window, segment: str = "") -> float:
    """sum(deals.amount where created_date in window and channel in channels.marketing)."""
    d = _seg(deals(), segment)
    return float(d.loc[d["marketing"] & w.has(d["created"]), "amount"].sum())


def won_revenue(w: Window, marketing_only: bool = False, segment: str = "") -> float:
    d = _seg(deals(), segment)
    pick = d["won"] & w.has(d["closed"])
    if marketing_only:
        pick &= d["marketing"]
    return float(d.loc[pick, "amount"].sum())


def marketing_won_revenue(w: Window, segment: str = "") -> float:
    return won_revenue(w, True, segment)


def marketing_revenue_share(w: Window) -> float:
    return won_revenue(w, True) / won_revenue(w)


def new_customers(w: Window, marketing_only: bool = False) -> int:
    d = deals()
    pick = d["won"] & d["new_business"] & w.has(d["closed"])
    if marketing_only:
        pick &= d["marketing"]
    return int(pick.sum())


def marketing_first_order_value(w: Window) -> float:
    d = deals()
    return float(d.loc[d["won"] & d["new_business"] & d["marketing"] & w.has(d["closed"]), "amount"].sum())


def romi(margin_base: float, cost: float) -> float:
    """(revenue × gross margin − cost) / cost."""
    return (margin_base * GROSS_MARGIN - cost) / cost


def romi_all_orders(w: Window) -> float:
    return romi(marketing_won_revenue(w), marketing_spend(w))


def romi_first_orders(w: Window) -> float:
    return romi(marketing_first_order_value(w), marketing_spend(w))


def cac(w: Window) -> float:
    return marketing_spend(w) / new_customers(w, marketing_only=True)


def marketing_budget(w: Window) -> float:
    p = plan()
    return float(p.loc[p["month"].isin(w.months()), "budget"].sum())


def budget_variance(w: Window) -> float:
    return marketing_spend(w) - marketing_budget(w)


def spend_forecast_fy(w: Window) -> float:
    """spend(ytd) + budget(rest of the fiscal year) × spend(ytd) / budget(ytd)."""
    year_end = Window(w.first, w.first + 11)
    rest = Window(w.last + 1, year_end.last)
    return marketing_spend(w) + marketing_budget(rest) * marketing_spend(w) / marketing_budget(w)


def _actual(w: Window, col: str) -> float:
    a = company_actuals()
    return float(a.loc[a["month"].isin(w.months()), col].sum())


def company_order_intake(w: Window) -> float:
    return _actual(w, "order_intake")


def company_revenue(w: Window) -> float:
    return _actual(w, "revenue")


def marketing_order_intake_share(w: Window) -> float:
    return marketing_won_revenue(w) / company_order_intake(w)


def marketing_revenue_share_company(w: Window) -> float:
    return marketing_won_revenue(w) / company_revenue(w)


#: metric id -> f(window, segment) for the figures a golden test can pin exactly
GOLDEN = {
    "leads": lambda w, s: leads_created(w),
    "qualified_leads": qualified_leads,
    "qualified_leads_web": lambda w, s: qualified_leads_web(w),
    "sql": lambda w, s: sql(w),
    "sales_acceptance_rate": lambda w, s: sales_acceptance_rate(w),
    "marketing_spend": marketing_spend,
    "cost_per_qualified_lead": cost_per_qualified_lead,
    "marketing_pipeline_value": marketing_pipeline_value,
    "marketing_won_revenue": marketing_won_revenue,
    "won_revenue": lambda w, s: won_revenue(w),
    "marketing_revenue_share": lambda w, s: marketing_revenue_share(w),
    "new_customers": lambda w, s: new_customers(w),
    "new_customers_marketing": lambda w, s: new_customers(w, marketing_only=True),
    "marketing_first_order_value": lambda w, s: marketing_first_order_value(w),
    "romi_all_orders": lambda w, s: romi_all_orders(w),
    "romi_first_orders": lambda w, s: romi_first_orders(w),
    "cac": lambda w, s: cac(w),
    "marketing_budget": lambda w, s: marketing_budget(w),
    "budget_variance": lambda w, s: budget_variance(w),
    "spend_forecast_fy": lambda w, s: spend_forecast_fy(w),
    "company_order_intake": lambda w, s: company_order_intake(w),
    "company_revenue": lambda w, s: company_revenue(w),
    "marketing_order_intake_share": lambda w, s: marketing_order_intake_share(w),
    "marketing_revenue_share_company": lambda w, s: marketing_revenue_share_company(w),
}


def golden(metric: str, window_code: str, segment: str = "") -> float:
    """The independently derived value of one memo figure (KeyError: no golden derivation)."""
    return float(GOLDEN[metric](window(window_code), segment))


# --- reading the memo (the e-mail HTML the CEO receives) -------------------------------------------------

_NUM = re.compile(r"([+−-]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
_SCALE = (("Mio.", 1e6), ("Tsd.", 1e3), ("Prozentpunkt", 0.01), ("Pp.", 0.01), ("%", 0.01), ("Std.", 1.0))


def memo_html(eml: Path) -> str:
    """The HTML part of a memo's .eml (what the mail client renders)."""
    import email
    import email.policy

    msg = email.message_from_bytes(Path(eml).read_bytes(), policy=email.policy.default)
    return msg.get_body(preferencelist=("html",)).get_content()


def spans(html: str) -> list[dict[str, str]]:
    """Every ``<span data-metric=…>`` as {metric, window, segment, value, text} (text = what it shows)."""
    from lxml import html as lh

    out = []
    for el in lh.fromstring(html).iter("span"):
        if el.get("data-metric") is None:
            continue
        out.append({"metric": el.get("data-metric"), "window": el.get("data-window", ""),
                    "segment": el.get("data-segment", ""), "value": el.get("data-value", ""),
                    "text": el.text_content().replace("\u00a0", " ").strip()})
    return out


def shown(text: str) -> tuple[float, int, float]:
    """A German figure as shown ("1,3 Mio. €", "−1,8 Prozentpunkte", "7.519 €", "8,3 : 1") -> (number, decimals, scale)."""
    text = text.replace("\u00a0", " ").strip()
    m = _NUM.search(text)
    if not m:
        raise ValueError(f"no number in {text!r}")
    sign = -1.0 if m.group(1) in ("−", "-") else 1.0
    number = sign * float(m.group(2).replace(".", "") + ("." + m.group(3) if m.group(3) else ""))
    scale = next((f for unit, f in _SCALE if unit in text[m.end():]), 1.0)
    return number, len(m.group(3) or ""), scale


def shows(text: str, value: float) -> bool:
    """Whether ``text`` is ``value`` rounded to the digits it shows (half a unit of the last digit)."""
    number, decimals, scale = shown(text)
    return abs(value / scale - number) <= 0.5 * 10 ** -decimals + 1e-9


def tiles(html: str) -> dict[tuple[str, str, str], dict[str, str]]:
    """KPI tiles: (metric, window, segment) of the tile's main figure -> {comparison words: shown change}.

    A tile is a cell whose second line is one figure span; the lines after it read
    "<span>+21 %</span> ggü. Vormonat".
    """
    from lxml import html as lh

    out: dict[tuple[str, str, str], dict[str, str]] = {}
    for td in lh.fromstring(html).iter("td"):
        divs = td.findall("div")
        if len(divs) < 2:
            continue
        main = divs[1].find("span")
        if main is None or main.get("data-metric") is None or divs[1].text_content().strip() != main.text_content().strip():
            continue
        cmp = {}
        for d in divs[2:]:
            first = d.find("span")
            words = d.text_content().replace("\u00a0", " ")
            if first is not None and first.get("data-metric") is None and "ggü." in words:
                value = first.text_content().replace("\u00a0", " ").strip()
                cmp[words[len(value):].strip().replace("ggü. ", "", 1)] = value
        key = (main.get("data-metric"), main.get("data-window", ""), main.get("data-segment", ""))
        out[key] = {"label": divs[0].text_content().strip(), **cmp}
    return out


# --- comparisons (the lines under a tile) -------------------------------------------------------------------

_T = PARAMS["targets"]
#: targets (per month) and targets.quarterly; the acceptance rate's target is mql_to_sql_rate, the monthly
#: ROMI target is the one of ROMI on all orders, the quarterly one that of first orders
TARGETS_MONTH = {"qualified_leads": _T["qualified_leads"], "cost_per_qualified_lead": _T["cost_per_qualified_lead"],
                 "sales_acceptance_rate": _T["mql_to_sql_rate"], "marketing_pipeline_value": _T["marketing_pipeline_value"],
                 "marketing_won_revenue": _T["marketing_won_revenue"], "romi_all_orders": _T["romi"]}
TARGETS_QUARTER = {k: _T["quarterly"][k] for k in ("qualified_leads", "cost_per_qualified_lead", "marketing_pipeline_value",
                                                   "marketing_won_revenue", "clv_to_cac")}
TARGETS_QUARTER["romi_first_orders"] = _T["quarterly"]["romi"]
#: shown as a difference in percentage points (rates, and ROMI which is a ratio shown in %)
POINTS = {"sales_acceptance_rate", "marketing_revenue_share", "marketing_order_intake_share",
          "marketing_revenue_share_company", "romi_all_orders", "romi_first_orders"}
#: needs mature deal history: a comparison window inside the export's first RAMP_UP months shows "–"
DEAL_BASED = {"marketing_pipeline_value", "marketing_won_revenue", "won_revenue", "marketing_revenue_share",
              "new_customers", "new_customers_marketing", "marketing_first_order_value", "romi_all_orders",
              "romi_first_orders", "cac", "clv", "marketing_order_intake_share", "marketing_revenue_share_company",
              "clv_to_cac"}
RAMP_UP = 9   # catalogue DEFAULT_PARAMS ramp_up_months


def data_start() -> pd.Period:
    """The first month of the CRM export (its earliest contact)."""
    return leads()["created"].min().to_period("M")


def shifted(w: Window, months: int) -> Window:
    return Window(w.first - months, w.last - months)


def _plan_share(w: Window, numerator: str, denominator: str) -> float:
    p = plan()
    rows = p[p["month"].isin(w.months())]
    return float(rows[numerator].sum() / rows[denominator].sum())


def comparison(metric: str, window_code: str, segment: str, words: str, *, quarterly: bool | None = None,
               value: float | None = None) -> float | None:
    """The change a tile shows against ``words`` ("Vormonat", "Vorjahresmonat", "Ziel", "Budget", "Plan",
    "Vorquartal", "Vorjahresquartal", "Vormonat (12 Monate)", "Vorjahr"): a relative change for counts
    and euros, a difference for rates; None where the memo must show "–" (immature deal history)."""
    w = window(window_code)
    if value is None:
        value = golden(metric, window_code, segment)
    if quarterly is None:  # the quarterly memos show trailing windows too; they say so
        quarterly = "Q" in window_code.partition("/")[0]
    if words in ("Ziel", "Plan", "Budget"):
        if metric == "marketing_spend":
            ref = marketing_budget(w)
        elif metric == "marketing_order_intake_share":
            ref = _plan_share(w, "marketing_order_intake_plan", "order_intake_plan")
        elif metric == "marketing_revenue_share_company":
            ref = _plan_share(w, "marketing_revenue_plan", "revenue_plan")
        else:
            ref = (TARGETS_QUARTER if quarterly else TARGETS_MONTH)[metric]
    else:
        step = {"Vormonat": 1, "Vormonat (12 Monate)": 1, "Vorquartal": 3, "Stand Vorquartal": 3,
                "Vorjahresmonat": 12, "Vorjahr": 12, "Vorjahresquartal": 12}[words]
        ref_w = shifted(w, step)
        if metric in DEAL_BASED and ref_w.first < data_start() + RAMP_UP:
            return None
        ref = float(GOLDEN[metric](ref_w, segment))
    return value - ref if metric in POINTS else value / ref - 1


# --- which figures are pinned how ---------------------------------------------------------------------------

#: Figures whose value is model-bound, so no plain-pandas derivation reproduces them; the golden tests
#: assert their inputs or an invariant instead (each entry says which).
MODEL_BOUND = {
    # discounted margin of expected future orders per customer (a fitted repeat-purchase model):
    # asserted positive, and clv_to_cac = shown CLV / golden CAC
    "clv": "repeat-purchase model; invariant clv_to_cac = clv / cac",
    # the ratio of the model-bound CLV and the golden CAC: asserted as that ratio
    "clv_to_cac": "clv (model) / golden cac",
}


def close(a: float, b: float, rel: float = 1e-8) -> bool:
    """Equal up to the ten significant digits the memo writes into data-value."""
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def check_spans(html: str) -> tuple[list[str], dict[str, int]]:
    """Every figure span against its golden value and its shown digits; (problems, counts)."""
    problems: list[str] = []
    counts = {"found": 0, "pinned": 0, "model_bound": 0}
    by_key = {(s["metric"], s["window"]): float(s["value"]) for s in spans(html)}
    for s in spans(html):
        counts["found"] += 1
        where = f"{s['metric']} {s['window']} {s['segment']}".strip()
        value = float(s["value"])
        if s["metric"] in MODEL_BOUND:
            counts["model_bound"] += 1
            if s["metric"] == "clv" and not value > 0:
                problems.append(f"{where}: CLV {value} is not positive")
            if s["metric"] == "clv_to_cac":
                clv = next((v for (m, _), v in by_key.items() if m == "clv"), None)
                want = clv / golden("cac", s["window"]) if clv is not None else None
                if want is None or not close(value, want, 1e-6):
                    problems.append(f"{where}: {value} != shown CLV / golden CAC = {want}")
            continue
        if s["metric"] not in GOLDEN:
            problems.append(f"{where}: no golden derivation (add one to golden_raw.GOLDEN, or to MODEL_BOUND with a reason)")
            continue
        want = golden(s["metric"], s["window"], s["segment"])
        counts["pinned"] += 1
        if not close(value, want):
            problems.append(f"{where}: memo data-value {value} != golden {want}")
        if not shows(s["text"], want):
            problems.append(f"{where}: shows {s['text']!r}, golden {want}")
    return problems, counts


def memo_fixtures(name: str, period: str):
    """A golden test file's module-scoped ``html`` (the German memo's e-mail HTML, run once) and ``text`` (its
    visible text, nbsp as space) fixtures: ``html, text = g.memo_fixtures(NAME, PERIOD)``."""
    import pytest

    @pytest.fixture(scope="module")
    def html(memo_run) -> str:
        result = memo_run(name, period, "de")
        assert result.ok, result.message
        return memo_html(result.eml)

    @pytest.fixture(scope="module")
    def text(html) -> str:
        return visible_text(html)

    return html, text


def assert_spans_pinned(html: str, at_least: int | None = None) -> None:
    """Every figure span equals its golden value, and every span is pinned or model-bound (allow-listed with its
    invariant); ``at_least``: the fewest spans the memo must carry (so a memo that lost its spans fails)."""
    problems, counts = check_spans(html)
    assert not problems, "\n".join(problems)
    assert counts["found"] == counts["pinned"] + counts["model_bound"]
    if at_least is not None:
        assert counts["found"] >= at_least, counts


def memo_table(html: str, *first_columns: str) -> pd.DataFrame:
    """The memo's first table whose leading column headers are ``first_columns``; text cells with nbsp as space."""
    from io import StringIO

    for t in pd.read_html(StringIO(html), thousands=None):
        if tuple(str(c) for c in t.columns[:len(first_columns)]) == first_columns:
            return t.map(lambda v: v.replace("\u00a0", " ") if isinstance(v, str) else v)
    raise AssertionError(f"no table with columns {first_columns} in the memo")


def channel_cpl_table(last: str, min_leads: int = 5) -> pd.DataFrame:
    """Cost per qualified inquiry per paid channel, last 3 months vs the same 3 months a year earlier:
    channels with spend, at least ``min_leads`` inquiries and a year-ago value; excess cost = what the
    same inquiries would have cost less at last year's cost per inquiry."""
    now, ref = trailing(last, 3), shifted(trailing(last, 3), 12)
    rows = {}
    for c in MARKETING:
        seg = f"channel={c}"
        cost, n, n_ref = marketing_spend(now, seg), qualified_leads(now, seg), qualified_leads(ref, seg)
        if cost > 0 and n >= min_leads and n_ref and marketing_spend(ref, seg) > 0:
            rows[c] = {"cpl": cost / n, "cpl_ref": marketing_spend(ref, seg) / n_ref, "leads": n, "spend": cost}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df["change"] = df["cpl"] / df["cpl_ref"] - 1
    df["excess_cost"] = (df["cpl"] - df["cpl_ref"]) * df["leads"]
    return df


def worst_channel(last: str, threshold: float = 0.3) -> str | None:
    """The channel whose cost per inquiry rose by at least ``threshold`` and costs the most extra money."""
    df = channel_cpl_table(last)
    worse = df[(df["change"] >= threshold) & (df["excess_cost"] > 0)]
    return None if worse.empty else str(worse["excess_cost"].idxmax())


def channel_shift(q: str) -> tuple[str, float, float] | None:
    """The quarter's channel-shift decision: (channel, amount, excess cost). The channel: cost per inquiry up at least
    30 % on the same quarter a year earlier with the largest excess cost (spend − last year's cost per inquiry ×
    inquiries); the amount: that excess, at most 20 % of the channel's quarter spend, cut to whole 100 €."""
    df = channel_cpl_table(q)  # the 3 months ending with the quarter's last month are the quarter
    worse = df[(df["change"] >= 0.3) & (df["excess_cost"] > 0)]
    if worse.empty:
        return None
    c = str(worse["excess_cost"].idxmax())
    r = worse.loc[c]
    excess = r["spend"] - r["cpl_ref"] * r["leads"]
    return c, float(int(min(excess, 0.2 * r["spend"]) // 100) * 100), float(excess)


# --- sales-marketing service levels (params sla:) ---------------------------------------------------------

_SLA = PARAMS["sla"]
assert PARAMS["company"]["state"] == "BY" and _SLA["business_hours"] == "8-17 Mon-Fri", "golden calendar is Bavaria's, 8-17"
#: public holidays of Bavaria (company.state BY), written out by hand from the calendar (Easter
#: 2025-04-20, 2026-04-05), plus the company's own days off (sla.holidays)
HOLIDAYS = frozenset(pd.to_datetime([
    "2024-11-01", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-01-06", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09",
    "2025-06-19", "2025-08-15", "2025-10-03", "2025-11-01", "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25",
    "2026-06-04", "2026-08-15", "2026-10-03", "2026-11-01", "2026-12-25", "2026-12-26",
    *[str(d) for d in _SLA["holidays"]],
]).date)
DAY_START, DAY_END = 8, 17
RESPONSE_HOURS = float(_SLA["response_hours"])
FEEDBACK_DAYS = float(_SLA["feedback_days"])
RESPONSE_TARGET, FEEDBACK_TARGET = float(_SLA["response_target"]), float(_SLA["feedback_target"])


def business_hours(a: pd.Timestamp, b: pd.Timestamp) -> float:
    """Business hours between two instants: each working day contributes its overlap with 08:00–17:00."""
    if pd.isna(a) or pd.isna(b) or b <= a:
        return 0.0
    total = 0.0
    for day in pd.date_range(a.normalize(), b.normalize(), freq="D"):
        if day.weekday() >= 5 or day.date() in HOLIDAYS:
            continue
        lo, hi = max(a, day + pd.Timedelta(hours=DAY_START)), min(b, day + pd.Timedelta(hours=DAY_END))
        total += max(0.0, (hi - lo).total_seconds() / 3600)
    return total


def sla_frame(w: Window) -> pd.DataFrame:
    """MQLs of every source handed over in the window, counted as of the window's end: response and
    feedback in business hours, each 'met', 'breach' (late, or unanswered past the limit) or 'pending'."""
    ld = leads()
    df = ld[w.has(ld["mql"])].copy()
    cut = w.end
    resp = df["first_contact"].where(df["first_contact"] < cut)
    df["response_h"] = [business_hours(m, r if pd.notna(r) else cut) for m, r in zip(df["mql"], resp)]
    df["answered"] = resp.notna()
    limit = RESPONSE_HOURS
    df["response"] = ["met" if a and h <= limit else "breach" if h > limit else "pending"
                      for a, h in zip(df["answered"], df["response_h"])]
    decided = pd.concat([df["sql"].where(df["sql"] < cut), df["feedback"].where(df["feedback"] < cut)], axis=1).min(axis=1)
    df["feedback_d"] = [business_hours(m, d if pd.notna(d) else cut) / (DAY_END - DAY_START)
                        for m, d in zip(df["mql"], decided)]
    df["feedback_given"] = decided.notna()
    df["feedback_status"] = ["met" if g_ and d <= FEEDBACK_DAYS else "breach" if d > FEEDBACK_DAYS else "pending"
                             for g_, d in zip(df["feedback_given"], df["feedback_d"])]
    return df


def rate(status: pd.Series) -> float:
    """met / (met + breach); pending leads are left out."""
    met, breach = (status == "met").sum(), (status == "breach").sum()
    return met / (met + breach)


def km_median(hours: pd.Series, observed: pd.Series) -> float:
    """Kaplan–Meier median: unanswered leads are censored at the hours they have waited so far."""
    d = pd.DataFrame({"t": hours.to_numpy(), "e": observed.to_numpy()}).sort_values("t")
    s, at_risk = 1.0, len(d)
    for t_, grp in d.groupby("t", sort=True):
        events = int(grp["e"].sum())
        if events:
            s *= 1 - events / at_risk
            if s <= 0.5 + 1e-12:  # exactly half (15 of 30) must count despite the float product
                return float(t_)
        at_risk -= len(grp)
    return float("nan")


def sla_by(w: Window, key: str) -> pd.DataFrame:
    """Response SLA per ``key`` (channel, owner): inquiries, share within 24 h, late, KM median;
    ordered as the memo lists them (most late first, then most inquiries)."""
    f = sla_frame(w)
    f[key] = f[key].fillna("–")
    rows = {k: {"n": len(grp), "rate": rate(grp["response"]), "late": int((grp["response"] == "breach").sum()),
                "met": int((grp["response"] == "met").sum()),
                "pending": int((grp["response"] == "pending").sum()),
                "median": km_median(grp["response_h"], grp["answered"])}
            for k, grp in f.groupby(key)}
    df = pd.DataFrame.from_dict(rows, orient="index")
    return df.sort_values(["late", "n"], ascending=[False, False], kind="stable")


def decisions(w: Window) -> pd.DataFrame:
    """Leads (all sources) whose sales feedback date falls in the window, with the outcome as of the
    window's end: accepted (became SQL) or rejected (an 'Unqualified Reason')."""
    ld = leads()
    d = ld[w.has(ld["feedback"])].copy()
    accepted = d["sql"] < w.end
    d["outcome"] = ["accepted" if a else "rejected" if isinstance(r, str) else "none"
                    for a, r in zip(accepted, d["reject_reason"])]
    return d[d["outcome"] != "none"]


def quality_by_channel(w: Window) -> pd.DataFrame:
    """Per channel: decided, accepted share, the two most frequent rejection reasons (ties alphabetical);
    most rejections first."""
    rows = {}
    for c, grp in decisions(w).groupby("channel"):
        rej = grp.loc[grp["outcome"] == "rejected", "reject_reason"].value_counts()
        rej = rej.sort_index().sort_values(ascending=False, kind="stable")
        rows[c] = {"decided": len(grp), "accepted": (grp["outcome"] == "accepted").mean(),
                   "rejected": int((grp["outcome"] == "rejected").sum()),
                   "reasons": ", ".join(f"{r} ({n})" for r, n in rej.head(2).items())}
    df = pd.DataFrame.from_dict(rows, orient="index")
    return df.sort_values(["rejected", "decided"], ascending=[False, False], kind="stable")


@functools.cache
def touchpoints() -> pd.DataFrame:
    """crm/touchpoints.csv: UTF-8 with BOM, ',' separated; its Channel column already holds channel keys."""
    raw = pd.read_csv(SAMPLE / "crm" / "touchpoints.csv", sep=",", encoding="utf-8-sig", dtype=str)
    return pd.DataFrame({"contact": raw["Contact ID"], "ts": pd.to_datetime(raw["Touch Timestamp"]),
                         "channel": raw["Channel"]})


def outbound_with_marketing_touch(w: Window) -> pd.DataFrame:
    """New-business deals created in the window whose lead is sales' own outbound although that lead
    had a marketing touch before the deal was created."""
    d = deals()
    d = d[d["new_business"] & w.has(d["created"]) & (d["channel"] == "sales_outbound")]
    tp = touchpoints()
    tp = tp[tp["channel"].isin(MARKETING)]
    keep = [i for i, row in d.iterrows() if ((tp["contact"] == row["contact"]) & (tp["ts"] < row["created"])).any()]
    return d.loc[keep]


def _company(s: pd.Series) -> pd.Series:
    return s.str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()


def shared_companies(w: Window) -> pd.DataFrame:
    """Companies with an open deal (created before the window's end) and a new marketing lead created in
    the window, on or after the company's first open deal; one row per company with its open value, largest first."""
    raw = pd.read_csv(SAMPLE / "crm" / "hubspot_contacts.csv", sep=",", encoding="utf-8", dtype=str)
    ld = leads().assign(company=raw["Company Name"])
    new = ld[ld["marketing"] & w.has(ld["created"])]
    rawd = pd.read_csv(SAMPLE / "crm" / "hubspot_deals.csv", sep=",", encoding="utf-8", dtype=str)
    d = deals().assign(company=rawd["Associated Company (Primary)"])
    open_ = d[d["open"] & (d["created"] < w.end)]
    # a lead counts only on or after the company's first open deal was created (before it, the lead may be
    # where the deal came from)
    first_deal = open_.groupby(_company(open_["company"]))["created"].min()
    nk = _company(new["company"])
    after = new[nk.notna() & (new["created"] >= nk.map(first_deal))]
    keys = set(_company(after["company"]).dropna())
    o = open_[_company(open_["company"]).isin(keys)]
    out = o.groupby(_company(o["company"]).rename("key")).agg(company=("company", "first"), open_value=("amount", "sum"))
    return out.sort_values(["open_value", "company"], ascending=[False, True]).reset_index(drop=True)


def visible_text(html: str) -> str:
    """The memo's text as a reader sees it: blocks (div, td, p, ...) separated by a space, nbsp as space,
    runs of white space collapsed."""
    from lxml import html as lh

    tree = lh.fromstring(html)
    for el in tree.iter("div", "td", "th", "p", "li", "h1", "h2", "h3", "tr", "br"):
        el.tail = " " + (el.tail or "")
    return re.sub(r"\s+", " ", tree.text_content().replace("\u00a0", " "))


# --- attribution (attribution_review) ----------------------------------------------------------------------

LOOKBACK_DAYS = 365   # touches up to a year before the order count


def first_orders(w: Window) -> pd.DataFrame:
    """Won new-business deals closed in the window (first orders of new customers, all sources)."""
    d = deals()
    return d[d["won"] & d["new_business"] & w.has(d["closed"])]


def linear_credit(w: Window) -> pd.Series:
    """Linear attribution of the first orders' contribution margin (amount × gross margin): each touch of the
    deal's contact in the year before (and on) the close date gets an equal share; channel -> margin."""
    tp = touchpoints()
    credit: dict[str, float] = {}
    for _, deal in first_orders(w).iterrows():
        t = tp[(tp["contact"] == deal["contact"]) & (tp["ts"] < deal["closed"] + pd.Timedelta(days=1))
               & (tp["ts"] >= deal["closed"] - pd.Timedelta(days=LOOKBACK_DAYS))]
        for c in t["channel"]:
            credit[c] = credit.get(c, 0.0) + deal["amount"] * GROSS_MARGIN / len(t)
    return pd.Series(credit, dtype=float)


def channel_spend(w: Window) -> pd.Series:
    s = spend()
    return s[w.has(s["date"])].groupby("channel")["cost"].sum()


def romi_first_orders_attributed(w: Window) -> float:
    """(margin credited to the channels with cost − their cost) / cost, linear model: a channel without
    cost (direct) earns no return to set against marketing money."""
    cost = channel_spend(w)
    cost = cost[cost > 0]
    return float(linear_credit(w).reindex(cost.index).fillna(0).sum() - cost.sum()) / float(cost.sum())


GOLDEN["romi_first_orders_attributed"] = lambda w, s: romi_first_orders_attributed(w)
POINTS.add("romi_first_orders_attributed")
TARGETS_QUARTER["romi_first_orders_attributed"] = TARGETS_QUARTER["romi_first_orders"]


# --- marketing diary (stakeholder_update) -----------------------------------------------------------------

def diary() -> pd.DataFrame:
    """data/sample/diary/<ISO week>.md: front matter between '---' lines with 'week:' and 'tags: [a, b]'.
    One row per file: week (its Thursday, which decides the month and quarter), tags."""
    rows = []
    for path in sorted((SAMPLE / "diary").glob("*.md")):
        head = path.read_text(encoding="utf-8").split("---")[1]
        week = re.search(r"^week:\s*(\S+)", head, re.M).group(1)
        tags = re.search(r"^tags:\s*\[(.*)\]", head, re.M)
        year, w = week.split("-W")
        thursday = pd.Timestamp.fromisocalendar(int(year), int(w), 4)
        rows.append({"week": week, "thursday": thursday,
                     "tags": {t.strip() for t in tags.group(1).split(",")} if tags else set()})
    return pd.DataFrame(rows)


def iso_weeks(w: Window) -> int:
    """ISO weeks whose Thursday falls in the window."""
    days = pd.date_range(w.start, w.end - pd.Timedelta(days=1), freq="D")
    return int((days.day_of_week == 3).sum())


# --- customer feedback (voice_of_customer, strategy_memo) -----------------------------------------------------

def feedback_in(w: Window) -> pd.DataFrame:
    f = feedback()
    return f[w.has(f["date"])]


def nps(w: Window) -> tuple[float, int, int, int]:
    """Net promoter score of the ratings (0–10) given in the window, pooled: (NPS in points, answers,
    promoters 9–10, detractors 0–6)."""
    s = feedback_in(w)["score"].dropna()
    promoters, detractors = int((s >= 9).sum()), int((s <= 6).sum())
    return 100 * (promoters - detractors) / len(s), len(s), promoters, detractors


# --- competitors (strategy_memo, competitor_briefing) -----------------------------------------------------------

@functools.cache
def competitor_prices() -> pd.DataFrame:
    """competitors/wettbewerb_preise.csv: UTF-8 BOM, ';', German prices, dd.mm.yyyy."""
    raw = _de_csv(SAMPLE / "competitors" / "wettbewerb_preise.csv")
    return pd.DataFrame({"date": pd.to_datetime(raw["Datum"], format="%d.%m.%Y"), "competitor": raw["Wettbewerber"],
                         "product": raw["Produkt"], "price": raw["Preis"].map(de_number), "currency": raw["Währung"],
                         "kind": raw["Preisart"], "basis": raw["Netto/Brutto"], "ours": raw["Vergleichsprodukt"]})


@functools.cache
def observations() -> pd.DataFrame:
    """competitors/wettbewerb_beobachtungen.xlsx, sheet Beobachtungen: header in the first row."""
    ws = openpyxl.load_workbook(SAMPLE / "competitors" / "wettbewerb_beobachtungen.xlsx", read_only=True)["Beobachtungen"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    df = pd.DataFrame(rows[1:], columns=rows[0]).dropna(how="all")
    df["Datum"] = pd.to_datetime(df["Datum"])
    return df


def list_price_changes(competitor: str, until: pd.Timestamp) -> pd.DataFrame:
    """Each list price of ``competitor`` that changed against its previous observation, up to ``until``."""
    p = competitor_prices()
    p = p[(p["competitor"] == competitor) & (p["kind"] == "Listenpreis") & (p["date"] < until)].sort_values("date")
    p = p.assign(previous=p.groupby("product")["price"].shift())
    p = p[p["previous"].notna() & (p["price"] != p["previous"])]
    return p.assign(change=p["price"] / p["previous"] - 1)


#: competitors.own_products: our net list prices
OWN_PRICES = {p["name"]: float(p["price"]) for p in PARAMS["competitors"]["own_products"]}
HALF_LIFE_DAYS = float(PARAMS["competitors"]["relevance_half_life_days"])


def price_index(competitor: str, on: pd.Timestamp) -> float:
    """Mean of the competitor's list price / our price for comparable products (×100), on one snapshot date."""
    p = competitor_prices()
    x = p[(p["competitor"] == competitor) & (p["kind"] == "Listenpreis") & (p["date"] == on)]
    return float((x["price"] / x["ours"].map(OWN_PRICES)).mean() * 100)


def position_credit(w: Window, model: str) -> pd.Series:
    """Order value (not margin) of the first orders credited by a single-touch rule: 'first' touch,
    'last' touch, or 'last_non_direct' (the last touch that is not direct traffic, else the last)."""
    tp = touchpoints()
    credit: dict[str, float] = {}
    for _, deal in first_orders(w).iterrows():
        t = tp[(tp["contact"] == deal["contact"]) & (tp["ts"] < deal["closed"] + pd.Timedelta(days=1))
               & (tp["ts"] >= deal["closed"] - pd.Timedelta(days=LOOKBACK_DAYS))].sort_values("ts", kind="stable")
        if t.empty:
            continue
        if model == "last_non_direct" and (t["channel"] != "direct").any():
            t = t[t["channel"] != "direct"]
        c = t["channel"].iloc[0 if model == "first" else -1]
        credit[c] = credit.get(c, 0.0) + deal["amount"]
    return pd.Series(credit, dtype=float)


def velocity(q: str) -> float:
    """Sales velocity of new business per month at the quarter's end: open deals × mean won value ×
    win rate (by count) ÷ mean days created→won, × 365.25/12; won/lost deals of the 365 days before."""
    end = quarter(q).end
    d = deals()
    nb = d[d["new_business"]]
    open_ = nb[(nb["created"] < end) & (nb["open"] | (nb["closed"] >= end))]
    closed = nb[(nb["won"] | nb["lost"]) & (nb["closed"] < end) & (nb["closed"] >= end - pd.Timedelta(days=365))]
    won = closed[closed["won"]]
    cycle = (won["closed"] - won["created"]).dt.days.mean()
    return len(open_) * won["amount"].mean() * len(won) / len(closed) / cycle * 365.25 / 12


# --- data note -----------------------------------------------------------------------------------


def assert_data_note_sources(text: str, want: dict[str, tuple[int, int]]) -> None:
    """The data note names each source in words with its rows (``label -> (rows, files)``: "Marketingkosten
    (3 Quellen, 6.115 Zeilen)"), and no file name (#11: file names are the analyst's and the workbook's)."""
    for label, (n, files) in want.items():
        extra = f"{files} Quellen, " if files > 1 else ""
        m = re.search(re.escape(label) + r" \(" + re.escape(extra) + r"([\d.]+) Zeilen\)", text)
        assert m and int(m.group(1).replace(".", "")) == n, (label, m and m.group(1), n)
    named = re.findall(r"[\w-]+\.(?:csv|xlsx|xls)\b", text)
    assert not named, f"file names in the CEO's memo: {named}"


def spend_source() -> tuple[int, int]:
    """(rows, files) of the marketing cost table: the ad platforms' exports and the cost sheet."""
    sp = spend()
    return len(sp), int(sp["file"].nunique())
