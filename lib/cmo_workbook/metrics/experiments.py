"""Holdout tests that can be read out: power from the company's own weekly variance, and the readout.

A geo holdout pauses a channel in a share ``s`` of the sales regions for ``w`` weeks and compares
the weekly qualified inquiries of test and control regions, before and during the test
(difference in differences). Its noise comes from the company's own history:

* σ² = the week-to-week variance of all qualified inquiries (without lumpy channels such as trade
  fairs, whose imports are scheduled events and not part of the test's outcome), half the variance of first
  differences (slow seasonal swings are common to all regions and cancel in the comparison);
  regions are taken as equal parts of the company, so test regions carry s·σ², control (1 − s)·σ²;
* the DiD on per-region means has variance σ² · s ÷ (1 − s) · (1/w + 1/pre) in units of the test
  regions' weekly inquiries, with ``pre`` weeks of history before the test;
* the effect to find is the channel's own weekly inquiries in the test regions, s · δ — the most
  it could add, so the power is an upper bound.

Power of the two-sided Welch t-test that :func:`did_readout` runs: noncentral t with
noncentrality s·δ ÷ sd and Welch–Satterthwaite degrees of freedom (with few test weeks the
t-test is weaker than a normal approximation says). :func:`design` also refuses a test that cannot be read out:
a geo test needs a region (postcode, sales territory) on every lead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

#: lead columns that place a lead in a region (any one is enough)
REGION_COLUMNS = ("region", "sales_region", "territory", "postcode", "postal_code", "zip", "state")
POWER = 0.8
#: share of leads with a region a geo test needs
REGIONS_FILLED = 0.9
ALPHA = 0.05
#: weeks of history before the test that the comparison uses at most
MAX_PRE_WEEKS = 52


def weekly_inquiries(leads: pd.DataFrame, *, channel: str | None = None, end: object = None) -> pd.Series:
    """Qualified inquiries (MQL date) per ISO week, complete weeks only, up to ``end`` (exclusive)."""
    d = pd.to_datetime(leads["mql_date"]).dropna()
    if channel is not None:
        d = d[leads.loc[d.index, "channel"] == channel]
    if end is not None:
        d = d[d < pd.Timestamp(end)]
    weeks = d.dt.to_period("W-SUN")
    all_mql = pd.to_datetime(leads["mql_date"]).dropna()
    span = pd.period_range(all_mql.min().to_period("W-SUN") + 1,
                           (pd.Timestamp(end) if end is not None else all_mql.max()).to_period("W-SUN") - 1, freq="W-SUN")
    return weeks.value_counts().reindex(span, fill_value=0).sort_index().astype(float)


def weekly_variance(weekly: pd.Series) -> float:
    """σ² of a weekly series without its slow swings: half the variance of week-to-week differences."""
    return float(weekly.diff().dropna().var(ddof=1) / 2)


def power(effect_per_week: float, sigma2: float, share: float, weeks: int, pre_weeks: int,
          alpha: float = ALPHA) -> float:
    """Chance that a two-sided DiD at level ``alpha`` detects the channel's effect (see module doc)."""
    if not 0 < share < 1 or weeks <= 0 or pre_weeks <= 0:
        raise ValueError(f"share {share!r} must lie between 0 and 1 and weeks {weeks!r}, pre {pre_weeks!r} be > 0")
    sd = math.sqrt(sigma2 * share / (1 - share) * (1 / weeks + 1 / pre_weeks))
    if sd == 0:
        return 1.0
    dof = _welch_dof(weeks, pre_weeks)
    crit = stats.t.ppf(1 - alpha / 2, dof)
    ncp = abs(share * effect_per_week) / sd
    return float(stats.nct.sf(crit, dof, ncp) + stats.nct.cdf(-crit, dof, ncp))


