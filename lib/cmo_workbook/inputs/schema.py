"""Canonical tables: the one shape every reader produces and every analysis consumes.

Each table has required and optional columns with a type. Readers map a file's own
headers onto these names (see :mod:`cmo_workbook.inputs.presets`), then convert every column
from text with the type's explicit format (see :mod:`cmo_workbook.inputs.convert`).

Types:
    ``string``   free text, stripped; empty and NA spellings become missing
    ``id``       identifier kept as text (``007`` stays ``007``)
    ``date``     calendar date (``datetime64[ns]`` at midnight)
    ``datetime`` timestamp (``datetime64[ns]``, naive, local time of the export)
    ``number``   float; German (``1.234,56 €``) or English (``1,234.56``) per file
    ``integer``  whole number (nullable ``Int64``)
    ``currency`` ISO 4217 code, upper case (``EUR``)
    ``choice``   one of ``Column.choices`` (case-insensitive, mapped to the canonical spelling)
"""
from __future__ import annotations

from dataclasses import dataclass, field

TYPES = ("string", "id", "date", "datetime", "number", "integer", "currency", "choice")
#: canonical lead stages, in funnel order; ``disqualified`` leaves the funnel
LEAD_STAGES = ("lead", "qualified", "sales_accepted", "opportunity", "customer", "disqualified")
#: how a deal found its lead: the export's own link, Salesforce's converted opportunity id, or a fallback
LINK_METHODS = ("export", "converted", "email", "company")


@dataclass(frozen=True)
class Column:
    """One canonical column."""

    name: str
    type: str
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()
    #: value used when the column is absent from the file (optional columns only)
    default: object = None
    #: a number that must not be negative (spend, amounts, prices)
    non_negative: bool = False
    #: a required column whose cells may be empty (CRM amounts): counted and noted, not rejected
    may_be_empty: bool = False
    #: a date that may lie after today (a plan covers the whole year)
    may_be_future: bool = False
    #: a required column one value may fill for a whole file (``constants.source: survey`` for a survey export
    #: without a source column): the example value; messages about the missing column offer it as a fix
    constant_example: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name!r}: type must be one of {TYPES} (got {self.type!r})")


@dataclass(frozen=True)
class Table:
    """A canonical table: its grain, columns and the id column that must be unique."""

    name: str
    grain: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    #: the column that places a row in time (freshness checks, period filters)
    date_column: str = ""
    #: groups of columns of which at least one must be present
    one_of: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}; columns: {', '.join(self.names)}")


C = Column

LEADS = Table(
    "leads",
    "one row per contact or inquiry",
    (
        C("lead_id", "id", True, "CRM record id"),
        C("created_date", "datetime", True, "when the lead was created"),
        C("source_raw", "string", True, "source as the CRM names it (e.g. HubSpot 'Original Traffic Source')",
          constant_example="Trade Show"),
        C("source_detail", "string", description="drill-down: utm_campaign, fair name, partner"),
        C("channel", "string", description="marketing channel; derived from source_raw by channel rules when absent"),
        C("lifecycle_stage", "string", description="lifecycle stage or status as the CRM names it"),
        C("lead_status", "string", description="a second status field (HubSpot Lead Status)"),
        C("stage", "choice", choices=LEAD_STAGES,
          description="derived from lifecycle_stage, lead_status (lead_stage_map) and the stage dates"),
        C("mql_date", "datetime", description="became a marketing-qualified lead; from the stage when the export "
                                               "has only a status (see docs/presets.md)"),
        C("sql_date", "datetime", description="accepted by sales (sales-qualified)"),
        C("opportunity_date", "datetime"),
        C("customer_date", "datetime"),
        C("first_response_date", "datetime", description="first sales contact after hand-over (SLA)"),
        C("sales_feedback_date", "datetime", description="sales accepted or rejected the lead (SLA)"),
        C("rejection_reason", "string", description="why sales rejected the lead"),
        C("company", "string"),
        C("account_id", "id"),
        C("country", "string"),
        C("industry", "string"),
        C("owner", "string"),
        C("campaign", "string"),
        C("contact_name", "string", description="personal data: used only to pseudonymise free text"),
        C("contact_email", "string", description="personal data: used only to pseudonymise free text"),
        C("deal_id", "id", description="the deal this lead became (Salesforce Converted Opportunity ID)"),
        C("region", "string", description="sales region or territory of the lead; a geo holdout test needs it"),
    ),
    unique=("lead_id",),
    date_column="created_date",
)

