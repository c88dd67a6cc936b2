"""The params file's schema: every key, its type, its range and the fix, in one place.

The schema is JSON Schema (draft 2020-12, checked with ``jsonschema``), written with the
small helpers below so that each key is one line. To add a key, add one line to its
section, e.g. in ``SLA``::

    "escalation_hours": num(gt=0, eg="48", fix="hours before an unanswered lead is escalated"),

Every object is closed (``additionalProperties: false``): an unknown key is an error with a
"did you mean" hint. ``fix`` is appended to the error message; ``eg`` is the example shown
in "must be ..., e.g. ...". Checks that need other layers (goal metrics, notebook names,
notebook parameters) live in :mod:`cmo_workbook.delivery.preflight`; checks across keys
(dates in order, files that exist) in :mod:`cmo_workbook.inputs.params`.
"""
from __future__ import annotations

from typing import Any

# --- helpers: one call per key -------------------------------------------------------------

_ONE_LINE = r"^[^\r\n]*$"


def _node(schema: dict[str, Any], expect: str, eg: str | None, fix: str | None) -> dict[str, Any]:
    schema["x-expect"] = expect + (f", e.g. {eg}" if eg else "")
    if fix:
        schema["x-fix"] = fix
    return schema


def text(*, eg: str | None = None, fix: str | None = None, pattern: str | None = None,
         multiline: bool = False, min_length: int = 1, expect: str = "text") -> dict[str, Any]:
    """A string (one line unless ``multiline``)."""
    s: dict[str, Any] = {"type": "string", "minLength": min_length}
    if pattern or not multiline:
        s["pattern"] = pattern or _ONE_LINE
    return _node(s, expect + ("" if multiline or pattern else " on one line"), eg, fix)


def choice(*values: str, fix: str | None = None) -> dict[str, Any]:
    """One of ``values``."""
    return _node({"enum": list(values)}, "one of " + ", ".join(f'"{v}"' for v in values), None, fix)


def num(*, ge: float | None = None, gt: float | None = None, le: float | None = None, lt: float | None = None,
        integer: bool = False, eg: str | None = None, fix: str | None = None,
        default: float | None = None) -> dict[str, Any]:
    """A number (``integer``: a whole number) with optional bounds; ``default``: the value used when the key is
    absent (JSON Schema's ``default``, read by :func:`default`, named in the error text)."""
    s: dict[str, Any] = {"type": "integer" if integer else "number"}
    if default is not None:
        s["default"] = default
    bounds = []
    for key, val, word in (("minimum", ge, "≥"), ("exclusiveMinimum", gt, ">"), ("maximum", le, "≤"),
                           ("exclusiveMaximum", lt, "<")):
        if val is not None:
            s[key] = val
            bounds.append(f"{word} {val:g}")
    expect = ("a whole number" if integer else "a number") + (f" {' and '.join(bounds)}" if bounds else "")
    if default is not None:
        fix = (f"{fix}; " if fix else "") + f"leave it out for the default {default:g}"
    return _node(s, expect + " without unit or thousands separator", eg, fix)


def boolean(*, fix: str | None = None) -> dict[str, Any]:
    return _node({"type": "boolean"}, "true or false", None, fix)


def day(*, fix: str | None = None) -> dict[str, Any]:
    """A calendar date: YAML's date (2026-12-31) or a string in that form that is a real day."""
    return _node({"anyOf": [{"type": "date"}, {"type": "string", "format": "date"}]},
                 "a real calendar date YYYY-MM-DD", "2026-12-31", fix)


def email(*, fix: str | None = None) -> dict[str, Any]:
    return _node({"type": "string", "pattern": r"^[^@\s<>,;]+@[^@\s<>,;]+\.[A-Za-z]{2,}$"},
                 "an e-mail address", "name@example.com", fix)


def items(schema: dict[str, Any], *, min_items: int = 0, eg: str | None = None,
          fix: str | None = None) -> dict[str, Any]:
    """A YAML list whose entries follow ``schema``."""
    s: dict[str, Any] = {"type": "array", "items": schema}
    if min_items:
        s["minItems"] = min_items
    return _node(s, "a list (lines starting with '- ' or [a, b])" + (f" of at least {min_items}" if min_items else ""),
                 eg, fix)


def mapping(values: dict[str, Any] | None = None, *, fix: str | None = None) -> dict[str, Any]:
    """A YAML mapping with free keys (text) and values following ``values`` (anything when None)."""
    s: dict[str, Any] = {"type": "object", "propertyNames": {"minLength": 1}}
    if values is not None:
        s["additionalProperties"] = values
    return _node(s, "a mapping (key: value lines)", None, fix)


