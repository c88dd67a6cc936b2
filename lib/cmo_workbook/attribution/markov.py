"""Markov attribution of order 1-3 with exact removal effects.

Paths have consecutive repeats collapsed (A, A, B -> A, B). A state of order ``k`` is the
last ``k`` channels of the path so far; the first ``k - 1`` steps of a journey are in the
shorter prefix states (order 2: A, B, C -> states (A), (A, B), (B, C)), as in
ChannelAttribution's ``order``. Further states: ``start``, ``conversion`` and ``null``.
Transition probabilities come from counts of (from, to) pairs over all journeys, converting
or not; only states that occur are kept. The conversion probability is the absorption
probability into ``conversion`` from ``start``, solved exactly as ``(I - Q) x = r`` on the
transient block (start + channel states).

Removal effect of channel c: ``RE_c = 1 - P(conv | c removed) / P(conv)`` where removing c
redirects every transition into a state that contains c to ``null``. Credit:
``total * RE_c / sum(RE)``; total conversions and total value are both allocated by these
same shares (a value-weighted chain is a possible alternative and not implemented).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .journeys import Journeys

ORDERS = (1, 2, 3)
_DENSE_STATES = 600  # up to this many transient states dense counts beat sparse ones
_DENSE_SOLVE = 80  # up to this many states a dense solve beats a sparse LU
_DENSE_KEYS = 1 << 22  # state keys compacted with bincount up to this key range


@dataclass(frozen=True)
class Chain:
    """Transitions of one set of journeys. States: 0 start, 1..U channel states, U+1 conversion, U+2 null."""

    pairs: np.ndarray  # from * n_states + to, one per transition (or per distinct cell with ``pair_count``)
    pair_jid: np.ndarray | None  # journey of each transition (for re-weighting)
    n_states: int
    contains: np.ndarray  # bool (n_channels, U): channel state u contains channel c
    pair_count: np.ndarray | None = None  # transitions per cell when counted elsewhere (SQL)


def transition_chain(journeys: Journeys, order: int = 1, with_journeys: bool = False) -> Chain:
    """The chain's transitions; journeys are contiguous, so absorptions line up with ``converted``."""
    if order not in ORDERS:
        raise ValueError(f"Markov order must be one of {ORDERS} (got {order!r})")
    t = journeys.touches
    c = journeys.n_channels
    if order == 1 and not with_journeys and t.n_journeys:
        return _first_order_chain(journeys)
    # Lean arrays (int8 codes when they fit, temporaries freed early): a million journeys stay within the
    # memory target, and the passes over every touch move a byte per touch instead of eight.
    code = t.code.astype(np.int8 if c < 127 else np.int32)
    keep = np.empty(len(code), dtype=bool)
    np.not_equal(code[1:], code[:-1], out=keep[1:])  # collapse consecutive repeats
    keep[:1] = True
    keep[t.starts] = True
    chan = code[keep]
    is_first = np.zeros(len(code), dtype=bool)
    is_first[t.starts] = True
    is_first = is_first[keep]
    del keep, code

    # State key: digit l (base c + 1) = the channel l steps back + 1, 0 before the journey began.
    base = c + 1
    wide = np.int64 if base**order >= 2**31 else np.int32
    key = chan.astype(wide)
    key += 1
    if order > 1:
        before = is_first.copy()  # steps with fewer than ``lag`` steps of their journey before them
        for lag in range(1, order):
            if lag > 1:
                before[lag - 1:] |= is_first[:len(chan) - lag + 1]
            back = np.zeros(len(chan), dtype=wide)
            back[lag:] = chan[:-lag]
            back[lag:] += 1
            back[before] = 0
            back *= base**lag
            key += back
            del back
        del before
    del chan
    if not with_journeys:  # the plain solve needs only the counts of each (from, to) cell
        return _counted_chain(key, is_first, journeys.converted, c, order)
    if base**order <= _DENSE_KEYS:  # compact the keys by counting: no sort of all transitions
        seen = np.flatnonzero(np.bincount(key, minlength=base**order))
        index = np.zeros(base**order, dtype=np.int64)
        index[seen] = np.arange(1, len(seen) + 1)
        uniq, state = seen, index[key]
    else:
        uniq, inverse = np.unique(key, return_inverse=True)
        state = inverse.astype(np.int64) + 1
    del key
    u = len(uniq)
    n_states = u + 3
    contains = _contains(uniq, c, order)

    is_last = np.empty(len(state), dtype=bool)
    is_last[:-1] = is_first[1:]
    is_last[-1:] = True
    absorb = np.where(journeys.converted, u + 1, u + 2)
    last = state[is_last] * n_states + absorb
    del is_last, absorb
    prev = np.empty(len(state), dtype=np.int64)  # a journey's first state comes from start (0)
    prev[1:] = state[:-1]
    prev[is_first] = 0
    prev *= n_states
    prev += state
    del state
    pairs = np.concatenate((prev, last))
    del prev, last
    pair_jid = np.concatenate((np.cumsum(is_first) - 1, np.arange(t.n_journeys))) if with_journeys else None
    return Chain(pairs=pairs, pair_jid=pair_jid, n_states=n_states, contains=contains)


