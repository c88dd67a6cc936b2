"""Budget suggestion per channel and the business case of a proposed measure.

Two explicit rules, both in the language of a business case:

* :func:`suggest` moves at most ``max_shift`` (20 %) of a channel's quarterly budget:
  channels whose ROMI range reaches below break-even and whose ROMI is below the
  portfolio lose budget, channels whose whole range is profitable and above the
  portfolio gain it; lumpy items (trade fairs) are decided separately.
* :func:`project` turns a proposed amount ("50.000 € für LinkedIn") into qualified
  leads, won deals, revenue, margin and payback from the company's own rates of the
  last quarters, with a bootstrap range over those quarters.

Both rest on marginal, not average, returns where the company's own history can tell them:
:func:`response_curves` fits a saturation curve per channel (qualified inquiries per quarter
= a · spend^β, 0 ≤ β ≤ 1, on the channel's full quarters) with its uncertainty; β is the
share of the average return the next euro earns. Where spend hardly varied, or there are
too few quarters, the curve is not supported: the advice then says it assumes average
returns and grows such a channel by at most half the usual cap.

Attribution is not incrementality: every suggestion comes with a holdout test
(:func:`holdout_test`) that measures what the channel really adds.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..render import fmt
from ..render.i18n import t
from ..render.wording import channel_label
from . import channel_stake, experiments
from .experiments import HoldoutDesign

#: largest budget change per channel and quarter (share of its budget): the channel-shift decision's cap
MAX_SHIFT = channel_stake.MAX_SHIFT
#: items bought in lumps (a fair stand), decided once a year, not shifted quarter by quarter
LUMPY_CHANNELS = ("trade_fairs",)
#: rise in cost per qualified lead vs a year ago that confirms a weak ROMI (the channel-stake rule's rise)
CPL_ALARM = channel_stake.RISE
#: what a saturation curve needs: full quarters with spend and inquiries, and spend that varied
MIN_CURVE_QUARTERS = 6
MIN_SPEND_CV = 0.15
MAX_BETA_SE = 0.5
#: simulations behind a business-case range (seeded)
N_SIM = 4000
#: channels bought in regions (geo holdout possible) and channels sent to lists (audience holdout)
GEO_CHANNELS = ("linkedin", "paid_search", "paid_social", "display")
AUDIENCE_CHANNELS = ("email",)


def suggest(channels: pd.DataFrame, *, lumpy: Iterable[str] = LUMPY_CHANNELS, max_shift: float = MAX_SHIFT,
            cpl_alarm: float = CPL_ALARM, step: float = 100.0, curves: pd.DataFrame | None = None,
            decided: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Next quarter's budget per channel from this quarter's budget and ROMI range.

    ``channels`` is indexed by channel with ``budget`` (this quarter's spend), ``romi``,
    ``romi_low``, ``romi_high`` and optionally ``cpl_change`` (cost per qualified lead vs
    a year ago, 0.3 = +30 %). Rules (portfolio = cost-weighted ROMI of the shiftable channels):

    * lumpy channel → ``separate`` (unchanged here);
    * ``romi_low < 0`` and ``romi`` below portfolio → ``cut`` by ``max_shift`` when the whole
      range is below 0 or ``cpl_change >= cpl_alarm``, else by half of it;
    * ``romi_low > 0`` and ``romi`` above portfolio → ``grow``: the money cut goes there in
      proportion to budget, each capped at ``max_shift``; what is left is ``reserve``;
    * else ``hold``. Changes are rounded towards zero to ``step`` euros.

    With ``curves`` (:func:`response_curves`) growth follows the marginal return: a channel whose
    next euro loses money (β × (1 + ROMI) ≤ 1) is not grown, and one without a supported curve
    grows by at most half of ``max_shift`` (its return is assumed, not measured).

    ``decided``: channel → euros of a cut decided elsewhere (the period pack's channel-shift decision,
    :func:`cmo_workbook.memos.channel_decision.plan_cuts`): a channel the rule cuts is cut by that amount instead,
    before the freed money is shared out, so the plan and every memo name one amount for the decision.

    Returns the input columns plus ``proposed, change, change_pct, action, strength`` and
    ``attrs["reserve"]`` (cut money no growth channel can absorb) and ``attrs["portfolio_romi"]``.
    """
    if not 0 < max_shift <= 1:
        raise ValueError(f"max_shift {max_shift!r} must be a share between 0 and 1, e.g. 0.2")
    missing = [c for c in ("budget", "romi", "romi_low", "romi_high") if c not in channels.columns]
    if missing:
        raise ValueError(f"channels lacks column(s) {', '.join(missing)}")
    df = channels.copy()
    if "cpl_change" not in df:
        df["cpl_change"] = np.nan
    lumpy = set(lumpy)
    df["budget"] = df["budget"].astype(float).fillna(0.0)
    is_lumpy = df.index.isin(list(lumpy))
    shiftable = ~is_lumpy & (df["budget"] > 0) & df["romi"].notna()
    cost = df.loc[shiftable, "budget"]
    portfolio = float((df.loc[shiftable, "romi"] * cost).sum() / cost.sum()) if cost.sum() > 0 else math.nan

    cut = shiftable & (df["romi_low"] < 0) & (df["romi"] < portfolio)
    grow = shiftable & (df["romi_low"] > 0) & (df["romi"] > portfolio)
    cap = pd.Series(max_shift, index=df.index)
    if curves is not None:
        beta = pd.Series({c: marginal_factor(curves, c) for c in df.index}, dtype=float)
        grow &= ~(beta.notna() & (beta * (1 + df["romi"]) <= 1.0))
        cap[beta.isna()] = max_shift / 2
    strong = (df["romi_high"] < 0) | (df["cpl_change"] >= cpl_alarm)
    df["strength"] = np.where(cut, np.where(strong, 1.0, 0.5), np.where(grow, 1.0, 0.0))
    change = pd.Series(0.0, index=df.index)
    change[cut] = -max_shift * df.loc[cut, "strength"] * df.loc[cut, "budget"]
    for c, amount in (decided or {}).items():
        if c in df.index and bool(cut[c]):
            change[c] = -float(amount)
    freed = -float(change[cut].sum())
    room = cap[grow] * df.loc[grow, "budget"]
    if room.sum() > 0 and freed > 0:
        change[grow] = room * min(1.0, freed / float(room.sum()))
    change = np.trunc(change / step) * step  # towards zero: never beyond the cap
    df["change"] = change.astype(float)
    df["proposed"] = df["budget"] + df["change"]
    df["change_pct"] = np.where(df["budget"] > 0, df["change"] / df["budget"].where(df["budget"] > 0), np.nan)
    df["action"] = np.select([is_lumpy, cut & (change < 0), grow & (change > 0)], ["separate", "cut", "grow"], "hold")
    df.attrs["reserve"] = float(-df["change"].sum())
    df.attrs["portfolio_romi"] = portfolio
    return df


