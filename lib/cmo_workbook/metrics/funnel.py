"""Funnel and pipeline analytics on the canonical ``leads``, ``deals`` and ``touchpoints`` tables.

Column names are those of :mod:`cmo_workbook.inputs.schema`. Deal ``status`` is ``open``, ``won``
or ``lost``; ``close_date`` is the date a deal was won or lost.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

#: funnel steps in order: (output column, leads column that dates reaching the step)
FUNNEL_STEPS = (
    ("mql", "mql_date"),
    ("sql", "sql_date"),
    ("opportunity", "opportunity_date"),
    ("won", "customer_date"),
)
DAYS_PER_MONTH = 365.25 / 12

# --------------------------------------------------------------------------- funnel


def cohort_funnel(
    leads: pd.DataFrame,
    *,
    by: str = "Q",
    channel: str | Iterable[str] | None = None,
    as_of: object = None,
) -> pd.DataFrame:
    """Leads per creation cohort and how far they got.

    One row per cohort (``by="Q"`` quarter or ``"M"`` month of ``created_date``), columns
    ``leads, mql, sql, opportunity, won``, step conversion rates ``lead_to_mql``,
    ``mql_to_sql``, ``sql_to_opportunity``, ``opportunity_to_won`` and ``lead_to_won``.

    A lead counts for a step when it has the step's date *or a later step's* date: CRMs
    often skip stages (a lead goes straight to SQL), and such a lead did pass the step.
    Dates after ``as_of`` (default: latest date in the whole table) are ignored. Counts are
    nullable integers; a step whose date column the table lacks is <NA>, its rates NaN.

    ``months_observed`` is the time from the cohort's *end* to ``as_of`` in months (0 for
    a cohort still running): every lead of the cohort has had at least that long to
    convert. Young cohorts convert less only because they are young; compare rates of
    cohorts with similar ``months_observed``.
    """
    if by not in ("Q", "M"):
        raise ValueError(f"by {by!r} is not 'Q' (quarter) or 'M' (month)")
    _require_columns(leads, ["lead_id", "created_date"], "leads")
    df = leads.copy()
    date_cols = ["created_date"] + [col for _, col in FUNNEL_STEPS if col in df.columns]
    for col in date_cols:
        df[col] = pd.to_datetime(df[col])
    # the data's as-of date, not the selected channel's latest date
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else df[date_cols].max().max()
    if pd.isna(as_of_ts):
        raise DataError(Problem("leads", "has no created_date at all; cannot build cohorts",
                                column="created_date", fix="check the leads export and its date format"))
    if channel is not None:
        _require_columns(df, ["channel"], "leads")
        wanted = [channel] if isinstance(channel, str) else list(channel)
        df = df[df["channel"].isin(wanted)]
    df = df[df["created_date"].notna() & (df["created_date"] <= as_of_ts)]

    # reached step k  <=>  any date of step k or later is set (and not after as_of)
    reached = pd.Series(False, index=df.index)
    flags = {}
    for name, col in reversed(FUNNEL_STEPS):
        if col in df.columns:
            reached = reached | (df[col].notna() & (df[col] <= as_of_ts))
        flags[name] = reached
    counts = pd.DataFrame({name: flags[name] for name, _ in FUNNEL_STEPS})
    counts["cohort"] = df["created_date"].dt.to_period(by)
    table = counts.groupby("cohort").sum().astype("int64")
    table.insert(0, "leads", counts.groupby("cohort").size())
    # a step the export has no column for is unknown, not zero
    table = table.astype("Float64")
    for name, col in FUNNEL_STEPS:
        if col not in df.columns:
            table[name] = pd.NA
    table = table.astype("Int64")

    names = ["leads"] + [name for name, _ in FUNNEL_STEPS]
    for before, after in zip(names, names[1:]):
        label = f"{'lead' if before == 'leads' else before}_to_{after}"
        table[label] = _ratio(table[after], table[before])
    table["lead_to_won"] = _ratio(table["won"], table["leads"])
    ends = table.index.to_timestamp(how="end").normalize() + pd.Timedelta(days=1)
    days = np.asarray((as_of_ts.normalize() + pd.Timedelta(days=1) - ends).days, dtype=float)
    table["months_observed"] = np.round(np.clip(days, 0, None) / DAYS_PER_MONTH, 1)
    table.index = table.index.astype(str)
    table.index.name = "cohort"
    return table


# --------------------------------------------------------------------------- deals


def win_rates(deals: pd.DataFrame, *, period: object = None, by: str | None = None) -> dict | pd.DataFrame:
    """Win rate by count and by value over the deals *closed* (won or lost) in ``period``.

    win_rate_count = won ÷ (won + lost); win_rate_value = won amount ÷ (won + lost amount).
    Open deals are excluded: they have not been decided. ``period`` is a
    :class:`cmo_workbook.periods.Period`, a string it parses (``2026-Q3``, ``2026-10``), a
    ``(start, end_exclusive)`` pair, or None for all closed deals. Returns a dict with
    ``won, lost, won_value, lost_value, win_rate_count, win_rate_value`` (rates NaN when
    nothing closed), or one row per value of column ``by`` as a DataFrame.
    """
    _require_columns(deals, ["status", "amount", "close_date"], "deals")
    closed = deals[deals["status"].isin(["won", "lost"])].copy()
    closed["close_date"] = pd.to_datetime(closed["close_date"])
    if period is not None:
        start, end = _period_bounds(period)
        closed = closed[(closed["close_date"] >= start) & (closed["close_date"] < end)]
    if by is None:
        return _win_rate_row(closed)
    _require_columns(deals, [by], "deals")
    rows = {key: _win_rate_row(group) for key, group in closed.groupby(by, sort=True)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out


def _win_rate_row(closed: pd.DataFrame) -> dict:
    won = closed["status"] == "won"
    won_value = float(closed.loc[won, "amount"].sum())
    lost_value = float(closed.loc[~won, "amount"].sum())
    n_won, n_lost = int(won.sum()), int((~won).sum())
    return {
        "won": n_won,
        "lost": n_lost,
        "won_value": won_value,
        "lost_value": lost_value,
        "win_rate_count": n_won / (n_won + n_lost) if n_won + n_lost else math.nan,
        "win_rate_value": won_value / (won_value + lost_value) if won_value + lost_value else math.nan,
    }


def kaplan_meier(durations, events) -> pd.DataFrame:
    """Kaplan–Meier survival curve: one row per distinct event time.

    Columns ``time, at_risk, events, survival``. At tied times events are counted before
    censorings (a deal censored at t is still at risk at t), the usual convention.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape:
        raise ValueError(f"durations and events differ in length ({t.size} vs {e.size})")
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("durations must be finite and >= 0 (check created/close dates)")
    times = np.unique(t[e])
    at_risk = np.array([(t >= u).sum() for u in times], dtype=int)
    n_events = np.array([((t == u) & e).sum() for u in times], dtype=int)
    survival = np.cumprod(1.0 - n_events / at_risk) if times.size else np.array([])
    return pd.DataFrame({"time": times, "at_risk": at_risk, "events": n_events, "survival": survival})


