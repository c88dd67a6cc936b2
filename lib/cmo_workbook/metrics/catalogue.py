"""The metric catalogue: one id, one definition, one computation per KPI.

Every KPI a memo, the controlling workbook or the archive shows is listed here with its
name and a one-sentence definition a controller can sign off (both in the message catalogues,
ids ``kpi_<id>`` and ``kpi_<id>_def``), the formula,
unit, tables, grain, population (who is in, who is out), the windows it may be shown for and
the comparisons it is shown with. Two different things get two ids and two names (ROMI on
all marketing-sourced orders, "Marketing-ROMI gesamt", vs the first orders' return credited to
the channels, "Rendite der Erstaufträge je Kanal"). The values are computed once per period by
:mod:`cmo_workbook.metrics.store`; memos read them from there, except the ``attribution`` kind, which
the quarterly review's attribution model computes (:mod:`cmo_workbook.memos.attribution_review`).

A company overrides the catalogue's parameters (margin, CLV horizon, discount rate, ramp-up)
and signs off the definitions in params::

    kpis:
      signed_off: {by: "Controlling, M. Weber", on: 2026-11-05}
      params: {clv_horizon_years: 4, clv_discount_rate: 0.1}
      custom:                      # own metrics: a ratio of two catalogue metrics
        - id: cost_per_sql
          name_de: Kosten je akzeptierter Anfrage
          name_en: Cost per accepted inquiry
          definition_de: Marketingkosten geteilt durch vom Vertrieb akzeptierte Anfragen.
          definition_en: Marketing cost divided by inquiries accepted by sales.
          numerator: marketing_spend
          denominator: sql
          unit: eur
          higher_is_better: false
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..render.i18n import t

#: Window kinds; their words are catalogue messages ``kpi_window_<kind>``. The label is always part of a KPI's name.
WINDOW_KINDS: tuple[str, ...] = ("month", "quarter", "t3m", "t12m", "ytd", "asof")


def window_label(kind: str, lang: str) -> str:
    """The words of a window kind ("12 Monate rollierend"), from the message catalogue."""
    if kind not in WINDOW_KINDS:
        raise ValueError(f"unknown window {kind!r}; known: {', '.join(WINDOW_KINDS)}")
    return t(f"kpi_window_{kind}", lang)


class _Windows(Mapping[str, tuple[str, str]]):
    """Window kind -> (German, English) words, read from the catalogues (kept for callers that index it)."""

    def __getitem__(self, kind: str) -> tuple[str, str]:
        if kind not in WINDOW_KINDS:
            raise KeyError(kind)
        return window_label(kind, "de"), window_label(kind, "en")

    def __iter__(self):
        return iter(WINDOW_KINDS)

    def __len__(self) -> int:
        return len(WINDOW_KINDS)


WINDOWS: Mapping[str, tuple[str, str]] = _Windows()
#: Comparison kinds a metric may be shown with.
COMPARISONS = ("previous", "year_ago", "target")
UNITS = ("count", "eur", "rate", "ratio", "factor")

#: Defaults of the definitions' parameters; a company overrides them under ``kpis.params``.
DEFAULT_PARAMS: dict[str, Any] = {
    "clv_horizon_years": 5,      # years of future margin counted in the CLV
    "clv_discount_rate": 0.08,   # annual discount rate of future margin in the CLV
    "ramp_up_months": 9,         # first months of an export in which deals of older leads are missing
}

_ADD = ("month", "quarter", "t3m", "t12m", "ytd")
_RATIO_WINDOWS = ("month", "quarter", "t3m", "t12m", "ytd")
#: windows of the controlling KPIs: a plan is per month, quarter and (fiscal) year
_ADD_CTL = ("month", "quarter", "t12m", "ytd")


@dataclass(frozen=True)
class Metric:
    """One catalogue KPI. ``kind`` says how the store computes it: ``sum`` of a monthly
    column, ``ratio`` of two sums (``numerator``/``denominator``), or a named ``special``; ``attribution``: not
    the store but the quarterly review's attribution model computes it (it needs the journeys)."""

    id: str
    formula: str
    unit: str
    tables: tuple[str, ...]
    grain: str
    population: str
    windows: tuple[str, ...] = _ADD
    comparisons: tuple[str, ...] = ("previous", "year_ago", "target")
    higher_is_better: bool | None = True
    segments: tuple[str, ...] = ()
    kind: str = "sum"
    numerator: str = ""
    denominator: str = ""
    deal_based: bool = False  # needs mature deal history for comparisons (ramp-up)
    #: plan columns its target comes from: one column (its sum over the window) or two (their ratio)
    plan_target: tuple[str, ...] = ()
    owner: str = "Marketing-Controlling"
    #: a rate needs this many cases (the store's ``n``) before a memo judges it; below, it states the count
    min_n: int = 0
    valid_from: str = "2026-01-01"
    #: a company's own metric brings its words from params; a shipped one has them in the message
    #: catalogue (``kpi_<id>``, ``kpi_<id>_def``), so a translator finds every memo word in one file
    name_de: str = ""
    name_en: str = ""
    definition_de: str = ""
    definition_en: str = ""

    def name(self, lang: str) -> str:
        """The KPI's name in ``lang`` (without its window)."""
        if self.name_de or self.name_en:
            return self.name_de if lang == "de" else self.name_en
        return t(f"kpi_{self.id}", lang)

    def definition(self, lang: str) -> str:
        """The one-sentence definition a controller signs off, in ``lang``."""
        if self.definition_de or self.definition_en:
            return self.definition_de if lang == "de" else self.definition_en
        return t(f"kpi_{self.id}_def", lang)

    def label(self, window_kind: str, lang: str) -> str:
        """The name with its window: "Marketing-ROMI gesamt, 12 Monate rollierend"."""
        # its own name, not the shipped catalogue's entry: a company's own metric is not in that one
        return t("kpi_label_window", lang, name=self.name(lang), window=window_label(window_kind, lang))