def biggest_shift(suggestion: pd.DataFrame) -> str | None:
    """The channel with the largest absolute budget change (None when nothing moves)."""
    moved = suggestion.loc[suggestion["change"] != 0, "change"].abs()
    return str(moved.sort_values(ascending=False, kind="mergesort").index[0]) if len(moved) else None


def holdout_kind(channel: str) -> str:
    """Geo holdout for channels bought in regions, audience holdout for lists, else a time split."""
    return "geo" if channel in GEO_CHANNELS else "audience" if channel in AUDIENCE_CHANNELS else "time_split"


def holdout_design(leads: pd.DataFrame, channel: str, *, end: object = None, share: float | None = None,
                   weeks: int = 8) -> HoldoutDesign:
    """The holdout for ``channel`` with its power from the company's weekly inquiries (before ``end``).

    Default share: a third of the regions (geo), 10 % of the recipients (audience), half the
    weeks (time split). Trade fairs are left out of the outcome (see :mod:`.experiments`).
    """
    kind = holdout_kind(channel)
    if share is None:
        share = {"geo": 1 / 3, "audience": 0.1, "time_split": 0.5}[kind]
    return experiments.design(leads, channel, kind, share=share, weeks=weeks, end=end, exclude=LUMPY_CHANNELS)


def holdout_test(channel: str, lang: str, *, weeks: int = 8, design: HoldoutDesign | None = None) -> str:
    """How to measure what ``channel`` really adds — and, with ``design``, whether that test can work.

    Without ``design`` the plain proposal. With it: a test that cannot be read out (no region on
    the leads) is not proposed; the text says which data is missing. A readable test states its
    power; below 80 % it gives the weeks (or share) 80 % would need, or says no feasible test
    reaches it and what to do instead. Every sentence is a catalogue message (``attr_holdout_…``).
    """
    label = channel_label(channel, lang)
    kind = holdout_kind(channel) if design is None else design.kind
    if design is not None:
        weeks = design.weeks
    pct = lambda v: fmt.percent(v, lang, 0)  # noqa: E731
    if design is not None and not design.readable:
        if design.missing == "region":
            if design.weeks_for_power and design.weeks_for_power <= 104:
                return t("attr_holdout_no_region", lang, channel=label, weeks=weeks, power=pct(design.power),
                         weeks_needed=design.weeks_for_power)
            return t("attr_holdout_no_region_years", lang, channel=label, weeks=weeks, power=pct(design.power))
        return t("attr_holdout_no_email", lang, channel=label)
    if kind == "geo":
        if design is None or abs(design.share - 1 / 3) < 1e-9:
            text = t("attr_holdout_geo_third", lang, channel=label, weeks=weeks)
        else:
            text = t("attr_holdout_geo_share", lang, channel=label, weeks=weeks, share=pct(design.share))
    elif kind == "audience":
        text = t("attr_holdout_audience", lang, channel=label, weeks=weeks)
    else:
        text = t("attr_holdout_time_split", lang, channel=label, weeks_total=2 * weeks)
    if design is None:
        return text
    if design.powered:
        return text + " " + t("attr_holdout_powered", lang, power=pct(design.power))
    if design.weeks_for_power is not None and design.weeks_for_power <= 26:
        return text + " " + t("attr_holdout_more_weeks", lang, weeks=weeks, power=pct(design.power),
                              weeks_needed=design.weeks_for_power)
    if design.share_for_power is not None:
        return text + " " + t("attr_holdout_more_share", lang, power=pct(design.power),
                              share_needed=pct(design.share_for_power))
    return t("attr_holdout_not_worth", lang, channel=label, per_week=fmt.number(design.effect_per_week, lang, 1),
             weeks=weeks, power=pct(design.power), power_year=pct(design.power_one_year))