DEALS = Table(
    "deals",
    "one row per deal / opportunity",
    (
        C("deal_id", "id", True),
        C("created_date", "date", True),
        C("stage", "string", True, "pipeline stage as the CRM names it; mapped to status by stage_map"),
        C("amount", "number", True, "empty cells allowed: such deals count, but not in values",
          non_negative=True, may_be_empty=True),
        C("currency", "currency", default="EUR"),
        C("status", "choice", choices=("open", "won", "lost"), description="derived from stage via params stage_map"),
        C("deal_name", "string"),
        C("close_date", "date"),
        C("expected_close_date", "date"),
        C("pipeline", "string"),
        C("owner", "string"),
        C("company", "string"),
        C("account_id", "id"),
        C("lead_id", "id", description="the deal's lead or contact (HubSpot Associated Contact IDs: the first)"),
        C("link", "choice", choices=LINK_METHODS, description="how lead_id was found (derived)"),
        C("contact_email", "string", description="fallback link to the lead when the export has no ids"),
        C("lead_source", "string", description="the deal's own source field; channel rules map it"),
        C("source_detail", "string", description="drill-down of the deal's source"),
        C("channel", "string", description="from the linked lead, else from lead_source by channel rules"),
        C("campaign", "string"),
        C("deal_type", "string", description="new business / existing business"),
        C("lost_reason", "string"),
        C("probability", "number"),
    ),
    unique=("deal_id",),
    date_column="created_date",
)

TOUCHPOINTS = Table(
    "touchpoints",
    "one row per marketing touch on a lead's journey",
    (
        C("lead_id", "id", True, "the journey's lead (or account)"),
        C("timestamp", "datetime", True),
        C("channel", "string", True, constant_example="linkedin"),
        C("campaign", "string"),
        C("source", "string"),
        C("medium", "string"),
        C("touch_type", "string", description="form, visit, event, call, email, ..."),
    ),
    date_column="timestamp",
)

SPEND = Table(
    "spend",
    "cost per day or period, platform/channel and campaign",
    (
        C("date", "date", True, "day of the cost, or start of the period it covers"),
        C("cost", "number", True, non_negative=True),
        C("currency", "currency", default="EUR"),
        C("channel", "string", description="marketing channel; from the file's preset or channel rules"),
        C("platform", "string"),
        C("campaign", "string"),
        C("campaign_id", "id"),
        C("account", "string", description="ledger account (DATEV/SAP cost exports)"),
        C("cost_center", "string", description="cost centre (DATEV/SAP cost exports)"),
        C("period_end", "date", description="last day covered when a row spans a period"),
        C("impressions", "integer"),
        C("clicks", "integer"),
        C("conversions", "number"),
        C("leads", "number"),
    ),
    date_column="date",
)

FEEDBACK = Table(
    "feedback",
    "one row per customer feedback item",
    (
        C("feedback_id", "id", True),
        C("date", "datetime", True),
        C("source", "string", True, "support ticket, sales call, survey, review, ...", constant_example="survey"),
        C("text", "string"),
        C("score", "number"),
        C("score_scale", "choice", choices=("nps_0_10", "csat_1_5", "csat_good_bad", "stars_1_5")),
        C("title", "string"),
        C("company", "string"),
        C("account_id", "id"),
        C("segment", "string"),
        C("product", "string"),
        C("language", "string"),
        C("tags", "string"),
        C("status", "string"),
        C("contact_name", "string", description="personal data: pseudonymised before any output"),
        C("contact_email", "string", description="personal data: pseudonymised before any output"),
    ),
    unique=("feedback_id",),
    date_column="date",
    one_of=(("text", "score"),),
)

COMPETITOR_OBSERVATIONS = Table(
    "competitor_observations",
    "one row per observation of a competitor, kept by hand",
    (
        C("date", "date", True),
        C("competitor", "string", True, constant_example="Muster AG"),
        C("topic", "choice", True, constant_example="price", choices=(
            "product", "price", "campaign", "trade_fair", "hiring", "partnership", "press", "other")),
        C("summary", "string", True),
        C("source_url", "string"),
        C("observed_by", "string"),
        C("impact", "choice", choices=("low", "medium", "high")),
        C("region", "string"),
        C("segment", "string"),
        C("product", "string"),
    ),
    date_column="date",
)

COMPETITOR_PRICES = Table(
    "competitor_prices",
    "one row per price seen: competitor x product x date",
    (
        C("observed_date", "date", True),
        C("competitor", "string", True, constant_example="Muster AG"),
        C("product", "string", True),
        C("price", "number", True, non_negative=True),
        C("currency", "currency", default="EUR"),
        C("unit", "string"),
        C("price_basis", "choice", choices=("net", "gross"), default="net"),
        C("price_type", "choice", choices=("list", "promo", "quote"), default="list"),
        C("min_quantity", "number"),
        C("our_product", "string", description="our comparable product"),
        C("source", "string"),
    ),
    date_column="observed_date",
)

COMPETITOR_MESSAGING = Table(
    "competitor_messaging",
    "one row per dated snapshot of a competitor's claims",
    (
        C("date", "date", True),
        C("competitor", "string", True, constant_example="Muster AG"),
        C("text", "string", True, "the claim text as published"),
        C("location", "string", description="homepage hero, trade-fair slogan, LinkedIn about, ..."),
        C("source_url", "string"),
    ),
    date_column="date",
)

WEB_TRAFFIC = Table(
    "web_traffic",
    "sessions per day and channel group (GA4 traffic acquisition)",
    (
        C("date", "date", True),
        C("channel_group", "string", True),
        C("sessions", "integer", True),
        C("source", "string"),
        C("medium", "string"),
        C("campaign", "string"),
        C("engaged_sessions", "integer"),
        C("key_events", "number"),
    ),
    date_column="date",
)

