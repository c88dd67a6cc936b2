"""Competitor names: map the spellings colleagues type onto the canonical names in params.

Params list each competitor once (``competitors.list``)::

    - name: Hartmann Antriebe
      aliases: [Hartmann, Hartmann Antriebe GmbH]
      segments: [servo, gearboxes]

Matching ignores case, repeated blanks and a trailing legal form (``GmbH``, ``AG``,
``GmbH & Co. KG`` ...), so ``hartmann antriebe gmbh`` needs no alias of its own.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..errors import ParamsError

# Longest first so "GmbH & Co. KG" is removed as a whole, not just its "KG".
_LEGAL_FORMS = sorted(
    ["gmbh & co. kg", "gmbh & co kg", "gmbh", "ag", "se", "kg", "ohg", "ug", "e.k.", "ltd", "ltd.",
     "inc", "inc.", "llc", "s.a.", "sa", "s.r.l.", "srl", "b.v.", "bv", "oy", "ab", "a/s", "plc"],
    key=len, reverse=True,
)


def name_key(name: str) -> str:
    """Matching key of a company name: case-folded, blanks collapsed, legal form removed."""
    key = re.sub(r"\s+", " ", str(name)).strip().casefold().rstrip(",")
    for form in _LEGAL_FORMS:
        if key.endswith(" " + form):
            key = key[: -len(form) - 1].rstrip(" ,")
            break
    return key


def competitor_entries(competitors: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Competitor entries from params as a list of ``{name, aliases, segments}`` dicts.

    Accepts the list form shown in the module docstring or a mapping
    ``{name: {aliases: [...], segments: [...]}}``.
    """
    if isinstance(competitors, Mapping):
        items = [{"name": k, **(v or {})} for k, v in competitors.items()]
    else:
        items = [dict(c) for c in competitors]
    for i, item in enumerate(items):
        if not item.get("name"):
            raise ParamsError(
                f"competitors.list entry {i + 1} has no name; expected 'name: <canonical name>' in each entry"
            )
        item["aliases"] = [str(a) for a in (item.get("aliases") or [])]
        item["segments"] = [str(s) for s in (item.get("segments") or [])]
    return items


def alias_map(competitors: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> dict[str, str]:
    """Matching key -> canonical name, for every name and alias in params.

    Raises:
        ParamsError: the same alias is given for two competitors.
    """
    mapping: dict[str, str] = {}
    for entry in competitor_entries(competitors):
        for spelling in [entry["name"], *entry["aliases"]]:
            key = name_key(spelling)
            if mapping.get(key, entry["name"]) != entry["name"]:
                raise ParamsError(
                    f'competitors.list: alias "{spelling}" belongs to both "{mapping[key]}" and '
                    f'"{entry["name"]}"; keep it under one competitor only'
                )
            mapping[key] = entry["name"]
    return mapping


def normalise_competitors(
    df: pd.DataFrame, competitors: Iterable[Mapping[str, Any]] | Mapping[str, Any], *, column: str = "competitor"
) -> pd.DataFrame:
    """Return a copy of ``df`` with ``column`` replaced by the canonical competitor names.

    Names that match no competitor in params are kept (blanks tidied) so a newly
    observed competitor is not lost; list them with :func:`unknown_competitors`.
    """
    mapping = alias_map(competitors)
    out = df.copy()
    raw = out[column].astype("string")
    tidy = raw.str.replace(r"\s+", " ", regex=True).str.strip()
    out[column] = tidy.map(lambda v: v if pd.isna(v) else mapping.get(name_key(v), v)).astype("string")
    return out


def unknown_competitors(
    df: pd.DataFrame, competitors: Iterable[Mapping[str, Any]] | Mapping[str, Any], *, column: str = "competitor"
) -> list[str]:
    """Names in ``df[column]`` that match no competitor or alias in params (sorted)."""
    mapping = alias_map(competitors)
    names = df[column].dropna().astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    return sorted({n for n in names if name_key(n) not in mapping})
