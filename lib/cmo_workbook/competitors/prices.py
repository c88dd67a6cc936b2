"""Competitor prices: net EUR, list-price changes, promotions and a price index.

Input is the canonical ``competitor_prices`` table (see :mod:`cmo_workbook.inputs.schema`):
``observed_date, competitor, product, price`` and optionally ``currency`` (default EUR),
``unit``, ``price_basis`` (net/gross, default net), ``price_type`` (list/promo/quote,
default list), ``min_quantity``, ``our_product``, ``source``.

Every comparison is made on net EUR: gross prices are divided by ``1 + VAT`` and
foreign prices multiplied by the rate in params (``competitors.fx``, EUR per unit of
the currency, e.g. ``CHF: 1.05``). Quotes are customer-specific and never enter the
change detection or the index.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParamsError

FX_PARAMS_KEY = "competitors.fx"
VAT_PARAMS_KEY = "company.vat_rate"
DEFAULT_VAT = 0.19

# A snapshot series: prices of the same thing by the same competitor over time.
SERIES_KEY = ["competitor", "product", "unit"]

_DEFAULTS = {"currency": "EUR", "price_basis": "net", "price_type": "list", "unit": "",
             "our_product": pd.NA, "source": pd.NA, "min_quantity": np.nan}


def vat_fraction(vat: float | None) -> float:
    """VAT as a fraction: ``0.19`` and ``19`` both mean 19 %; ``None`` means the 19 % default.

    Raises:
        ParamsError: negative or 100 % and above.
    """
    if vat is None:
        return DEFAULT_VAT
    rate = float(vat)
    if rate >= 1:
        rate /= 100
    if not 0 <= rate < 1:
        raise ParamsError(
            f"{VAT_PARAMS_KEY}: {vat!r} is not a VAT rate; expected a fraction like 0.19 or a percentage like 19"
        )
    return rate


def to_net_eur(prices: pd.DataFrame, *, fx: Mapping[str, float] | None, vat: float | None = DEFAULT_VAT) -> pd.DataFrame:
    """Copy of ``prices`` with optional columns filled and ``price_net_eur`` added.

    Args:
        prices: canonical ``competitor_prices`` rows.
        fx: EUR per unit of each foreign currency (``{"CHF": 1.05}``); EUR needs no entry.
        vat: VAT used to turn gross prices into net (fraction or percent).

    Raises:
        ParamsError: a currency in the data has no rate in ``fx``; names the currency,
            the rows and the params key to add it to.
    """
    out = prices.copy()
    for col, default in _DEFAULTS.items():
        if col not in out.columns:
            out[col] = default
    out["currency"] = out["currency"].astype("string").str.upper().fillna("EUR")
    out["price_basis"] = out["price_basis"].astype("string").str.lower().fillna("net")
    out["price_type"] = out["price_type"].astype("string").str.lower().fillna("list")
    out["unit"] = out["unit"].astype("string").fillna("")
    out["observed_date"] = pd.to_datetime(out["observed_date"])

    rates = {str(k).upper(): float(v) for k, v in (fx or {}).items()}
    rates.setdefault("EUR", 1.0)
    missing = sorted(set(out["currency"].dropna()) - set(rates))
    if missing:
        cur = missing[0]
        rows = out[out["currency"] == cur]
        first = rows.sort_values("observed_date").iloc[0]
        raise ParamsError(
            f'competitor_prices: currency "{cur}" has no exchange rate ({len(rows)} price rows, e.g. '
            f'{first["competitor"]} / {first["product"]} on {first["observed_date"]:%Y-%m-%d}); '
            f"expected EUR per {cur} under params key {FX_PARAMS_KEY}; add e.g. "
            f'"{FX_PARAMS_KEY.split(".")[1]}: {{{cur}: 1.05}}" under "competitors:"'
            + (f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else "")
        )
    rate = vat_fraction(vat)
    gross = out["price_basis"].eq("gross").to_numpy()
    net = out["price"].astype(float).to_numpy() / np.where(gross, 1 + rate, 1.0)
    # Rounded to 1/10000 EUR so that 119 gross and 100 net compare equal.
    out["price_net_eur"] = np.round(net * out["currency"].map(rates).astype(float).to_numpy(), 4)
    return out


def _list_snapshots(net: pd.DataFrame) -> pd.DataFrame:
    """One list price per series and date (the median if colleagues noted several)."""
    lst = net[net["price_type"] == "list"]
    agg = (
        lst.groupby([*SERIES_KEY, "observed_date"], sort=True)
        .agg(price_net_eur=("price_net_eur", "median"),
             currency=("currency", "last"),
             our_product=("our_product", "last"),
             source=("source", "last"))
        .reset_index()
    )
    return agg.sort_values([*SERIES_KEY, "observed_date"], kind="stable").reset_index(drop=True)


def price_changes(prices: pd.DataFrame, *, fx: Mapping[str, float] | None, vat: float | None = DEFAULT_VAT) -> pd.DataFrame:
    """List-price changes between consecutive snapshots of the same competitor product.

    A series is (competitor, product, unit) with ``price_type == 'list'``; promotions and
    quotes never count as a change (see :func:`promotions`). A change is a difference of at
    least one cent in the net EUR price.

    Returns:
        One row per change: ``competitor, product, unit, our_product, last_seen_old``
        (last date the old price was seen), ``first_seen`` (first date with the new price),
        ``old_price_net_eur, new_price_net_eur, change_pct`` (new/old − 1, in percent, 2
        decimals), ``direction`` (``up``/``down``), ``currency`` (as observed), ``source``.
        Sorted by ``first_seen``, competitor, product.
    """
    snaps = _list_snapshots(to_net_eur(prices, fx=fx, vat=vat))
    grouped = snaps.groupby(SERIES_KEY, sort=False)
    old = grouped["price_net_eur"].shift()
    old_date = grouped["observed_date"].shift()
    changed = old.notna() & (snaps["price_net_eur"].round(2) != old.round(2))
    out = snaps.loc[changed, SERIES_KEY + ["our_product"]].copy()
    out["last_seen_old"] = old_date[changed]
    out["first_seen"] = snaps.loc[changed, "observed_date"]
    out["old_price_net_eur"] = old[changed].round(2)
    out["new_price_net_eur"] = snaps.loc[changed, "price_net_eur"].round(2)
    out["change_pct"] = ((snaps.loc[changed, "price_net_eur"] / old[changed] - 1) * 100).round(2)
    out["direction"] = np.where(out["change_pct"] < 0, "down", "up")
    out["currency"] = snaps.loc[changed, "currency"]
    out["source"] = snaps.loc[changed, "source"]
    return out.sort_values(["first_seen", "competitor", "product"], kind="stable").reset_index(drop=True)


def promotions(prices: pd.DataFrame, *, fx: Mapping[str, float] | None, vat: float | None = DEFAULT_VAT) -> pd.DataFrame:
    """Promotion prices with their discount against the list price in force at the time.

    The list price is the latest list snapshot of the same series on or before the promo
    date; without one, ``list_price_net_eur`` and ``discount_pct`` are missing.

    Returns:
        One row per promo observation: ``competitor, product, unit, observed_date,
        promo_price_net_eur, list_price_net_eur, list_observed_date, discount_pct``
        (1 − promo/list, in percent, positive = cheaper), ``source``.
    """
    net = to_net_eur(prices, fx=fx, vat=vat)
    promo = net[net["price_type"] == "promo"].sort_values("observed_date", kind="stable")
    snaps = _list_snapshots(net).rename(
        columns={"price_net_eur": "list_price_net_eur", "observed_date": "list_observed_date"})
    snaps = snaps[[*SERIES_KEY, "list_price_net_eur", "list_observed_date"]].sort_values("list_observed_date")
    merged = pd.merge_asof(
        promo[[*SERIES_KEY, "observed_date", "price_net_eur", "source"]].rename(
            columns={"price_net_eur": "promo_price_net_eur"}),
        snaps, left_on="observed_date", right_on="list_observed_date", by=SERIES_KEY, direction="backward",
    )
    merged["promo_price_net_eur"] = merged["promo_price_net_eur"].round(2)
    merged["list_price_net_eur"] = merged["list_price_net_eur"].round(2)
    merged["discount_pct"] = ((1 - merged["promo_price_net_eur"] / merged["list_price_net_eur"]) * 100).round(2)
    cols = [*SERIES_KEY, "observed_date", "promo_price_net_eur", "list_price_net_eur", "list_observed_date",
            "discount_pct", "source"]
    return merged[cols].sort_values(["observed_date", "competitor", "product"], kind="stable").reset_index(drop=True)


def own_prices_frame(own_products: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Our product prices as a DataFrame ``product, price, currency, price_basis, segment``.

    Accepts a DataFrame or the params list ``competitors.own_products`` (entries with
    ``name`` or ``product``, ``price`` or ``list_price``, optional ``currency``,
    ``price_basis``, ``segment``).
    """
    if isinstance(own_products, pd.DataFrame):
        df = own_products.copy()
    else:
        df = pd.DataFrame([dict(p) for p in own_products])
    df = df.rename(columns={"name": "product", "list_price": "price"})
    for col, default in {"currency": "EUR", "price_basis": "net", "segment": pd.NA}.items():
        if col not in df.columns:
            df[col] = default
    if "product" not in df.columns or "price" not in df.columns:
        raise ParamsError(
            "competitors.own_products: each entry needs 'name' and 'price' (our net list price); "
            f"got keys: {', '.join(map(str, df.columns))}"
        )
    return df


