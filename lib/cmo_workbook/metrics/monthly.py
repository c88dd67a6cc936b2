"""Monthly business metrics computed from the canonical tables: one home for definitions.

Every memo and every goal reads its numbers from here, so "qualified lead" or
"marketing-sourced pipeline" means the same thing everywhere:

- ``leads``: leads created in the month.
- ``qualified_leads``: marketing-qualified leads (MQL date in the month) from marketing channels.
- ``qualified_leads_web``: the same, from the website channels (organic search, paid search, direct).
- ``sql``: leads accepted by sales (SQL date in the month), marketing channels.
- ``marketing_spend``: all marketing cost booked in the month.
- ``cost_per_qualified_lead``: marketing_spend / qualified_leads.
- ``marketing_pipeline_value``: amount of deals created in the month whose lead came from a marketing channel.
- ``marketing_won_revenue`` / ``won_revenue``: amount of deals won (close date in the month), marketing-sourced / all.
- ``marketing_revenue_share``: marketing_won_revenue / won_revenue.
"""
from __future__ import annotations

import pandas as pd

from ..inputs.loaders import Dataset

WEB_CHANNELS = ("organic_search", "paid_search", "direct")

METRICS = (
    "leads", "qualified_leads", "qualified_leads_web", "sql", "marketing_spend", "cost_per_qualified_lead",
    "marketing_pipeline_value", "marketing_won_revenue", "won_revenue", "marketing_revenue_share",
    "new_customers",
)
HIGHER_IS_BETTER = {"cost_per_qualified_lead": False, "marketing_spend": None}


def _months(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M")


def monthly(ds: Dataset, *, marketing_channels: list[str] | None = None) -> pd.DataFrame:
    """All metrics by calendar month (PeriodIndex) over the whole data range."""
    mkt = set(marketing_channels or ds.params.marketing_channels)
    out: dict[str, pd.Series] = {}
    leads = ds.leads
    is_mkt = leads["channel"].isin(mkt)
    out["leads"] = leads.groupby(_months(leads["created_date"])).size()
    mql = leads[is_mkt & leads["mql_date"].notna()]
    out["qualified_leads"] = mql.groupby(_months(mql["mql_date"])).size()
    web = mql[mql["channel"].isin(WEB_CHANNELS)]
    out["qualified_leads_web"] = web.groupby(_months(web["mql_date"])).size()
    sql = leads[is_mkt & leads["sql_date"].notna()]
    out["sql"] = sql.groupby(_months(sql["sql_date"])).size()
    if ds.has("spend"):
        sp = ds.spend
        out["marketing_spend"] = sp.groupby(_months(sp["date"]))["cost"].sum()
    if ds.has("deals"):
        deals = ds.deals
        dm = deals[deals["channel"].isin(mkt)]
        out["marketing_pipeline_value"] = dm.groupby(_months(dm["created_date"]))["amount"].sum()
        won = deals[deals["status"] == "won"]
        out["won_revenue"] = won.groupby(_months(won["close_date"]))["amount"].sum()
        wm = won[won["channel"].isin(mkt)]
        out["marketing_won_revenue"] = wm.groupby(_months(wm["close_date"]))["amount"].sum()
        new = won[won["deal_type"].astype("string").str.contains("new", case=False, na=True)]
        out["new_customers"] = new.groupby(_months(new["close_date"])).size()
    df = pd.DataFrame(out).sort_index()
    if len(df):
        df = df.reindex(pd.period_range(df.index.min(), df.index.max(), freq="M"))
    df = df.fillna(0.0)
    if "marketing_spend" in df:
        df["cost_per_qualified_lead"] = df["marketing_spend"] / df["qualified_leads"].where(df["qualified_leads"] > 0)
    if "won_revenue" in df:
        df["marketing_revenue_share"] = df["marketing_won_revenue"] / df["won_revenue"].where(df["won_revenue"] > 0)
    # the zeros before a table's first row are "no export yet", not "nothing happened": forecasts read this
    df.attrs["covered_from"] = covered_from(ds, df.columns)
    return df


def table_starts(ds: Dataset) -> dict[str, pd.Period]:
    """Table -> the month of its first date in its main date column (as the data-health profile reports it): the
    first month the export covers. Months before it are "no export yet", never "nothing happened"."""
    from ..inputs import schema

    first: dict[str, pd.Period] = {}
    for name, df in (getattr(ds, "tables", None) or {}).items():
        try:
            col = schema.table(name).date_column
        except KeyError:
            continue
        if col and col in df and df[col].notna().any():
            first[name] = pd.Timestamp(df[col].min()).to_period("M")
    for name, held in (getattr(ds, "engine", None) or {}).items():  # touchpoints held in the engine: its profile's first date
        if not pd.isna(held.first):
            first[name] = pd.Timestamp(held.first).to_period("M")
    return first


def covered_from(ds: Dataset, metrics) -> dict[str, pd.Period]:
    """Metric -> the first month all of its input tables (the catalogue's ``tables``) cover: the latest of the
    tables' first months (:func:`table_starts`)."""
    from .catalogue import CATALOGUE

    first = table_starts(ds)
    out = {}
    for m in CATALOGUE:
        if m.id in metrics and m.tables and all(t in first for t in m.tables):
            out[m.id] = max(first[t] for t in m.tables)
    return out


def spend_by_channel(spend: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Marketing cost per channel booked in ``[start, end)``."""
    in_w = (spend["date"] >= start) & (spend["date"] < end)
    return spend[in_w].groupby("channel")["cost"].sum().astype(float)


def by_channel(ds: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Qualified leads, spend and cost per qualified lead per channel in [start, end)."""
    leads = ds.leads
    mql = leads[leads["mql_date"].between(start, end, inclusive="left")]
    q = mql.groupby("channel").size().rename("qualified_leads")
    frames = [q]
    if ds.has("spend"):
        frames.append(spend_by_channel(ds.spend, start, end).rename("spend"))
    df = pd.concat(frames, axis=1).fillna(0.0)
    if "spend" in df:
        df["cost_per_qualified_lead"] = df["spend"] / df["qualified_leads"].where(df["qualified_leads"] > 0)
    return df.sort_index()