def _first_order_chain(journeys: Journeys) -> Chain:
    """The order-1 chain counted on the touches as they are, without collapsing repeats first.

    A kept step comes from the channel of the touch before it (a repeat has the same channel as
    the step it repeats), or from start at a journey's first touch; a repeat itself counts as a
    transition from its channel to itself, which collapsed paths never have: those cells are
    zeroed. A journey is absorbed from the channel of its last touch. Same counts as
    :func:`_counted_chain` on the collapsed steps, in three passes over the touches instead of ten.
    """
    t = journeys.touches
    k = journeys.n_channels + 1
    code = t.code.astype(np.int32)
    cell = np.empty(len(code), dtype=np.int32)  # from * k + to, keys = channel code + 1, START_KEY at a start
    cell[1:] = code[:-1]
    cell += 1
    cell[t.starts] = START_KEY
    cell *= k
    cell += code
    cell += 1
    cells = np.bincount(cell, minlength=k * k)
    del cell
    cells[np.arange(1, k) * (k + 1)] = 0  # channel to itself: the repeats
    steps = np.flatnonzero(cells)
    last = code[t.starts + t.lengths - 1].astype(np.int64) + 1
    ends = np.bincount(last * 2 + journeys.converted, minlength=2 * k)
    absorbed = np.flatnonzero(ends)
    return chain_from_counts(np.concatenate((steps // k, absorbed // 2)),
                             np.concatenate((steps % k, np.where(absorbed % 2 == 1, CONVERSION_KEY, NULL_KEY))),
                             np.concatenate((cells[steps], ends[absorbed])), journeys.n_channels, 1)


def _counted_chain(key: np.ndarray, is_first: np.ndarray, converted: np.ndarray, n_channels: int,
                   order: int) -> Chain:
    """The chain from its transitions counted per cell (no array of every transition): state keys
    of the collapsed steps, ``is_first`` marking each journey's first step."""
    k = (n_channels + 1) ** order
    # the state before each step; START_KEY (0) at a journey's start (int32 while the cell keys fit)
    prev = np.empty(len(key), dtype=np.int32 if k * k < 2**31 else np.int64)
    prev[1:] = key[:-1]
    prev[is_first] = START_KEY
    prev *= k
    prev += key
    if k * k <= _DENSE_KEYS:
        cells = np.bincount(prev, minlength=k * k)
        steps = np.flatnonzero(cells)
        counts = cells[steps]
    else:
        steps, counts = np.unique(prev, return_counts=True)
    del prev
    is_last = np.append(is_first[1:], True)  # journeys are contiguous: one last step each, in journey order
    ends = np.bincount(key[is_last].astype(np.int64) * 2 + converted, minlength=2 * k)
    absorbed = np.flatnonzero(ends)
    return chain_from_counts(np.concatenate((steps // k, absorbed // 2)),
                             np.concatenate((steps % k, np.where(absorbed % 2 == 1, CONVERSION_KEY, NULL_KEY))),
                             np.concatenate((counts, ends[absorbed])), n_channels, order)


def _contains(uniq: np.ndarray, n_channels: int, order: int) -> np.ndarray:
    """bool (n_channels, U): which channels the state keys ``uniq`` hold (digits base n_channels + 1)."""
    base = n_channels + 1
    contains = np.zeros((n_channels, len(uniq)), dtype=bool)
    for lag in range(order):
        digit = (uniq // base**lag) % base
        has = digit > 0
        contains[digit[has] - 1, np.flatnonzero(has)] = True
    return contains


#: state keys of counted transitions (:func:`chain_from_counts`) besides the channel states (keys >= 1)
START_KEY, CONVERSION_KEY, NULL_KEY = 0, -1, -2


def chain_from_counts(from_key: np.ndarray, to_key: np.ndarray, count: np.ndarray, n_channels: int,
                      order: int) -> Chain:
    """A chain from transition counts computed elsewhere (SQL): keys as in :func:`transition_chain`
    (digit l, base ``n_channels + 1``, = the channel l steps back + 1), plus ``START_KEY``,
    ``CONVERSION_KEY`` and ``NULL_KEY``."""
    if order not in ORDERS:
        raise ValueError(f"Markov order must be one of {ORDERS} (got {order!r})")
    from_key, to_key = np.asarray(from_key, dtype=np.int64), np.asarray(to_key, dtype=np.int64)
    uniq = np.unique(np.concatenate((from_key[from_key > 0], to_key[to_key > 0])))
    u = len(uniq)
    n_states = u + 3

    def index(key: np.ndarray) -> np.ndarray:
        out = np.searchsorted(uniq, key) + 1
        out = np.where(key == START_KEY, 0, out)
        out = np.where(key == CONVERSION_KEY, u + 1, out)
        return np.where(key == NULL_KEY, u + 2, out)

    cells, inverse = np.unique(index(from_key) * n_states + index(to_key), return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=np.asarray(count, dtype=float), minlength=len(cells))
    return Chain(pairs=cells, pair_jid=None, n_states=n_states, contains=_contains(uniq, n_channels, order),
                 pair_count=weights)


def removal_effects(chain: Chain, journey_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """P(conversion) and the removal effect of every channel (exact linear algebra)."""
    s = chain.n_states
    n_tr = s - 2  # start + channel states
    c = chain.contains.shape[0]
    w = chain.pair_count if journey_weight is None else journey_weight[chain.pair_jid]
    effects = np.zeros(c)
    if n_tr <= _DENSE_STATES:
        counts = np.bincount(chain.pairs, weights=w, minlength=s * s).reshape(s, s)[:n_tr].astype(float)
        rows = counts.sum(axis=1, keepdims=True)
        p = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
        q, r = p[:, :n_tr], p[:, n_tr]
    else:  # many states (order 3 with many channels): sparse counts and solves
        cells, inv = np.unique(chain.pairs, return_inverse=True)
        counts = np.bincount(inv, weights=w, minlength=len(cells)).astype(float)
        frm, to = cells // s, cells % s
        rows = np.bincount(frm, weights=counts, minlength=s)
        prob = np.divide(counts, rows[frm], out=np.zeros(len(counts)), where=rows[frm] > 0)
        inner = to < n_tr
        q = sp.csr_matrix((prob[inner], (frm[inner], to[inner])), shape=(n_tr, n_tr))
        r = np.bincount(frm[to == n_tr], weights=prob[to == n_tr], minlength=n_tr)[:n_tr]
    p_conv = _absorb(q, r, np.ones(n_tr, dtype=bool))
    if p_conv <= 0:
        return p_conv, effects
    for ch in range(c):
        if not chain.contains[ch].any():
            continue  # a channel without a state has no removal effect
        keep = np.concatenate(([True], ~chain.contains[ch]))  # removed: its states' in-flow goes to null
        effects[ch] = 1.0 - _absorb(q, r, keep) / p_conv
    return p_conv, np.clip(effects, 0.0, 1.0)


def _absorb(q: np.ndarray | sp.csr_matrix, r: np.ndarray, keep: np.ndarray) -> float:
    """Absorption probability into conversion from start (index 0) on the kept transient states."""
    idx = np.flatnonzero(keep)
    if sp.issparse(q):
        a = sp.identity(len(idx), format="csc") - q[idx][:, idx].tocsc()
        return float(spla.spsolve(a, r[idx])[0])
    sub = q[np.ix_(idx, idx)]
    if len(idx) > _DENSE_SOLVE:  # higher orders: few transitions per state, sparse LU is faster
        a = sp.identity(len(idx), format="csc") - sp.csc_matrix(sub)
        return float(spla.spsolve(a, r[idx])[0])
    return float(np.linalg.solve(np.eye(len(idx)) - sub, r[idx])[0])


def markov_shares(journeys: Journeys, order: int = 1, journey_weight: np.ndarray | None = None,
                  chain: Chain | None = None) -> np.ndarray:
    """Credit share of each channel (removal effects normalised to sum 1; zeros if none)."""
    if journeys.touches.n_journeys == 0:
        return np.zeros(journeys.n_channels)
    if chain is None:
        chain = transition_chain(journeys, order, with_journeys=journey_weight is not None)
    return chain_shares(chain, journey_weight)


def chain_shares(chain: Chain, journey_weight: np.ndarray | None = None) -> np.ndarray:
    """Removal effects of a chain normalised to sum 1 (zeros if none)."""
    _, effects = removal_effects(chain, journey_weight)
    total = effects.sum()
    return effects / total if total > 0 else np.zeros_like(effects)