def price_index_by_product(
    prices: pd.DataFrame,
    own_prices: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    as_of: Any,
    fx: Mapping[str, float] | None = None,
    vat: float | None = DEFAULT_VAT,
) -> pd.DataFrame:
    """Price index per competitor product: its net EUR list price ÷ our comparable product's × 100.

    Uses the latest list snapshot on or before ``as_of`` of each competitor product that
    names ``our_product``. An index below 100 means the competitor is cheaper.

    Returns:
        ``competitor, product, unit, our_product, observed_date, price_net_eur,
        own_price_net_eur, index`` (1 decimal; missing when our product has no price in
        params), sorted by competitor and product.
    """
    as_of = pd.Timestamp(as_of)
    net = to_net_eur(prices, fx=fx, vat=vat)
    net = net[(net["observed_date"] <= as_of) & net["our_product"].notna()]
    snaps = _list_snapshots(net)
    latest = snaps.groupby(SERIES_KEY, sort=True).tail(1)

    own = own_prices_frame(own_prices).rename(columns={"product": "our_product"})
    own = to_net_eur(own.assign(observed_date=as_of, competitor="(own)"), fx=fx, vat=vat)
    own = own[["our_product", "price_net_eur"]].rename(columns={"price_net_eur": "own_price_net_eur"})
    out = latest.merge(own.drop_duplicates("our_product"), on="our_product", how="left")
    out["price_net_eur"] = out["price_net_eur"].round(2)
    out["own_price_net_eur"] = out["own_price_net_eur"].round(2)
    out["index"] = (out["price_net_eur"] / out["own_price_net_eur"] * 100).round(1)
    cols = [*SERIES_KEY, "our_product", "observed_date", "price_net_eur", "own_price_net_eur", "index"]
    return out[cols].sort_values(["competitor", "product"], kind="stable").reset_index(drop=True)


def price_index(
    prices: pd.DataFrame,
    own_prices: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    as_of: Any,
    fx: Mapping[str, float] | None = None,
    vat: float | None = DEFAULT_VAT,
) -> pd.DataFrame:
    """Price index per competitor: mean of :func:`price_index_by_product` over its comparable products.

    Returns:
        ``competitor, index`` (1 decimal), ``n_products`` (products with an index),
        ``products`` (their names, ``; ``-joined), ``oldest_observation`` (the stalest
        price the index rests on), sorted by competitor.
    """
    per_product = price_index_by_product(prices, own_prices, as_of=as_of, fx=fx, vat=vat)
    valid = per_product[per_product["index"].notna()]
    out = (
        valid.groupby("competitor", sort=True)
        .agg(index=("index", "mean"), n_products=("index", "size"),
             products=("product", lambda s: "; ".join(sorted(s))),
             oldest_observation=("observed_date", "min"))
        .reset_index()
    )
    # The mean of the rounded per-product indices, so the memo's two tables agree.
    out["index"] = out["index"].round(1)
    return out