def _km_quantile(curve: pd.DataFrame, share_done: float) -> float:
    """Smallest time at which S(t) <= 1 - share_done; NaN when the curve never gets there."""
    hit = curve.loc[curve["survival"] <= 1.0 - share_done + 1e-12, "time"]
    return float(hit.iloc[0]) if len(hit) else math.nan


def aalen_johansen(durations, outcomes) -> pd.DataFrame:
    """Cumulative incidence of competing outcomes (Aalen–Johansen), one row per outcome time.

    ``outcomes`` per subject: 0 = still open (censored at its duration), 1 = the outcome of
    interest (won), 2 = the competing one (lost). CIF_k(t) = Σ_{t_j ≤ t} S(t_j−) · d_kj ÷ n_j
    with S the all-cause Kaplan–Meier curve; CIF_win + CIF_loss + S = 1 at every time. Ties
    are counted exactly (no jitter) and before censorings, as in :func:`kaplan_meier`.
    Columns ``time, at_risk, won, lost, survival, cif_won, cif_lost``.
    """
    t = np.asarray(durations, dtype=float)
    k = np.asarray(outcomes, dtype=int)
    if t.shape != k.shape:
        raise ValueError(f"durations and outcomes differ in length ({t.size} vs {k.size})")
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("durations must be finite and >= 0 (check created/close dates)")
    if not np.isin(k, (0, 1, 2)).all():
        raise ValueError("outcomes must be 0 (open), 1 (won) or 2 (lost)")
    times = np.unique(t[k > 0])
    at_risk = np.array([(t >= u).sum() for u in times], dtype=float)
    won = np.array([((t == u) & (k == 1)).sum() for u in times], dtype=float)
    lost = np.array([((t == u) & (k == 2)).sum() for u in times], dtype=float)
    survival = np.cumprod(1.0 - (won + lost) / at_risk) if times.size else np.array([])
    before = np.concatenate([[1.0], survival[:-1]]) if times.size else np.array([])
    return pd.DataFrame({
        "time": times, "at_risk": at_risk.astype(int), "won": won.astype(int), "lost": lost.astype(int),
        "survival": survival, "cif_won": np.cumsum(before * won / at_risk) if times.size else np.array([]),
        "cif_lost": np.cumsum(before * lost / at_risk) if times.size else np.array([]),
    })


