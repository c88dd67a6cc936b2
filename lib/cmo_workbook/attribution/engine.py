"""Turns prepared journeys into channel credits for any model.

A :class:`CompiledModel` does the model's heavy part once (touch weights, transition
pairs, channel-set masks) so that :mod:`.bootstrap` can re-weight journeys cheaply.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .journeys import Journeys
from .markov import markov_shares, transition_chain
from .rules import RULE_MODELS, touch_weights
from .shapley import channel_masks, rate_shapley

#: Markov models by name: order of the chain (states = the last k channels)
MARKOV_ORDERS = {"markov": 1, "markov_2": 2, "markov_3": 3}
DATA_DRIVEN_MODELS = (*MARKOV_ORDERS, "shapley")
MODELS = RULE_MODELS + DATA_DRIVEN_MODELS
#: row that carries converted leads without any touch (so totals match controlling)
NO_TOUCHPOINT = "(no touchpoint)"
NO_TOUCHPOINT_CHOICES = ("row", "exclude")
MODEL_OPTIONS = ("half_life_days", "direct_channels", "position_weights", "w_weights", "full_path_weights")


@dataclass
class CompiledModel:
    """A model bound to one set of journeys; call :meth:`credits` with journey weights."""

    journeys: Journeys
    model: str
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown attribution model {self.model!r}; expected one of {', '.join(MODELS)}")
        unknown = set(self.options) - set(MODEL_OPTIONS)
        if unknown:
            raise TypeError(f"unknown attribution option(s) {', '.join(sorted(unknown))}; "
                            f"expected lookback_days, no_touchpoint or {', '.join(MODEL_OPTIONS)}")
        j = self.journeys
        self.conv_value = j.value[j.converted_ids]
        if self.model in RULE_MODELS:
            ct = j.converted_touches
            w = touch_weights(ct, self.model, channels=j.channels, lead_pos=j.converted_lead_pos,
                              opp_pos=j.converted_opp_pos, **self.options)
            self._touch_w = w
        elif self.model in MARKOV_ORDERS:
            self._chain = None  # built on first use: plain or with journey ids
        else:  # conversion-rate Shapley: channel sets of all journeys
            self._masks, self._present = channel_masks(j.touches, j.n_channels, j.channels)

    @property
    def needs_non_converters(self) -> bool:
        """Markov and Shapley learn from non-converting journeys too (the bootstrap re-weights them)."""
        return self.model in DATA_DRIVEN_MODELS

    def journey_matrix(self) -> np.ndarray:
        """Rule-based models: credit share of each channel per converted journey (Jc x C)."""
        ct = self.journeys.converted_touches
        c = self.journeys.n_channels
        flat = np.bincount(ct.jid * c + ct.code, weights=self._touch_w, minlength=ct.n_journeys * c)
        return flat.reshape(ct.n_journeys, c)

    def credits(self, conv_weight: np.ndarray | None = None,
                all_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Conversions and value credited to each channel (touched journeys only).

        ``conv_weight``: multiplicity of each converted journey (default 1);
        ``all_weight``: multiplicity of every journey, used by Markov and Shapley only.
        """
        j = self.journeys
        wc = np.ones(len(j.converted_ids)) if conv_weight is None else conv_weight
        c = j.n_channels
        if self.model in RULE_MODELS:
            ct = j.converted_touches
            per_touch = self._touch_w * wc[ct.jid]
            conv = np.bincount(ct.code, weights=per_touch, minlength=c)
            value = np.bincount(ct.code, weights=per_touch * self.conv_value[ct.jid], minlength=c)
            return conv, value
        if self.model in MARKOV_ORDERS:
            if self._chain is None or (all_weight is not None and self._chain.pair_jid is None):
                self._chain = transition_chain(j, MARKOV_ORDERS[self.model], with_journeys=all_weight is not None)
            shares = markov_shares(j, journey_weight=all_weight, chain=self._chain)
            # a plain sum, not np.dot: BLAS threads a long dot product, and waking them costs more than the sum
            return shares * wc.sum(), shares * (wc * self.conv_value).sum()
        n = len(self._present)
        conv, value = np.zeros(c), np.zeros(c)
        if n:
            aw = np.ones(j.touches.n_journeys) if all_weight is None else all_weight
            conv[self._present], value[self._present] = rate_shapley(
                self._masks, j.converted, n, aw, [wc, wc * self.conv_value])
        return conv, value


def split_options(options: dict) -> tuple[float | None, str, dict]:
    """Separate journey options (lookback, no_touchpoint) from model options."""
    opts = dict(options)
    lookback = opts.pop("lookback_days", None)
    no_touch = opts.pop("no_touchpoint", "row")
    if no_touch not in NO_TOUCHPOINT_CHOICES:
        raise ValueError(f"no_touchpoint must be one of {NO_TOUCHPOINT_CHOICES} (got {no_touch!r})")
    for key in ("direct_channels",):
        if key in opts:
            opts[key] = tuple(opts[key])
    return lookback, no_touch, opts


def credit_frame(journeys: Journeys, conv: np.ndarray, value: np.ndarray, no_touchpoint: str,
                 untouched: tuple[float, float] | None = None) -> pd.DataFrame:
    """Channel-indexed result, with the ``(no touchpoint)`` row when there is one."""
    u_conv, u_val = untouched if untouched is not None else (journeys.untouched_conversions,
                                                              journeys.untouched_value)
    return channel_frame(journeys.channels, conv, value, no_touchpoint,
                         (u_conv, u_val) if journeys.untouched_conversions else None)


def channel_frame(channels: tuple[str, ...], conv: np.ndarray, value: np.ndarray, no_touchpoint: str,
                  untouched: tuple[float, float] | None) -> pd.DataFrame:
    """Credits per channel, sorted, plus the ``(no touchpoint)`` row when ``untouched`` is given."""
    names = list(channels)
    if no_touchpoint == "row" and untouched is not None:
        names.append(NO_TOUCHPOINT)
        conv, value = np.append(conv, untouched[0]), np.append(value, untouched[1])
    frame = pd.DataFrame({"conversions": np.asarray(conv, dtype=float), "value": np.asarray(value, dtype=float)},
                         index=pd.Index(names, name="channel", dtype="str"))
    return frame.sort_index()


def check_totals(frame: pd.DataFrame, journeys: Journeys, model: str, no_touchpoint: str) -> None:
    """Every model must hand out exactly the conversions and value it was given."""
    conv_total = float(journeys.converted.sum())
    value_total = float(journeys.value.sum())
    if no_touchpoint == "row":
        conv_total += journeys.untouched_conversions
        value_total += journeys.untouched_value
    check_frame_totals(frame, conv_total, value_total, model)


def check_frame_totals(frame: pd.DataFrame, conv_total: float, value_total: float, model: str) -> None:
    """``frame`` hands out ``conv_total`` conversions and ``value_total`` value (1e-9 relative)."""
    for col, total in (("conversions", conv_total), ("value", value_total)):
        got = float(frame[col].sum())
        if abs(got - total) > 1e-9 * max(1.0, abs(total)):
            raise RuntimeError(f"attribution model {model!r} credited {got!r} {col} but the journeys "
                               f"hold {total!r}; this is a bug in cmo_workbook.attribution")
