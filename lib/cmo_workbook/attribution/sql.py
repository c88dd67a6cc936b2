"""Attribution computed in the database: journeys and counts in SQL, only aggregates reach Python.

:func:`attribute_sql` takes a connection and two relations (a table name, ``read_parquet('...')``
or a parenthesised query) with the columns of :func:`.journeys.prepare`: touchpoints ``lead_id``,
``timestamp``, ``channel`` (plus an optional tie-break column, ``order_by``) and outcomes
``lead_id``, ``converted``, ``value``, ``conversion_date`` (optional ``lead_created_date``,
``opportunity_date``). The SQL is plain (CTEs, window functions, ``VALUES``, ``bit_or``), so the
same text runs embedded in DuckDB and pushed down to PostgreSQL (any DB-API connection).

What the database returns, never a row per touch or journey:

* Markov: transitions of the repeat-collapsed paths counted by their context (the channel and the
  three before it, last step, converted): at most ``(C + 1)^3 * C * 4`` rows. The transition
  counts of order 1-3 are sums over that table; removal effects are solved exactly as in
  :mod:`.markov` (same chain, same linear algebra).
* Rule-based models: per channel the summed touch weights and weight x value of converted
  journeys, one column pair per model (the weights of :mod:`.rules` written in SQL).
* Conversion-rate Shapley: journeys, conversions and value per channel set (bitmask).

The conventions are those of :mod:`.journeys` (cut-off at the conversion, end of day for
date-only columns, lookback, untouched conversions); results equal the in-memory path to 1e-9
(tested). Touches at the same time are ordered by ``order_by`` (e.g. the export's row number;
without it by channel code): give it when ties must keep the export order as in pandas.
Timestamps have the database's resolution (microseconds), the in-memory path nanoseconds.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .engine import MARKOV_ORDERS, MODELS, check_frame_totals, channel_frame, split_options
from .markov import CONVERSION_KEY, NULL_KEY, START_KEY, Chain, chain_from_counts, chain_shares
from .rules import RULE_MODELS, _check_weights
from .shapley import check_channel_count, rate_shapley

END_OF_DAY_US = 86_400 * 10**6 - 1
_F = "DOUBLE PRECISION"


def attribute_sql(con: object, touchpoints: str, outcomes: str, models: Iterable[str] = MODELS, *,
                  measure: str = "value", order_by: str | None = None, **options) -> pd.DataFrame:
    """Attributed ``measure`` per channel (rows) and model (columns), like :func:`attribute_all`.

    ``con``: a DuckDB connection or any DB-API connection (e.g. psycopg to PostgreSQL);
    ``options``: those of :func:`.attribute` (lookback_days, no_touchpoint, model weights).
    """
    if measure not in ("value", "conversions"):
        raise ValueError(f"measure must be 'value' or 'conversions' (got {measure!r})")
    frames = attribute_sql_frames(con, touchpoints, outcomes, models, order_by=order_by, **options)
    table = pd.DataFrame({m: f[measure] for m, f in frames.items()})
    table.columns.name = "model"
    return table


def attribute_sql_frames(con: object, touchpoints: str, outcomes: str, models: Iterable[str] = MODELS, *,
                         order_by: str | None = None, **options) -> dict[str, pd.DataFrame]:
    """One frame per model (``conversions``, ``value`` by channel), as :func:`.attribute` returns."""
    models = tuple(models)
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown attribution model {unknown[0]!r}; expected one of {', '.join(MODELS)}")
    lookback, no_touch, opts = split_options(options)
    if lookback is not None and not lookback > 0:
        raise ValueError(f"lookback_days must be a positive number of days or None (got {lookback!r})")
    run = _Run(con, touchpoints, outcomes, order_by, lookback)
    n_conv, value_total, masks, untouched = run.journey_sets()
    u_conv, u_val = untouched
    results: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rules = [m for m in models if m in RULE_MODELS]
    if rules:
        results.update(run.rules(rules, opts))
    markov = [m for m in models if m in MARKOV_ORDERS]
    if markov:
        contexts = run.markov_contexts()
        for m in markov:
            shares = chain_shares(_chain(contexts, len(run.channels), MARKOV_ORDERS[m]))
            results[m] = (shares * n_conv, shares * value_total)
    if "shapley" in models:
        results["shapley"] = _shapley(masks, run.channels)
    frames = {}
    for m in models:
        conv, value = results[m]
        frame = channel_frame(run.channels, conv, value, no_touch, untouched if u_conv else None)
        check_frame_totals(frame, n_conv + (u_conv if no_touch == "row" else 0),
                           value_total + (u_val if no_touch == "row" else 0.0), m)
        frames[m] = frame
    return frames


def _dbapi(con: object) -> bool:
    """A DB-API connection (cursors), not DuckDB's (whose cursor is a new connection without its views)."""
    return type(con).__module__.split(".")[0].lstrip("_") != "duckdb"


