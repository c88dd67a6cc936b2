"""Synthetic journeys whose causal effect per channel is known (benchmarks and tests).

Each journey touches every channel independently with its ``REACH`` probability (at least
one channel; 1-2 touches per channel, ordered by the channel's typical ``STAGE`` plus noise).
It converts with probability ``sigmoid(BASE + sum of LIFT over the channels present)``: the
presence of a channel lifts the log-odds by its ``LIFT``, whatever the order or the number
of touches. ``paid_social`` and ``display`` reach many journeys but convert few; ``display``
even lowers the odds; ``events`` reach few and lift a lot.

The truth: a channel's incremental conversions are the expected conversions lost if it were
taken out of every journey that has it, ``sum over those journeys of p(set) - p(set - c)``,
computed from the known model (not from the random draws); the true incremental share is
that divided by the sum over channels (negative for ``display``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CHANNELS = ("direct", "display", "email", "events", "organic", "paid_search", "paid_social")
REACH = np.array([0.30, 0.45, 0.25, 0.05, 0.40, 0.30, 0.65])
LIFT = np.array([0.30, -0.40, 0.60, 1.50, 0.40, 0.70, 0.05])
STAGE = np.array([0.8, 0.2, 0.6, 0.5, 0.4, 0.7, 0.1])  # 0 = opens journeys, 1 = closes them
BASE = -3.4
NS_DAY = 86_400 * 10**9


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def true_shares(presence: np.ndarray) -> np.ndarray:
    """True incremental share of each channel for a presence matrix (journeys x channels)."""
    logit = BASE + presence @ LIFT
    p = _sigmoid(logit)
    inc = np.array([(presence[:, c] * (p - _sigmoid(logit - LIFT[c]))).sum() for c in range(len(CHANNELS))])
    return inc / inc.sum()


def generate(n_journeys: int, seed: int = 7, *, text_ids: bool = False, untouched: float = 0.0
             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """``touchpoints``, ``outcomes`` (the attribution's input shape) and the true shares per channel.

    ``text_ids``: lead ids and channels as text, as in a CRM export (``L-0000001``);
    ``untouched``: share of extra converted leads without any touch (offline deals).
    """
    rng = np.random.default_rng(seed)
    k = len(CHANNELS)
    presence = rng.random((n_journeys, k)) < REACH
    empty = ~presence.any(axis=1)
    presence[np.flatnonzero(empty), rng.choice(k, size=int(empty.sum()), p=REACH / REACH.sum())] = True
    per_channel = np.where(presence, 1 + (rng.random((n_journeys, k)) < 0.4), 0)
    lengths = per_channel.sum(axis=1)
    jid = np.repeat(np.arange(n_journeys), lengths)
    code = np.repeat(np.tile(np.arange(k), n_journeys), per_channel.ravel())
    order = np.lexsort((STAGE[code] + rng.normal(0.0, 0.25, len(code)), jid))
    code = code[order]
    starts = np.zeros(n_journeys, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])

    gap = (rng.exponential(3.0, len(code)) * NS_DAY).astype(np.int64)
    gap[starts] = rng.integers(0, 270, n_journeys) * NS_DAY
    csum = np.cumsum(gap)
    ts = csum - np.repeat(csum[starts] - gap[starts], lengths) + np.datetime64("2025-01-01", "ns").astype(np.int64)

    converted = rng.random(n_journeys) < _sigmoid(BASE + presence @ LIFT)
    value = np.where(converted, np.round(rng.lognormal(9.5, 0.7, n_journeys), 2), 0.0)
    last = ts[starts + lengths - 1]
    nat = np.iinfo(np.int64).min
    conv_ts = np.where(converted, last + rng.integers(0, 3 * 86_400, n_journeys) * 10**9, nat)
    lead_ts = ts[starts] + 3_600 * 10**9
    opp_ts = np.where(converted, ts[starts + (lengths - 1) // 2], nat)
    extra = int(round(n_journeys * untouched))
    ids = np.arange(n_journeys + extra)
    touchpoints = pd.DataFrame({"lead_id": jid, "timestamp": ts.view("datetime64[ns]"),
                                "channel": pd.Categorical.from_codes(code, categories=list(CHANNELS))})
    outcomes = pd.DataFrame({
        "lead_id": ids,
        "converted": np.concatenate((converted, np.ones(extra, dtype=bool))),
        "value": np.concatenate((value, np.full(extra, 10_000.0))),
        "conversion_date": np.concatenate((conv_ts, np.full(extra, ts[0]))).view("datetime64[ns]"),
        "lead_created_date": np.concatenate((lead_ts, np.full(extra, ts[0]))).view("datetime64[ns]"),
        "opportunity_date": np.concatenate((opp_ts, np.full(extra, ts[0]))).view("datetime64[ns]"),
    })
    if text_ids:
        names = np.char.add("L-", np.char.zfill(ids.astype(str), 7))
        touchpoints["lead_id"] = names[jid].astype(object)
        touchpoints["channel"] = touchpoints["channel"].astype(str)
        outcomes["lead_id"] = pd.array(names, dtype="string")  # what outcomes_from_crm hands over
    return touchpoints, outcomes, pd.Series(true_shares(presence), index=list(CHANNELS), name="truth")