def _cif_quantile(curve: pd.DataFrame, share: float) -> float:
    """Time by which ``share`` of the deals that end in an order have won (NaN without wins)."""
    final = float(curve["cif_won"].iloc[-1]) if len(curve) else 0.0
    if final <= 0:
        return math.nan
    hit = curve.loc[curve["cif_won"] >= share * final - 1e-12, "time"]
    return float(hit.iloc[0])


def cycle_length(deals: pd.DataFrame, *, as_of: object = None) -> dict:
    """Days from created to order, with won and lost as competing outcomes (Aalen–Johansen).

    Won deals end at close_date − created_date with outcome *won*, lost deals with outcome
    *lost*, deals still open at ``as_of`` (default: the latest created or close date) are
    censored at ``as_of`` − created_date. A lost deal is not "still waiting to win": treating
    it as censored (plain Kaplan–Meier) implies almost every deal wins eventually and
    stretches the upper quantiles. ``win_share``/``loss_share`` = cumulative incidence of
    won/lost at the last outcome time (``open_share`` the rest); ``median_days``,
    ``q25_days``, ``q75_days`` = time by which 50/25/75 % of the eventually won deals have
    won (quantiles of CIF_won ÷ its final value); ``late_win_share`` = share of the deals
    still open at ``q75_days`` that go on to win.

    Also returns ``km_win_share`` (what treating losses as censored would imply, for
    comparison), ``median_closed_won_days`` (plain median of won deals), ``n_won``,
    ``n_lost``, ``n_open`` and ``curve`` (see :func:`aalen_johansen`).
    """
    _require_columns(deals, ["status", "created_date", "close_date"], "deals")
    df = deals[deals["status"].isin(["open", "won", "lost"])].copy()
    df["created_date"] = pd.to_datetime(df["created_date"])
    df["close_date"] = pd.to_datetime(df["close_date"])
    as_of_ts = (
        pd.Timestamp(as_of) if as_of is not None
        else max(df["created_date"].max(), df["close_date"].max())
    )
    df = df[df["created_date"] <= as_of_ts]
    closed_by_as_of = df["status"].isin(["won", "lost"]) & df["close_date"].notna() & (df["close_date"] <= as_of_ts)
    end = df["close_date"].where(closed_by_as_of, as_of_ts)
    days = (end - df["created_date"]).dt.days.to_numpy(dtype=float)
    _check_no_negative(days, df, "close_date")
    won = (closed_by_as_of & (df["status"] == "won")).to_numpy()
    lost = (closed_by_as_of & (df["status"] == "lost")).to_numpy()
    curve = aalen_johansen(days, np.where(won, 1, np.where(lost, 2, 0)))
    km = kaplan_meier(days, won)
    last = curve.iloc[-1] if len(curve) else None
    q75 = _cif_quantile(curve, 0.75)
    late_win_share = math.nan
    if q75 == q75:
        at = curve[curve["time"] <= q75].iloc[-1]
        if at["survival"] > 0:
            late_win_share = float((last["cif_won"] - at["cif_won"]) / at["survival"])
    return {
        "median_days": _cif_quantile(curve, 0.5),
        "q25_days": _cif_quantile(curve, 0.25),
        "q75_days": q75,
        "late_win_share": late_win_share,
        "win_share": float(last["cif_won"]) if last is not None else math.nan,
        "loss_share": float(last["cif_lost"]) if last is not None else math.nan,
        "open_share": float(last["survival"]) if last is not None else math.nan,
        "km_win_share": float(1.0 - km["survival"].iloc[-1]) if len(km) else math.nan,
        "median_closed_won_days": float(np.median(days[won])) if won.any() else math.nan,
        "n_won": int(won.sum()),
        "n_lost": int(lost.sum()),
        "n_open": int((~won & ~lost).sum()),
        "curve": curve,
    }