def _query(con: object, sql: str) -> list[tuple]:
    """Rows of ``sql`` from a DuckDB or DB-API connection."""
    if _dbapi(con):
        cur = con.cursor()
        try:
            cur.execute(sql)
            return cur.fetchall()
        finally:
            cur.close()
    return con.execute(sql).fetchall()


def _columns(con: object, relation: str) -> list[str]:
    if _dbapi(con):
        cur = con.cursor()
        try:
            cur.execute(f"SELECT * FROM {relation} AS r WHERE 1 = 0")
            return [d[0] for d in cur.description]
        finally:
            cur.close()
    return [d[0] for d in con.execute(f"SELECT * FROM {relation} AS r WHERE 1 = 0").description]


class _Run:
    """The SQL of one attribution run: shared CTEs for the kept touches of every journey."""

    def __init__(self, con: object, touchpoints: str, outcomes: str, order_by: str | None,
                 lookback: float | None) -> None:
        self.con = con
        t_cols, o_cols = _columns(con, touchpoints), _columns(con, outcomes)
        for name, cols, need in (("touchpoints", t_cols, ("lead_id", "timestamp", "channel")),
                                 ("outcomes", o_cols, ("lead_id", "converted", "value", "conversion_date"))):
            missing = [c for c in need if c not in cols]
            if missing:
                raise DataError(Problem(name, f"lacks the column(s) {', '.join(missing)}; it has: {', '.join(cols)}",
                                        fix=f"select the columns as {', '.join(need)}"))
        if order_by is not None and order_by not in t_cols:
            raise DataError(Problem("touchpoints", f"lacks the tie-break column {order_by!r} (order_by)",
                                    fix="name a column of the touchpoints or leave order_by out"))
        self.t, self.o = touchpoints, outcomes
        names = [r[0] for r in _query(con, f'SELECT DISTINCT channel FROM {touchpoints} AS r WHERE channel IS NOT NULL')]
        self.channels = tuple(sorted(str(n) for n in names))
        milestones = {c: c in o_cols for c in ("lead_created_date", "opportunity_date")}
        midnight = self._check_outcomes(milestones)
        self.ctes = self._ctes(order_by, lookback, milestones, midnight)

    def _check_outcomes(self, milestones: dict[str, bool]) -> dict[str, bool]:
        """Same refusals as the in-memory path; whether each date column is date-only (midnight)."""
        dates = ["conversion_date"] + [c for c, has in milestones.items() if has]
        mid = ", ".join(f"min(CASE WHEN {c} IS NULL THEN NULL WHEN CAST({c} AS TIMESTAMP) = "
                        f"CAST(CAST({c} AS DATE) AS TIMESTAMP) THEN 1 ELSE 0 END)" for c in dates)
        row = _query(self.con, f"""SELECT count(*), count(DISTINCT lead_id),
            sum(CASE WHEN converted IS NULL THEN 1 ELSE 0 END),
            sum(CASE WHEN converted AND (value IS NULL OR value < 0) THEN 1 ELSE 0 END), {mid}
            FROM {self.o} AS r""")[0]
        n, distinct, bad_conv, bad_value = row[:4]
        if distinct < n:  # NULL ids are not counted as distinct: confirm with an actual duplicate
            dup = _query(self.con, f"SELECT lead_id FROM {self.o} AS r WHERE lead_id IS NOT NULL "
                                   f"GROUP BY lead_id HAVING count(*) > 1 LIMIT 1")
            if dup:
                raise DataError(Problem("outcomes", "appears more than once", column="lead_id", value=dup[0][0],
                                        fix="keep one outcome row per lead (sum the values of several deals first)"))
        if bad_conv:
            raise DataError(Problem("outcomes", f"is not true/false in {bad_conv} rows", column="converted",
                                    fix="set converted to True or False for every lead"))
        if bad_value:
            raise DataError(Problem("outcomes", f"is not a non-negative number in {bad_value} converted rows",
                                    column="value", fix="give every converted lead its revenue (0 is allowed)"))
        return {c: bool(flag) for c, flag in zip(dates, row[4:])}

    def _ctes(self, order_by: str | None, lookback: float | None, milestones: dict[str, bool],
              midnight: dict[str, bool]) -> str:
        def cut(col: str) -> str:
            ts = f"CAST({col} AS TIMESTAMP)"
            return f"{ts} + INTERVAL '{END_OF_DAY_US} microseconds'" if midnight.get(col) else ts

        lead_cut = cut("lead_created_date") if milestones["lead_created_date"] else "CAST(NULL AS TIMESTAMP)"
        opp_cut = cut("opportunity_date") if milestones["opportunity_date"] else "CAST(NULL AS TIMESTAMP)"
        codes = ", ".join(f"({_literal(c)}, {i})" for i, c in enumerate(self.channels))
        tie = f"t.{order_by}" if order_by else "ch.code"
        kept = """SELECT tp.lead_id, tp.ts, tp.tie, tp.code, conv.lead_id IS NOT NULL AS converted, conv.value,
                         conv.cutoff, conv.lead_cut, conv.opp_cut
                  FROM tp LEFT JOIN conv ON conv.lead_id = tp.lead_id
                  WHERE conv.cutoff IS NULL OR tp.ts <= conv.cutoff"""
        ctes = f"""conv AS (SELECT lead_id, CAST(value AS {_F}) AS value, {cut("conversion_date")} AS cutoff,
                          {lead_cut} AS lead_cut, {opp_cut} AS opp_cut FROM {self.o} AS r WHERE converted),
            ch(channel, code) AS (VALUES {codes}),
            tp AS (SELECT t.lead_id, CAST(t."timestamp" AS TIMESTAMP) AS ts, {tie} AS tie, ch.code
                   FROM {self.t} AS t JOIN ch ON ch.channel = t.channel
                   WHERE t.lead_id IS NOT NULL AND t."timestamp" IS NOT NULL),
            kept AS ({kept})"""
        if lookback is None:
            return ctes + ", touches AS (SELECT * FROM kept)"
        span = int(round(lookback * 86_400 * 10**6))
        return ctes + f""",
            refs AS (SELECT kept.*, coalesce(cutoff, max(ts) OVER (PARTITION BY lead_id)) AS ref FROM kept),
            touches AS (SELECT lead_id, ts, tie, code, converted, value, cutoff, lead_cut, opp_cut FROM refs
                        WHERE ts >= ref - INTERVAL '{span} microseconds')"""

    def journey_sets(self) -> tuple[float, float, list[tuple], tuple[float, float]]:
        """Converted journeys, their value, (mask, converted, journeys, value) per channel set, and the
        untouched conversions (converted outcome rows without a touch left): one scan of the touches."""
        rows = _query(self.con, f"""WITH {self.ctes},
            j AS MATERIALIZED (SELECT lead_id, bit_or(CAST(1 AS BIGINT) << code) AS mask,
                                      max(CASE WHEN converted THEN 1 ELSE 0 END) AS c, max(value) AS value
                               FROM touches GROUP BY lead_id)
            SELECT 0, mask, c, count(*), sum(CASE WHEN c = 1 THEN value ELSE 0 END) FROM j GROUP BY mask, c
            UNION ALL
            SELECT 1, NULL, NULL, count(*), sum(value) FROM conv
            WHERE NOT EXISTS (SELECT 1 FROM j WHERE j.lead_id = conv.lead_id)""")
        sets = [r[1:] for r in rows if r[0] == 0]
        n_conv = float(sum(r[2] for r in sets if r[1]))
        value = float(sum(r[3] or 0.0 for r in sets if r[1]))
        untouched = next((float(r[3]), float(r[4] or 0.0)) for r in rows if r[0] == 1)
        return n_conv, value, sets, untouched

    def markov_contexts(self) -> np.ndarray:
        """Collapsed-path steps counted by (channel, 3 channels before, last step, converted)."""
        rows = _query(self.con, f"""WITH {self.ctes},
            r1 AS (SELECT lead_id, converted, code, ts, tie, lag(code) OVER w AS prev FROM touches
                   WINDOW w AS (PARTITION BY lead_id ORDER BY ts, tie)),
            r2 AS (SELECT converted, code, lag(code, 1) OVER w AS l1, lag(code, 2) OVER w AS l2,
                          lag(code, 3) OVER w AS l3, CASE WHEN lead(code) OVER w IS NULL THEN 1 ELSE 0 END AS last
                   FROM r1 WHERE prev IS NULL OR prev <> code
                   WINDOW w AS (PARTITION BY lead_id ORDER BY ts, tie))
            SELECT code, coalesce(l1, -1), coalesce(l2, -1), coalesce(l3, -1), last,
                   CASE WHEN converted THEN 1 ELSE 0 END, count(*)
            FROM r2 GROUP BY code, l1, l2, l3, last, converted""")
        return np.array(rows, dtype=np.int64).reshape(-1, 7)

    def rules(self, models: Sequence[str], opts: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Conversions and value per channel of each rule-based model, summed in SQL."""
        hl = float(opts.get("half_life_days", 7.0))
        if not hl > 0:
            raise ValueError(f"half_life_days must be positive (got {hl!r})")
        pw = tuple(opts.get("position_weights", (0.4, 0.2, 0.4)))
        ww = tuple(opts.get("w_weights", (0.3, 0.3, 0.3, 0.1)))
        fw = tuple(opts.get("full_path_weights", (0.225, 0.225, 0.225, 0.225, 0.1)))
        _check_weights("position_weights", pw, 3)
        _check_weights("w_weights", ww, 4)
        _check_weights("full_path_weights", fw, 5)
        direct = [i for i, c in enumerate(self.channels) if c in tuple(opts.get("direct_channels", ("direct",)))]
        non_direct = f"code NOT IN ({', '.join(map(str, direct))})" if direct else "1 = 1"
        weights = {
            "first_touch": "CASE WHEN pos = 1 THEN 1.0 ELSE 0.0 END",
            "last_touch": "CASE WHEN pos = n THEN 1.0 ELSE 0.0 END",
            "last_non_direct": "CASE WHEN pos = coalesce(lnd, n) THEN 1.0 ELSE 0.0 END",
            "linear": f"1.0 / CAST(n AS {_F})",
            "distinct_linear": f"1.0 / CAST(n_distinct * per_pair AS {_F})",
            "time_decay": "td / td_total",
            "position_based": _normalised("u"),
            "w_shaped": f"CASE WHEN lead_pos IS NULL OR opp_pos IS NULL THEN {_normalised('u')} ELSE {_normalised('w')} END",
            "full_path": f"CASE WHEN lead_pos IS NULL OR opp_pos IS NULL THEN {_normalised('u')} ELSE {_normalised('fp')} END",
        }
        u = _slots([("pos = 1", pw[0]), ("pos = n", pw[2])], pw[1])
        w = _slots([("pos = 1", ww[0]), ("pos = lead_pos", ww[1]), ("pos = opp_pos", ww[2])], ww[3])
        fp = _slots([("pos = 1", fw[0]), ("pos = lead_pos", fw[1]), ("pos = opp_pos", fw[2]), ("pos = n", fw[3])], fw[4])
        sums = ", ".join(f"sum({weights[m]}), sum(({weights[m]}) * value)" for m in models)
        rows = _query(self.con, f"""WITH {self.ctes},
            c1 AS (SELECT lead_id, code, ts, CAST(value AS {_F}) AS value,
                          row_number() OVER w AS pos, count(*) OVER j AS n,
                          count(*) OVER (PARTITION BY lead_id, code) AS per_pair,
                          row_number() OVER (PARTITION BY lead_id, code ORDER BY ts, tie) AS pair_rank,
                          max(ts) OVER j AS last_ts,
                          CASE WHEN lead_cut IS NOT NULL AND ts <= lead_cut THEN 1 ELSE 0 END AS by_lead,
                          CASE WHEN opp_cut IS NOT NULL AND ts <= opp_cut THEN 1 ELSE 0 END AS by_opp,
                          CASE WHEN {non_direct} THEN 1 ELSE 0 END AS nd
                   FROM touches WHERE converted
                   WINDOW w AS (PARTITION BY lead_id ORDER BY ts, tie), j AS (PARTITION BY lead_id)),
            c2 AS (SELECT c1.*, sum(CASE WHEN pair_rank = 1 THEN 1 ELSE 0 END) OVER j AS n_distinct,
                          max(CASE WHEN by_lead = 1 THEN pos END) OVER j AS lead_pos,
                          max(CASE WHEN by_opp = 1 THEN pos END) OVER j AS opp_pos,
                          max(CASE WHEN nd = 1 THEN pos END) OVER j AS lnd,
                          power(CAST(2 AS {_F}), -CAST(extract(epoch FROM last_ts) - extract(epoch FROM ts) AS {_F})
                                / {86_400 * hl!r}) AS td
                   FROM c1 WINDOW j AS (PARTITION BY lead_id)),
            c3 AS (SELECT c2.*, {u} AS u_raw, {w} AS w_raw, {fp} AS fp_raw FROM c2),
            c4 AS (SELECT c3.*, sum(td) OVER j AS td_total, sum(u_raw) OVER j AS u_total,
                          sum(w_raw) OVER j AS w_total, sum(fp_raw) OVER j AS fp_total
                   FROM c3 WINDOW j AS (PARTITION BY lead_id))
            SELECT code, {sums} FROM c4 GROUP BY code""")
        c = len(self.channels)
        out = {m: (np.zeros(c), np.zeros(c)) for m in models}
        for row in rows:
            for i, m in enumerate(models):
                out[m][0][row[0]] = float(row[1 + 2 * i] or 0.0)
                out[m][1][row[0]] = float(row[2 + 2 * i] or 0.0)
        return out


def _slots(slots: list[tuple[str, float]], rest: float) -> str:
    """SQL of :func:`.rules._slots`' raw weight: slot shares on key touches, ``rest`` over the others.

    ``n_other`` = touches that hold no slot; slots at the same position add up. Positions that
    are NULL (no milestone touch) hold no slot.
    """
    shares = " + ".join(f"CASE WHEN {cond} THEN {share!r} ELSE 0.0 END" for cond, share in slots)
    is_key = " OR ".join(f"({cond})" for cond, _ in slots)
    positions = [cond.split(" = ")[1] for cond, _ in slots]
    # distinct key positions of the journey: each counts unless an earlier slot has the same position
    distinct = " + ".join(
        "CASE WHEN " + " AND ".join([f"{p} IS NOT NULL"] + [f"({p} <> {q} OR {q} IS NULL)" for q in positions[:i]])
        + " THEN 1 ELSE 0 END" for i, p in enumerate(positions))
    n_other = f"(n - ({distinct}))"
    return (f"CASE WHEN {is_key} THEN {shares} "
            f"WHEN {n_other} > 0 THEN {rest!r} / CAST({n_other} AS {_F}) ELSE 0.0 END")


def _normalised(name: str) -> str:
    """Raw slot weight over its journey total; an all-zero journey splits evenly (as in :mod:`.rules`)."""
    return f"CASE WHEN {name}_total > 0 THEN {name}_raw / {name}_total ELSE 1.0 / CAST(n AS {_F}) END"


def _chain(contexts: np.ndarray, n_channels: int, order: int) -> Chain:
    """Transition counts of order ``order`` summed from the context table of :meth:`_Run.markov_contexts`."""
    code, l1, l2, l3, last, converted, count = contexts.T if len(contexts) else np.zeros((7, 0), dtype=np.int64)
    base = n_channels + 1
    lags = [l1, l2, l3]
    to_key = code + 1
    from_key = np.zeros(len(code), dtype=np.int64)
    for k in range(order - 1):  # the state holds the channel and the order - 1 before it
        to_key = to_key + np.where(lags[k] >= 0, lags[k] + 1, 0) * base ** (k + 1)
    for k in range(order):  # the previous state: the order channels before this step
        from_key = from_key + np.where(lags[k] >= 0, lags[k] + 1, 0) * base**k
    from_key = np.where(l1 < 0, START_KEY, from_key)
    absorb = last == 1
    froms = np.concatenate((from_key, to_key[absorb]))
    tos = np.concatenate((to_key, np.where(converted[absorb] == 1, CONVERSION_KEY, NULL_KEY)))
    counts = np.concatenate((count, count[absorb]))
    return chain_from_counts(froms, tos, counts, n_channels, order)


def _shapley(rows: list[tuple], channels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Conversion-rate Shapley from (mask, converted, journeys, value) per channel set."""
    c = len(channels)
    conv, value = np.zeros(c), np.zeros(c)
    if not rows:
        return conv, value
    masks = np.array([int(r[0]) for r in rows], dtype=np.int64)
    union = int(np.bitwise_or.reduce(masks))
    present = np.array([i for i in range(c) if union >> i & 1], dtype=np.int64)
    check_channel_count(present, channels)
    compact = np.zeros(len(masks), dtype=np.int64)
    for bit, ch in enumerate(present):
        compact |= ((masks >> ch) & 1) << bit
    converted = np.array([bool(r[1]) for r in rows])
    journeys = np.array([float(r[2]) for r in rows])
    values = np.array([float(r[3] or 0.0) for r in rows])
    conv[present], value[present] = rate_shapley(compact, converted, len(present), journeys,
                                                 [journeys[converted], values[converted]])
    return conv, value


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"
