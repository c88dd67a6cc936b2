"""Marketing attribution for the quarterly review: rule-based, Markov and Shapley.

Models (:data:`MODELS`): nine rule-based ones (:mod:`.rules`, including ``distinct_linear``,
the even split over a journey's distinct channels that used to be called Shapley), Markov
chains of order 1-3 with exact removal effects (``markov``, ``markov_2``, ``markov_3``:
states = the last k channels, :mod:`.markov`) and the conversion-rate Shapley value
(``shapley``, exact over all coalitions of up to 16 channels, :mod:`.shapley`). The data-driven
models learn from non-converting journeys too.

Inputs:

* ``touchpoints``: ``lead_id``, ``timestamp`` (datetime), ``channel`` (optional ``campaign``
  is ignored here).
* ``outcomes``: one row per lead: ``lead_id``, ``converted`` (bool), ``value`` (float,
  0 when not converted), ``conversion_date`` (datetime or NaT); optional milestone dates
  ``lead_created_date`` and ``opportunity_date`` for ``w_shaped`` / ``full_path``.

Every model credits exactly the total conversions and total value of converted leads
(checked on every call). Converted leads without a touch (after the lookback and
after-conversion filters) go to the ``(no touchpoint)`` row by default, or are left
out with ``no_touchpoint="exclude"``. See :mod:`.journeys`, :mod:`.rules`,
:mod:`.markov` and :mod:`.shapley` for each convention.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .bootstrap import bootstrap, model_spread
from .engine import DATA_DRIVEN_MODELS, MODELS, NO_TOUCHPOINT, CompiledModel, check_totals, credit_frame, split_options
from .journeys import prepare

__all__ = ["DATA_DRIVEN_MODELS", "MODELS", "NO_TOUCHPOINT", "MIN_CONVERSIONS", "attribute", "attribute_all", "bootstrap",
           "model_spread", "reliability"]

#: fewer conversions than this make data-driven models (markov, shapley) unreliable
MIN_CONVERSIONS = 100


def attribute(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, model: str = "linear", *,
              lookback_days: float | None = None, half_life_days: float = 7.0,
              direct_channels: Iterable[str] = ("direct",),
              position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
              w_weights: tuple[float, float, float, float] = (0.3, 0.3, 0.3, 0.1),
              full_path_weights: tuple[float, float, float, float, float] = (0.225, 0.225, 0.225, 0.225, 0.1),
              no_touchpoint: str = "row") -> pd.DataFrame:
    """Credit conversions and value to channels with one ``model`` (see :data:`MODELS`).

    Returns a frame indexed by ``channel`` (sorted) with float columns ``conversions``
    (fractional) and ``value``; both columns sum to the totals of converted leads.
    """
    options = dict(lookback_days=lookback_days, half_life_days=half_life_days,
                   direct_channels=direct_channels, position_weights=position_weights,
                   w_weights=w_weights, full_path_weights=full_path_weights, no_touchpoint=no_touchpoint)
    return _frames(touchpoints, outcomes, (model,), options)[model]


def attribute_all(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, models: Iterable[str] = MODELS, *,
                  measure: str = "value", **options) -> pd.DataFrame:
    """Attributed ``measure`` (``value`` or ``conversions``) per channel (rows) and model (columns).

    The journeys are prepared once and shared by all models; ``options`` are the
    keyword options of :func:`attribute`.
    """
    if measure not in ("value", "conversions"):
        raise ValueError(f"measure must be 'value' or 'conversions' (got {measure!r})")
    frames = _frames(touchpoints, outcomes, tuple(models), options)
    table = pd.DataFrame({m: f[measure] for m, f in frames.items()})
    table.columns.name = "model"
    return table


def _frames(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, models: tuple[str, ...],
            options: dict) -> dict[str, pd.DataFrame]:
    lookback, no_touch, model_opts = split_options(options)
    journeys = prepare(touchpoints, outcomes, lookback_days=lookback)
    frames = {}
    for model in models:
        conv, value = CompiledModel(journeys, model, model_opts).credits()
        frame = credit_frame(journeys, conv, value, no_touch)
        check_totals(frame, journeys, model, no_touch)
        frames[model] = frame
    return frames


def reliability(outcomes: pd.DataFrame, *, min_conversions: int = MIN_CONVERSIONS) -> dict:
    """Whether data-driven models (markov, shapley) rest on enough conversions.

    Returns ``{"n": conversions, "reliable": bool, "reason_en": str, "reason_de": str}``.
    """
    if "converted" not in outcomes.columns:
        raise ValueError(f"outcomes lacks the column 'converted'; it has: {', '.join(map(str, outcomes.columns))}")
    n = int(outcomes["converted"].fillna(False).astype(bool).sum())
    ok = n >= min_conversions
    if ok:
        en = f"{n} conversions: enough (at least {min_conversions}) for data-driven attribution."
        de = f"{n} Abschlüsse: genug (mindestens {min_conversions}) für datengetriebene Attribution."
    else:
        en = (f"Only {n} conversions; data-driven attribution (Markov, Shapley) needs at least "
              f"{min_conversions} to be reliable: read it as indicative, rely on the rule-based models.")
        de = (f"Nur {n} Abschlüsse; datengetriebene Attribution (Markov, Shapley) braucht mindestens "
              f"{min_conversions}, um belastbar zu sein: nur als Tendenz lesen, regelbasierte Modelle nutzen.")
    return {"n": n, "reliable": ok, "reason_en": en, "reason_de": de}
