"""Customer lifetime value: BG/NBD + Gamma-Gamma (probabilistic) and cohort tables (historical).

Models and formulas:

* BG/NBD — Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way",
  Marketing Science 24(2): likelihood eq. (6), conditional expectation eq. (10),
  P(alive) from the same paper's appendix.
* Gamma-Gamma — Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves",
  JMR 42(4), and Fader & Hardie's note "The Gamma-Gamma Model of Monetary Value" (2013).

Input to both is the RFM summary in the convention of the ``lifetimes`` package:
``frequency`` = number of *repeat* purchase periods, ``recency`` = age of the customer at
the last purchase, ``T`` = age at the end of observation (all in units of ``freq``), and
``monetary_value`` = mean value of the repeat purchases (0 without repeats).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

from ..errors import DataError, Problem

#: average number of weeks / days per month, for turning a horizon in months into model time
_UNITS_PER_MONTH = {"W": 365.25 / 12 / 7, "D": 365.25 / 12}


@dataclass(frozen=True)
class BGNBDParams:
    """Fitted BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float
    #: False when the optimiser failed or a parameter sits on its bound (see fit_bgnbd)
    converged: bool = True


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters: spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, v)."""

    p: float
    q: float
    v: float
    loglik: float = float("nan")
    #: False when the optimiser failed or a parameter sits on its bound (see fit_gamma_gamma)
    converged: bool = True


# --------------------------------------------------------------------------- RFM summary


def rfm_summary(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str | None = "value",
    observation_end: object,
    freq: str = "W",
) -> pd.DataFrame:
    """Frequency / recency / T / monetary value per customer, as ``lifetimes`` computes them.

    Transactions are grouped into calendar periods of ``freq`` (``"W"`` weeks, ``"D"`` days);
    several purchases in one period count as one purchase whose value is their sum.
    Transactions after ``observation_end`` are ignored. Returns one row per customer
    (index = customer, sorted) with ``frequency`` (repeat periods), ``recency`` and ``T``
    (whole periods since the first purchase) and ``monetary_value`` (mean of the repeat
    periods' values, 0 when there is none; the first purchase is excluded as in the model).
    """
    freq = _check_freq(freq)
    needed = [customer_col, date_col] + ([value_col] if value_col else [])
    _require_columns(transactions, needed, "transactions")
    end = pd.Timestamp(observation_end)
    df = transactions[needed].copy()
    df[date_col] = pd.to_datetime(df[date_col])
    df = df[df[date_col].notna() & df[customer_col].notna() & (df[date_col] <= end)]
    if value_col is None:
        df["_value"] = 0.0
        value_col = "_value"
    # Period ordinals are consecutive integers per unit, so differences are whole periods.
    df["_period"] = pd.PeriodIndex(df[date_col], freq=freq).asi8
    end_period = pd.Period(end, freq=freq).ordinal
    per_period = df.groupby([customer_col, "_period"], sort=True)[value_col].sum().reset_index()
    first = per_period.groupby(customer_col)["_period"].transform("min")
    per_period["_repeat"] = per_period["_period"] > first
    grouped = per_period.groupby(customer_col, sort=True)
    out = pd.DataFrame(
        {
            "frequency": grouped["_period"].count() - 1,
            "recency": grouped["_period"].max() - grouped["_period"].min(),
            "T": end_period - grouped["_period"].min(),
        }
    ).astype(float)
    repeat_means = per_period[per_period["_repeat"]].groupby(customer_col)[value_col].mean()
    out["monetary_value"] = repeat_means.reindex(out.index).fillna(0.0).astype(float)
    out.index.name = customer_col
    return out


# --------------------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, frequency, recency, T
) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (FHL 2005, eq. 6).

    L = B(a, b+x)/B(a, b) * Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        + [x > 0] * B(a+1, b+x-1)/B(a, b) * Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))

    Evaluated in logs with ``logaddexp`` so that large ``x`` or ``T`` do not underflow.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    beta_ab = special.betaln(a, b)
    term_alive = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + T)
    # for x = 0 the second term is absent; its betaln would be evaluated at b - 1 (may be <= 0)
    x_pos = x > 0
    term_dead = np.full_like(x, -np.inf)
    term_dead[x_pos] = (
        special.betaln(a + 1, b + x[x_pos] - 1) - beta_ab - (r + x[x_pos]) * np.log(alpha + t_x[x_pos])
    )
    return common + np.logaddexp(term_alive, term_dead)


def fit_bgnbd(frequency, recency, T, *, weights=None) -> BGNBDParams:
    """Fit the BG/NBD model by maximum likelihood.

    Parameters are optimised on the log scale (all four must be positive): Nelder-Mead from
    the fixed start r = a = b = 1, alpha = mean(T), then an L-BFGS-B polish from its optimum.
    Identical (x, t_x, T) rows are collapsed into weights, which speeds large inputs.

    Shapes r, a, b are bounded to [1e-6, 1e6] and alpha to mean(T) × [1e-6, 1e6]: with few
    repeat buyers the likelihood often rises forever towards a limit (r, alpha -> inf with
    r/alpha fixed is the Poisson limit) where eq. 10 overflows. The bounded optimum predicts
    like that limit; ``converged`` is then False, a hint that the data say little.
    """
    x, t_x, T_ = _check_rfm(frequency, recency, T)
    x, t_x, T_, w = _collapse(weights, x, t_x, T_)

    def neg_ll(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        value = -np.sum(w * bgnbd_log_likelihood(r, alpha, a, b, x, t_x, T_))
        return value if np.isfinite(value) else 1e300

    scale = max(float(np.average(T_, weights=w)), 1e-6)
    start = np.log([1.0, scale, 1.0, 1.0])
    best, converged = _minimise(neg_ll, start, _bounds(start))
    r, alpha, a, b = np.exp(best.x)
    return BGNBDParams(float(r), float(alpha), float(a), float(b), float(-best.fun), converged)


def prob_alive(params: BGNBDParams, frequency, recency, T) -> np.ndarray:
    """P(customer still active at T | x, t_x, T) under BG/NBD; 1 for customers without repeats.

    P = 1 / (1 + [x > 0] * a/(b+x-1) * ((α+T)/(α+t_x))^(r+x))
    """
    x, t_x, T_ = _check_rfm(frequency, recency, T)
    return 1.0 / (1.0 + _dead_odds(params, x, t_x, T_))


def expected_purchases(params: BGNBDParams, t, frequency, recency, T) -> np.ndarray:
    """Expected number of purchases in the next ``t`` periods given (x, t_x, T) (FHL 2005, eq. 10).

    E[Y(t)] = (a+b+x-1)/(a-1) * [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))]
              / (1 + [x > 0] * a/(b+x-1) * ((α+T)/(α+t_x))^(r+x))

    Where eq. 10 is unusable — a = 1, 2F1 overflows, or the bracket loses more than six
    digits to cancellation (near-Poisson fits with huge r, alpha, b) — the same expectation
    is integrated numerically instead, see :func:`_expected_purchases_alive`.
    """
    x, t_x, T_ = _check_rfm(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t, x_b, T_b = np.broadcast_arrays(np.asarray(t, dtype=float), x, T_)
    with np.errstate(all="ignore"):
        z = t / (alpha + T_b + t)
        hyp = special.hyp2f1(r + x_b, b + x_b, a + b + x_b - 1, z)
        ratio = np.exp((r + x_b) * (np.log(alpha + T_b) - np.log(alpha + T_b + t)))
        kept = ratio * hyp
        alive_part = (a + b + x_b - 1) / (a - 1) * (1.0 - kept)
    unusable = ~np.isfinite(alive_part) | (np.abs(1.0 - kept) < 1e-6 * np.abs(kept)) | (abs(a - 1.0) < 1e-6)
    unusable &= t > 0
    alive_part = np.where(t > 0, alive_part, 0.0)
    for i in zip(*np.nonzero(unusable)):
        alive_part[i] = _expected_purchases_alive(r, alpha, a, b, x_b[i], T_b[i], t[i])
    return alive_part / (1.0 + _dead_odds(params, x, t_x, T_))


def _expected_purchases_alive(r: float, alpha: float, a: float, b: float, x: float, T: float, t: float) -> float:
    """E[purchases in (T, T+t] | alive at T] by integrating over the posterior of p.

    Alive at T after x repeats: λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+x). With λ, p known the
    customer buys until the geometric dropout, E = (1 - e^{-λpt}) / p; integrating λ out gives
    f(p) = (1 - (1 + pt/(α+T))^-(r+x)) / p. The p-integral runs over Beta quantiles u, which
    stays accurate when the Beta density is a spike (huge b).
    """
    def f_of_u(u: float) -> float:
        p = special.betaincinv(a, b + x, u)
        if p <= 0:
            return (r + x) * t / (alpha + T)  # the limit p -> 0
        return -np.expm1(-(r + x) * np.log1p(p * t / (alpha + T))) / p

    value, _ = integrate.quad(f_of_u, 0.0, 1.0, limit=200, epsabs=0.0, epsrel=1e-10)
    return float(value)


def _dead_odds(params: BGNBDParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    odds = np.zeros_like(x)
    pos = x > 0
    odds[pos] = a / (b + x[pos] - 1) * np.exp(
        (r + x[pos]) * (np.log(alpha + T[pos]) - np.log(alpha + t_x[pos]))
    )
    return odds


# --------------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_log_likelihood(p: float, q: float, v: float, frequency, monetary_value) -> np.ndarray:
    """Per-customer log density of the mean spend z̄ of x purchases (Fader & Hardie 2013, eq. 3).

    f(z̄ | p, q, v, x) = Γ(px+q) / (Γ(px) Γ(q)) * v^q z̄^(px-1) x^(px) / (v + x z̄)^(px+q)
    """
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + x * m)
    )


def fit_gamma_gamma(frequency, monetary_value) -> GammaGammaParams:
    """Fit the Gamma-Gamma spend model by maximum likelihood on customers with frequency > 0.

    Customers without repeat purchases carry no spend information in the model's convention
    and are dropped; a repeat customer with monetary value <= 0 is an input error. Same
    optimiser as :func:`fit_bgnbd`, start p = q = 1, v = mean spend; p, q bounded to
    [1e-6, 1e6], v to mean spend × [1e-6, 1e6].
    """
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    if x.shape != m.shape:
        raise ValueError(f"frequency and monetary_value differ in length ({x.size} vs {m.size})")
    keep = x > 0
    x, m = x[keep], m[keep]
    if x.size < 2:
        raise DataError(Problem(
            "rfm summary", "customers with repeat purchases; at least 2 are needed to fit spend",
            column="frequency", value=int(x.size),
            fix="use a longer observation window or the historical CLV (clv_historical)",
        ))
    bad = ~np.isfinite(m) | (m <= 0)
    if bad.any():
        raise DataError(Problem(
            "rfm summary", "is not a positive mean spend for a customer with repeat purchases",
            column="monetary_value", value=float(m[bad][0]),
            fix="drop zero-value or credit-note transactions before rfm_summary",
        ))

    def neg_ll(log_params: np.ndarray) -> float:
        p, q, v = np.exp(log_params)
        value = -np.sum(gamma_gamma_log_likelihood(p, q, v, x, m))
        return value if np.isfinite(value) else 1e300

    start = np.log([1.0, 1.0, float(m.mean())])
    best, converged = _minimise(neg_ll, start, _bounds(start))
    p, q, v = np.exp(best.x)
    return GammaGammaParams(float(p), float(q), float(v), float(-best.fun), converged)


def expected_avg_value(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """Conditional expected spend per purchase: E[Z | z̄, x] = p (v + x z̄) / (p x + q - 1).

    For x = 0 this is the population mean p v / (q - 1).
    """
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    p, q, v = params.p, params.q, params.v
    if q <= 1:
        raise ValueError(f"Gamma-Gamma q = {q:.3g} <= 1: the mean spend is infinite; the fit is not usable for CLV")
    return p * (v + x * m) / (p * x + q - 1)


# --------------------------------------------------------------------------- CLV


def clv_probabilistic(
    summary: pd.DataFrame,
    bg: BGNBDParams,
    gg: GammaGammaParams,
    *,
    horizon_months: int = 36,
    margin_rate: float,
    discount_rate_annual: float = 0.08,
    freq: str = "W",
) -> pd.Series:
    """Discounted expected gross margin per customer over the next ``horizon_months``.

    ``summary`` has columns frequency, recency, T, monetary_value in units of ``freq``.

    Discretisation: the horizon is cut into calendar-average months (365.25/12 days, i.e.
    4.348 weeks). The purchases expected in month m are E[Y(m)] - E[Y(m-1)] from
    :func:`expected_purchases`; they are valued at the Gamma-Gamma expected spend times
    ``margin_rate`` and discounted as if paid at the end of month m with the monthly rate
    (1 + discount_rate_annual)^(1/12) - 1 (compounding equivalent to the annual rate).
    """
    freq = _check_freq(freq)
    _require_columns(summary, ["frequency", "recency", "T", "monetary_value"], "rfm summary")
    if not 0 <= margin_rate <= 1:
        raise ValueError(f"margin_rate {margin_rate!r} is not a share between 0 and 1 (e.g. 0.38 for 38 %)")
    if horizon_months < 1:
        raise ValueError(f"horizon_months {horizon_months!r} must be a whole number of months >= 1")
    x, t_x, T_ = _check_rfm(summary["frequency"], summary["recency"], summary["T"])
    spend = expected_avg_value(gg, x, summary["monetary_value"].to_numpy(dtype=float))
    monthly_rate = (1.0 + discount_rate_annual) ** (1.0 / 12.0) - 1.0
    unit = _UNITS_PER_MONTH[freq]
    total = np.zeros_like(x)
    previous = np.zeros_like(x)
    for month in range(1, int(horizon_months) + 1):
        cumulative = expected_purchases(bg, month * unit, x, t_x, T_)
        total += (cumulative - previous) / (1.0 + monthly_rate) ** month
        previous = cumulative
    return pd.Series(total * spend * margin_rate, index=summary.index, name="clv")


def clv_historical(
    deals_won: pd.DataFrame,
    *,
    margin_rate: float,
    cohort: str = "Q",
    as_of: object = None,
) -> pd.DataFrame:
    """Cohort table of realised gross margin per customer, acquisition cohort by row.

    Input: won deals with ``account_id`` (or ``company`` where the id is missing),
    ``close_date`` and ``amount``; rows with a ``status`` other than ``won`` are ignored.
    A customer is acquired on the close date of its first won deal and belongs to the
    quarter (``cohort="Q"``) or year (``"Y"``) of that date.

    Columns: ``customers`` (acquired in the cohort), ``margin_year_1``, ``margin_year_2`` ...
    = mean cumulative gross margin per customer (amount × margin_rate) from deals closed
    within k years of that customer's acquisition. A cell is filled only when every
    customer of the cohort has been observed for the full k years (cohort end + k years
    <= ``as_of``, default: the latest close date), otherwise NaN.

    ``result.attrs["historical_clv"]`` is the customer-weighted mean of the longest
    horizon that at least one cohort has fully observed (its number of years in
    ``attrs["historical_clv_years"]``); NaN when no cohort has a full year yet.
    """
    if cohort not in ("Q", "Y"):
        raise ValueError(f"cohort {cohort!r} is not 'Q' (quarter) or 'Y' (year)")
    if not 0 <= margin_rate <= 1:
        raise ValueError(f"margin_rate {margin_rate!r} is not a share between 0 and 1 (e.g. 0.38 for 38 %)")
    _require_columns(deals_won, ["close_date", "amount"], "deals")
    if "account_id" not in deals_won.columns and "company" not in deals_won.columns:
        raise DataError(Problem(
            "deals", "no customer column: historical CLV needs account_id or company",
            fix="map the CRM's company id or company name to account_id or company",
        ))
    df = deals_won.copy()
    if "status" in df.columns:
        df = df[df["status"] == "won"]
    key = df["account_id"] if "account_id" in df.columns else pd.Series(pd.NA, index=df.index)
    if "company" in df.columns:
        key = key.fillna(df["company"])
    df = df.assign(_customer=key, close_date=pd.to_datetime(df["close_date"]))
    df = df[df["_customer"].notna() & df["close_date"].notna()]
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else df["close_date"].max()
    df = df[df["close_date"] <= as_of_ts]
    if df.empty:
        out = pd.DataFrame({"customers": pd.Series(dtype="int64")})
        out.attrs.update(historical_clv=float("nan"), historical_clv_years=0)
        return out

    df["_margin"] = df["amount"].astype(float) * margin_rate
    acquired = df.groupby("_customer")["close_date"].min().rename("_acquired")
    df = df.join(acquired, on="_customer")
    customers = acquired.to_frame()
    customers["cohort"] = customers["_acquired"].dt.to_period(cohort)
    cohort_end = {c: c.end_time.normalize() for c in customers["cohort"].unique()}

    n_years = int((as_of_ts - customers["_acquired"].min()).days // 365) + 1
    table = customers.groupby("cohort").size().rename("customers").to_frame()
    for k in range(1, n_years + 1):
        # strictly before the k-th anniversary: the first deal is in year 1
        in_window = df["close_date"] < df["_acquired"] + pd.DateOffset(years=k)
        margin = df[in_window].groupby("_customer")["_margin"].sum().reindex(customers.index, fill_value=0.0)
        mean_margin = margin.groupby(customers["cohort"]).mean()
        observed = [cohort_end[c] + pd.DateOffset(years=k) <= as_of_ts + pd.Timedelta(days=1) for c in table.index]
        table[f"margin_year_{k}"] = mean_margin.reindex(table.index).where(observed)
    table = table.dropna(axis=1, how="all") if n_years else table
    table.index = table.index.astype(str)
    table.index.name = "cohort"

    year_cols = [c for c in table.columns if c.startswith("margin_year_")]
    clv, years = float("nan"), 0
    if year_cols:
        last = year_cols[-1]
        filled = table[last].notna()
        clv = float(np.average(table.loc[filled, last], weights=table.loc[filled, "customers"]))
        years = int(last.rsplit("_", 1)[1])
    table.attrs.update(historical_clv=clv, historical_clv_years=years)
    return table


# --------------------------------------------------------------------------- helpers


_LOG_RANGE = np.log(1e6)


def _bounds(log_start: np.ndarray) -> list[tuple[float, float]]:
    """Each log-parameter within ±log(1e6) of its start (starts are 1 or the data's scale)."""
    return [(float(s) - _LOG_RANGE, float(s) + _LOG_RANGE) for s in log_start]


def _minimise(fun, start: np.ndarray, bounds) -> tuple[optimize.OptimizeResult, bool]:
    """Nelder-Mead for robustness far from the optimum, then L-BFGS-B to polish.

    Returns the better result and whether it is a proper interior optimum.
    """
    coarse = optimize.minimize(
        fun, start, method="Nelder-Mead", bounds=bounds,
        options={"maxiter": 4000, "maxfev": 8000, "xatol": 1e-8, "fatol": 1e-10},
    )
    fine = optimize.minimize(
        fun, coarse.x, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
    )
    best = fine if fine.fun <= coarse.fun else coarse
    if not np.isfinite(best.fun) or best.fun >= 1e300:
        raise ValueError("the likelihood could not be evaluated at any parameter value; check the RFM inputs")
    lower, upper = np.array(bounds).T
    at_bound = np.any((best.x - lower < 1e-3) | (upper - best.x < 1e-3))
    # Nelder-Mead's own success flag is unreliable near the optimum (it may stop on maxfev
    # after L-BFGS-B has already polished), so either method's success counts.
    return best, bool((coarse.success or fine.success) and not at_bound)


def _collapse(weights, *columns: np.ndarray):
    """Merge identical rows into one with a summed weight (the likelihood is a weighted sum)."""
    w = np.ones_like(columns[0]) if weights is None else np.asarray(weights, dtype=float)
    stacked = np.column_stack(columns)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=w, minlength=len(unique))
    return (*unique.T, summed)