# --------------------------------------------------------------------------- marginal returns


def full_quarters(spend: pd.DataFrame, last: pd.Period, n: int = 8) -> list[pd.Period]:
    """Up to ``n`` quarters ending with ``last`` that the spend data covers from their first day."""
    first = pd.Timestamp(spend["date"].min()).normalize()
    return [q for q in (last - i for i in range(n - 1, -1, -1)) if q.start_time >= first]


def response_curves(history: dict[str, pd.DataFrame], *, level: float = 0.8,
                    min_quarters: int = MIN_CURVE_QUARTERS, min_spend_cv: float = MIN_SPEND_CV,
                    max_beta_se: float = MAX_BETA_SE) -> pd.DataFrame:
    """Saturation curve per channel: ln(inquiries) = ln a + β ln(spend), least squares over its quarters.

    ``history``: channel → :func:`channel_history` frame. One row per channel with ``quarters``,
    ``spend_cv`` (spread of quarterly spend), ``beta`` (clipped to 0..1: more money never
    loses inquiries and never buys them cheaper), ``beta_se``, ``beta_low``/``beta_high``
    (the ``level`` range), ``last_spend``, ``last_leads``, ``marginal_cost`` (€ per additional
    inquiry at the last quarter's spend = spend ÷ (β × inquiries), with ``_low``/``_high``) and
    ``supported`` with ``reason`` when not (too few quarters, spend hardly varied, or a β so
    uncertain, standard error above ``max_beta_se``, that the data cannot tell saturation from
    proportional returns).
    """
    rows = {}
    for ch, h in history.items():
        d = h[(h["spend"] > 0) & (h["qualified_leads"] > 0)]
        n = len(d)
        cv = float(d["spend"].std(ddof=1) / d["spend"].mean()) if n > 1 else 0.0
        row = {"quarters": n, "spend_cv": cv, "beta": math.nan, "beta_se": math.nan, "beta_low": math.nan,
               "beta_high": math.nan, "last_spend": float(h["spend"].iloc[-1]) if len(h) else 0.0,
               "last_leads": float(h["qualified_leads"].iloc[-1]) if len(h) else 0.0,
               "supported": False, "reason": ""}
        if n < min_quarters:
            row["reason"] = f"{n} quarters with spend and inquiries (needs {min_quarters})"
        elif cv < min_spend_cv:
            row["reason"] = f"spend hardly varied (spread {cv:.0%}, needs {min_spend_cv:.0%})"
        else:
            x, y = np.log(d["spend"].to_numpy(float)), np.log(d["qualified_leads"].to_numpy(float))
            fit = stats.linregress(x, y)
            q = stats.t.ppf(0.5 + level / 2, n - 2)
            clip = lambda v: float(min(max(v, 0.0), 1.0))  # noqa: E731
            row.update(beta=clip(fit.slope), beta_se=float(fit.stderr), beta_low=clip(fit.slope - q * fit.stderr),
                       beta_high=clip(fit.slope + q * fit.stderr), supported=bool(fit.stderr <= max_beta_se))
            if not row["supported"]:
                row["reason"] = f"curve too uncertain (β = {fit.slope:.2f} ± {fit.stderr:.2f})"
        rows[ch] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "channel"
    if out.empty:
        return out
    per_lead = out["last_spend"] / out["last_leads"].where(out["last_leads"] > 0)
    for suffix, col in (("", "beta"), ("_low", "beta_high"), ("_high", "beta_low")):
        out[f"marginal_cost{suffix}"] = per_lead / out[col].where(out[col] > 0)
    return out


