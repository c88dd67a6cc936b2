"""Journey preparation shared by every attribution model.

One pass turns the ``touchpoints`` and ``outcomes`` frames into flat numpy arrays:
touches sorted by (lead, timestamp) with integer channel codes, journey boundaries
and per-journey outcome data. Every model works on these arrays, never on rows.

Conventions (documented for the memo's method note):

* A touch counts when ``timestamp <= conversion_date``; touches after the conversion
  are dropped. When every conversion date of the frame lies at midnight (a date-only
  CRM export), the whole conversion day counts (cut-off = end of that day).
* ``lookback_days`` keeps touches with ``timestamp >= reference - lookback_days``;
  the reference is the conversion cut-off for converters and the journey's last touch
  for non-converters (and for converters without a conversion date).
* Leads that are only in ``touchpoints`` are non-converting journeys. Converted leads
  with no touch left after the filters are *untouched*: their count and value are kept
  apart (the ``(no touchpoint)`` row) so totals reconcile with controlling.
* Touches with the same lead and timestamp keep their input order.
* The milestone touch (lead creation, opportunity creation) is the last touch on or
  before the milestone date; same end-of-day rule as for conversions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

NS_PER_DAY = 86_400 * 10**9
_NO_TIME = np.iinfo(np.int64).max  # "no cut-off" marker for missing dates

TOUCH_COLUMNS = ("lead_id", "timestamp", "channel")
OUTCOME_COLUMNS = ("lead_id", "converted", "value", "conversion_date")
MILESTONE_COLUMNS = ("lead_created_date", "opportunity_date")


@dataclass(frozen=True)
class Touches:
    """Touches of a set of journeys, sorted by journey then time."""

    code: np.ndarray  # int64 channel code per touch
    ts: np.ndarray  # int64 ns per touch
    starts: np.ndarray  # int64 first touch index per journey
    lengths: np.ndarray  # int64 touches per journey

    @cached_property
    def jid(self) -> np.ndarray:
        """int64 journey index per touch (built on first use: Markov does without it)."""
        return np.repeat(np.arange(len(self.lengths), dtype=np.int64), self.lengths)

    @property
    def ends(self) -> np.ndarray:
        return self.starts + self.lengths

    @property
    def n_journeys(self) -> int:
        return len(self.starts)


@dataclass(frozen=True)
class Journeys:
    """All journeys of one attribution run (see module docstring for conventions)."""

    channels: tuple[str, ...]
    touches: Touches
    converted: np.ndarray  # bool per journey
    value: np.ndarray  # float per journey (0 when not converted)
    lead_created: np.ndarray  # int64 ns cut-off per journey, _NO_TIME when unknown
    opportunity: np.ndarray  # int64 ns cut-off per journey, _NO_TIME when unknown
    untouched_values: np.ndarray  # value of each converted lead without a touch

    @property
    def untouched_conversions(self) -> int:
        return len(self.untouched_values)

    @property
    def untouched_value(self) -> float:
        return float(self.untouched_values.sum())

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def total_conversions(self) -> float:
        """Conversions of touched journeys plus untouched converted leads."""
        return float(self.converted.sum()) + self.untouched_conversions

    @property
    def total_value(self) -> float:
        return float(self.value.sum()) + self.untouched_value

    @cached_property
    def converted_ids(self) -> np.ndarray:
        """Journey indices of converted journeys (ascending)."""
        return np.flatnonzero(self.converted)

    @cached_property
    def converted_touches(self) -> Touches:
        """Touches of converted journeys only, re-indexed 0..n_converted-1.

        Rule-based models and Shapley credit only converted journeys, so they run on
        this small subset instead of all touches.
        """
        t = self.touches
        keep = self.converted[t.jid]
        lengths = t.lengths[self.converted]
        return _touches(t.code[keep], t.ts[keep], lengths)

    @cached_property
    def converted_lead_pos(self) -> np.ndarray:
        """Index in ``converted_touches`` of each converted journey's lead-creation touch (-1: none)."""
        return _milestone_positions(self.converted_touches, self.lead_created[self.converted_ids])

    @cached_property
    def converted_opp_pos(self) -> np.ndarray:
        """Index in ``converted_touches`` of the opportunity-creation touch (-1: none)."""
        return _milestone_positions(self.converted_touches, self.opportunity[self.converted_ids])


def _touches(code: np.ndarray, ts: np.ndarray, lengths: np.ndarray) -> Touches:
    lengths = lengths.astype(np.int64, copy=False)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return Touches(code=code, ts=ts, starts=starts, lengths=lengths)