def _check_rfm(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, t_x, T_ = (np.asarray(v, dtype=float).ravel() for v in (frequency, recency, T))
    if not (x.size == t_x.size == T_.size):
        raise ValueError(f"frequency, recency and T differ in length ({x.size}, {t_x.size}, {T_.size})")
    problems = []
    for name, values, ok in (
        ("frequency", x, (x >= 0) & (np.floor(x) == x)),
        ("recency", t_x, (t_x >= 0) & (t_x <= T_)),
        ("T", T_, T_ > 0),
    ):
        bad = ~ok | ~np.isfinite(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            expected = {
                "frequency": "a whole number of repeat purchases >= 0",
                "recency": "between 0 and T",
                "T": "a customer age > 0",
            }[name]
            problems.append(Problem(
                "rfm summary", f"is not {expected} ({int(bad.sum())} such rows)", row=i + 1,
                column=name, value=float(values[i]), fix="build the summary with rfm_summary()",
            ))
    if problems:
        raise DataError(problems)
    return x, t_x, T_


def _check_freq(freq: str) -> str:
    if freq not in _UNITS_PER_MONTH:
        raise ValueError(f"freq {freq!r} is not 'W' (weeks) or 'D' (days)")
    return freq


def _require_columns(df: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(Problem(
            table, f"lacks column(s) {', '.join(repr(c) for c in missing)}; has: {', '.join(map(str, df.columns))}",
            fix="rename the columns or pass the *_col arguments",
        ))


#: repeat buyers from which a fit with a parameter on its bound is the likelihood's limit (e.g. "nobody drops out"),
#: not a lack of data: below, such a fit falls back to the historical value
MIN_REPEAT_BUYERS = 30


def customer_value(deals: pd.DataFrame, as_of: pd.Timestamp, gross_margin: float, *,
                   horizon_months: int = 60, discount_rate: float = 0.08) -> dict:
    """The one CLV model of the workbook (catalogue id ``clv``): contribution margin per customer.

    BG/NBD + Gamma-Gamma on won deals per customer (weeks) before ``as_of`` give the mean
    discounted margin over ``horizon_months`` at ``discount_rate`` a year. A fit with a parameter on
    its bound (``converged`` False) predicts like the limit the likelihood rises to; with at least
    :data:`MIN_REPEAT_BUYERS` repeat buyers it stands, so the KPI keeps one definition from one month
    end to the next (the sample's dropout shape sits on its bound every other month: the 1-year
    cohort value would halve the CLV). With fewer repeat buyers, a failed fit or a non-finite value,
    the historical cohort value (:func:`clv_historical`) is used instead. Returns
    ``clv, method`` (``probabilistic``/``historical``), ``historical``, ``historical_years`` and
    ``converged`` (both fits at an interior optimum).
    """
    won = deals[(deals["status"] == "won") & (deals["close_date"] < as_of)]
    hist = clv_historical(won, margin_rate=gross_margin, as_of=as_of - pd.Timedelta(days=1))
    out: dict = {"historical": hist.attrs["historical_clv"], "historical_years": hist.attrs["historical_clv_years"],
                 "converged": False, "method": "historical", "clv": hist.attrs["historical_clv"]}
    customer = won["account_id"].fillna(won["company"]) if "account_id" in won else won["company"]
    tx = pd.DataFrame({"customer_id": customer, "date": won["close_date"], "value": won["amount"]}).dropna()
    try:
        summary = rfm_summary(tx, observation_end=as_of - pd.Timedelta(days=1))
        summary = summary[summary["T"] > 0]  # customers won in the last week have no history yet
        if summary.empty:  # no won deal before as_of (e.g. a window before the first order): no model to fit
            return out
        bg = fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
        gg = fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
    except (ValueError, DataError):
        return out
    out["converged"] = bool(bg.converged and gg.converged)
    if out["converged"] or int((summary["frequency"] > 0).sum()) >= MIN_REPEAT_BUYERS:
        values = clv_probabilistic(summary, bg, gg, horizon_months=horizon_months, margin_rate=gross_margin,
                                   discount_rate_annual=discount_rate)
        if np.isfinite(values).all():
            out.update(clv=float(values.mean()), method="probabilistic")
    return out