def order_lag_days(leads: pd.DataFrame, deals: pd.DataFrame, channels: Iterable[str] | None = None, *,
                   as_of: object = None) -> float:
    """Median days from a lead's MQL date to its won new-business order (the spend-to-order lag), counting the
    leads still waiting: :func:`order_lag` (Aalen–Johansen, as the attribution review's cycle length)."""
    return order_lag(leads, deals, channels, as_of=as_of)["median_days"]


def order_lag(leads: pd.DataFrame, deals: pd.DataFrame, channels: Iterable[str] | None = None, *,
              as_of: object = None) -> dict:
    """Days from MQL to the lead's first won new-business order, with the leads still waiting counted.

    A median over the won leads alone understates the lag when many are still waiting: recent inquiries can only
    have won fast so far. Each lead with an MQL date by ``as_of`` (default: the latest date in the tables) either
    won (days to its first won new-business order closed by ``as_of``), was lost (sales rejected it: feedback
    without acceptance, or its deals were lost; a competing outcome) or still waits (censored at ``as_of``); the
    median is the time by which half of the eventually won leads have won (cumulative incidence,
    :func:`~cmo_workbook.metrics.funnel.aalen_johansen`). Returns ``median_days`` (NaN without a won lead),
    ``plain_median_days`` (over the won leads only, for comparison), ``n_won``, ``n_lost``, ``n_waiting``.
    ``channels``: only leads of these channels (None: all).
    """
    from .funnel import _cif_quantile, aalen_johansen

    lead = leads.dropna(subset=["mql_date"]).drop_duplicates("lead_id")
    if channels is not None:
        lead = lead[lead["channel"].isin(list(channels))]
    stamps = [pd.to_datetime(deals[c]).max() for c in ("close_date", "created_date") if c in deals and len(deals)]
    stamps.append(pd.to_datetime(lead["mql_date"]).max() if len(lead) else pd.NaT)
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else max((x for x in stamps if pd.notna(x)), default=pd.NaT)
    empty = {"median_days": math.nan, "plain_median_days": math.nan, "n_won": 0, "n_lost": 0, "n_waiting": 0}
    if pd.isna(as_of_ts):
        return empty
    lead = lead[pd.to_datetime(lead["mql_date"]) <= as_of_ts]
    if lead.empty:
        return empty
    d = deals[deals["lead_id"].notna()] if "lead_id" in deals else deals.iloc[0:0]
    close = pd.to_datetime(d["close_date"])
    done = d[close.notna() & (close <= as_of_ts)]
    won = done[done["status"] == "won"]
    if "deal_type" in won.columns:
        won = won[won["deal_type"].astype("string").str.contains("new", case=False, na=True)]
    mql = pd.to_datetime(lead["mql_date"])
    def first_close(sub: pd.DataFrame) -> pd.Series:
        """The earliest close date of ``sub`` per lead of ``lead`` (NaT where none)."""
        by = {k: v for k, v in pd.to_datetime(sub["close_date"]).groupby(sub["lead_id"].astype(str)).min().items()}
        return pd.to_datetime(pd.Series([by.get(str(k), pd.NaT) for k in lead["lead_id"]], index=lead.index))

    won_at, lost_deal = first_close(won), first_close(done[done["status"] == "lost"])
    rejected = pd.Series(pd.NaT, index=lead.index)
    if "sales_feedback_date" in lead and "sql_date" in lead:
        fb = pd.to_datetime(lead["sales_feedback_date"])
        rejected = fb.where(lead["sql_date"].isna() & (fb <= as_of_ts))
    lost_at = pd.concat([lost_deal, pd.to_datetime(rejected)], axis=1).min(axis=1)
    end = won_at.fillna(lost_at).fillna(as_of_ts)
    outcome = np.where(won_at.notna(), 1, np.where(lost_at.notna(), 2, 0))
    days = np.floor(((end - mql).dt.total_seconds() / 86_400).clip(lower=0).to_numpy(dtype=float))
    curve = aalen_johansen(days, outcome)
    won_days = days[outcome == 1]
    return {"median_days": _cif_quantile(curve, 0.5) if len(won_days) else math.nan,
            "plain_median_days": float(np.median(won_days)) if len(won_days) else math.nan,
            "n_won": int((outcome == 1).sum()), "n_lost": int((outcome == 2).sum()),
            "n_waiting": int((outcome == 0).sum())}


