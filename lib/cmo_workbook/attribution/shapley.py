"""Conversion-rate Shapley attribution, exact over all channel coalitions.

Convention (the one of the ``marketing-attribution-models`` package's
``attribution_shapley(values_col="conv_rate")``, following Zhao et al. 2018, "Shapley Value
Methods for Attribution Modeling in Online Advertising"):

* ``rate(T)`` = conversions / journeys among the journeys whose set of distinct channels is
  *exactly* ``T`` (0 for a set nobody had). Every journey counts, converting or not, so a
  channel that appears in many non-converting journeys lowers the rate of its sets.
* For each channel set ``J`` that converted, the game on the players ``J`` has
  ``v(T) = rate(T)`` for ``T`` within ``J``; its Shapley values ``phi_J`` sum to ``rate(J)``.
  ``J``'s conversions (and value) are split by ``phi_J / rate(J)``; summed over ``J`` that
  gives each channel's credit. A channel whose presence lowers the rate gets negative
  credit within ``J``; the totals always reconcile exactly.

The path-set-subset convention (``v(S)`` = conversions of journeys whose set lies within
``S``) makes every journey a unanimity game: it is an even split over the distinct channels
of each converted journey and ignores non-converters. That model is ``distinct_linear`` in
:mod:`.rules`, not a Shapley value.

Computation: the Shapley value of a game is the sum of its Harsanyi dividends ``d(T)`` split
evenly over ``T``, and the dividend of ``T`` depends only on ``v`` on the subsets of ``T``. So
one Moebius transform of ``rate`` over all ``2^n`` coalitions serves every ``J``:
``credit_i = sum_{T containing i} d(T) / |T| * W(T)`` with ``W(T)`` = sum over converted sets
``J`` containing ``T`` of ``conversions(J) / rate(J)`` (the superset-sum transform). Cost
``O(n 2^n)``, independent of the number of journeys.
"""
from __future__ import annotations

import numpy as np

from .journeys import Touches

MAX_CHANNELS = 16


def channel_masks(touches: Touches, n_channels: int, channels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Compact bitmask of each journey's channel set and the channel code of each bit."""
    present = np.flatnonzero(np.bincount(touches.code, minlength=n_channels))
    check_channel_count(present, channels)
    bit_of = np.zeros(n_channels, dtype=np.int64)
    bit_of[present] = np.arange(len(present))
    bits = np.left_shift(np.int64(1), bit_of[touches.code])
    masks = np.bitwise_or.reduceat(bits, touches.starts) if len(bits) else np.zeros(0, dtype=np.int64)
    return masks, present


def check_channel_count(present: np.ndarray, channels: tuple[str, ...]) -> None:
    """Exact Shapley is over 2^n coalitions: refuse more than ``MAX_CHANNELS`` channels."""
    if len(present) > MAX_CHANNELS:
        names = ", ".join(channels[i] for i in present)
        raise ValueError(
            f"Shapley attribution is exact over 2^n channel coalitions and supports at most "
            f"{MAX_CHANNELS} channels; the journeys touch {len(present)} ({names}). "
            f"Merge rare channels into 'other' or use model='markov'.")


def rate_shapley(masks: np.ndarray, converted: np.ndarray, n: int, journey_weight: np.ndarray,
                 credit_weights: list[np.ndarray]) -> list[np.ndarray]:
    """Conversion-rate Shapley credit of each of the ``n`` bits, once per weight vector.

    ``masks``: channel-set bitmask of every journey; ``converted``: bool per journey;
    ``journey_weight``: multiplicity of every journey (1 without bootstrap);
    ``credit_weights``: per converted journey, what to hand out (conversions, value, ...).
    """
    size = 1 << n
    conv_masks = masks[converted]
    journeys = np.bincount(masks, weights=journey_weight, minlength=size)
    conversions = np.bincount(conv_masks, weights=journey_weight[converted], minlength=size)
    rate = np.divide(conversions, journeys, out=np.zeros(size), where=journeys > 0)
    dividend = rate.copy()
    for i in range(n):  # Moebius transform: d(T) = sum over U within T of (-1)^|T-U| rate(U)
        block = dividend.reshape(-1, 2, 1 << i)
        block[:, 1, :] -= block[:, 0, :]
    coalitions = np.arange(size, dtype=np.int64)
    pop = np.zeros(size, dtype=np.int64)
    for i in range(n):
        pop += (coalitions >> i) & 1
    per_member = np.divide(dividend, pop, out=np.zeros(size), where=pop > 0)
    has = [((coalitions >> i) & 1).astype(bool) for i in range(n)]
    out = []
    for w in credit_weights:
        # J's credit is split by phi_J / rate(J): weight each converted set by credit(J) / rate(J).
        credit = np.bincount(conv_masks, weights=w, minlength=size)
        scale = np.divide(credit, rate, out=np.zeros(size), where=rate > 0)
        for i in range(n):  # superset sums: W(T) = sum over J containing T
            block = scale.reshape(-1, 2, 1 << i)
            block[:, 0, :] += block[:, 1, :]
        h = per_member * scale
        out.append(np.array([h[has[i]].sum() for i in range(n)]))
    return out
