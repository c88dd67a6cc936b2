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

    ts = _ns(touchpoints["timestamp"], "touchpoints", "timestamp")
    lead_code, lead_ids, lead_cat, ordered = _lead_codes(touchpoints["lead_id"], ts)
    if (lead_code < 0).any():
        _fail("touchpoints", "lead_id", lead_code < 0, touchpoints, "is missing",
              "every touch needs the lead (or account) it belongs to")
    chan_code, chan_names = _codes(touchpoints["channel"], sort=True)
    if (chan_code < 0).any():
        _fail("touchpoints", "channel", chan_code < 0, touchpoints, "is missing",
              "fill the channel or map the source to a channel before attribution")
    if (ts == _NO_TIME).any():
        _fail("touchpoints", "timestamp", ts == _NO_TIME, touchpoints, "is missing",
              "every touch needs a timestamp")

    # Sort once by (lead, time); exports are usually already in this order.
    if not ordered and not _is_sorted(np.diff(lead_code), ts):
        order = np.lexsort((ts, lead_code))
        lead_code, chan_code, ts = lead_code[order], chan_code[order], ts[order]

    per_lead = _outcomes_per_lead(outcomes, lead_ids, lead_cat, touchpoints["lead_id"], lead_code)
    conv_l, value_l, cut_l = per_lead["converted"], per_lead["value"], per_lead["cutoff"]

    keep = ts <= cut_l[lead_code]
    if lookback_days is not None:
        # The reference is the cut-off, or the journey's last touch when there is none (then the cut-off
        # dropped nothing): known before filtering, so both filters drop their touches in one pass.
        last_ts = np.full(len(cut_l), _NO_TIME, dtype=np.int64)
        last_ts[lead_code] = ts  # in time order within each lead: the last write per lead wins
        ref = np.where(conv_l & (cut_l != _NO_TIME), cut_l, last_ts)
        ref -= np.int64(round(lookback_days * NS_PER_DAY))  # per lead: one subtraction, not one per touch
        keep &= ts >= ref[lead_code]
    if not keep.all():
        lead_code, chan_code, ts = lead_code[keep], chan_code[keep], ts[keep]

    if len(lead_code):
        bounds = np.flatnonzero(lead_code[1:] != lead_code[:-1]) + 1  # journeys are contiguous runs
        starts = np.concatenate((np.zeros(1, dtype=np.int64), bounds))
    else:
        starts = np.zeros(0, dtype=np.int64)
    lengths = np.diff(np.append(starts, len(lead_code)))
    touches = _touches(chan_code.astype(np.int64, copy=False), ts, lengths)
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
    the codes: no text is hashed per row, which keeps a million text lead ids fast. Its
    codes stay in their small integer type (callers widen them when they need to).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        cats = values.cat.categories
        present = codes if not len(codes) or codes.min() >= 0 else codes[codes >= 0]
        used = np.flatnonzero(np.bincount(present, minlength=len(cats)))  # as factorize: observed only
        if sort:
            used = used[np.argsort(np.asarray(cats[used], dtype=object), kind="stable")]
        if len(used) == len(cats) and (used == np.arange(len(cats))).all():
            return codes, cats
        new_code = np.full(len(cats) + 1, -1, dtype=codes.dtype)  # last slot: missing (-1) stays -1
        new_code[used] = np.arange(len(used))
        return new_code[codes], cats[used]
    codes, uniques = pd.factorize(values, sort=sort)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


#: ``lead_cat`` of :func:`_lead_codes` when the lead code is the category code itself
BY_CATEGORY = "by category"


def _lead_codes(values: pd.Series, ts: np.ndarray) -> tuple[np.ndarray, pd.Index, np.ndarray | str | None, bool]:
    """Lead code per touch (-1: missing), the leads, how codes relate to categories, and whether
    the touches are already in journey order (grouped by lead, each in time order).

    Journeys are numbered by first appearance. Plain ids are factorized. A categorical column
    whose rows come grouped by lead, each lead in one run in time order (what
    :func:`.crm.prepare_touchpoints` hands over), keeps its category codes as lead codes
    (``lead_cat`` = :data:`BY_CATEGORY`, the leads are all categories): the runs already are the
    journeys in order, and outcomes over the same categories match without a lookup. Otherwise
    the codes are renumbered by first appearance and ``lead_cat`` gives each lead's category.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = pd.factorize(values, sort=False)  # first appearance already
        return codes.astype(np.int64, copy=False), pd.Index(uniques), None, False
    raw = values.cat.codes.to_numpy()  # int8/16/32: indexes as it is, no int64 copy
    n_cats = len(values.cat.categories)
    # Rows grouped by lead (what prepare_touchpoints hands over): the runs give the order.
    new_run = np.concatenate(([True], raw[1:] != raw[:-1])) if len(raw) else np.zeros(0, dtype=bool)
    run_start = np.flatnonzero(new_run)
    used = raw[run_start]
    used = used[used >= 0]
    if (np.bincount(used, minlength=n_cats) > 1).any():  # a lead in several runs: first row decides
        valid = np.flatnonzero(raw >= 0)
        first = np.full(n_cats, len(raw), dtype=np.int64)
        first[raw[valid[::-1]]] = valid[::-1]  # reversed: the earliest row writes last and wins
        used = np.flatnonzero(first < len(raw))
        used = used[np.argsort(first[used], kind="stable")]
    elif len(raw) < 2 or bool((new_run[1:] | (ts[1:] >= ts[:-1])).all()):
        return raw, values.cat.categories, BY_CATEGORY, True
    rank = np.full(n_cats + 1, -1, dtype=np.int64)  # last slot: missing (-1) stays -1
    rank[used] = np.arange(len(used))
    return rank[raw], values.cat.categories[used], used, False


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


def _shared_codes(lead_ids: pd.Index, lead_cat: np.ndarray | str | None, touch_ids: pd.Series,
                  outcome_ids: pd.Series) -> tuple[np.ndarray | None, np.ndarray, int]:
    """Touch leads and outcome rows in one code space: (touch lead codes, outcome codes, size).

    Categorical ids over the same leads (``prepare_touchpoints(..., leads=)`` and
    ``outcomes_from_crm``) share their codes: no text is hashed. Otherwise one hashing pass
    over the distinct touch leads and the outcome ids matches the two tables. The touch lead
    codes are None when they are the category codes (:data:`BY_CATEGORY`).
    """
    if lead_cat is not None and isinstance(outcome_ids.dtype, pd.CategoricalDtype):
        t_cats, o_cats = touch_ids.cat.categories, outcome_ids.cat.categories
        short, long_ = (t_cats, o_cats) if len(t_cats) <= len(o_cats) else (o_cats, t_cats)
        if short is long_ or _same_start(short, long_):  # one list of leads extends the other
            return (None if lead_cat is BY_CATEGORY else lead_cat,
                    outcome_ids.cat.codes.to_numpy().astype(np.int64), len(long_))
    if lead_cat is BY_CATEGORY:  # matched by text below: the leads are the categories
        lead_cat = np.arange(len(lead_ids))
    both, _ = pd.factorize(pd.concat([pd.Series(lead_ids), pd.Series(pd.Index(outcome_ids))], ignore_index=True))
    n_codes = int(both.max()) + 1 if len(both) else 0
    return both[:len(lead_ids)], both[len(lead_ids):], n_codes


def _same_start(short: pd.Index, long_: pd.Index) -> bool:
    """``long_`` begins with ``short`` (same values, same order): numpy's elementwise test, no Index copy."""
    if short.dtype != long_.dtype:
        return short.equals(long_[:len(short)])
    a, b = np.asarray(short), np.asarray(long_)[:len(short)]
    return a.dtype == b.dtype and bool(np.array_equal(a, b))