def _age_labels(age_buckets: tuple[int, ...]) -> list[str]:
    edges = [0, *age_buckets]
    labels = [f"{lo + (1 if i else 0)}-{hi}" for i, (lo, hi) in enumerate(zip(edges, edges[1:]))]
    return [f"age_{label}" for label in labels] + [f"age_{age_buckets[-1] + 1}+"]


def pipeline_by_stage(
    deals: pd.DataFrame,
    as_of: object,
    *,
    stage_order: Iterable[str] | None = None,
    age_buckets: tuple[int, ...] = (30, 90, 180),
) -> pd.DataFrame:
    """Open deals per stage: count, value and age buckets (days since created, at ``as_of``).

    Open = status ``open`` and created on or before ``as_of``. One row per stage in
    ``stage_order`` (stages missing there follow alphabetically; stages listed but empty
    show zeros). Columns ``deals, value, avg_age_days`` and one count column per bucket:
    with the default ``(30, 90, 180)`` these are ``age_0-30, age_31-90, age_91-180,
    age_181+`` (upper bounds inclusive).
    """
    buckets = tuple(int(b) for b in age_buckets)
    if not buckets or list(buckets) != sorted(set(buckets)) or buckets[0] <= 0:
        raise ValueError(f"age_buckets {age_buckets!r} must be increasing positive day counts, e.g. (30, 90, 180)")
    _require_columns(deals, ["status", "created_date", "stage", "amount"], "deals")
    as_of_ts = pd.Timestamp(as_of)
    df = deals[deals["status"] == "open"].copy()
    df["created_date"] = pd.to_datetime(df["created_date"])
    df = df[df["created_date"] <= as_of_ts]
    df["age_days"] = (as_of_ts - df["created_date"]).dt.days
    labels = _age_labels(buckets)
    df["bucket"] = pd.cut(df["age_days"], bins=[-1, *buckets, np.inf], labels=labels)

    order = list(stage_order or [])
    stages = order + sorted(set(df["stage"].dropna()) - set(order))
    grouped = df.groupby("stage", sort=False)
    table = pd.DataFrame(index=pd.Index(stages, name="stage"))
    table["deals"] = grouped.size().reindex(stages, fill_value=0).astype("int64")
    table["value"] = grouped["amount"].sum().reindex(stages, fill_value=0.0).astype(float)
    table["avg_age_days"] = grouped["age_days"].mean().reindex(stages).astype(float)
    by_bucket = df.pivot_table(index="stage", columns="bucket", values="amount", aggfunc="size", observed=False)
    by_bucket = by_bucket.reindex(index=stages, columns=labels).fillna(0).astype("int64")
    return table.join(by_bucket)


def coverage(open_pipeline_value: float, target_remaining: float) -> float:
    """Pipeline coverage = open pipeline value ÷ revenue still needed to reach the target.

    Rule of thumb in B2B: 3× or more. Returns ``inf`` when the target is already met
    (``target_remaining <= 0``).
    """
    if open_pipeline_value < 0:
        raise ValueError(f"open_pipeline_value {open_pipeline_value!r} is negative; expected a sum of open deal amounts")
    if target_remaining <= 0:
        return math.inf
    return float(open_pipeline_value) / float(target_remaining)


def sales_velocity(
    n_opportunities: float, avg_deal_value: float, win_rate: float, avg_cycle_days: float,
    period_days: float = 1.0,
) -> float:
    """Sales velocity = n_opportunities × avg_deal_value × win_rate ÷ avg_cycle_days × period_days.

    The revenue the pipeline produces per ``period_days`` (1 = per day, 365.25/12 = per month).
    """
    if avg_cycle_days <= 0:
        raise ValueError(f"avg_cycle_days {avg_cycle_days!r} must be > 0 (mean days from created to won)")
    if not 0 <= win_rate <= 1:
        raise ValueError(f"win_rate {win_rate!r} is not a share between 0 and 1")
    return n_opportunities * avg_deal_value * win_rate / avg_cycle_days * period_days