def prepare(touchpoints: pd.DataFrame, outcomes: pd.DataFrame, *,
            lookback_days: float | None = None) -> Journeys:
    """Validate the two frames and build the :class:`Journeys` arrays."""
    _check_columns(touchpoints, TOUCH_COLUMNS, "touchpoints")
    _check_columns(outcomes, OUTCOME_COLUMNS, "outcomes")
    if lookback_days is not None and not lookback_days > 0:
        raise ValueError(f"lookback_days must be a positive number of days or None (got {lookback_days!r})")

    lead_code, lead_ids, lead_cat = _lead_codes(touchpoints["lead_id"])
    if (lead_code < 0).any():
        _fail("touchpoints", "lead_id", lead_code < 0, touchpoints, "is missing",
              "every touch needs the lead (or account) it belongs to")
    chan_code, chan_names = _codes(touchpoints["channel"], sort=True)
    if (chan_code < 0).any():
        _fail("touchpoints", "channel", chan_code < 0, touchpoints, "is missing",
              "fill the channel or map the source to a channel before attribution")
    ts = _ns(touchpoints["timestamp"], "touchpoints", "timestamp")
    if (ts == _NO_TIME).any():
        _fail("touchpoints", "timestamp", ts == _NO_TIME, touchpoints, "is missing",
              "every touch needs a timestamp")
    lead_code = lead_code.astype(np.int64, copy=False)
    chan_code = chan_code.astype(np.int64, copy=False)

    # Sort once by (lead, time); exports are usually already in this order.
    step = np.diff(lead_code)  # kept for the journey bounds while no touch is reordered or dropped
    if not _is_sorted(step, ts):
        order = np.lexsort((ts, lead_code))
        lead_code, chan_code, ts = lead_code[order], chan_code[order], ts[order]
        step = None

    per_lead = _outcomes_per_lead(outcomes, lead_ids, lead_cat, touchpoints["lead_id"])
    conv_l, value_l, cut_l = per_lead["converted"], per_lead["value"], per_lead["cutoff"]

    keep = ts <= cut_l[lead_code]
    if lookback_days is not None:
        lead_code, chan_code, ts = lead_code[keep], chan_code[keep], ts[keep]
        step = None
        last_ts = np.full(len(lead_ids), _NO_TIME, dtype=np.int64)
        last_ts[lead_code] = ts  # sorted ascending: the last write per lead wins
        ref = np.where(conv_l & (cut_l != _NO_TIME), cut_l, last_ts)
        keep = ts >= ref[lead_code] - np.int64(round(lookback_days * NS_PER_DAY))
    if not keep.all():
        lead_code, chan_code, ts = lead_code[keep], chan_code[keep], ts[keep]
        step = None

    if len(lead_code):
        bounds = np.flatnonzero(np.diff(lead_code) if step is None else step) + 1
        starts = np.concatenate(([0], bounds)).astype(np.int64)
    else:
        starts = np.zeros(0, dtype=np.int64)
    lengths = np.diff(np.append(starts, len(lead_code)))
    touches = _touches(chan_code, ts, lengths)
    jlead = lead_code[starts]
    converted = conv_l[jlead]
    value = np.where(converted, value_l[jlead], 0.0)


    # Untouched = converted outcome rows whose lead has no journey left after the filters.
    has_journey = np.zeros(len(outcomes), dtype=bool)
    jpos = per_lead["outcome_pos"][jlead]
    has_journey[jpos[jpos >= 0]] = True
    untouched = per_lead["outcome_converted"] & ~has_journey
    return Journeys(
        channels=tuple(str(c) for c in chan_names),
        touches=touches,
        converted=converted,
        value=value,
        lead_created=per_lead["lead_created_date"][jlead],
        opportunity=per_lead["opportunity_date"][jlead],
        untouched_values=per_lead["outcome_value"][untouched],
    )