def _welch_dof(weeks: int, pre_weeks: int) -> float:
    """Welch–Satterthwaite degrees of freedom for two phases with equal week-to-week variance."""
    if weeks < 2 or pre_weeks < 2:
        return 1.0
    a, b = 1 / weeks, 1 / pre_weeks
    return (a + b) ** 2 / (a ** 2 / (weeks - 1) + b ** 2 / (pre_weeks - 1))


def weeks_needed(effect_per_week: float, sigma2: float, share: float, pre_weeks: int, *,
                 target: float = POWER, alpha: float = ALPHA, max_weeks: int = 520) -> int | None:
    """Fewest test weeks for ``target`` power; None when even ``max_weeks`` do not reach it."""
    for w in range(1, max_weeks + 1):
        if power(effect_per_week, sigma2, share, w, pre_weeks, alpha) >= target:
            return w
    return None


def share_needed(effect_per_week: float, sigma2: float, weeks: int, pre_weeks: int, *,
                 target: float = POWER, alpha: float = ALPHA) -> float | None:
    """Smallest share of regions (in steps of 5 %, at most half) for ``target`` power; None if none."""
    for share in np.arange(0.05, 0.5001, 0.05):
        if power(effect_per_week, sigma2, float(share), weeks, pre_weeks, alpha) >= target:
            return float(round(share, 2))
    return None


@dataclass(frozen=True)
class HoldoutDesign:
    """A proposed holdout and whether it can be read out."""

    channel: str
    kind: str  # "geo" | "audience" | "time_split"
    readable: bool
    missing: str  # what data is needed when not readable ("" otherwise)
    effect_per_week: float  # the channel's own qualified inquiries per week (upper bound of its effect)
    sigma2: float  # weekly variance of all qualified inquiries (σ²)
    pre_weeks: int
    share: float
    weeks: int
    power: float  # of the proposed share and weeks
    weeks_for_power: int | None  # at the proposed share, None: not within 520 weeks
    share_for_power: float | None  # at the proposed weeks, None: not even with half the regions
    power_one_year: float  # at the proposed share over 52 weeks

    @property
    def powered(self) -> bool:
        return self.power >= POWER

    @property
    def worth_testing(self) -> bool:
        """Readable, and 80 % power is within reach: in half a year at the share, or with a larger share.

        The same line :func:`cmo_workbook.metrics.budget.holdout_test` draws between proposing the test
        and saying it does not pay; a memo promises a test region only when this holds.
        """
        reachable = self.weeks_for_power is not None and self.weeks_for_power <= 26
        return self.readable and (self.powered or reachable or self.share_for_power is not None)


def design(leads: pd.DataFrame, channel: str, kind: str, *, share: float = 1 / 3, weeks: int = 8,
           end: object = None, exclude: tuple[str, ...] = ()) -> HoldoutDesign:
    """Power of a holdout of ``channel`` from the company's weekly inquiries, and whether it is readable.

    ``kind``: ``geo`` (pause in a share of the regions: needs a region on every lead),
    ``audience`` (exclude a random share of recipients: needs the e-mail address on the lead) or
    ``time_split`` (weeks on and off, share = off weeks: needs nothing more). ``end``: the
    test would start here (history before it); ``exclude``: channels left out of the outcome.
    """
    if kind not in ("geo", "audience", "time_split"):
        raise ValueError(f"kind {kind!r} is not geo, audience or time_split")
    leads = leads[~leads["channel"].isin(list(exclude))] if exclude else leads
    total = weekly_inquiries(leads, end=end)
    own = weekly_inquiries(leads, channel=channel, end=end)
    sigma2 = weekly_variance(total)
    pre = int(min(len(total), MAX_PRE_WEEKS))
    effect = float(own.tail(pre).mean()) if len(own) else 0.0
    missing = ""
    if kind == "geo":
        if not any(has_regions(leads, c) for c in REGION_COLUMNS):
            missing = "region"
    elif kind == "audience" and ("contact_email" not in leads.columns or leads["contact_email"].notna().mean() < 0.9):
        missing = "contact_email"
    return HoldoutDesign(
        channel=channel, kind=kind, readable=not missing, missing=missing, effect_per_week=effect, sigma2=sigma2,
        pre_weeks=pre, share=share, weeks=weeks, power=power(effect, sigma2, share, weeks, pre),
        weeks_for_power=weeks_needed(effect, sigma2, share, pre), share_for_power=share_needed(effect, sigma2, weeks, pre),
        power_one_year=power(effect, sigma2, share, 52, pre),
    )