def _outcomes_per_lead(outcomes: pd.DataFrame, lead_ids: pd.Index, lead_cat: np.ndarray | str | None,
                       touch_ids: pd.Series, lead_code: np.ndarray) -> dict[str, np.ndarray]:
    """Outcome arrays per lead code (``lead_code``: each touch's), plus outcome totals."""
    t_code, o_code, n_codes = _shared_codes(lead_ids, lead_cat, touch_ids, outcomes["lead_id"])
    seen = np.bincount(o_code[o_code >= 0], minlength=n_codes)
    if (seen > 1).any():
        ids = pd.Index(outcomes["lead_id"])
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

    n_leads, n_out = len(lead_ids), len(outcomes)
    in_code_order = len(o_code) == n_codes and bool((o_code == np.arange(n_codes)).all())
    if t_code is None and in_code_order:
        pos = None  # lead code = category code = outcome row (codes beyond the outcomes: no row)
        matched = len(lead_code) > 0 and int(lead_code.min()) < n_out
    else:
        if t_code is None:
            t_code = np.arange(n_leads)
        if in_code_order:
            pos = t_code  # outcome rows in code order (outcomes_from_crm): the code is the row
        else:
            row_of = np.full(n_codes + 1, -1, dtype=np.int64)
            ok = o_code >= 0
            row_of[o_code[ok]] = np.flatnonzero(ok)
            pos = np.where(t_code >= 0, row_of[t_code], -1)
        matched = bool((pos[lead_code] >= 0).any()) if lead_cat is BY_CATEGORY else bool((pos >= 0).any())
    if n_out and len(lead_code) and not matched:
        raise DataError(Problem(
            "outcomes", f"no lead_id of touchpoints (e.g. {_plain(lead_ids[lead_code[0]])!r}) occurs in outcomes "
            f"(e.g. {_plain(pd.Index(outcomes['lead_id'])[0])!r})", column="lead_id",
            fix="use the same id column and type (text vs number) in both tables"))

    def take(arr: np.ndarray, fill: object) -> np.ndarray:
        """``arr`` per lead code; leads without an outcome row get ``fill``."""
        if pos is None:  # the first n_leads rows, padded for leads beyond the outcomes
            if n_leads <= len(arr):
                return arr[:n_leads]
            return np.concatenate((arr, np.full(n_leads - len(arr), fill, dtype=arr.dtype)))
        return np.append(arr, np.array([fill], dtype=arr.dtype))[pos]  # pos -1: the appended slot

    result = {
        "converted": take(conv, False),
        "value": take(value, 0.0),
        "cutoff": take(cutoff.astype(np.int64), _NO_TIME),
        "outcome_pos": (np.where(np.arange(n_leads) < n_out, np.arange(n_leads), -1) if pos is None
                        else pos.astype(np.int64, copy=False)),
        "outcome_converted": conv,
        "outcome_value": value,
    }
    for col in MILESTONE_COLUMNS:
        if col in outcomes.columns:
            result[col] = take(_cutoffs(outcomes[col], col), _NO_TIME)
        else:
            result[col] = np.full(n_leads, _NO_TIME, dtype=np.int64)
    return result


def _cutoffs(dates: pd.Series, column: str) -> np.ndarray:
    """Dates as int64 ns cut-offs; date-only columns count until the end of the day."""
    ns = _ns(dates, "outcomes", column)
    present = ns != _NO_TIME
    if not present.any() or ns[int(np.argmax(present))] % NS_PER_DAY:  # the first date has a time: not date-only
        return ns
    if (ns[present] % NS_PER_DAY == 0).all():
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