GOALS = Table(
    "goals",
    "one row per annual goal (usually kept in params)",
    (
        C("goal_id", "id", True),
        C("title", "string", True),
        C("metric", "string", True, "a metric the workbook computes, e.g. qualified_leads"),
        C("baseline", "number", True),
        C("target", "number", True),
        C("deadline", "date", True),
        C("owner", "string"),
        C("start", "date"),
    ),
    unique=("goal_id",),
    date_column="deadline",
)

PLAN = Table(
    "plan",
    "one row per month and budget line (channel or cost centre) of the plan controlling signed off; "
    "company plan values on any row of the month (rows of a month are added up)",
    (
        C("month", "date", True, "any day of the plan month (01.01.2026); may lie in the future", may_be_future=True),
        C("channel", "string", description="marketing channel of a budget line"),
        C("cost_centre", "string", description="cost centre (KOST1) of a budget line"),
        C("marketing_budget", "number", description="marketing budget of the line, net", non_negative=True),
        C("revenue_plan", "number", description="company revenue plan of the month, net", non_negative=True),
        C("order_intake_plan", "number", description="company order-intake plan of the month, net", non_negative=True),
        C("marketing_order_intake_plan", "number",
          description="planned order intake from marketing inquiries (marketing's share in the plan)", non_negative=True),
        C("marketing_revenue_plan", "number",
          description="planned revenue from marketing-sourced orders (marketing's share in the plan)", non_negative=True),
    ),
    date_column="month",
    one_of=(("marketing_budget", "revenue_plan", "order_intake_plan"),),
)

COMPANY_ACTUALS = Table(
    "company_actuals",
    "one row per month: the company's booked revenue and order intake as controlling reports them "
    "(BWA, DATEV or SAP export)",
    (
        C("month", "date", True, "any day of the month (01.01.2026)"),
        C("revenue", "number", description="net revenue booked in the month (Umsatzerlöse)"),
        C("order_intake", "number", description="net order intake of the month, all sources", non_negative=True),
        C("source", "string", description="where the figure comes from (BWA, SAP SD, ...)"),
    ),
    unique=("month",),
    date_column="month",
    one_of=(("revenue", "order_intake"),),
)

#: columns that hold money: a value with exactly three digits after the decimal mark is a thousands group
#: there (210.000 in an English-format file is 210,000 written the German way, not 210 euros)
MONEY_COLUMNS: frozenset[str] = frozenset({
    "amount", "cost", "price", "marketing_budget", "revenue_plan", "order_intake_plan",
    "marketing_order_intake_plan", "marketing_revenue_plan", "revenue", "order_intake",
})

TABLES: dict[str, Table] = {
    t.name: t
    for t in (LEADS, DEALS, TOUCHPOINTS, SPEND, FEEDBACK, COMPETITOR_OBSERVATIONS, COMPETITOR_PRICES,
              COMPETITOR_MESSAGING, WEB_TRAFFIC, GOALS, PLAN, COMPANY_ACTUALS)
}


def table(name: str) -> Table:
    """Return the canonical table called ``name`` or raise with the known names."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; expected one of: {', '.join(TABLES)}") from None


def markdown() -> str:
    """All canonical tables as Markdown (docs/schemas.md is generated from this)."""
    out = ["# Canonical tables", "",
           "Generated from `cmo_workbook.inputs.schema` by `markdown()`; do not edit by hand. Regenerate with",
           "`.venv/bin/python -m cmo_workbook.inputs.schema > docs/schemas.md` (a test fails when this file is out of date).",
           "", "Every reader maps a file's own headers onto these columns (see docs/presets.md) and converts each",
           "column from text with the type's explicit format. Types: " + ", ".join(f"`{t}`" for t in TYPES) + ".", "",
           "A file must carry every required column (`validate` names the one missing and the header the preset",
           "expects). Map a header of your own under `columns` (`columns: {source: \"Herkunft\"}`); where the notes",
           "say so, one value may stand for the whole file instead (`constants: {source: survey}`); a missing unique",
           "id is made from each row's content (same file, same ids).", ""]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", f"Grain: {t.grain}."]
        if t.unique:
            out.append(f"Unique: {', '.join(f'`{u}`' for u in t.unique)}.")
        for group in t.one_of:
            out.append(f"At least one of: {', '.join(f'`{g}`' for g in group)}.")
        out += ["", "| column | type | required | notes |", "|---|---|---|---|"]
        for c in t.columns:
            notes = c.description
            if c.choices:
                notes = (notes + "; " if notes else "") + "one of " + ", ".join(f"`{x}`" for x in c.choices)
            if c.default is not None:
                notes = (notes + "; " if notes else "") + f"default `{c.default}`"
            if c.non_negative:
                notes = (notes + "; " if notes else "") + "must not be negative"
            if c.may_be_empty:
                notes = (notes + "; " if notes else "") + "cells may be empty"
            if c.constant_example:
                notes = (notes + "; " if notes else "") + (f"a file without this column can set one value for all "
                                                           f"its rows: `constants: {{{c.name}: {c.constant_example}}}`")
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {notes} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown())