# --------------------------------------------------------------------------- business case


def channel_history(leads: pd.DataFrame, deals: pd.DataFrame, spend: pd.DataFrame, channel: str,
                    quarters: Iterable[pd.Period]) -> pd.DataFrame:
    """Per quarter for one channel: ``spend``, ``qualified_leads`` (MQL date in the quarter),
    ``won`` and ``won_value`` (new-business deals of the channel's leads closed in the quarter).
    """
    rows = {}
    nb = deals[(deals["status"] == "won") & (deals["channel"] == channel)]
    if "deal_type" in nb.columns:
        nb = nb[nb["deal_type"].astype("string").str.contains("new", case=False, na=True)]
    mql = leads.loc[leads["channel"] == channel, "mql_date"]
    sp = spend[spend["channel"] == channel]
    for q in quarters:
        start, end = q.start_time, q.end_time
        in_q = lambda s: (s >= start) & (s <= end)  # noqa: E731
        won = nb[in_q(nb["close_date"])]
        rows[str(q)] = {"spend": float(sp.loc[in_q(sp["date"]), "cost"].sum()),
                        "qualified_leads": float(in_q(mql).sum()),
                        "won": float(len(won)), "won_value": float(won["amount"].sum())}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "quarter"
    return out


@dataclass(frozen=True)
class Projection:
    """A projected business case: point estimates and (low, high) ranges."""

    amount: float
    channel: str
    point: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    rates: dict[str, float]
    n_quarters: int
    #: "curve": extra inquiries from the channel's saturation curve; "average": at its average cost per inquiry
    basis: str = "average"
    #: months from spend to order (median MQL → won order), added to the payback
    lag_months: float = 0.0
    #: median of the simulated outcomes: the point shown when a mean lies outside its band (rare, lumpy deals)
    median: dict[str, float] = field(default_factory=dict)
    #: share of simulated cases with no deal at all, and the band's coverage (0.8 = 10th to 90th percentile)
    no_deal_share: float = math.nan
    ci: float = 0.8


