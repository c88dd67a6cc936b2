"""Rule-based models: a weight per touch that sums to 1 within each journey.

Slot models (position_based, w_shaped, full_path) give fixed shares to key touches
(first, lead creation, opportunity creation, last) and split the remaining share
evenly over the other touches. A touch holding several slots gets their sum; when a
journey has no "other" touches the shares are rescaled to sum to 1, which yields
100 % for a single touch and 50/50 for two touches under the U-shape.

W-shaped and full-path need the milestone touches (last touch on or before
``lead_created_date`` and ``opportunity_date``). A journey that lacks either
milestone touch falls back to the position-based (U) weights.

``distinct_linear`` splits each journey evenly over its *distinct* channels (A, A, B: half
each), whatever the number of touches. It equals a Shapley value under the path-set-subset
convention and was called "shapley" before; the conversion-rate Shapley is in :mod:`.shapley`.
"""
from __future__ import annotations

import numpy as np

from .journeys import NS_PER_DAY, Touches

RULE_MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "distinct_linear", "time_decay",
               "position_based", "w_shaped", "full_path")


def touch_weights(touches: Touches, model: str, *, channels: tuple[str, ...],
                  lead_pos: np.ndarray, opp_pos: np.ndarray, half_life_days: float = 7.0,
                  direct_channels: tuple[str, ...] = ("direct",),
                  position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
                  w_weights: tuple[float, float, float, float] = (0.3, 0.3, 0.3, 0.1),
                  full_path_weights: tuple[float, float, float, float, float] = (0.225, 0.225, 0.225, 0.225, 0.1),
                  ) -> np.ndarray:
    """Per-touch credit weights of a rule-based ``model`` (each journey sums to 1)."""
    _check_weights("position_weights", position_weights, 3)
    _check_weights("w_weights", w_weights, 4)
    _check_weights("full_path_weights", full_path_weights, 5)
    n = len(touches.code)
    first, last = touches.starts, touches.ends - 1
    if model == "first_touch":
        return _one_hot(n, first)
    if model == "last_touch":
        return _one_hot(n, last)
    if model == "last_non_direct":
        direct = np.isin(np.asarray(channels, dtype=object), list(direct_channels))
        non_direct = ~direct[touches.code]
        idx = np.where(non_direct, np.arange(n, dtype=np.int64), -1)
        pick = np.maximum.reduceat(idx, touches.starts) if n else idx
        return _one_hot(n, np.where(pick >= 0, pick, last))
    if model == "linear":
        return 1.0 / touches.lengths[touches.jid]
    if model == "distinct_linear":
        # 1 / (distinct channels of the journey x touches of this channel in it)
        width = max(len(channels), 1)
        keys, pair, per_pair = np.unique(touches.jid * width + touches.code, return_inverse=True,
                                         return_counts=True)
        distinct = np.bincount(keys // width, minlength=touches.n_journeys)
        return 1.0 / (distinct[touches.jid] * per_pair[pair])
    if model == "time_decay":
        if not half_life_days > 0:
            raise ValueError(f"half_life_days must be positive (got {half_life_days!r})")
        # Relative to the journey's last touch instead of the conversion: the common
        # factor cancels in the normalisation and no weight underflows.
        age_days = (touches.ts[last][touches.jid] - touches.ts) / NS_PER_DAY
        return _normalise(touches, np.exp2(-age_days / half_life_days))
    u = _slots(touches, [(first, position_weights[0]), (last, position_weights[2])], position_weights[1])
    if model == "position_based":
        return u
    if model == "w_shaped":
        f, l_, o, rest = w_weights
        w = _slots(touches, [(first, f), (lead_pos, l_), (opp_pos, o)], rest)
    elif model == "full_path":
        f, l_, o, c, rest = full_path_weights
        w = _slots(touches, [(first, f), (lead_pos, l_), (opp_pos, o), (last, c)], rest)
    else:
        raise ValueError(f"unknown rule-based model {model!r}; expected one of {', '.join(RULE_MODELS)}")
    fallback = ((lead_pos < 0) | (opp_pos < 0))[touches.jid]
    return np.where(fallback, u, w)


def _one_hot(n: int, positions: np.ndarray) -> np.ndarray:
    w = np.zeros(n)
    w[positions] = 1.0
    return w


def _slots(touches: Touches, slots: list[tuple[np.ndarray, float]], rest: float) -> np.ndarray:
    """Slot shares on key touches plus ``rest`` split evenly over the other touches."""
    n = len(touches.code)
    raw = np.zeros(n)
    is_key = np.zeros(n, dtype=bool)
    for pos, share in slots:
        valid = pos[pos >= 0]  # one position per journey: no duplicates within a slot
        raw[valid] += share
        is_key[valid] = True
    n_other = touches.lengths - np.bincount(touches.jid, weights=is_key, minlength=touches.n_journeys)
    per_other = np.divide(rest, n_other, out=np.zeros(len(n_other)), where=n_other > 0)
    raw += np.where(is_key, 0.0, per_other[touches.jid])
    return _normalise(touches, raw)


def _normalise(touches: Touches, raw: np.ndarray) -> np.ndarray:
    total = np.bincount(touches.jid, weights=raw, minlength=touches.n_journeys)
    # All-zero shares (e.g. weights (0, 1, 0) on a 2-touch journey): split evenly.
    even = 1.0 / touches.lengths[touches.jid]
    tot = total[touches.jid]
    return np.divide(raw, tot, out=even.copy(), where=tot > 0)


def _check_weights(name: str, weights: tuple[float, ...], size: int) -> None:
    w = np.asarray(weights, dtype=float)
    if w.shape != (size,) or (w < 0).any() or abs(w.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must be {size} non-negative shares summing to 1 (got {tuple(weights)!r})")
