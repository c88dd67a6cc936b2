"""The controlling workbook ``reports/PERIOD/Kennzahlen_PERIOD.xlsx`` (``KPIs_PERIOD.xlsx`` in English).

What a CFO needs to reconcile the memos' money figures: the catalogue definitions, the KPI
values exactly as the period store holds them, costs, budget vs actual, the funnel per
channel and month, the orders, the pipeline bridge, ROMI/CAC/CLV with their inputs and an
actions log. Numbers are written as numbers with Excel number formats; every text cell that
comes from data is written as text (a value starting with ``=``, ``+``, ``-`` or ``@`` is
never a formula). A sheet whose inputs the company lacks says which input would fill it.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..render import fmt
from ..render.i18n import t
from ..render.xlsx import write_stable
from ..render.wording import channel_label
from ..inputs.loaders import Dataset
from ..metrics import sla
from ..metrics.catalogue import WINDOWS, label
from ..metrics.store import KpiStore
from ..periods import Period

FORMATS = {"eur": '#,##0 "€"', "eur2": '#,##0.00 "€"', "count": "#,##0", "rate": "0.0%", "ratio": "0%",
           "factor": '0.0 ":1"', "days": "0", "hours": "0.0"}
DATE_FORMAT = {"de": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
_NOTE = Font(italic=True, color="7F1F1F")


def workbook_name(language: str, period: Period | str) -> str:
    """``Kennzahlen_2026-10.xlsx`` for a German company, ``KPIs_2026-10.xlsx`` in English (catalogue ``ctl_workbook_stem``)."""
    return f"{t('ctl_workbook_stem', language)}_{period}.xlsx"


class _Sheet:
    """Writes one sheet row by row (openpyxl write-only mode: a fraction of the time and memory):
    a header row, typed cells, notes saying what input is missing."""

    def __init__(self, wb: Workbook, title: str, lang: str, widths: Sequence[int] = ()):
        self.ws = wb.create_sheet(title[:31])
        self.lang = lang
        for i, w in enumerate(widths or (), 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w

    def _cell(self, value: Any, fmt_key: str | None = None, font: Font | None = None) -> WriteOnlyCell | None:
        if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        c = WriteOnlyCell(self.ws)
        if isinstance(value, bool):
            _text(c, t("ctl_yes" if value else "ctl_no", self.lang))
        elif isinstance(value, (int, float)):
            c.value = value
            if fmt_key:
                c.number_format = FORMATS[fmt_key]
        elif isinstance(value, pd.Timestamp):
            c.value = value.to_pydatetime()
            c.number_format = DATE_FORMAT[self.lang]
        else:
            _text(c, str(value))
        if font is not None:
            c.font = font
        return c

    def note(self, text: str) -> None:
        self.ws.append([self._cell(text, font=_NOTE)])

    def header(self, names: Sequence[str]) -> None:
        cells = []
        for name in names:
            c = self._cell(name, font=_BOLD)
            c.fill, c.alignment = _HEAD_FILL, Alignment(wrap_text=True, vertical="top")
            cells.append(c)
        self.ws.append(cells)

    def write(self, values: Sequence[Any], formats: Sequence[str | None] = (), bold: bool = False) -> None:
        self.ws.append([self._cell(v, formats[i] if i < len(formats) else None, _BOLD if bold else None)
                        for i, v in enumerate(values)])

    def blank(self) -> None:
        self.ws.append([])


def _text(cell: Any, value: str) -> None:
    """A text cell that stays text: openpyxl would turn "=HYPERLINK(...)" into a formula."""
    cell.value = value
    cell.data_type = "s"


def _unit_format(unit: str) -> str:
    return {"eur": "eur", "count": "count", "rate": "rate", "ratio": "ratio", "factor": "factor"}.get(unit, "count")


# --------------------------------------------------------------------------- sheets


def _definitions(wb: Workbook, store: KpiStore, lang: str) -> None:
    s = _Sheet(wb, t("ctl_definitions", lang), lang, (24, 34, 60, 44, 18, 18, 34, 30, 24, 20, 12))
    cat = store.catalogue
    signed = cat.signed_off
    if signed:
        s.note(t("ctl_signed_off", lang, by=signed.get('by', '?'), on=signed.get('on', '?')))
    else:
        s.note(t("ctl_not_signed_off_yet", lang))
    s.header([t("ctl_kpi_id", lang), "Name", "Definition", t("ctl_formula", lang),
              t("ctl_source_tables", lang), t("ctl_grain", lang),
              t("ctl_population", lang), t("ctl_windows", lang),
              t("ctl_comparisons", lang), t("ctl_owner", lang),
              t("ctl_valid_from", lang)])
    for m in cat:
        s.write([m.id, m.name(lang), m.definition(lang), m.formula, ", ".join(m.tables), m.grain, m.population,
                 ", ".join(WINDOWS[w][0 if lang == "de" else 1] for w in m.windows), ", ".join(m.comparisons),
                 m.owner, m.valid_from])
    s.blank()
    s.note(t("ctl_parameters_definitions_params_kpis", lang))
    for k, v in cat.params.items():
        s.write([k, v])


def _kpis(wb: Workbook, store: KpiStore, lang: str) -> None:
    s = _Sheet(wb, t("ctl_kpis", lang), lang, (26, 44, 14, 22, 14, 14, 14, 14, 14, 12, 10))
    s.note(t("ctl_store_values", lang, period=store.period))
    s.header([t("ctl_kpi_id", lang), t("ctl_name_window", lang),
              t("ctl_window", lang), "Segment", t("ctl_value", lang), t("ctl_previous", lang),
              t("ctl_previous_value", lang), t("ctl_year_ago", lang),
              t("ctl_year_ago_value", lang), t("ctl_target", lang),
              t("ctl_reliable", lang)])
    for r in store.table.itertuples(index=False):
        f = _unit_format(r.unit)
        s.write([r.metric, label(r.metric, r.window_kind, lang, store.catalogue), r.window, r.segment or "", r.value,
                 r.prev_window or "", r.prev_value, r.py_window or "", r.py_value, r.target, bool(r.reliable)],
                [None, None, None, None, f, None, f, None, f, f])


def _costs(wb: Workbook, ds: Dataset, period: Period, lang: str) -> None:
    s = _Sheet(wb, t("ctl_costs_actual", lang), lang, (10, 20, 18, 30, 12, 10, 12, 14, 14, 14, 14, 12))
    s.note(t("ctl_cost_centre_account_supplier", lang))
    s.header([t("ctl_month", lang), t("ctl_channel", lang), t("ctl_platform_supplier", lang),
              t("ctl_campaign", lang), t("ctl_cost_centre", lang), t("ctl_account", lang),
              t("ctl_document_no", lang), t("ctl_service_period", lang),
              t("ctl_posting_date", lang), t("ctl_net", lang),
              t("ctl_accrual_prepaid", lang), t("ctl_commitments", lang)])
    if not ds.has("spend"):
        s.note(t("ctl_no_cost_data_set", lang))
        return
    sp = ds.spend[period.contains(ds.spend["date"])]
    sp = sp.assign(month=sp["date"].dt.to_period("M").astype(str))
    g = sp.groupby(["month", "channel", "platform", "campaign"], dropna=False)["cost"].sum().reset_index()
    for r in g.itertuples(index=False):
        s.write([r.month, channel_label(str(r.channel), lang), r.platform, r.campaign, None, None, None, r.month, None,
                 float(r.cost)], [None] * 9 + ["eur2"])
    s.write([t("ctl_total", lang), None, None, None, None, None, None, None, None, float(g["cost"].sum())],
            [None] * 9 + ["eur2"], bold=True)


def _budget(wb: Workbook, ds: Dataset, period: Period, lang: str) -> None:
    s = _Sheet(wb, t("ctl_budget_vs_actual", lang), lang, (22, 14, 14, 10, 14, 10, 14))
    s.note(t("ctl_pl_budget_channel_month", lang))
    s.header([t("ctl_channel", lang), t("ctl_month", lang), t("ctl_py", lang), t("ctl_pl", lang),
              t("ctl_ac", lang), t("ctl_fc", lang), t("ctl_ac_py", lang)])
    if not ds.has("spend"):
        return
    end = pd.Period(str(period.month_periods()[-1]), freq="M")
    months = pd.period_range(pd.Period(f"{end.year}-01", freq="M"), end, freq="M")
    sp = ds.spend.assign(month=ds.spend["date"].dt.to_period("M"))
    by = sp.groupby(["channel", "month"])["cost"].sum()
    for ch in sorted(sp["channel"].dropna().unique()):
        ac_sum = py_sum = 0.0
        for m in months:
            ac, py = float(by.get((ch, m), 0.0)), float(by.get((ch, m - 12), 0.0))
            ac_sum, py_sum = ac_sum + ac, py_sum + py
            s.write([channel_label(ch, lang), str(m), py, None, ac, None, ac - py], [None, None, "eur", None, "eur", None, "eur"])
        s.write([channel_label(ch, lang), t("ctl_ytd", lang, month=end), py_sum, None, ac_sum, None, ac_sum - py_sum],
                [None, None, "eur", None, "eur", None, "eur"], bold=True)


def response_medians(leads: pd.DataFrame, params: Any, as_of: pd.Timestamp) -> pd.Series:
    """Median response time per (channel, MQL month) in business hours of the params' ``sla:`` calendar, the
    unanswered inquiries counted as still waiting at ``as_of`` (:func:`cmo_workbook.metrics.sla.median_response`):
    the sync memo's measure, so the workbook and the memo give one response time. NaN while more than half wait
    (no median is known yet)."""
    cfg = sla.SlaConfig.from_params(params.raw.get("sla"), state=params.company.get("state"))
    frame = sla.lead_sla(leads, cfg, as_of)
    if frame.empty:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []], names=["channel", "month"]))
    frame = frame.assign(channel=frame["channel"].astype(str), month=frame["mql_date"].dt.to_period("M"))
    med = frame.groupby(["channel", "month"])[["response_hours", "waited_hours"]].apply(sla.median_response)
    return med.replace(math.inf, math.nan).astype(float)


def _funnel(wb: Workbook, ds: Dataset, period: Period, lang: str) -> None:
    s = _Sheet(wb, t("ctl_funnel_channel", lang), lang, (20, 10, 12, 12, 12, 26, 14, 14, 10, 12, 12, 12))
    s.header([t("ctl_channel", lang), t("ctl_month", lang), t("ctl_qualified_inquiries", lang),
              t("ctl_accepted", lang), t("ctl_rejected", lang),
              t("ctl_top_rejection_reason", lang),
              t("ctl_response_time_median_h", lang),
              t("ctl_opportunities", lang), t("ctl_orders", lang),
              t("ctl_cost", lang), t("ctl_inquiry", lang), t("ctl_order", lang)])
    mkt = set(ds.params.marketing_channels)
    end = pd.Period(str(period.month_periods()[-1]), freq="M")
    months = pd.period_range(end - 12, end, freq="M")
    leads = ds.leads[ds.leads["channel"].isin(mkt) & ds.leads["mql_date"].notna()]
    lm = pd.DataFrame({"channel": leads["channel"].astype(str), "month": leads["mql_date"].dt.to_period("M"),
                       "accepted": leads["sql_date"].notna()})
    fb = leads["sales_feedback_date"] if "sales_feedback_date" in leads else pd.Series(pd.NaT, index=leads.index)
    lm["rejected"] = ~lm["accepted"] & fb.notna()
    lm["reason"] = (leads["rejection_reason"] if "rejection_reason" in leads else pd.Series(pd.NA, index=leads.index)
                    ).astype("string").where(lm["rejected"])
    keys = ["channel", "month"]
    g = lm.groupby(keys).agg(inquiries=("accepted", "size"), accepted=("accepted", "sum"), rejected=("rejected", "sum"))
    g = g.join(response_medians(leads, ds.params, period.end).rename("hours"))
    top = (lm.dropna(subset=["reason"]).groupby(keys + ["reason"]).size().reset_index(name="n")
           .sort_values(keys + ["n", "reason"], ascending=[True, True, False, True]).drop_duplicates(keys)
           .set_index(keys)["reason"])
    g = g.join(top.rename("top"))
    if ds.has("deals"):
        dm = ds.deals[ds.deals["channel"].isin(mkt)]
        opp = dm.groupby([dm["channel"].astype(str), dm["created_date"].dt.to_period("M")]).size()
        wonm = dm[dm["status"] == "won"]
        orders = wonm.groupby([wonm["channel"].astype(str), wonm["close_date"].dt.to_period("M")]).size()
        g = g.join(opp.rename_axis(keys).rename("opportunities")).join(orders.rename_axis(keys).rename("orders"))
    if ds.has("spend"):
        sp = ds.spend
        cost = sp.groupby([sp["channel"].astype(str), sp["date"].dt.to_period("M")])["cost"].sum()
        g = g.join(cost.rename_axis(keys).rename("cost"))
    for ch in sorted(lm["channel"].unique()):
        for m in months:
            r = g.loc[(ch, m)] if (ch, m) in g.index else None
            get = (lambda k, d=0.0: (float(r[k]) if r is not None and k in r and pd.notna(r[k]) else d))  # noqa: E731
            n, orders_n, cost_v = get("inquiries"), get("orders"), get("cost", math.nan)
            s.write([channel_label(ch, lang), str(m), int(n), int(get("accepted")), int(get("rejected")),
                     (str(r["top"]) if r is not None and pd.notna(r.get("top")) else ""), get("hours", math.nan),
                     int(get("opportunities")), int(orders_n), cost_v,
                     cost_v / n if n else math.nan, cost_v / orders_n if orders_n else math.nan],
                    [None, None, "count", "count", "count", None, "hours", "count", "count", "eur", "eur", "eur"])
    c = sla.SlaConfig.from_params(ds.params.raw.get("sla"), state=ds.params.company.get("state"))
    s.note(t("ctl_response_time_business_hours", lang, day_hours=f"{fmt.number(c.day_start, lang)}–{fmt.number(c.day_end, lang)}"))


def _orders(wb: Workbook, ds: Dataset, period: Period, lang: str) -> None:
    s = _Sheet(wb, t("ctl_orders", lang), lang, (16, 16, 12, 14, 14, 14, 22, 8))
    s.note(t("ctl_order_value_as_crm", lang))
    s.header([t("ctl_deal_id", lang), t("ctl_customer", lang), t("ctl_new_existing", lang),
              t("ctl_order_date", lang), t("ctl_net", lang), t("ctl_margin", lang),
              t("ctl_lead_source_channel", lang), t("ctl_share", lang)])
    if not ds.has("deals"):
        return
    names = bool(ds.params.memo.get("allow_customer_names"))
    won = ds.deals[(ds.deals["status"] == "won") & period.contains(ds.deals["close_date"])].sort_values(["close_date", "deal_id"])
    gm = ds.params.gross_margin
    for r in won.itertuples(index=False):
        customer = r.company if names else (r.account_id if pd.notna(r.account_id) else "")
        new = "new" in str(r.deal_type).lower()
        s.write([str(r.deal_id), customer, t("ctl_deal_new" if new else "ctl_deal_existing", lang), r.close_date,
                 float(r.amount), float(r.amount) * gm, channel_label(str(r.channel), lang) if pd.notna(r.channel) else "", 1.0],
                [None, None, None, None, "eur", "eur", None, "ratio"])


def _bridge(wb: Workbook, ds: Dataset, period: Period, lang: str) -> None:
    s = _Sheet(wb, t("ctl_pipeline_bridge", lang), lang, (24, 10, 16))
    s.header([t("ctl_item", lang), t("ctl_deals", lang), t("ctl_value_2", lang)])
    if not ds.has("deals"):
        return
    d = ds.deals
    start, end = period.start, period.end
    open_at = lambda t: d[(d["created_date"] < t) & ~(d["status"].isin(["won", "lost"]) & (d["close_date"] < t))]  # noqa: E731
    opening, closing = open_at(start), open_at(end)
    new = d[(d["created_date"] >= start) & (d["created_date"] < end)]
    won = d[(d["status"] == "won") & (d["close_date"] >= start) & (d["close_date"] < end)]
    lost = d[(d["status"] == "lost") & (d["close_date"] >= start) & (d["close_date"] < end)]
    change = float(closing["amount"].sum()) - (float(opening["amount"].sum()) + float(new["amount"].sum())
                                               - float(won["amount"].sum()) - float(lost["amount"].sum()))
    for name, frame, sign in ((t("ctl_opening", lang), opening, 1), (t("ctl_new", lang), new, 1),
                              (t("ctl_won", lang), won, -1), (t("ctl_lost", lang), lost, -1)):
        s.write([name, len(frame), sign * float(frame["amount"].sum())], [None, "count", "eur"])
    s.write([t("ctl_changes", lang), None, change], [None, None, "eur"])
    s.write([t("ctl_closing", lang), len(closing), float(closing["amount"].sum())], [None, "count", "eur"], bold=True)
    s.note(t("ctl_crm_export_holds_only", lang))


def _unit_economics(wb: Workbook, store: KpiStore, ds: Dataset, lang: str) -> None:
    s = _Sheet(wb, "ROMI CAC CLV", lang, (56, 16, 16, 14))
    s.header([t("ctl_item_2", lang), t("ctl_window", lang), t("ctl_value", lang), t("ctl_source", lang)])
    kind = "t12m"
    gm = ds.params.gross_margin
    rows = [("marketing_spend", kind), ("marketing_won_revenue", kind), ("marketing_first_order_value", kind),
            ("romi_all_orders", kind), ("romi_first_orders", kind), ("new_customers_marketing", kind), ("cac", kind),
            ("clv", "asof"), ("clv_to_cac", kind)]
    for metric, k in rows:
        f = store.figure(metric, k)
        s.write([label(metric, k, lang, store.catalogue), f.window, f.value, "kpis.csv"], [None, None, _unit_format(f.unit)])
        if metric == "marketing_first_order_value":
            s.write([t("ctl_contribution_margin_rate_company", lang),
                     "", gm, "params"], [None, None, "ratio"])
    p = store.catalogue.params
    s.write([t("ctl_clv_horizon_years", lang), "", float(p["clv_horizon_years"]), "kpis.params"],
            [None, None, "factor"])
    s.write([t("ctl_clv_discount_rate_p", lang), "", float(p["clv_discount_rate"]), "kpis.params"],
            [None, None, "rate"])
    s.note(t("ctl_romi_cac_exclude_sales", lang))


def _sources(wb: Workbook, ds: Dataset, lang: str) -> None:
    """Which file each table came from, with its rows: the memos name their sources in words, this sheet
    names the files (the analyst's and the controller's reference)."""
    s = _Sheet(wb, t("ctl_sources", lang), lang, (26, 60, 12, 18))
    s.header([t("ctl_source_table", lang), t("ctl_source_file", lang), t("ctl_source_rows", lang),
              t("ctl_source_preset", lang)])
    for src in ds.sources:
        s.write([src.table, src.name, src.rows, src.preset], [None, None, "count"])


def _actions(wb: Workbook, lang: str, actions: Iterable[Sequence[Any]] = ()) -> None:
    s = _Sheet(wb, t("ctl_actions", lang), lang, (40, 12, 30, 24, 14, 30))
    s.note(t("ctl_maintained_marketing_every_agreed", lang))
    s.header([t("ctl_proposal", lang), t("ctl_change", lang),
              t("ctl_expected_effect", lang), t("ctl_kpi", lang),
              t("ctl_review_date", lang), t("ctl_result", lang)])
    for a in actions:
        s.write(list(a), [None, "eur"])


def write(store: KpiStore, ds: Dataset, period: Period, out_dir: Path, *,
          actions: Iterable[Sequence[Any]] = ()) -> Path:
    """Write the period's controlling workbook next to its memos and return its path."""
    lang = ds.params.language
    wb = Workbook(write_only=True)
    _definitions(wb, store, lang)
    _kpis(wb, store, lang)
    _costs(wb, ds, period, lang)
    _budget(wb, ds, period, lang)
    _funnel(wb, ds, period, lang)
    _orders(wb, ds, period, lang)
    _bridge(wb, ds, period, lang)
    _unit_economics(wb, store, ds, lang)
    _actions(wb, lang, actions)
    _sources(wb, ds, lang)
    # stamped with the period's end, not the clock: a rerun on the same data leaves the file byte-identical
    return write_stable(wb, Path(out_dir) / workbook_name(lang, period), period.end.to_pydatetime().replace(tzinfo=None))