def _codes(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Integer code per row (-1: missing) and the distinct values.

    A categorical column (what :func:`.crm.prepare_touchpoints` hands over) already holds
    the codes: no text is hashed per row, which keeps a million text lead ids fast.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        cats = values.cat.categories
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(cats)))  # as factorize: observed only
        if sort:
            used = used[np.argsort(np.asarray(cats[used], dtype=object), kind="stable")]
        if len(used) == len(cats) and (used == np.arange(len(cats))).all():
            return codes, cats
        new_code = np.full(len(cats) + 1, -1, dtype=np.int64)  # last slot: missing (-1) stays -1
        new_code[used] = np.arange(len(used))
        return new_code[codes], cats[used]
    codes, uniques = pd.factorize(values, sort=sort)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def _lead_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
    """Lead code per touch (-1: missing) numbered by first appearance, the distinct leads and,
    for a categorical column, each lead's category position (to match outcomes by code)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = pd.factorize(values, sort=False)  # first appearance already
        return codes.astype(np.int64, copy=False), pd.Index(uniques), None
    raw = values.cat.codes.to_numpy()  # int8/16/32: indexes as it is, no int64 copy
    n_cats = len(values.cat.categories)
    # Rows grouped by lead (what prepare_touchpoints hands over): the runs give the order.
    run_start = np.flatnonzero(np.concatenate(([True], raw[1:] != raw[:-1]))) if len(raw) else raw
    used = raw[run_start]
    used = used[used >= 0]
    if (np.bincount(used, minlength=n_cats) > 1).any():  # a lead in several runs: first row decides
        valid = np.flatnonzero(raw >= 0)
        first = np.full(n_cats, len(raw), dtype=np.int64)
        first[raw[valid[::-1]]] = valid[::-1]  # reversed: the earliest row writes last and wins
        used = np.flatnonzero(first < len(raw))
        used = used[np.argsort(first[used], kind="stable")]
    rank = np.full(n_cats + 1, -1, dtype=np.int64)  # last slot: missing (-1) stays -1
    rank[used] = np.arange(len(used))
    return rank[raw], values.cat.categories[used], used


def _is_sorted(dl: np.ndarray, ts: np.ndarray) -> bool:
    """Touches in (lead, time) order; ``dl``: the steps of the lead codes (``np.diff``)."""
    if (dl < 0).any():
        return False
    return bool(((dl > 0) | (np.diff(ts) >= 0)).all())


def _milestone_positions(touches: Touches, milestone: np.ndarray) -> np.ndarray:
    """Index of the last touch at or before each journey's milestone, -1 when none."""
    if touches.n_journeys == 0:
        return np.zeros(0, dtype=np.int64)
    ok = (touches.ts <= milestone[touches.jid]) & (milestone[touches.jid] != _NO_TIME)
    idx = np.where(ok, np.arange(len(touches.ts), dtype=np.int64), -1)
    return np.maximum.reduceat(idx, touches.starts)


