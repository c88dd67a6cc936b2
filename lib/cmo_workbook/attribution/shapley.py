"""Exact Shapley values over channels.

Characteristic function ("path-set subset" convention): ``v(S)`` = conversions (or
value) of converted journeys whose *set* of channels is a subset of ``S``. It is
computed from the counts per distinct channel-set bitmask with a subset-sum (zeta)
transform over all ``2^n`` coalitions, then the exact Shapley formula
``phi_i = sum_{S not containing i} |S|! (n-|S|-1)! / n! * (v(S+i) - v(S))``.

Under this convention every journey is a unanimity game, so the result equals an
even split of each converted journey over its distinct channels; other conventions
(e.g. ``v(S)`` = conversion *rate* of journeys whose set is within ``S``, which uses
non-converters too) give different numbers and are not implemented.
"""
from __future__ import annotations

from math import factorial

import numpy as np

from .journeys import Touches

MAX_CHANNELS = 16


def channel_masks(touches: Touches, n_channels: int, channels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Compact bitmask of each journey's channel set and the channel code of each bit."""
    present = np.flatnonzero(np.bincount(touches.code, minlength=n_channels))
    if len(present) > MAX_CHANNELS:
        names = ", ".join(channels[i] for i in present)
        raise ValueError(
            f"Shapley attribution is exact over 2^n channel coalitions and supports at most "
            f"{MAX_CHANNELS} channels; the converted journeys touch {len(present)} ({names}). "
            f"Merge rare channels into 'other' or use model='markov'.")
    bit_of = np.zeros(n_channels, dtype=np.int64)
    bit_of[present] = np.arange(len(present))
    bits = np.left_shift(np.int64(1), bit_of[touches.code])
    masks = np.bitwise_or.reduceat(bits, touches.starts) if len(bits) else np.zeros(0, dtype=np.int64)
    return masks, present


def shapley_values(masks: np.ndarray, n: int, weights: np.ndarray) -> np.ndarray:
    """Exact Shapley value of each of the ``n`` bits for v(S) = sum of weights with mask within S."""
    size = 1 << n
    v = np.bincount(masks, weights=weights, minlength=size).astype(float)
    for i in range(n):  # zeta transform: v[S] = sum over subsets T of S
        block = v.reshape(-1, 2, 1 << i)
        block[:, 1, :] += block[:, 0, :]
    coalitions = np.arange(size, dtype=np.int64)
    pop = np.zeros(size, dtype=np.int64)
    for i in range(n):
        pop += (coalitions >> i) & 1
    coef = np.array([factorial(k) * factorial(n - k - 1) / factorial(n) for k in range(n)] + [0.0])
    phi = np.zeros(n)
    for i in range(n):
        without = coalitions[(coalitions >> i) & 1 == 0]
        phi[i] = np.dot(coef[pop[without]], v[without | (1 << i)] - v[without])
    return phi
