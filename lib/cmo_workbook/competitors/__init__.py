"""Competitor briefing: prices, messaging, relevance of observations and implications for us.

Typical flow in a notebook::

    obs = normalise_competitors(obs, cfg["list"])
    events = merge_duplicates(obs)
    scored = score_observations(events, own_segments=..., own_products=..., priorities=..., as_of=...)
    changes = price_changes(normalise_competitors(prices, cfg["list"]), fx=cfg["fx"], vat=vat)
    items = pd.concat([price_change_items(changes, cfg["own_products"]), scored])
    notes = implications(items, cfg["implication_rules"], own_segments=cfg["own_segments"], lang="de")
    gaps = quiet_competitors(obs, cfg["list"], as_of=...)
"""
from __future__ import annotations

from .implications import check_rules, implications, price_change_items, quiet_competitors
from .messaging import key_terms, messaging_changes, summarise_messaging_changes
from .names import alias_map, competitor_entries, normalise_competitors, unknown_competitors
from .prices import (
    own_prices_frame,
    price_changes,
    price_index,
    price_index_by_product,
    promotions,
    to_net_eur,
    vat_fraction,
)
from .relevance import merge_duplicates, score_observations, text_similarity
from .templates import make_observation_template, template_bytes

__all__ = sorted([
    "alias_map", "check_rules", "competitor_entries", "implications", "key_terms", "make_observation_template",
    "merge_duplicates", "messaging_changes", "normalise_competitors", "own_prices_frame", "price_change_items",
    "price_changes", "price_index", "price_index_by_product", "promotions", "quiet_competitors",
    "score_observations", "summarise_messaging_changes", "template_bytes", "text_similarity", "to_net_eur",
    "unknown_competitors", "vat_fraction",
])
