"""Where a company's attribution runs: in memory (pandas) or in the engine (SQL), decided once.

:func:`touches_for` looks at the params' touchpoints entries: Parquet files or a DuckDB database
and query run in DuckDB, ``sql:`` queries on PostgreSQL are pushed down to that database (:mod:`.sql`:
journeys, transition counts and rule sums in SQL, Python sees aggregates only); CSV/xlsx files stay
on the in-memory path (:func:`.crm.prepare_touchpoints`, :mod:`.engine`). Both objects answer the
same three calls the attribution review makes (``attribute_all``, ``attribute``, ``bootstrap``)
with the same results (to 1e-9; the bootstrap draws the same replicates: journeys in the same
order, see :func:`.sql.bootstrap_sql`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import attribute as _attribute, attribute_all as _attribute_all, bootstrap as _bootstrap
from .crm import prepare_touchpoints
from .sql import attribute_sql, attribute_sql_frames, bootstrap_sql

#: the touchpoints column that keeps the export order (ties, the journeys' order) in the engine
_ROW = "_row"


@dataclass
class InMemory:
    """Touchpoints prepared in pandas (:func:`.crm.prepare_touchpoints`)."""

    touches: pd.DataFrame
    #: why the engine path was not taken
    reason: str = ""
    path: str = "memory"

    def attribute_all(self, outcomes: pd.DataFrame, models: Iterable[str], **options) -> pd.DataFrame:
        return _attribute_all(self.touches, outcomes, models, **options)

    def attribute(self, outcomes: pd.DataFrame, model: str, **options) -> pd.DataFrame:
        return _attribute(self.touches, outcomes, model, **options)

    def bootstrap(self, outcomes: pd.DataFrame, model: str, **options) -> pd.DataFrame:
        return _bootstrap(self.touches, outcomes, model, **options)


@dataclass
class InEngine:
    """Touchpoints read where they lie (DuckDB, or pushed down to PostgreSQL); outcomes (one row per
    lead) are handed to the engine."""

    relation: Any  # inputs.engine.EngineRelation
    reason: str = ""
    #: outcomes handed to the engine, by frame: the review passes the same frame to two calls
    _handed: dict[int, tuple[pd.DataFrame, str]] = field(default_factory=dict, repr=False)

    @property
    def path(self) -> str:
        return self.relation.dialect

    def _outcomes(self, outcomes: pd.DataFrame) -> str:
        """The outcomes in the engine, once per frame (one changed in place afterwards is not handed over
        again: pass a new frame); ids as the text the touchpoints' ids are."""
        known = self._handed.get(id(outcomes))
        if known is not None and known[0] is outcomes:  # the frame is kept, so its id is not reused
            return known[1]
        name = self.relation.register(outcomes.assign(lead_id=outcomes["lead_id"].astype("string").astype(object)))
        self._handed[id(outcomes)] = (outcomes, name)
        return name

    def attribute_all(self, outcomes: pd.DataFrame, models: Iterable[str], **options) -> pd.DataFrame:
        return attribute_sql(self.relation.con, self.relation.relation, self._outcomes(outcomes), models,
                             order_by=_ROW, **options)

    def attribute(self, outcomes: pd.DataFrame, model: str, **options) -> pd.DataFrame:
        return attribute_sql_frames(self.relation.con, self.relation.relation, self._outcomes(outcomes), [model],
                                    order_by=_ROW, **options)[model]

    def bootstrap(self, outcomes: pd.DataFrame, model: str, **options) -> pd.DataFrame:
        return bootstrap_sql(self.relation.con, self.relation.relation, self._outcomes(outcomes), model,
                             order_by=_ROW, outcome_order="_pos", **options)

    def close(self) -> None:
        self.relation.close()


def touches_for(ds: Any, *, channels: Iterable[str] | None = None, engine: str = "auto") -> InMemory | InEngine:
    """The attribution's touchpoints of dataset ``ds`` (:class:`~cmo_workbook.inputs.loaders.Dataset`).

    ``engine``: ``auto`` (DuckDB when every touchpoints entry is Parquet or DuckDB, PostgreSQL when
    they are ``sql:`` queries on one PostgreSQL database, and SQL reads the columns as the loader
    does, see :mod:`cmo_workbook.inputs.engine`), ``memory`` or ``engine`` (refuse with the reason
    when no engine can take the entries). ``channels``: the params'
    channel order for the in-memory categories (the results are sorted by channel either way).
    Touchpoints the loader kept in the engine (``ds.engine``) are attributed on its relation; ``memory``
    reads them into pandas then.
    """
    from ..inputs.engine import touchpoints_relation

    if engine not in ("auto", "memory", "engine"):
        raise ValueError(f"engine must be auto, memory or engine (got {engine!r})")
    reason = "the in-memory path was asked for"
    held = getattr(ds, "engine", {}).get("touchpoints")
    if held is not None:  # the loader kept them in the engine (validated there): attribute on the same relation
        if engine != "memory":
            return InEngine(held.relation)
        return InMemory(prepare_touchpoints(held.frame(), channels=channels, leads=ds.leads), reason=reason)
    if engine != "memory":
        rel = touchpoints_relation(ds.params)
        if not isinstance(rel, str) and "touchpoints" in ds.tables:
            # the loader read the same entries: the engine must see the same touches (a cheap guard)
            loaded = int(ds.touchpoints[["lead_id", "timestamp", "channel"]].notna().all(axis=1).sum())
            if loaded != rel.rows:
                rel.close()
                rel = f"the engine reads {rel.rows} complete touches, the loader {loaded}"
        if not isinstance(rel, str):
            return InEngine(rel)
        if engine == "engine":
            raise ValueError(f"the touchpoints cannot be attributed in the engine: {rel}")
        reason = rel
    return InMemory(prepare_touchpoints(ds.touchpoints, channels=channels, leads=ds.leads), reason=reason)