def velocity(
    deals: pd.DataFrame,
    period_days: float = 1.0,
    *,
    as_of: object = None,
    lookback_days: int = 365,
) -> float:
    """Sales velocity of the current pipeline, in revenue per ``period_days``.

    n_opportunities = deals open at ``as_of`` (default: latest created or close date);
    avg deal value (mean amount of won deals), win rate by count and avg cycle length
    (mean days created → close of won deals) from the deals closed in the ``lookback_days``
    before ``as_of``. Formula: :func:`sales_velocity`. Use ``period_days=1`` for per day and
    ``period_days=DAYS_PER_MONTH`` for per month. NaN when nothing was won in the lookback.
    """
    _require_columns(deals, ["status", "created_date", "close_date", "amount"], "deals")
    df = deals.copy()
    df["created_date"] = pd.to_datetime(df["created_date"])
    df["close_date"] = pd.to_datetime(df["close_date"])
    as_of_ts = (
        pd.Timestamp(as_of) if as_of is not None
        else max(df["created_date"].max(), df["close_date"].max())
    )
    n_open = int(((df["status"] == "open") & (df["created_date"] <= as_of_ts)).sum())
    start = as_of_ts - pd.Timedelta(days=lookback_days)
    closed = df[
        df["status"].isin(["won", "lost"]) & (df["close_date"] > start) & (df["close_date"] <= as_of_ts)
    ]
    won = closed[closed["status"] == "won"]
    if won.empty:
        return math.nan
    cycle = float((won["close_date"] - won["created_date"]).dt.days.mean())
    return sales_velocity(
        n_open, float(won["amount"].mean()), len(won) / len(closed), max(cycle, 1.0), period_days
    )


# --------------------------------------------------------------------------- marketing contribution


