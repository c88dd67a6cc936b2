"""The metric catalogue: one id, one definition, one computation per KPI.

Every KPI a memo, the controlling workbook or the archive shows is listed here with its
German and English name, a one-sentence definition a controller can sign off, the formula,
unit, tables, grain, population (who is in, who is out), the windows it may be shown for and
the comparisons it is shown with. Two different things get two ids and two names (ROMI on
all marketing-sourced orders vs ROMI on first orders of new customers). The values are
computed once per period by :mod:`cmo_workbook.metrics.store`; memos read them from there.

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

#: Window kinds: (German label, English label). The label is always part of a KPI's name.
WINDOWS: dict[str, tuple[str, str]] = {
    "month": ("Monat", "month"),
    "quarter": ("Quartal", "quarter"),
    "t3m": ("letzte 3 Monate", "last 3 months"),
    "t12m": ("12 Monate rollierend", "trailing 12 months"),
    "ytd": ("seit Jahresbeginn", "year to date"),
    "asof": ("Stand Periodenende", "at period end"),
}
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


@dataclass(frozen=True)
class Metric:
    """One catalogue KPI. ``kind`` says how the store computes it: ``sum`` of a monthly
    column, ``ratio`` of two sums (``numerator``/``denominator``), or a named ``special``."""

    id: str
    name_de: str
    name_en: str
    definition_de: str
    definition_en: str
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
    owner: str = "Marketing-Controlling"
    valid_from: str = "2026-01-01"

    def name(self, lang: str) -> str:
        return self.name_de if lang == "de" else self.name_en

    def definition(self, lang: str) -> str:
        return self.definition_de if lang == "de" else self.definition_en

    def label(self, window_kind: str, lang: str) -> str:
        """The name with its window: "ROMI alle Aufträge, 12 Monate rollierend"."""
        return label(self.id, window_kind, lang)


def _m(**kw: Any) -> Metric:
    kw["tables"] = tuple(kw["tables"])
    return Metric(**kw)


_MKT = "Leads aus Marketing-Kanälen (params channels.marketing; ohne Vertriebs-Kaltakquise)"
CATALOGUE: tuple[Metric, ...] = (
    _m(id="leads", name_de="Neue Kontakte", name_en="New contacts",
       definition_de="Alle im CRM neu angelegten Kontakte bzw. Anfragen, nach Anlagedatum.",
       definition_en="All contacts or inquiries created in the CRM, by creation date.",
       formula="count(leads where created_date in window)", unit="count", tables=["leads"],
       grain="lead (created_date)", population="all sources, incl. sales outbound"),
    _m(id="qualified_leads", name_de="Qualifizierte Anfragen", name_en="Qualified inquiries",
       definition_de="Marketing Qualified Leads aus Marketing-Kanälen, gezählt im Monat ihres MQL-Datums.",
       definition_en="Marketing-qualified leads from marketing channels, counted in the month of their MQL date.",
       formula="count(leads where mql_date in window and channel in channels.marketing)", unit="count",
       tables=["leads"], grain="lead (mql_date)", population=_MKT, segments=("channel",)),
    _m(id="qualified_leads_web", name_de="Qualifizierte Website-Anfragen", name_en="Qualified website inquiries",
       definition_de="Qualifizierte Anfragen aus organischer Suche, bezahlter Suche und Direktzugriff.",
       definition_en="Qualified inquiries from organic search, paid search and direct visits.",
       formula="count(qualified_leads where channel in organic_search, paid_search, direct)", unit="count",
       tables=["leads"], grain="lead (mql_date)", population="marketing-sourced, website channels"),
    _m(id="sql", name_de="Vom Vertrieb akzeptierte Anfragen", name_en="Inquiries accepted by sales",
       definition_de="Leads aus Marketing-Kanälen, die der Vertrieb im Zeitraum akzeptiert hat (SQL-Datum).",
       definition_en="Leads from marketing channels that sales accepted in the window (SQL date).",
       formula="count(leads where sql_date in window and channel in channels.marketing)", unit="count",
       tables=["leads"], grain="lead (sql_date)", population=_MKT),
    _m(id="sales_acceptance_rate", name_de="Akzeptanzquote Vertrieb (Kohorte)",
       name_en="Sales acceptance rate (cohort)",
       definition_de=("Anteil der qualifizierten Anfragen des Zeitraums (MQL-Datum), die der Vertrieb bis zum "
                      "Periodenende akzeptiert hat, an allen bis dahin entschiedenen (akzeptiert oder abgelehnt); "
                      "noch offene Anfragen zählen nicht."),
       definition_en=("Share of the window's qualified inquiries (by MQL date) that sales had accepted by the end of the "
                      "window, of all decided by then (accepted or rejected); undecided inquiries are left out."),
       formula="accepted(cohort) / (accepted + rejected)(cohort), cohort = MQL date in window, decisions before window end",
       unit="rate", tables=["leads"], grain="lead cohort (mql_date)", population=_MKT, kind="acceptance",
       windows=("month", "quarter", "t12m")),
    _m(id="marketing_spend", name_de="Marketingkosten", name_en="Marketing cost",
       definition_de="Alle im Zeitraum gebuchten Marketingkosten aus Werbeplattformen und Kostenliste, netto.",
       definition_en="All marketing cost booked in the window from ad platforms and the cost sheet, net.",
       formula="sum(spend.cost where date in window)", unit="eur", tables=["spend"], grain="cost line (date)",
       population="all marketing cost; excludes sales cost and personnel", higher_is_better=None,
       segments=("channel",)),
    _m(id="cost_per_qualified_lead", name_de="Kosten je qualifizierter Anfrage", name_en="Cost per qualified inquiry",
       definition_de="Marketingkosten des Zeitraums geteilt durch die qualifizierten Anfragen desselben Zeitraums.",
       definition_en="Marketing cost of the window divided by the qualified inquiries of the same window.",
       formula="marketing_spend / qualified_leads", unit="eur", tables=["spend", "leads"], grain="window",
       population=_MKT, higher_is_better=False, segments=("channel",), kind="ratio",
       numerator="marketing_spend", denominator="qualified_leads"),
    _m(id="marketing_pipeline_value", name_de="Neue Pipeline aus Marketing", name_en="New pipeline from marketing",
       definition_de="Auftragswert der im Zeitraum angelegten Verkaufschancen, deren Lead aus einem Marketing-Kanal kam.",
       definition_en="Amount of the deals created in the window whose lead came from a marketing channel.",
       formula="sum(deals.amount where created_date in window and channel in channels.marketing)", unit="eur",
       tables=["deals"], grain="deal (created_date)", population="marketing-sourced; new and existing customers",
       segments=("channel",), deal_based=True),
    _m(id="marketing_won_revenue", name_de="Auftragseingang aus Marketing-Anfragen",
       name_en="Order intake from marketing inquiries",
       definition_de=("Auftragswert (CRM, netto) der im Zeitraum gewonnenen Aufträge aus Marketing-Anfragen, "
                      "Neu- und Bestandskunden; CRM-Auftragswert, kein gebuchter Umsatz."),
       definition_en=("CRM order value (net) of deals won in the window from marketing inquiries, new and existing "
                      "customers; CRM order value, not booked revenue."),
       formula="sum(deals.amount where status = won and close_date in window and channel in channels.marketing)",
       unit="eur", tables=["deals"], grain="deal (close_date)", population="marketing-sourced; new and existing customers",
       segments=("channel",), deal_based=True),
    _m(id="won_revenue", name_de="Auftragseingang gesamt", name_en="Order intake, all sources",
       definition_de="Auftragswert (CRM, netto) aller im Zeitraum gewonnenen Aufträge, alle Quellen.",
       definition_en="CRM order value (net) of all deals won in the window, all sources.",
       formula="sum(deals.amount where status = won and close_date in window)", unit="eur", tables=["deals"],
       grain="deal (close_date)", population="all sources; new and existing customers", deal_based=True),
    _m(id="marketing_revenue_share", name_de="Anteil Marketing am Auftragseingang",
       name_en="Marketing share of order intake",
       definition_de="Auftragseingang aus Marketing-Anfragen geteilt durch den gesamten Auftragseingang.",
       definition_en="Order intake from marketing inquiries divided by total order intake.",
       formula="marketing_won_revenue / won_revenue", unit="rate", tables=["deals"], grain="window",
       population="marketing-sourced vs all", kind="ratio", numerator="marketing_won_revenue",
       denominator="won_revenue", deal_based=True),
    _m(id="new_customers", name_de="Neukunden", name_en="New customers",
       definition_de="Gewonnene Neugeschäfts-Aufträge (Erstaufträge) im Zeitraum, alle Quellen.",
       definition_en="New-business deals (first orders) won in the window, all sources.",
       formula="count(deals where status = won and deal_type = new business and close_date in window)",
       unit="count", tables=["deals"], grain="deal (close_date)", population="new business; all sources",
       deal_based=True),
    _m(id="new_customers_marketing", name_de="Neukunden aus Marketing", name_en="New customers from marketing",
       definition_de="Gewonnene Erstaufträge im Zeitraum, deren Lead aus einem Marketing-Kanal kam.",
       definition_en="First orders won in the window whose lead came from a marketing channel.",
       formula="count(deals where status = won and deal_type = new business and channel in channels.marketing)",
       unit="count", tables=["deals"], grain="deal (close_date)", population="new business; marketing-sourced",
       deal_based=True),
    _m(id="marketing_first_order_value", name_de="Erstauftragswert aus Marketing",
       name_en="First-order value from marketing",
       definition_de="Auftragswert der gewonnenen Erstaufträge neuer Kunden aus Marketing-Anfragen.",
       definition_en="Order value of first orders of new customers won from marketing inquiries.",
       formula="sum(deals.amount where won, new business, marketing-sourced)", unit="eur", tables=["deals"],
       grain="deal (close_date)", population="new business; marketing-sourced", deal_based=True),
    _m(id="romi_all_orders", name_de="ROMI alle Aufträge", name_en="ROMI, all orders",
       definition_de=("(Deckungsbeitrag des Auftragseingangs aus Marketing-Anfragen − Marketingkosten) ÷ "
                      "Marketingkosten; zählt Folgeaufträge von Bestandskunden voll mit, ohne Vertriebskosten."),
       definition_en=("(contribution margin of order intake from marketing inquiries − marketing cost) ÷ marketing "
                      "cost; counts repeat orders of existing customers in full, excludes sales cost."),
       formula="(marketing_won_revenue × company.gross_margin − marketing_spend) / marketing_spend", unit="ratio",
       tables=["deals", "spend"], grain="window", population="marketing-sourced; new and existing customers",
       windows=("quarter", "t12m", "ytd"), kind="romi", numerator="marketing_won_revenue", deal_based=True),
    _m(id="romi_first_orders", name_de="ROMI Erstaufträge", name_en="ROMI, first orders",
       definition_de=("(Deckungsbeitrag der Erstaufträge neuer Kunden aus Marketing-Anfragen − Marketingkosten) ÷ "
                      "Marketingkosten; ohne Folgeaufträge, ohne Vertriebskosten, volle Zurechnung an die Lead-Quelle."),
       definition_en=("(contribution margin of first orders of new customers from marketing inquiries − marketing "
                      "cost) ÷ marketing cost; no repeat orders, no sales cost, full credit to the lead source."),
       formula="(marketing_first_order_value × company.gross_margin − marketing_spend) / marketing_spend",
       unit="ratio", tables=["deals", "spend"], grain="window", population="new business; marketing-sourced",
       windows=("quarter", "t12m", "ytd"), kind="romi", numerator="marketing_first_order_value", deal_based=True),
    _m(id="cac", name_de="Akquisekosten je Neukunde (CAC)", name_en="Acquisition cost per new customer (CAC)",
       definition_de=("Marketingkosten geteilt durch die Neukunden aus Marketing-Anfragen; ohne Vertriebskosten, "
                      "Neukunden aus Vertriebs-Kaltakquise zählen nicht."),
       definition_en=("Marketing cost divided by new customers from marketing inquiries; excludes sales cost, new "
                      "customers found by sales outbound do not count."),
       formula="marketing_spend / new_customers_marketing", unit="eur", tables=["spend", "deals"], grain="window",
       population="new business; marketing-sourced", higher_is_better=False, windows=("quarter", "t12m", "ytd"),
       kind="ratio", numerator="marketing_spend", denominator="new_customers_marketing", deal_based=True),
    _m(id="clv", name_de="Kundenwert (CLV)", name_en="Customer lifetime value (CLV)",
       definition_de=("Erwarteter abgezinster Deckungsbeitrag je Kunde über kpis.params.clv_horizon_years Jahre aus "
                      "BG/NBD + Gamma-Gamma auf den gewonnenen Aufträgen bis zum Periodenende (Abzinsung "
                      "kpis.params.clv_discount_rate); konvergiert das Modell nicht, der historische Kohortenwert."),
       definition_en=("Expected discounted contribution margin per customer over kpis.params.clv_horizon_years years "
                      "from BG/NBD + Gamma-Gamma on won deals up to the window end (discount rate "
                      "kpis.params.clv_discount_rate); the historical cohort value when the model does not converge."),
       formula="mean over customers of sum_m E[orders in month m] × E[order value] × margin / (1+d)^(m/12)",
       unit="eur", tables=["deals"], grain="customer (account)", population="all customers with a won deal",
       windows=("asof",), comparisons=("previous", "year_ago"), kind="clv", deal_based=True),
    _m(id="clv_to_cac", name_de="Kundenwert : Akquisekosten", name_en="Customer value : acquisition cost",
       definition_de="Kundenwert (CLV) am Periodenende geteilt durch die Akquisekosten je Neukunde (CAC) des Fensters.",
       definition_en="Customer lifetime value (CLV) at the window end divided by the acquisition cost (CAC) of the window.",
       formula="clv / cac", unit="factor", tables=["deals", "spend"], grain="window",
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
    """A KPI's name with its window, e.g. "ROMI alle Aufträge, 12 Monate rollierend"."""
    m = (cat or _DEFAULT)[metric_id]
    if window_kind not in WINDOWS:
        raise ValueError(f"unknown window {window_kind!r}; known: {', '.join(WINDOWS)}")
    w = WINDOWS[window_kind][0 if lang == "de" else 1]
    return f"{m.name(lang)}, {w}"


_DEFAULT = Catalogue({m.id: m for m in CATALOGUE})
