"""First-order Markov attribution with exact removal effects.

Paths have consecutive repeats collapsed (A, A, B -> A, B). States: ``start``, one per
channel, ``conversion`` and ``null``. Transition probabilities come from counts of
(from, to) pairs over all journeys, converting or not. The conversion probability is
the absorption probability into ``conversion`` from ``start``, solved exactly as
``(I - Q) x = r`` on the transient block (start + channels).

Removal effect of channel c: ``RE_c = 1 - P(conv | c removed) / P(conv)`` where removing
c redirects every transition into c to ``null``. Credit: ``total * RE_c / sum(RE)``;
total conversions and total value are both allocated by these same shares (a
value-weighted chain is a possible alternative and not implemented).
"""
from __future__ import annotations

import numpy as np

from .journeys import Journeys


def transition_pairs(journeys: Journeys, with_journeys: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Encoded ``from * n_states + to`` per transition, and (optionally) its journey.

    State codes: 0 = start, 1..C = channels, C+1 = conversion, C+2 = null. Journeys
    are contiguous and in order, so the last transitions line up with ``converted``.
    """
    t = journeys.touches
    n_states = journeys.n_channels + 3
    keep = np.empty(len(t.code), dtype=bool)
    keep[1:] = t.code[1:] != t.code[:-1]  # collapse consecutive repeats
    keep[t.starts] = True
    state = t.code[keep] + 1
    is_first = np.zeros(len(t.code), dtype=bool)
    is_first[t.starts] = True
    is_first = is_first[keep]
    is_last = np.empty(len(state), dtype=bool)
    is_last[:-1] = is_first[1:]
    is_last[-1:] = True
    absorb = np.where(journeys.converted, journeys.n_channels + 1, journeys.n_channels + 2)

    prev = np.zeros(len(state), dtype=np.int64)  # a journey's first touch comes from start (0)
    prev[1:] = state[:-1]
    prev[is_first] = 0
    pairs = np.concatenate((prev * n_states + state, state[is_last] * n_states + absorb))
    if not with_journeys:
        return pairs, None
    jid = np.cumsum(is_first) - 1
    return pairs, np.concatenate((jid, np.arange(t.n_journeys)))


def removal_effects(journeys: Journeys, pairs: np.ndarray, pair_jid: np.ndarray,
                    journey_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """P(conversion) and the removal effect of every channel (exact linear algebra)."""
    c = journeys.n_channels
    s = c + 3
    w = None if journey_weight is None else journey_weight[pair_jid]
    counts = np.bincount(pairs, weights=w, minlength=s * s).reshape(s, s).astype(float)
    rows = counts[: c + 1].sum(axis=1, keepdims=True)
    p = np.divide(counts[: c + 1], rows, out=np.zeros((c + 1, s)), where=rows > 0)
    q = p[:, : c + 1]  # transient block: start + channels
    r = p[:, c + 1]  # one step into conversion
    eye = np.eye(c + 1)
    p_conv = float(np.linalg.solve(eye - q, r)[0])
    effects = np.zeros(c)
    if p_conv <= 0:
        return p_conv, effects
    for ch in range(c):
        keep = np.arange(c + 1) != ch + 1  # removed channel: its in-flow goes to null
        sub = np.linalg.solve(eye[np.ix_(keep, keep)] - q[np.ix_(keep, keep)], r[keep])
        effects[ch] = 1.0 - sub[0] / p_conv
    return p_conv, np.clip(effects, 0.0, 1.0)


def markov_shares(journeys: Journeys, journey_weight: np.ndarray | None = None,
                  pairs: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Credit share of each channel (removal effects normalised to sum 1; zeros if none)."""
    if journeys.touches.n_journeys == 0:
        return np.zeros(journeys.n_channels)
    pr, pj = pairs if pairs is not None else transition_pairs(journeys, journey_weight is not None)
    _, effects = removal_effects(journeys, pr, pj, journey_weight)
    total = effects.sum()
    return effects / total if total > 0 else np.zeros_like(effects)