def section(props: dict[str, Any], *, required: tuple[str, ...] = (), fix: str | None = None,
            one_of: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed mapping: only the keys in ``props``; ``required`` must be present, and at least one of ``one_of``."""
    s: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        s["required"] = list(required)
    if one_of:
        s["anyOf"] = [{"required": [k]} for k in one_of]
        s["x-need"] = "names none of " + ", ".join(one_of)
    return _node(s, "a mapping (key: value lines)", None, fix)


def one_or_many(schema: dict[str, Any], *, fix: str | None = None) -> dict[str, Any]:
    return _node({"anyOf": [schema, {"type": "array", "items": schema, "minItems": 1}]},
                 schema["x-expect"].split(", e.g.")[0] + " or a list of them", None, fix)


_TEXTS = items(text())
_ISO = text(pattern=r"^[A-Z]{3}$", expect="a three-letter currency code", eg="EUR")
_SHARE = num(ge=0, le=1, eg="0.9 for 90 %")

# --- sections --------------------------------------------------------------------------------

DATA_TABLES = (
    "leads", "deals", "touchpoints", "spend", "feedback",
    "competitor_observations", "competitor_prices", "competitor_messaging", "web_traffic",
    "plan", "company_actuals",
)

SQL = section({
    "url_env": text(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", expect="the name of an environment variable", eg="CMO_CRM_URL",
                    fix="the variable holds the SQLAlchemy URL, e.g. postgresql+psycopg://user:password@host/db"),
    "url": text(eg="postgresql+psycopg://reporting@db.internal/crm",
                fix="a SQLAlchemy URL without a password; with a password use url_env"),
    "query": text(multiline=True, eg='"select * from deals"', fix="one SELECT; its columns are the table's headers"),
}, required=("query",), one_of=("url_env", "url"),
   fix="sql: {url_env: CMO_CRM_URL, query: \"select ...\"}")

FILE = section({
    "file": text(eg="crm/deals.csv", fix="the path relative to data.dir (.csv, .txt, .xlsx or .parquet)"),
    "duckdb": text(eg="warehouse/crm.duckdb", fix="a DuckDB database relative to data.dir, with query:"),
    "query": text(multiline=True, eg='"select * from deals"', fix="the SELECT run on the duckdb: database"),
    "sql": SQL,
    "label": text(eg="CRM deals (PostgreSQL)", fix="how the memo's data note names this source"),
    "preset": text(eg="hubspot_deals", fix="the export tool; see docs/presets.md"),
    "sheet": _node({"type": ["string", "integer"]}, "a sheet name or number", "Kosten", None),
    "encoding": text(eg="cp1252"),
    "delimiter": text(pattern=r"^(.|\\t|tab)$", expect="one character", eg='";"'),
    "header_row": num(integer=True, ge=1, eg="3", fix="the spreadsheet row number of the header line"),
    "date_format": one_or_many(text(eg='"%d.%m.%Y"'), fix='strftime codes like "%d.%m.%Y", or "excel"'),
    "number_format": choice("de", "en", "auto", fix="de for 1.234,56 and en for 1,234.56"),
    "columns": mapping(text(), fix="canonical column: your header"),
    "constants": mapping(),
    "values": mapping(mapping(), fix='column: {"your value": "canonical value"}'),
}, required=("preset",), one_of=("file", "duckdb", "sql"),
   fix="each table entry reads a file:, a duckdb: database with query:, or sql: {url_env: ..., query: ...}")

COMPANY = section({
    "name": text(eg="Kessler Antriebstechnik GmbH", fix="it appears in every memo's sender name and header"),
    # any language with a memo catalogue (render/locales/); which ones exist is checked in pre-flight
    "language": text(pattern=r"^[a-z]{2}$", expect="a two-letter language code", eg="de",
                     fix="de or en, or a language with a catalogue in lib/cmo_workbook/render/locales/"),
    "currency": _ISO,
    "gross_margin": num(gt=0, lt=1, eg="0.38 for 38 %"),
    "fiscal_year_start": num(integer=True, ge=1, le=12, eg="1 for January"),
    "vat_rate": num(ge=0, lt=1, eg="0.19 for 19 %"),
    "state": text(eg="BY", fix="the Bundesland code whose public holidays the business hours skip (BW, BY, BE, ... NW, ... TH)"),
    # the cost of a safety stock a memo asks to approve (VoC, strategy memo, deck): controlling's assumptions
    "holding_cost_rate": num(gt=0, lt=1, eg="0.2 for 20 %", default=0.2,
                             fix="yearly cost of holding stock (capital, storage, obsolescence) as a share of its value"),
    "safety_stock_weeks": num(gt=0, le=52, eg="4", default=4,
                              fix="weeks of the product lines' demand a safety stock holds"),
}, required=("name", "language", "currency", "gross_margin"))

DATA = section({
    "dir": text(eg="../data/acme", fix="the folder with your exports, relative to this params file"),
    "allow_stale": boolean(fix="true: a period whose tables show no activity is a data-note line, not a refusal"),
    # the embedded engine's memory cap (DuckDB spills to a temp folder beyond it): warehouse-size touchpoints must
    # not take the machine's memory from the kernels of the other companies of a portfolio run
    "engine_memory_limit": {**text(pattern=r"^\s*[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
                                   expect="a size with its unit", eg='"1GB" or "512MB"',
                                   fix="memory the embedded DuckDB engine may use before it spills to disk; "
                                       'leave it out for the default "1GB"'),
                            "default": "1GB"},
    **{t: items(FILE, min_items=1, fix=f"list the {t} files (or queries), each with file: and preset:") for t in DATA_TABLES},
}, one_of=DATA_TABLES, fix="list at least one table (leads:, deals:, spend:, ...) with its files under data:")

CHANNELS = section({
    "marketing": items(text(eg="trade_fairs")),
    "rules": items(section({"channel": text(eg="trade_fairs"), "when": mapping(text(multiline=True))},
                           required=("channel", "when"))),
    "use_default_rules": boolean(),
})

STAGE_MAP = section({status: items(text(eg="Closed Won")) for status in ("open", "won", "lost")},
                    required=("open", "won", "lost"))
# lead status / lifecycle values -> canonical lead stage (inputs.semantics); each stage optional
LEAD_STAGE_MAP = section({s: items(text(eg="Marketing Qualified Lead")) for s in
                          ("lead", "qualified", "sales_accepted", "opportunity", "customer", "disqualified")})
DEAL_LINKS = section({"fallback": boolean(fix="false: link deals to leads only by the ids the export carries")})
# the metric catalogue's company settings (metrics.catalogue): parameters, sign-off, own metrics
KPIS = section({
    "params": mapping(num(ge=0, eg="5"), fix="clv_horizon_years, clv_discount_rate, ramp_up_months"),
    "signed_off": mapping(fix="who signed the definitions off and when, e.g. {by: Controlling, date: 2026-11-30}"),
    "custom": items(_node({"type": "object"}, "a metric definition (id, name_de, name_en, numerator, denominator, ...)",
                          None, "see README: one number per KPI")),
})
HISTORY = section({"dir": text(eg="../history", fix="the folder of the KPI history database, relative to this params file")})

GOAL = section({
    "id": text(pattern=r"^[A-Za-z0-9_-]+$", expect="a short id of letters, digits, _ or -", eg="web_inquiries"),
    "title": text(),
    "title_en": text(),
    "metric": text(eg="qualified_leads", fix="a KPI the workbook computes (see metrics/monthly.py)"),
    "baseline": num(eg="70"),
    "target": num(eg="100"),
    "start": day(),
    "deadline": day(),
    "owner": text(),
    "aggregation": choice("monthly", "cumulative"),
}, required=("id", "title", "metric", "baseline", "target", "start", "deadline"))

_TARGET = num(ge=0, eg="180")
TARGETS_QUARTERLY = section({k: _TARGET for k in (
    "qualified_leads", "cost_per_qualified_lead", "marketing_pipeline_value", "marketing_won_revenue", "romi",
    "clv_to_cac", "new_business_revenue", "pipeline_coverage", "mql_to_sql_rate")})
TARGETS = section({
    **{k: _TARGET for k in (
        "leads", "qualified_leads", "qualified_leads_web", "sql", "marketing_spend", "cost_per_qualified_lead",
        "marketing_pipeline_value", "marketing_won_revenue", "won_revenue", "new_customers", "romi",
        "customer_lifetime_years", "clv_cac_ratio")},
    "mql_to_sql_rate": _SHARE,
    "marketing_revenue_share": _SHARE,
    "quarterly": TARGETS_QUARTERLY,
})

_ADDRESSES = items(email())
MEMO = section({
    "recipients": items(email(), min_items=1, fix="list at least the CEO's address"),
    "cc": _ADDRESSES,
    "sender": email(),
    "analyst": email(fix="failure alerts go to this address"),
    "subject_prefix": text(min_length=0, eg='"[Marketing]"'),
    "allow_customer_names": boolean(),
    "smtp_retry_seconds": items(num(ge=0, eg="300"), eg="[60, 300, 900]",
                                fix="the seconds to wait before each retry when the SMTP server says 'try later' "
                                    "(4xx, e.g. greylisting); default [60, 300, 900]"),
    "attach_workbook": boolean(fix="true: --email attaches the controlling workbook (Kennzahlen_PERIOD.xlsx)"),
    "slide_template": text(eg="../templates/firm.potx", fix="the company PowerPoint template (.potx or .pptx) for the impulse deck"),
    # recipients per memo: the notebook's name -> its own recipients/cc (names checked in preflight)
    "by_notebook": mapping(section({"recipients": items(email(), min_items=1), "cc": _ADDRESSES},
                                   required=("recipients",)),
                           fix="notebook name: {recipients: [...], cc: [...]}"),
}, required=("recipients", "sender", "analyst"))

VOC = section({"taxonomy": text(eg="voc_taxonomy.yaml", fix="the taxonomy YAML, relative to this params file")})

COMPETITORS = section({
    "list": items(section({"name": text(), "aliases": _TEXTS, "segments": _TEXTS}, required=("name",)),
                  fix="one entry per competitor: - name: ..., aliases: [...], segments: [...]"),
    "own_segments": mapping(text(eg="core")),
    "priorities": mapping(num(ge=0, eg="0.7")),
    "own_products": items(section({
        "name": text(),
        "segment": text(),
        "price": num(ge=0, eg="1250.00", fix="write the net list price as a plain number: 1250.00, not \"1.250,00 €\""),
        "currency": _ISO,
        "price_basis": choice("net", "gross"),
    }, required=("name", "price"))),
    "fx": mapping(num(gt=0, eg="1.05"), fix="currency code: EUR per unit, e.g. CHF: 1.05"),
    "main_competitors": num(integer=True, ge=1, eg="2"),
    "relevance_half_life_days": num(gt=0, eg="60"),
    "duplicate_window_days": num(integer=True, ge=0, eg="3"),
    "duplicate_similarity": num(ge=0, le=1, eg="0.6"),
    "quiet_after_months": num(integer=True, ge=1, eg="3"),
    "implication_rules": items(section({
        "id": text(),
        "when": section({  # the conditions of cmo_workbook.competitors.implications
            "topic": one_or_many(text(eg="price")),
            "segment_in": one_or_many(text(eg="core")),
            "competitor_in": one_or_many(text()),
            "min_price_change_pct": num(eg="-5", fix="percent as a plain number; negative for price cuts"),
            "direction": choice("up", "down"),
            "min_impact": choice("low", "medium", "high"),
            "min_relevance": num(ge=0),
        }),
        **{k: text(multiline=True) for k in ("implication_de", "implication_en", "response_de", "response_en")},
        "owner": text(),
    }, required=("id", "when"))),
})

SLA = section({
    "response_hours": num(gt=0, eg="24", fix="business hours as a plain number: 24, not \"24h\""),
    "feedback_days": num(gt=0, eg="5", fix="business days as a plain number"),
    "business_hours": text(pattern=r"^\s*\d{1,2}(:\d{2})?\s*-\s*\d{1,2}(:\d{2})?\s+[A-Za-z]{2,3}([-,][A-Za-z]{2,3})*\s*$",
                           expect="hours and days", eg='"8-17 Mon-Fri"'),
    "response_target": _SHARE,
    "feedback_target": _SHARE,
    "holidays": items(day()),
    "owner_labels": mapping(text(), fix="lead owner: team name or role"),
    "show_owner_names": boolean(fix="false: the sync memo shows lead owners as 'Vertrieb 1', 'Vertrieb 2' instead of"
                                    " their names (e.g. where a works agreement asks for it)"),
})

DIARY = section({"dir": text(eg="../diary", fix="the folder of weekly diary files, relative to this params file")})

STAKEHOLDER = section({
    "department": text(), "department_en": text(), "head": text(), "head_en": text(),
    "goals": _TEXTS, "goals_en": _TEXTS, "kpis": _TEXTS, "challenges": _TEXTS, "challenges_en": _TEXTS,
    "topics": _TEXTS, "support": text(), "support_en": text(),
}, required=("department",))

HOLDOUT = section({
    "channel": text(eg="linkedin", fix="the channel paused in the test regions"),
    "region_column": text(eg="region", fix="the lead column that places a lead in a sales region"),
    "test_regions": items(text(), min_items=1, eg="[Nord, Ost]"),
    "start": day(fix="the Monday the test began"),
    "weeks": num(integer=True, ge=2, le=52, eg="8"),
}, required=("channel", "test_regions", "start", "weeks"))

PARAMS = section({
    "version": num(integer=True, ge=1, le=1, eg="1"),
    "company": COMPANY,
    "data": DATA,
    "channels": CHANNELS,
    "stage_map": STAGE_MAP,
    "lead_stage_map": LEAD_STAGE_MAP,
    "deal_links": DEAL_LINKS,
    "goals": items(GOAL),
    "targets": TARGETS,
    "memo": MEMO,
    # notebook name -> parameter overrides; names and types are checked against the notebooks in preflight
    "notebooks": mapping(_node({"type": ["object", "null"]}, "a mapping of notebook parameters", None, None)),
    "voc": VOC,
    "competitors": COMPETITORS,
    "stakeholders": items(STAKEHOLDER),
    "sla": SLA,
    "diary": DIARY,
    "holdouts": items(HOLDOUT),  # holdout tests to read out in the period after they end
    "kpis": KPIS,
    "history": HISTORY,
    # the company's own wording of single memo messages: {lang: {message id: text}}, checked against the catalogue
    "messages": mapping(mapping(text(multiline=True), fix="message id: your text"),
                        fix='language: {message id: text}, e.g. de: {kpi_leads: "Anfragen"}'),
}, required=("company", "data", "stage_map", "memo"))


# --- checking ----------------------------------------------------------------------------------

def default(*path: str) -> Any:
    """The schema's default of a key, e.g. ``default("company", "holding_cost_rate")`` (one home for it)."""
    node: dict[str, Any] = PARAMS
    for key in path:
        node = node["properties"][key]
    return node["default"]


def _is_date(value: object) -> bool:
    from datetime import date

    if isinstance(value, date):
        return True
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10


def _validator():
    """Draft 2020-12 with a ``date`` type for YAML's dates and a strict ``date`` format."""
    from datetime import date

    import jsonschema

    base = jsonschema.Draft202012Validator
    types = base.TYPE_CHECKER.redefine("date", lambda _checker, v: isinstance(v, date))
    formats = jsonschema.FormatChecker(formats=())
    formats.checks("date")(_is_date)
    cls = jsonschema.validators.extend(base, type_checker=types)
    return cls(PARAMS, format_checker=formats)


def key_path(parts: Any) -> str:
    """``["goals", 0, "metric"]`` -> ``goals[0].metric``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check(raw: dict[str, Any], fname: str) -> list[str]:
    """Every schema violation of ``raw`` as one message naming file, key path, what is expected and the fix."""
    import difflib

    problems: list[str] = []
    for err in sorted(_validator().iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path]):
        where = key_path(err.absolute_path)
        node = err.schema if isinstance(err.schema, dict) else {}
        fix = f"; {node['x-fix']}" if node.get("x-fix") else ""
        if err.validator == "additionalProperties" and "properties" in node:
            known = list(node["properties"])
            for key in sorted(set(err.instance) - set(known), key=str):
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f'did you mean "{close[0]}"?' if close else f"known keys: {', '.join(known)}"
                full = f"{where}.{key}" if where else str(key)
                problems.append(f'{fname}: unknown key "{full}"; {hint}')
        elif err.validator == "required":
            for key in err.validator_value:
                if key not in err.instance:
                    full = f"{where}.{key}" if where else key
                    sub = node.get("properties", {}).get(key, {})
                    problems.append(f'{fname}: missing required key "{full}" ({sub.get("x-expect", "a value")})'
                                    + (f"; {sub['x-fix']}" if sub.get("x-fix") else ""))
        elif err.validator == "anyOf" and node.get("x-need"):
            problems.append(f'{fname}: "{where}" {node["x-need"]}{fix}')
        elif node.get("x-expect"):
            problems.append(f'{fname}: "{where}" must be {node["x-expect"]} (got {_show(err.instance)}){fix}')
        else:
            problems.append(f'{fname}: "{where}": {err.message}{fix}')
    return problems