def has_regions(leads: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` places (nearly) every lead in a region: at least 90 % of them filled."""
    return column in leads.columns and len(leads) > 0 and float(leads[column].notna().mean()) >= REGIONS_FILLED


def test_control_weeks(leads: pd.DataFrame, region_column: str, test_regions: list[str], start: object,
                       weeks: int, *, pre_weeks: int = MAX_PRE_WEEKS, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """The input of :func:`did_readout` for a geo test that started on ``start`` (a Monday).

    Qualified inquiries per week and region (``region_column`` on the leads), averaged over the
    test regions and over the other regions, for ``pre_weeks`` before and ``weeks`` from ``start``;
    ``exclude``: channels left out of the outcome (as in :func:`design`).
    """
    if region_column not in leads.columns:
        raise ValueError(f"leads have no column {region_column!r}; a geo test needs the region of every lead")
    d = leads[leads["mql_date"].notna() & leads[region_column].notna()]
    if exclude:
        d = d[~d["channel"].isin(list(exclude))]
    first = pd.Timestamp(start).to_period("W-SUN")
    span = pd.period_range(first - pre_weeks, first + weeks - 1, freq="W-SUN")
    week = pd.to_datetime(d["mql_date"]).dt.to_period("W-SUN")
    counts = pd.crosstab(week, d[region_column].astype(str)).reindex(span, fill_value=0)
    test = [r for r in counts.columns if r in set(map(str, test_regions))]
    control = [r for r in counts.columns if r not in set(test)]
    if not test or not control:
        raise ValueError(f"test regions {test_regions!r} must be some, not all, of the regions {list(counts.columns)!r}")
    return pd.DataFrame({"test": counts[test].mean(axis=1), "control": counts[control].mean(axis=1),
                         "during": counts.index >= first}, index=counts.index)


@dataclass(frozen=True)
class Readout:
    """Difference in differences of a holdout: effect per week in the test regions, with its range."""

    effect: float
    low: float
    high: float
    p_value: float
    pre_weeks: int
    test_weeks: int


def did_readout(weekly: pd.DataFrame, *, level: float = 0.9) -> Readout:
    """DiD on weekly inquiries of test and control regions, before and during the test.

    ``weekly``: one row per week with ``test`` and ``control`` (inquiries per region of each
    group, i.e. the group's total ÷ its number of regions) and ``during`` (True in test weeks).
    Effect = mean(test − control | during) − mean(test − control | before); its standard error
    from the week-to-week spread of the difference in each phase (Welch), range and p-value
    with Student-t quantiles. Negative = the test regions lost inquiries when the channel paused.
    """
    for col in ("test", "control", "during"):
        if col not in weekly.columns:
            raise ValueError(f"weekly lacks column {col!r}; expected test, control, during")
    diff = weekly["test"].astype(float) - weekly["control"].astype(float)
    during = weekly["during"].astype(bool)
    a, b = diff[during], diff[~during]
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"need at least 2 weeks before and 2 during the test (have {len(b)} and {len(a)})")
    effect = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if se > 0 else len(a) + len(b) - 2
    q = stats.t.ppf(0.5 + level / 2, dof)
    p = float(2 * stats.t.sf(abs(effect) / se, dof)) if se > 0 else 0.0
    return Readout(effect, effect - q * se, effect + q * se, p, len(b), len(a))
