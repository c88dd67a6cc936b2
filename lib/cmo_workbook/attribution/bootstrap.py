"""Uncertainty of attributed value: journey bootstrap and spread across models.

Resampling unit: a journey (or an untouched converted lead). Drawing N units with
replacement is done in two exact steps so rule-based models never touch the large
non-converting part: the number of converted units K ~ Binomial(N, K0/N), then K
draws among the K0 converted units and N-K among the non-converters (the latter only
for Markov, which needs them). Each replicate re-weights the precomputed model
(per-journey credit vectors for rule-based models) with the draw counts.
"""
from __future__ import annotations

from collections.abc import Mapping

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
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, e.g. 0.9 for a 90 % interval (got {ci!r})")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be a positive number of replicates (got {n_boot!r})")
    if (cost_by_channel is None) != (margin_rate is None):
        raise ValueError("ROMI needs both cost_by_channel and margin_rate; pass both or neither")
    lookback, no_touch, model_opts = split_options(options)
    journeys = prepare(touchpoints, outcomes, lookback_days=lookback)
    compiled = CompiledModel(journeys, model, model_opts)
    conv_pt, value_pt = compiled.credits()
    point = credit_frame(journeys, conv_pt, value_pt, no_touch)

    rng = np.random.default_rng(seed)
    n_conv_j = len(journeys.converted_ids)
    untouched_vals = journeys.untouched_values if no_touch == "row" else np.zeros(0)
    k0 = n_conv_j + len(untouched_vals)
    non_ids = np.flatnonzero(~journeys.converted)
    n_units = k0 + len(non_ids)
    matrix = compiled.journey_matrix() if model in RULE_MODELS else None
    conv_draws, value_draws = [], []
    for _ in range(int(n_boot)):
        k = rng.binomial(n_units, k0 / n_units) if n_units else 0
        counts = np.bincount(rng.integers(0, k0, size=k), minlength=k0).astype(float) if k0 else np.zeros(0)
        wc, wu = counts[:n_conv_j], counts[n_conv_j:]
        if matrix is not None:
            conv = wc @ matrix
            value = (wc * compiled.conv_value) @ matrix
        else:
            all_w = None
            if compiled.needs_non_converters:
                all_w = np.zeros(journeys.touches.n_journeys)
                all_w[journeys.converted_ids] = wc
                if len(non_ids):
                    all_w[non_ids] = np.bincount(rng.integers(0, len(non_ids), size=n_units - k),
                                                 minlength=len(non_ids))
            conv, value = compiled.credits(wc, all_w)
        frame = credit_frame(journeys, conv, value, no_touch, untouched=(wu.sum(), np.dot(wu, untouched_vals)))
        conv_draws.append(frame["conversions"].to_numpy())
        value_draws.append(frame["value"].to_numpy())

    q = [(1 - ci) / 2, 0.5, 1 - (1 - ci) / 2]
    out = pd.DataFrame(index=point.index)
    out["value"] = point["value"]
    for name, draws in (("value", np.array(value_draws)), ("conversions", np.array(conv_draws))):
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
            low, med, high = np.quantile(romi(np.array(value_draws)), q, axis=0)
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
