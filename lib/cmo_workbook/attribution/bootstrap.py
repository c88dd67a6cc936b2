"""Uncertainty of attributed value: journey bootstrap and spread across models.

Resampling unit: a journey (or an untouched converted lead). Drawing N units with
replacement is done in two exact steps so rule-based models never touch the large
non-converting part: the number of converted units K ~ Binomial(N, K0/N), then K
draws among the K0 converted units and N-K among the non-converters (the latter only
for Markov, which needs them). Each replicate re-weights the precomputed model
(per-journey credit vectors for rule-based models) with the draw counts.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from .engine import NO_TOUCHPOINT, CompiledModel, credit_frame, split_options
from .journeys import prepare
from .rules import RULE_MODELS


def bootstrap(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, model: str, *, n_boot: int = 200,
              seed: int = 20240101, ci: float = 0.9, cost_by_channel: Mapping[str, float] | pd.Series | None = None,
              margin_rate: float | None = None, **options) -> pd.DataFrame:
    """Bootstrap interval of each channel's attributed value (and ROMI).

    Returns a frame indexed by ``channel`` with ``value`` (point estimate), ``value_low``,
    ``value_median``, ``value_high`` (central ``ci`` interval), the same for
    ``conversions``; with ``cost_by_channel`` and ``margin_rate`` also ``cost``, ``romi``,
    ``romi_low``, ``romi_median``, ``romi_high`` where
    ROMI = (attributed value x margin_rate - cost) / cost (NaN without cost).
    """
    check_arguments(n_boot, ci, cost_by_channel, margin_rate)
    lookback, no_touch, model_opts = split_options(options)
    journeys = prepare(touchpoints, outcomes, lookback_days=lookback)
    compiled = CompiledModel(journeys, model, model_opts)
    conv_pt, value_pt = compiled.credits()
    point = credit_frame(journeys, conv_pt, value_pt, no_touch)

    n_conv_j = len(journeys.converted_ids)
    untouched_vals = journeys.untouched_values if no_touch == "row" else np.zeros(0)
    non_ids = np.flatnonzero(~journeys.converted)
    matrix = compiled.journey_matrix() if model in RULE_MODELS else None

    def credit(wc: np.ndarray, rng: np.random.Generator, n_non_draws: int) -> tuple[np.ndarray, np.ndarray]:
        if matrix is not None:
            return wc @ matrix, (wc * compiled.conv_value) @ matrix
        all_w = None
        if compiled.needs_non_converters:
            all_w = np.zeros(journeys.touches.n_journeys)
            all_w[journeys.converted_ids] = wc
            if len(non_ids):
                all_w[non_ids] = np.bincount(rng.integers(0, len(non_ids), size=n_non_draws), minlength=len(non_ids))
        return compiled.credits(wc, all_w)

    def frame(conv: np.ndarray, value: np.ndarray, untouched: tuple[float, float]) -> pd.DataFrame:
        return credit_frame(journeys, conv, value, no_touch, untouched=untouched)

    draws = replicates(int(n_boot), seed, n_conv_j, untouched_vals, len(non_ids), credit, frame)
    return summary(point, *draws, ci=ci, cost_by_channel=cost_by_channel, margin_rate=margin_rate)


def check_arguments(n_boot: int, ci: float, cost_by_channel: object, margin_rate: float | None) -> None:
    """The refusals every bootstrap shares (in memory and in SQL)."""
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, e.g. 0.9 for a 90 % interval (got {ci!r})")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be a positive number of replicates (got {n_boot!r})")
    if (cost_by_channel is None) != (margin_rate is None):
        raise ValueError("ROMI needs both cost_by_channel and margin_rate; pass both or neither")


def replicates(n_boot: int, seed: int, n_conv_j: int, untouched_vals: np.ndarray, n_non: int,
               credit: Callable[[np.ndarray, np.random.Generator, int], tuple[np.ndarray, np.ndarray]],
               frame: Callable[[np.ndarray, np.ndarray, tuple[float, float]], pd.DataFrame]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Conversions and value per replicate (rows) and channel (columns of ``frame``'s result).

    Units: ``n_conv_j`` converted journeys (in journey order), the untouched converted leads
    (their values, in outcome order) and ``n_non`` non-converting journeys. ``credit(wc, rng,
    n_non_draws)`` credits the converted journeys drawn ``wc`` times (drawing the non-converters
    itself when its model needs them); ``frame`` adds the untouched (count, value) drawn. The
    random stream depends only on these counts, so every path with the same journeys in the same
    order draws the same replicates.
    """
    rng = np.random.default_rng(seed)
    k0 = n_conv_j + len(untouched_vals)
    n_units = k0 + n_non
    conv_draws, value_draws = [], []
    for _ in range(n_boot):
        k = rng.binomial(n_units, k0 / n_units) if n_units else 0
        counts = np.bincount(rng.integers(0, k0, size=k), minlength=k0).astype(float) if k0 else np.zeros(0)
        wc, wu = counts[:n_conv_j], counts[n_conv_j:]
        conv, value = credit(wc, rng, n_units - k)
        out = frame(conv, value, (wu.sum(), np.dot(wu, untouched_vals)))
        conv_draws.append(out["conversions"].to_numpy())
        value_draws.append(out["value"].to_numpy())
    return np.array(conv_draws), np.array(value_draws)


def summary(point: pd.DataFrame, conv_draws: np.ndarray, value_draws: np.ndarray, *, ci: float,
            cost_by_channel: Mapping[str, float] | pd.Series | None, margin_rate: float | None) -> pd.DataFrame:
    """The frame :func:`bootstrap` returns, from the point estimate and the replicates."""
    q = [(1 - ci) / 2, 0.5, 1 - (1 - ci) / 2]
    out = pd.DataFrame(index=point.index)
    out["value"] = point["value"]
    for name, draws in (("value", value_draws), ("conversions", conv_draws)):
        low, med, high = np.quantile(draws, q, axis=0)
        out[f"{name}_low"], out[f"{name}_median"], out[f"{name}_high"] = low, med, high
    if cost_by_channel is not None:
        cost = pd.Series(cost_by_channel, dtype=float).reindex(point.index).to_numpy()
        cost = np.where(point.index == NO_TOUCHPOINT, np.nan, cost)
        out["cost"] = cost
        with np.errstate(divide="ignore", invalid="ignore"):
            valid = cost > 0
            romi = lambda v: np.where(valid, (v * margin_rate - cost) / np.where(valid, cost, 1.0), np.nan)  # noqa: E731
            out["romi"] = romi(point["value"].to_numpy())
            low, med, high = np.quantile(romi(value_draws), q, axis=0)
        out["romi_low"], out["romi_median"], out["romi_high"] = low, med, high
    return out


def model_spread(table: pd.DataFrame) -> pd.DataFrame:
    """Min, max and range of each channel across the model columns of ``attribute_all``.

    Also names the model giving the minimum and maximum (first in column order on ties).
    """
    values = table.astype(float)
    return pd.DataFrame({
        "min": values.min(axis=1),
        "max": values.max(axis=1),
        "range": values.max(axis=1) - values.min(axis=1),
        "min_model": values.idxmin(axis=1),
        "max_model": values.idxmax(axis=1),
    }, index=table.index)