def project(amount: float, history: pd.DataFrame, gross_margin: float, *, channel: str = "",
            curve: pd.Series | None = None, lag_days: float = math.nan, deal_amounts: Iterable[float] | None = None,
            n_sim: int = N_SIM, seed: int = 20240101, ci: float = 0.8) -> Projection:
    """Business case of spending ``amount`` more on a channel in a quarter, from its own history.

    Extra inquiries: with a supported ``curve`` (a row of :func:`response_curves`) the curve's
    gain from the last quarter's spend S to S + amount, L·((S + amount) ÷ S)^β − L; without
    one, amount ÷ the pooled cost per inquiry (average returns: an upper bound once a channel
    saturates). Then lead→won = Σwon ÷ Σinquiries, average deal = Σwon value ÷ Σwon,
    margin = revenue × ``gross_margin``, ROMI = (margin − amount) ÷ amount, payback = the
    spend-to-order lag (``lag_days``) + 12 × amount ÷ margin months.

    The range simulates ``n_sim`` business cases (seeded): β from its estimate and standard
    error, the inquiry count as Poisson, the win rate from its Beta posterior, the deal count
    as Binomial, and each deal's value drawn from ``deal_amounts`` (the channel's won deals)
    when given; the central ``ci`` of each figure.
    """
    if amount <= 0:
        raise ValueError(f"amount {amount!r} must be a positive amount of money")
    if history.empty:
        raise ValueError("history has no quarters; a business case needs the channel's past rates")
    sp, ql, won, wv = history[["spend", "qualified_leads", "won", "won_value"]].to_numpy(dtype=float).sum(axis=0)
    rng = np.random.default_rng(seed)
    use_curve = curve is not None and bool(curve.get("supported", False)) and curve["last_spend"] > 0
    if use_curve:
        s0, l0 = float(curve["last_spend"]), float(curve["last_leads"])
        gain = lambda b: l0 * (((s0 + amount) / s0) ** b - 1.0)  # noqa: E731
        exp_leads = gain(float(curve["beta"]))
        betas = np.clip(rng.normal(float(curve["beta"]), float(curve["beta_se"]), n_sim), 0.0, 1.0)
        lam = gain(betas)
    else:
        exp_leads = amount * ql / sp if sp > 0 else 0.0
        lam = np.full(n_sim, exp_leads)
    p_won = won / ql if ql else 0.0
    avg_deal = wv / won if won else 0.0
    lag_months = float(lag_days) / (365.25 / 12) if lag_days == lag_days else 0.0

    def figures(leads, conv, revenue):
        margin = revenue * gross_margin
        with np.errstate(divide="ignore"):
            payback = np.where(margin > 0, lag_months + 12.0 * amount / np.where(margin > 0, margin, 1.0), np.inf)
        return {"leads": leads, "conversions": conv, "revenue": revenue, "margin": margin,
                "romi": (margin - amount) / amount, "payback_months": payback}

    point = {k: float(v) for k, v in figures(np.float64(exp_leads), np.float64(exp_leads * p_won),
                                              np.float64(exp_leads * p_won * avg_deal)).items()}
    leads = rng.poisson(lam)
    p = rng.beta(won + 0.5, max(ql - won, 0.0) + 0.5, n_sim) if ql else np.zeros(n_sim)
    deals = rng.binomial(leads, p)
    pool = np.asarray(list(deal_amounts), dtype=float) if deal_amounts is not None else np.array([])
    if len(pool) >= 3:
        revenue = np.array([pool[rng.integers(0, len(pool), k)].sum() for k in deals])
    else:
        revenue = deals * avg_deal
    sims = figures(leads.astype(float), deals.astype(float), revenue)
    q = [(1 - ci) / 2, 1 - (1 - ci) / 2]
    low, high, median = {}, {}, {}
    for key, vals in sims.items():
        # no interpolation: inf (never pays back) stays inf
        lo, mid, hi = np.quantile(vals, [q[0], 0.5, q[1]], method="inverted_cdf")
        low[key], median[key], high[key] = float(lo), float(mid), float(hi)
    rates = {"cost_per_lead": sp / ql if ql else math.nan, "lead_to_won": p_won, "avg_deal": avg_deal,
             "gross_margin": gross_margin, "average_leads": amount * ql / sp if sp > 0 else 0.0}
    if use_curve:
        rates.update(beta=float(curve["beta"]), marginal_cost=float(curve["marginal_cost"]),
                     marginal_cost_low=float(curve.get("marginal_cost_low", math.nan)),
                     curve_quarters=float(curve.get("quarters", math.nan)),
                     last_spend=float(curve["last_spend"]), last_leads=float(curve["last_leads"]))
    return Projection(float(amount), channel, point, low, high, rates, len(history),
                      "curve" if use_curve else "average", lag_months, median,
                      float(np.mean(deals == 0)), ci)