def _shared_codes(lead_ids: pd.Index, lead_cat: np.ndarray | None, touch_ids: pd.Series,
                  outcome_ids: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Touch leads and outcome rows in one code space: (touch lead codes, outcome codes, size).

    Categorical ids over the same leads (``prepare_touchpoints(..., leads=)`` and
    ``outcomes_from_crm``) share their codes: no text is hashed. Otherwise one hashing pass
    over the distinct touch leads and the outcome ids matches the two tables.
    """
    if lead_cat is not None and isinstance(outcome_ids.dtype, pd.CategoricalDtype):
        t_cats, o_cats = touch_ids.cat.categories, outcome_ids.cat.categories
        short, long_ = (t_cats, o_cats) if len(t_cats) <= len(o_cats) else (o_cats, t_cats)
        if short is long_ or short.equals(long_[:len(short)]):  # one list of leads extends the other
            return lead_cat, outcome_ids.cat.codes.to_numpy().astype(np.int64), len(long_)
    both, _ = pd.factorize(pd.concat([pd.Series(lead_ids), pd.Series(pd.Index(outcome_ids))], ignore_index=True))
    n_codes = int(both.max()) + 1 if len(both) else 0
    return both[:len(lead_ids)], both[len(lead_ids):], n_codes


def _outcomes_per_lead(outcomes: pd.DataFrame, lead_ids: pd.Index, lead_cat: np.ndarray | None,
                       touch_ids: pd.Series) -> dict[str, np.ndarray]:
    """Outcome arrays aligned to the touchpoints' lead codes, plus outcome totals."""
    ids = pd.Index(outcomes["lead_id"])
    t_code, o_code, n_codes = _shared_codes(lead_ids, lead_cat, touch_ids, outcomes["lead_id"])
    seen = np.bincount(o_code[o_code >= 0], minlength=n_codes)
    if (seen > 1).any():
        dup = _plain(ids[ids.duplicated()][0])
        raise DataError(Problem("outcomes", "appears more than once", column="lead_id", value=dup,
                                fix="keep one outcome row per lead (sum the values of several deals first)"))
    converted = outcomes["converted"]
    if converted.isna().any() or not (pd.api.types.is_bool_dtype(converted.dtype)):
        bad = converted.isna() | ~converted.isin([True, False])
        if bad.any():
            _fail("outcomes", "converted", bad.to_numpy(), outcomes, "is not true/false",
                  "set converted to True or False for every lead")
    conv = converted.astype(bool).to_numpy()
    value = pd.to_numeric(outcomes["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = conv & (np.isnan(value) | (value < 0))
    if bad.any():
        _fail("outcomes", "value", bad, outcomes, "is not a non-negative number",
              "give every converted lead its revenue (0 is allowed)")
    value = np.where(conv & ~np.isnan(value), value, 0.0)
    cutoff = np.where(conv, _cutoffs(outcomes["conversion_date"], "conversion_date"), _NO_TIME)

    if len(o_code) == n_codes and (o_code == np.arange(n_codes)).all():
        pos = t_code  # outcome rows in code order (outcomes_from_crm): the code is the row
    else:
        row_of = np.full(n_codes + 1, -1, dtype=np.int64)
        ok = o_code >= 0
        row_of[o_code[ok]] = np.flatnonzero(ok)
        pos = np.where(t_code >= 0, row_of[t_code], -1)
    if len(ids) and len(lead_ids) and (pos < 0).all():
        raise DataError(Problem(
            "outcomes", f"no lead_id of touchpoints (e.g. {_plain(lead_ids[0])!r}) occurs in outcomes "
            f"(e.g. {_plain(ids[0])!r})", column="lead_id",
            fix="use the same id column and type (text vs number) in both tables"))

    def take(arr: np.ndarray, fill: object) -> np.ndarray:
        """``arr`` per touch lead; leads without an outcome row (pos -1) get ``fill`` (the appended last slot)."""
        return np.append(arr, np.array([fill], dtype=arr.dtype))[pos]

    result = {
        "converted": take(conv, False),
        "value": take(value, 0.0),
        "cutoff": take(cutoff.astype(np.int64), _NO_TIME),
        "outcome_pos": pos.astype(np.int64, copy=False),
        "outcome_converted": conv,
        "outcome_value": value,
    }
    for col in MILESTONE_COLUMNS:
        if col in outcomes.columns:
            result[col] = take(_cutoffs(outcomes[col], col), _NO_TIME)
        else:
            result[col] = np.full(len(lead_ids), _NO_TIME, dtype=np.int64)
    return result


def _cutoffs(dates: pd.Series, column: str) -> np.ndarray:
    """Dates as int64 ns cut-offs; date-only columns count until the end of the day."""
    ns = _ns(dates, "outcomes", column)
    present = ns != _NO_TIME
    if present.any() and (ns[present] % NS_PER_DAY == 0).all():
        ns = np.where(present, ns + (NS_PER_DAY - 1), ns)
    return ns


def _ns(values: pd.Series, file: str, column: str) -> np.ndarray:
    """A datetime column as int64 nanoseconds; missing values become ``_NO_TIME``."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        if values.isna().all():
            return np.full(len(values), _NO_TIME, dtype=np.int64)
        raise DataError(Problem(file, f"has type {values.dtype}, expected datetime", column=column,
                                fix="convert it with pandas.to_datetime before attribution"))
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert(None)
    arr = values.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(arr)
    ns = arr.view(np.int64)
    if missing.any():
        ns = np.where(missing, _NO_TIME, ns)
    return ns


def _check_columns(df: pd.DataFrame, required: tuple[str, ...], name: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(Problem(name, f"lacks the column(s) {', '.join(missing)}; it has: "
                                f"{', '.join(map(str, df.columns))}",
                                fix=f"rename the columns to {', '.join(required)}"))


def _fail(file: str, column: str, bad: np.ndarray, df: pd.DataFrame, message: str, fix: str) -> None:
    rows = np.flatnonzero(bad)
    # Frames passed in are not files: name the index label instead of a spreadsheet row.
    problems = [Problem(file, f"{message} (index {df.index[r]!r})", column=column,
                        value=_plain(df[column].iloc[r]), fix=fix) for r in rows[:5]]
    if len(rows) > 5:
        problems.append(Problem(file, f"... and {len(rows) - 5} more rows like these", column=column))
    raise DataError(problems)


def _plain(value: object) -> object:
    """numpy scalars as Python values, so messages read 3 rather than np.int64(3)."""
    return value.item() if isinstance(value, np.generic) else value