def classify_marketing_contribution(
    deals: pd.DataFrame,
    touchpoints: pd.DataFrame,
    *,
    marketing_channels: Iterable[str],
    leads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per deal: ``sourced`` and ``influenced`` flags.

    sourced    = the channel of the deal's lead is a marketing channel: taken from ``leads``
                 (by lead_id) when given, else — or where the lead is unknown — the deal's
                 own ``channel`` column.
    influenced = the deal's lead has at least one touchpoint in a marketing channel on or
                 before the day the deal was created (deal dates carry no time of day, so
                 a touch on the creation day counts as before).
    ``touchpoints`` may be a table held in the engine (:class:`~cmo_workbook.inputs.engine_table.EngineTable`):
    then the first marketing touch per lead comes from a GROUP BY there.
    Returns deal_id, status, amount, channel, sourced, influenced (input order).
    """
    channels = set(marketing_channels)
    needed = ["deal_id", "created_date", "status", "amount", "lead_id"]
    _require_columns(deals, needed + ([] if leads is not None else ["channel"]), "deals")
    in_engine = not isinstance(touchpoints, pd.DataFrame)
    if not in_engine:
        _require_columns(touchpoints, ["lead_id", "timestamp", "channel"], "touchpoints")
    df = deals[needed].copy()
    df["channel"] = deals["channel"] if "channel" in deals.columns else pd.Series(pd.NA, index=deals.index)
    if leads is not None:
        _require_columns(leads, ["lead_id", "channel"], "leads")
        lead_channel = leads.drop_duplicates("lead_id").set_index("lead_id")["channel"]
        df["channel"] = df["lead_id"].map(lead_channel).fillna(df["channel"])
    df["created_date"] = pd.to_datetime(df["created_date"])
    if in_engine:  # lead ids as text there: looked up as text
        first_touch = touchpoints.first_touch(sorted(channels))
        deal_first_touch = df["lead_id"].astype("string").map(first_touch)
    else:
        touches = touchpoints.loc[touchpoints["channel"].isin(channels), ["lead_id", "timestamp"]].copy()
        touches["timestamp"] = pd.to_datetime(touches["timestamp"])
        first_touch = touches.groupby("lead_id")["timestamp"].min()
        deal_first_touch = df["lead_id"].map(first_touch)
    cutoff = df["created_date"].dt.normalize() + pd.Timedelta(days=1)
    df["sourced"] = df["channel"].isin(channels).astype(bool)
    df["influenced"] = (deal_first_touch.notna() & (deal_first_touch < cutoff)).astype(bool)
    return df[["deal_id", "status", "amount", "channel", "sourced", "influenced"]].reset_index(drop=True)


def sourced_vs_influenced(
    deals: pd.DataFrame,
    touchpoints: pd.DataFrame,
    *,
    marketing_channels: Iterable[str],
    leads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Marketing-sourced vs marketing-influenced pipeline (see :func:`classify_marketing_contribution`).

    Rows: ``sourced``, ``influenced`` (all influenced deals, sourced or not),
    ``influenced_not_sourced``, ``no_marketing`` (neither), ``all``. Columns: ``deals, value,
    open_deals, open_value, won_deals, won_value``. The rows overlap: sourced deals are
    usually influenced too, so do not add ``sourced`` and ``influenced``.
    """
    flags = classify_marketing_contribution(
        deals, touchpoints, marketing_channels=marketing_channels, leads=leads
    )
    groups = {
        "sourced": flags["sourced"],
        "influenced": flags["influenced"],
        "influenced_not_sourced": flags["influenced"] & ~flags["sourced"],
        "no_marketing": ~flags["influenced"] & ~flags["sourced"],
        "all": pd.Series(True, index=flags.index),
    }
    rows = {}
    for name, mask in groups.items():
        part = flags[mask]
        is_open, is_won = part["status"] == "open", part["status"] == "won"
        rows[name] = {
            "deals": len(part),
            "value": float(part["amount"].sum()),
            "open_deals": int(is_open.sum()),
            "open_value": float(part.loc[is_open, "amount"].sum()),
            "won_deals": int(is_won.sum()),
            "won_value": float(part.loc[is_won, "amount"].sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "contribution"
    return out


# --------------------------------------------------------------------------- unit economics


def cost_per_qualified_lead(marketing_cost: float, qualified_leads: float) -> float:
    """Cost per qualified lead = marketing cost ÷ qualified leads (MQLs); NaN without leads."""
    _non_negative(marketing_cost=marketing_cost, qualified_leads=qualified_leads)
    return marketing_cost / qualified_leads if qualified_leads else math.nan


def cac(marketing_cost: float, new_customers: float) -> float:
    """Customer acquisition cost = marketing cost ÷ new customers won; NaN without customers."""
    _non_negative(marketing_cost=marketing_cost, new_customers=new_customers)
    return marketing_cost / new_customers if new_customers else math.nan


def clv_to_cac(clv: float, cac_value: float) -> float:
    """CLV : CAC = customer lifetime value (gross margin) ÷ CAC; B2B rule of thumb ≥ 3."""
    return clv / cac_value if cac_value and not math.isnan(cac_value) else math.nan


def payback_months(cac_value: float, monthly_gross_margin_per_customer: float) -> float:
    """Payback = CAC ÷ monthly gross margin per new customer, in months; NaN without margin."""
    if not monthly_gross_margin_per_customer or monthly_gross_margin_per_customer <= 0:
        return math.nan
    return cac_value / monthly_gross_margin_per_customer


def unit_economics(
    *,
    marketing_cost: float,
    qualified_leads: float,
    new_customers: float,
    clv: float,
    monthly_gross_margin_per_customer: float,
) -> dict:
    """All four unit-economics figures at once (see the single functions for formulas)."""
    acquisition = cac(marketing_cost, new_customers)
    return {
        "cost_per_qualified_lead": cost_per_qualified_lead(marketing_cost, qualified_leads),
        "cac": acquisition,
        "clv_to_cac": clv_to_cac(clv, acquisition),
        "payback_months": payback_months(acquisition, monthly_gross_margin_per_customer),
    }


# --------------------------------------------------------------------------- helpers


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num = numerator.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    den = denominator.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(den > 0, num / den, np.nan), index=numerator.index, dtype=float)


def _period_bounds(period: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(period, tuple) and len(period) == 2:
        return pd.Timestamp(period[0]), pd.Timestamp(period[1])
    if isinstance(period, str):
        from ..periods import Period

        period = Period.parse(period)
    if hasattr(period, "start") and hasattr(period, "end"):
        return pd.Timestamp(period.start), pd.Timestamp(period.end)
    raise ValueError(
        f"period {period!r} is not a Period, 'YYYY-MM' / 'YYYY-QN' string or (start, end_exclusive) pair"
    )


def _non_negative(**values: float) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} {value!r} is negative; expected an amount or count >= 0")


def _check_no_negative(days: np.ndarray, df: pd.DataFrame, column: str) -> None:
    bad = np.flatnonzero(days < 0)
    if bad.size:
        row = df.iloc[bad[0]]
        raise DataError(Problem(
            "deals", f"is before the deal's created_date {row['created_date'].date()} ({bad.size} such deals)",
            column=column, value=str(row[column].date()) if pd.notna(row[column]) else None,
            fix=f"correct the dates of deal {row.get('deal_id', '?')}",
        ))


def _require_columns(df: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(Problem(
            table, f"lacks column(s) {', '.join(repr(c) for c in missing)}; has: {', '.join(map(str, df.columns))}",
            fix="map the CRM export's headers to the canonical names (see schema.py)",
        ))