#: a payback later than this many months reads as "never" (the first orders would be long forgotten)
MAX_PAYBACK_MONTHS = 60


def business_case_rows(p: Projection, lang: str, currency: str) -> tuple[list[str], list[list[str]]]:
    """A two-row table: expected value and range of leads, deals, revenue, margin (thousands) and payback."""
    k = lambda v: fmt.number(v / 1000, lang)  # noqa: E731
    months = lambda v: (fmt.number(v, lang) if math.isfinite(v) and v <= MAX_PAYBACK_MONTHS  # noqa: E731
                        else t("attr_bc_never", lang))
    cols = [("leads", lambda v: fmt.number(v, lang)), ("conversions", lambda v: fmt.number(v, lang, 1)),
            ("revenue", k), ("margin", k), ("payback_months", months)]
    unit = fmt.money(1000, lang, currency=currency, compact=True).replace("1", "", 1).strip()  # "Tsd. €" / "€k"
    header = [" ", t("attr_bc_col_leads", lang), t("attr_bc_col_deals", lang), t("attr_bc_col_revenue", lang, unit=unit),
              t("attr_bc_col_margin", lang, unit=unit), t("attr_bc_col_payback", lang)]
    # the band is a percentile band of simulated outcomes; the mean of a few rare, large deals can lie above it
    # (90 % of cases no deal: band 0…0, mean 0.1): then the row is the median, which the band always contains
    point, label = (p.median, "attr_bc_median") if mean_outside_band(p) else (p.point, "attr_bc_expected")
    rows = [[t(label, lang)] + [f(point[key]) for key, f in cols],
            [t("attr_bc_range_sim", lang, ci=fmt.percent(p.ci, lang, 0))]
            + [f"{f(p.low[key])}…{f(p.high[key])}" for key, f in cols]]
    return header, rows


def mean_outside_band(p: Projection) -> bool:
    """True when a figure's expected value (mean) lies outside its simulated band (and a median is known)."""
    keys = ("leads", "conversions", "revenue", "margin", "payback_months")
    return bool(p.median) and any(not (p.low[k] <= p.point[k] <= p.high[k]) for k in keys)


def mean_note(p: Projection, lang: str, currency: str) -> str:
    """Why the table shows the median: the mean, and how often no deal comes at all; "" when not needed."""
    if not mean_outside_band(p):
        return ""
    return t("attr_bc_mean_note", lang, deals=fmt.number(p.point["conversions"], lang, 1),
             revenue=fmt.money(p.point["revenue"], lang, currency=currency, compact=True),
             share=fmt.percent(p.no_deal_share, lang, 0))  # the range's share is in its row label