def _m(**kw: Any) -> Metric:
    kw["tables"] = tuple(kw["tables"])
    return Metric(**kw)


#: leads sales decided on before an acceptance rate is judged (the sync memo's per-source verdicts use it too)
MIN_DECIDED = 10
_MKT = "Leads aus Marketing-Kanälen (params channels.marketing; ohne Vertriebs-Kaltakquise)"
CATALOGUE: tuple[Metric, ...] = (
    _m(id="leads", formula="count(leads where created_date in window)", unit="count", tables=["leads"],
       grain="lead (created_date)", population="all sources, incl. sales outbound"),
    _m(id="qualified_leads", formula="count(leads where mql_date in window and channel in channels.marketing)", unit="count",
       tables=["leads"], grain="lead (mql_date)", population=_MKT, segments=("channel",)),
    _m(id="qualified_leads_web", formula="count(qualified_leads where channel in organic_search, paid_search, direct)", unit="count",
       tables=["leads"], grain="lead (mql_date)", population="marketing-sourced, website channels"),
    _m(id="sql", formula="count(leads where sql_date in window and channel in channels.marketing)", unit="count",
       tables=["leads"], grain="lead (sql_date)", population=_MKT),
    _m(id="sales_acceptance_rate", formula="accepted(cohort) / (accepted + rejected)(cohort), cohort = MQL date in window, decisions before window end",
       unit="rate", tables=["leads"], grain="lead cohort (mql_date)", population=_MKT, kind="acceptance",
       windows=("month", "quarter", "t12m"), min_n=MIN_DECIDED),
    _m(id="marketing_spend", formula="sum(spend.cost where date in window)", unit="eur", tables=["spend"], grain="cost line (date)",
       population="all marketing cost; excludes sales cost and personnel", higher_is_better=None,
       segments=("channel",)),
    _m(id="cost_per_qualified_lead", formula="marketing_spend / qualified_leads", unit="eur", tables=["spend", "leads"], grain="window",
       population=_MKT, higher_is_better=False, segments=("channel",), kind="ratio",
       numerator="marketing_spend", denominator="qualified_leads"),
    _m(id="marketing_pipeline_value", formula="sum(deals.amount where created_date in window and channel in channels.marketing)", unit="eur",
       tables=["deals"], grain="deal (created_date)", population="marketing-sourced; new and existing customers",
       segments=("channel",), deal_based=True),
    _m(id="marketing_won_revenue", formula="sum(deals.amount where status = won and close_date in window and channel in channels.marketing)",
       unit="eur", tables=["deals"], grain="deal (close_date)", population="marketing-sourced; new and existing customers",
       segments=("channel",), deal_based=True),
    _m(id="won_revenue", formula="sum(deals.amount where status = won and close_date in window)", unit="eur", tables=["deals"],
       grain="deal (close_date)", population="all sources; new and existing customers", deal_based=True),
    _m(id="marketing_revenue_share", formula="marketing_won_revenue / won_revenue", unit="rate", tables=["deals"], grain="window",
       population="marketing-sourced vs all", kind="ratio", numerator="marketing_won_revenue",
       denominator="won_revenue", deal_based=True),
    _m(id="new_customers", formula="count(deals where status = won and deal_type = new business and close_date in window)",
       unit="count", tables=["deals"], grain="deal (close_date)", population="new business; all sources",
       deal_based=True),
    _m(id="new_customers_marketing", formula="count(deals where status = won and deal_type = new business and channel in channels.marketing)",
       unit="count", tables=["deals"], grain="deal (close_date)", population="new business; marketing-sourced",
       deal_based=True),
    _m(id="marketing_first_order_value", formula="sum(deals.amount where won, new business, marketing-sourced)", unit="eur", tables=["deals"],
       grain="deal (close_date)", population="new business; marketing-sourced", deal_based=True),
    _m(id="romi_all_orders", formula="(marketing_won_revenue × company.gross_margin − marketing_spend) / marketing_spend", unit="ratio",
       tables=["deals", "spend"], grain="window", population="marketing-sourced; new and existing customers",
       windows=("quarter", "t12m", "ytd"), kind="romi", numerator="marketing_won_revenue", deal_based=True),
    _m(id="romi_first_orders", formula="(marketing_first_order_value × company.gross_margin − marketing_spend) / marketing_spend",
       unit="ratio", tables=["deals", "spend"], grain="window", population="new business; marketing-sourced",
       windows=("quarter", "t12m", "ytd"), kind="romi", numerator="marketing_first_order_value", deal_based=True),
    # the review's channel measure: the first orders' margin shared over the journey's touches, so a channel is
    # credited for what it took part in; its own id and name, never worded like the two totals above
    _m(id="romi_first_orders_attributed", formula="(Σ over channels with cost of linear credit(first-order margin, "
       "touches up to 365 days before the order) − their spend) / their spend", unit="ratio",
       tables=["deals", "touchpoints", "spend"], grain="window (4 quarters to the reported one)",
       population="new business won in the window; touches of marketing channels; channels with cost",
       windows=("t12m",), comparisons=("previous", "target"), kind="attribution", deal_based=True),
    _m(id="cac", formula="marketing_spend / new_customers_marketing", unit="eur", tables=["spend", "deals"], grain="window",
       population="new business; marketing-sourced", higher_is_better=False, windows=("quarter", "t12m", "ytd"),
       kind="ratio", numerator="marketing_spend", denominator="new_customers_marketing", deal_based=True),
    _m(id="clv", formula="mean over customers of sum_m E[orders in month m] × E[order value] × margin / (1+d)^(m/12)",
       unit="eur", tables=["deals"], grain="customer (account)", population="all customers with a won deal",
       windows=("asof",), comparisons=("previous", "year_ago"), kind="clv", deal_based=True),
    # controlling's inputs: the plan (budget, company plan) and the company's booked actuals
    _m(id="marketing_budget", formula="sum(plan.marketing_budget where month in window)", unit="eur", tables=["plan"],
       grain="plan line (month)", population="all marketing budget lines (channels and cost centres)",
       higher_is_better=None, kind="plan", numerator="marketing_budget", windows=_ADD_CTL,
       comparisons=("previous", "year_ago")),
    _m(id="budget_variance", formula="marketing_spend − marketing_budget", unit="eur", tables=["spend", "plan"],
       grain="window", population="all marketing cost vs all budget lines", higher_is_better=False,
       kind="difference", numerator="marketing_spend", denominator="marketing_budget", windows=_ADD_CTL,
       comparisons=()),
    _m(id="spend_forecast_fy", formula="marketing_spend(ytd) + marketing_budget(rest of fiscal year) × "
       "marketing_spend(ytd) / marketing_budget(ytd)", unit="eur", tables=["spend", "plan"], grain="fiscal year",
       population="all marketing cost", higher_is_better=False, kind="spend_forecast", windows=("ytd",),
       comparisons=("target",)),
    _m(id="company_order_intake", formula="sum(company_actuals.order_intake where month in window)", unit="eur",
       tables=["company_actuals"], grain="month", population="whole company, all sources", kind="actual",
       numerator="order_intake", windows=_ADD_CTL, plan_target=("order_intake_plan",)),
    _m(id="company_revenue", formula="sum(company_actuals.revenue where month in window)", unit="eur",
       tables=["company_actuals"], grain="month", population="whole company, all sources", kind="actual",
       numerator="revenue", windows=_ADD_CTL, plan_target=("revenue_plan",)),
    _m(id="marketing_order_intake_share", formula="marketing_won_revenue / company_order_intake", unit="rate",
       tables=["deals", "company_actuals"], grain="window", population="marketing-sourced (CRM) vs whole company",
       kind="ratio", numerator="marketing_won_revenue", denominator="company_order_intake", windows=_ADD_CTL,
       deal_based=True, plan_target=("marketing_order_intake_plan", "order_intake_plan")),
    _m(id="marketing_revenue_share_company", formula="marketing_won_revenue / company_revenue", unit="rate",
       tables=["deals", "company_actuals"], grain="window", population="marketing-sourced (CRM) vs whole company",
       kind="ratio", numerator="marketing_won_revenue", denominator="company_revenue", windows=_ADD_CTL,
       deal_based=True, plan_target=("marketing_revenue_plan", "revenue_plan")),
    _m(id="clv_to_cac", formula="clv / cac", unit="factor", tables=["deals", "spend"], grain="window",
       population="new business; marketing-sourced (CAC)", windows=("quarter", "t12m"), kind="clv_to_cac",
       deal_based=True),
)