def basis_text(p: Projection, lang: str, currency: str) -> str:
    """The company's own figures the projection rests on: curve or average, rates and the order lag."""
    r = p.rates
    money = lambda v: fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)  # noqa: E731
    if p.basis == "curve":
        low = r.get("marginal_cost_low", math.nan)
        fields = {"quarters": fmt.number(r.get("curve_quarters", p.n_quarters), lang), "spend": money(r["last_spend"]),
                  "leads": fmt.number(r["last_leads"], lang),
                  "marginal": money(r["marginal_cost"]) if math.isfinite(r["marginal_cost"]) else t("attr_bc_beyond_reach", lang),
                  "average_cost": money(r["cost_per_lead"]), "average_leads": fmt.number(r["average_leads"], lang)}
        head = (t("attr_bc_basis_curve_low", lang, low=money(low), **fields) if math.isfinite(low)
                else t("attr_bc_basis_curve", lang, **fields))
    else:
        head = t("attr_bc_basis_average", lang, n=p.n_quarters, cost=money(r["cost_per_lead"]))
    tail = t("attr_bc_basis_rates", lang, conversion=fmt.percent(r["lead_to_won"], lang, 1), deal=money(r["avg_deal"]),
             margin=fmt.percent(r["gross_margin"], lang, 0), lag=fmt.number(p.lag_months, lang, 0))
    note = mean_note(p, lang, currency)
    return head + " " + tail + (" " + note if note else "")


def business_case_text(p: Projection, lang: str, currency: str, alternative: tuple[str, float] | None = None,
                       average: float | None = None) -> str:
    """One paragraph: the verdict of the business case and its caveats.

    Verdict: "pays for itself with confidence" when the low end of the margin range covers the
    amount; "on average" when the point estimate does; else "does not pay". ``alternative`` =
    (channel, ROMI) of the best channel to compare against: the money could go there instead.
    ``average``: the channel's own attributed return so far (the review's table); named beside the
    extra amount's return, which is the next euros' (marginal) return, so the two never read as one figure.
    """
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    label = channel_label(p.channel, lang) if p.channel else ""
    safe = p.low["margin"] >= p.amount
    pays = p.point["margin"] >= p.amount
    romi = (p.point["margin"] - p.amount) / p.amount
    saturated = p.basis == "curve" and p.rates.get("beta", 1.0) < 0.5
    verdict = "attr_bc_verdict_safe" if safe else "attr_bc_verdict_average" if pays else "attr_bc_verdict_no"
    out = t(verdict, lang, amount=money(p.amount), channel=label)
    if saturated:
        out += " " + t("attr_bc_saturated", lang)
    if alternative is not None and alternative[1] > romi:
        if saturated and average is not None and average == average and label:  # the extra euros' return is lower
            out += " " + t("attr_bc_alternative_vs_average", lang, channel=channel_label(alternative[0], lang),
                           romi=fmt.percent(alternative[1], lang, 0), here=label,
                           romi_average=fmt.percent(average, lang, 0), amount=money(p.amount),
                           romi_here=fmt.percent(romi, lang, 0))
        else:
            out += " " + t("attr_bc_alternative", lang, channel=channel_label(alternative[0], lang),
                           romi=fmt.percent(alternative[1], lang, 0), romi_here=fmt.percent(romi, lang, 0))
    return out


def marginal_factor(curves: pd.DataFrame | None, channel: str) -> float | None:
    """β of a channel's supported curve (share of the average return the next euro earns); None: unknown."""
    if curves is None or channel not in curves.index or not bool(curves.at[channel, "supported"]):
        return None
    return float(curves.at[channel, "beta"])


def expected_effect(suggestion: pd.DataFrame, curves: pd.DataFrame | None = None) -> dict[str, float]:
    """Margin effect of the shift per quarter: Σ change × (1 + ROMI) × β.

    β from the channel's supported saturation curve (:func:`response_curves`), so the next euro
    earns its marginal, not its average, return; for a channel without one β = 1 (average return
    assumed) and its part is reported as ``assumed_margin``. Returns ``margin``, ``cost`` (change
    of spend, negative = saving), ``net`` = margin − cost and ``assumed_margin``.
    """
    moved = suggestion[suggestion["action"].isin(["cut", "grow"])]
    beta = pd.Series({c: marginal_factor(curves, c) for c in moved.index}, dtype=float)
    assumed = beta.isna()
    parts = moved["change"] * (1 + moved["romi"]) * beta.fillna(1.0)
    margin = float(parts.sum())
    cost = float(moved["change"].sum())
    return {"margin": margin, "cost": cost, "net": margin - cost, "assumed_margin": float(parts[assumed].sum())}