def _custom(raw: Mapping[str, Any]) -> Metric:
    """A company's own metric: a ratio of two catalogue metrics."""
    need = ("id", "name_de", "name_en", "definition_de", "definition_en", "numerator", "denominator")
    missing = [k for k in need if not raw.get(k)]
    if missing:
        raise ValueError(f"params kpis.custom {raw.get('id', '?')}: missing {', '.join(missing)}")
    return Metric(id=str(raw["id"]), name_de=str(raw["name_de"]), name_en=str(raw["name_en"]),
                  definition_de=str(raw["definition_de"]), definition_en=str(raw["definition_en"]),
                  formula=f"{raw['numerator']} / {raw['denominator']}", unit=str(raw.get("unit", "ratio")),
                  tables=(), grain="window", population=str(raw.get("population", "as numerator/denominator")),
                  higher_is_better=raw.get("higher_is_better", True), kind="ratio", numerator=str(raw["numerator"]),
                  denominator=str(raw["denominator"]), owner=str(raw.get("owner", "company")),
                  windows=tuple(raw.get("windows", _RATIO_WINDOWS)))


@dataclass
class Catalogue:
    """The catalogue as one company uses it: shipped metrics, its own, its parameter overrides."""

    metrics: dict[str, Metric]
    params: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PARAMS))
    signed_off: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, metric_id: str) -> Metric:
        try:
            return self.metrics[metric_id]
        except KeyError:
            raise KeyError(f"{metric_id!r} is not in the metric catalogue; known: {', '.join(self.metrics)}") from None

    def __iter__(self):
        return iter(self.metrics.values())

    def __contains__(self, metric_id: object) -> bool:
        return metric_id in self.metrics


def catalogue(params_raw: Mapping[str, Any] | None = None) -> Catalogue:
    """The catalogue with the company's ``kpis:`` section applied (params, own metrics, sign-off)."""
    cfg = dict((params_raw or {}).get("kpis") or {})
    metrics = {m.id: m for m in CATALOGUE}
    for raw in cfg.get("custom") or []:
        m = _custom(raw)
        if m.id in metrics:
            raise ValueError(f"params kpis.custom: {m.id!r} is already a catalogue metric; give your own metric its own id")
        for part in (m.numerator, m.denominator):
            if part not in metrics:
                raise ValueError(f"params kpis.custom {m.id}: {part!r} is not a catalogue metric")
        metrics[m.id] = m
    unknown = set(cfg.get("params") or {}) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"params kpis.params: unknown {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_PARAMS)}")
    # the simple CLV's lifetime years of earlier params are the CLV horizon
    legacy = {"clv_horizon_years": ((params_raw or {}).get("targets") or {}).get("customer_lifetime_years")}
    values = {**DEFAULT_PARAMS, **{k: v for k, v in legacy.items() if v is not None}, **(cfg.get("params") or {})}
    return Catalogue(metrics, values, dict(cfg.get("signed_off") or {}))


def label(metric_id: str, window_kind: str, lang: str, cat: Catalogue | None = None) -> str:
    """A KPI's name with its window, e.g. "Marketing-ROMI gesamt, 12 Monate rollierend"."""
    return (cat or _DEFAULT)[metric_id].label(window_kind, lang)


_DEFAULT = Catalogue({m.id: m for m in CATALOGUE})


def markdown_table(cat: Catalogue | None = None) -> str:
    """docs/metrics.md: every catalogue metric with its id (the one params and goals use), names, definition,
    formula, unit, tables, windows and comparisons (``python -m cmo_workbook.metrics.catalogue > docs/metrics.md``)."""
    cat = cat or catalogue()

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["# The metric catalogue\n\n",
             "Generated from `lib/cmo_workbook/metrics/catalogue.py` "
             "(`python -m cmo_workbook.metrics.catalogue > docs/metrics.md`). The id is what goals "
             "(`goals[].metric`), `kpis.custom` and the KPI store (`kpis.csv`, column `metric`) use; every memo "
             "label is the name plus its window.\n\n",
             "| id | Name (de) | name (en) | definition | formula | unit | tables | windows | comparisons |\n",
             "|---|---|---|---|---|---|---|---|---|\n"]
    for m in cat:
        lines.append(f"| `{m.id}` | {cell(m.name('de'))} | {cell(m.name('en'))} | {cell(m.definition('en'))} | "
                     f"`{cell(m.formula)}` | {m.unit} | {', '.join(m.tables)} | {', '.join(m.windows)} | "
                     f"{', '.join(m.comparisons)} |\n")
    return "".join(lines)


if __name__ == "__main__":
    print(markdown_table(), end="")
