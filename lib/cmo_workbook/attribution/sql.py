"""Attribution computed in the database: journeys and counts in SQL, only aggregates reach Python.

:func:`attribute_sql` takes a connection and two relations (a table name, ``read_parquet('...')``
or a parenthesised query) with the columns of :func:`.journeys.prepare`: touchpoints ``lead_id``,
``timestamp``, ``channel`` (plus an optional tie-break column, ``order_by``) and outcomes
``lead_id``, ``converted``, ``value``, ``conversion_date`` (optional ``lead_created_date``,
``opportunity_date``). The SQL is plain (CTEs, window functions, ``VALUES``, ``bit_or``, integer
shifts), so the same text runs embedded in DuckDB and pushed down to PostgreSQL (any DB-API
connection; only the one-key touch order, ``epoch_us``, is DuckDB's own); every statement is a
read-only ``SELECT`` (a hot-standby replica will do).

Two statements read the touchpoints, whatever the models:

* **Journeys** (channel sets, Markov, totals): one window pass numbers each journey's touches
  (``row_number`` over lead, time, tie-break; on DuckDB without ``order_by`` the time and channel
  code are one BIGINT key, microseconds x 64 + code, which DuckDB sorts about twice as fast as two
  keys); one ``GROUP BY`` lead folds every journey into its channel-set bitmask and its path, the
  channel codes packed as ``W``-bit digits into two BIGINT words (``W`` = bits of the channel
  count, so 7 channels: 3 bits, 21 touches a word); journeys are then counted by (path, channel
  set, converted). Python gets the distinct paths (about 250 k rows at 10 M journeys) and decodes
  them in numpy into context counts (the channel and the three before it after collapsing
  repeats, last step, converted), summed per order and solved exactly as in :mod:`.markov`.
  Journeys longer than two words (rare; 42 touches with 7 channels) are counted touch by touch in
  a third statement that runs only when there are such journeys.
* **Rule-based models** on the converted journeys only: one window pass (position, length, last
  touch, milestone positions) and, for time decay and last non-direct, a second over the
  journey; slot weights are normalised in closed form. ``distinct_linear`` (each journey split
  evenly over its distinct channels) comes from the channel sets.

Conversion-rate Shapley uses journeys, conversions and value per channel set (bitmask), so the
SQL path takes at most 63 channels.

The conventions are those of :mod:`.journeys` (cut-off at the conversion, end of day for
date-only columns, lookback, untouched conversions); results equal the in-memory path to 1e-9
(tested). Touches at the same time are ordered by ``order_by`` (e.g. the export's row number;
without it by channel code): give it when ties must keep the export order as in pandas.
Timestamps have the database's resolution (microseconds), the in-memory path nanoseconds.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .bootstrap import check_arguments, replicates, summary
from .engine import MARKOV_ORDERS, MODELS, check_frame_totals, channel_frame, split_options
from .markov import CONVERSION_KEY, NULL_KEY, START_KEY, Chain, chain_from_counts, chain_shares
from .rules import RULE_MODELS, _check_weights
from .shapley import check_channel_count, rate_shapley

END_OF_DAY_US = 86_400 * 10**6 - 1
_F = "DOUBLE PRECISION"
#: channel sets are BIGINT bitmasks (bit = channel code)
MAX_CHANNELS = 63
#: BIGINT words of packed channel codes per journey path; longer journeys are counted touch by touch
_PATH_WORDS = 2


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
    markov = [m for m in models if m in MARKOV_ORDERS]
    sets, untouched, contexts = run.journeys(with_paths=bool(markov))
    u_conv, u_val = untouched
    n_conv = float(sum(r[2] for r in sets if r[1]))
    value_total = float(sum(r[3] or 0.0 for r in sets if r[1]))
    results: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rules = [m for m in models if m in RULE_MODELS and m != "distinct_linear"]
    if rules:
        results.update(run.rules(rules, opts))
    if "distinct_linear" in models:
        results["distinct_linear"] = _distinct_linear(sets, len(run.channels))
    for m in markov:
        shares = chain_shares(_chain(contexts, len(run.channels), MARKOV_ORDERS[m]))
        results[m] = (shares * n_conv, shares * value_total)
    if "shapley" in models:
        results["shapley"] = _shapley(sets, run.channels)
    frames = {}
    for m in models:
        conv, value = results[m]
        frame = channel_frame(run.channels, conv, value, no_touch, untouched if u_conv else None)
        check_frame_totals(frame, n_conv + (u_conv if no_touch == "row" else 0),
                           value_total + (u_val if no_touch == "row" else 0.0), m)
        frames[m] = frame
    return frames


def bootstrap_sql(con: object, touchpoints: str, outcomes: str, model: str, *, order_by: str,
                  outcome_order: str | None = None, n_boot: int = 200,
                  seed: int = 20240101, ci: float = 0.9, cost_by_channel: Mapping[str, float] | pd.Series | None = None,
                  margin_rate: float | None = None, **options) -> pd.DataFrame:
    """:func:`.bootstrap.bootstrap` of a rule-based ``model`` with the journeys in the database.

    One statement hands over a credit row per converted journey and channel (not the touches), the
    untouched conversions' values and the number of non-converting journeys; the journeys
    are ordered by their lead's first row in ``order_by`` (the export order), as the in-memory path
    orders them, so the same ``seed`` draws the same replicates there and here; ``outcome_order``:
    the outcomes' row order (the untouched converted leads are drawn in it; without it, the order
    DuckDB scans them in). Markov and Shapley
    re-weight every journey's transitions and are not bootstrapped in SQL.
    """
    takes = [m for m in RULE_MODELS if m != "distinct_linear"]
    if model not in takes:
        raise ValueError(f"the SQL bootstrap takes a rule-based model with touch weights ({', '.join(takes)}); "
                         f"got {model!r}")
    check_arguments(n_boot, ci, cost_by_channel, margin_rate)
    lookback, no_touch, opts = split_options(options)
    run = _Run(con, touchpoints, outcomes, order_by, lookback)
    conv_value, matrix, untouched_vals, n_non = run.journey_rules(model, opts, outcome_order)
    # the point estimate from the same rows: each journey's shares (summing to 1) times its count and value
    conv_pt, value_pt = matrix.sum(axis=0), (matrix * conv_value[:, None]).sum(axis=0)
    u_conv, u_val = len(untouched_vals), float(untouched_vals.sum())
    point = channel_frame(run.channels, conv_pt, value_pt, no_touch, (u_conv, u_val) if u_conv else None)
    check_frame_totals(point, len(conv_value) + (u_conv if no_touch == "row" else 0),
                       float(conv_value.sum()) + (u_val if no_touch == "row" else 0.0), model)
    if no_touch != "row":
        untouched_vals = np.zeros(0)

    def credit(wc: np.ndarray, rng: np.random.Generator, n_non_draws: int) -> tuple[np.ndarray, np.ndarray]:
        return wc @ matrix, (wc * conv_value) @ matrix

    def frame(conv: np.ndarray, value: np.ndarray, drawn: tuple[float, float]) -> pd.DataFrame:
        return channel_frame(run.channels, conv, value, no_touch, drawn if u_conv else None)

    draws = replicates(int(n_boot), seed, len(conv_value), untouched_vals, n_non, credit, frame)
    return summary(point, *draws, ci=ci, cost_by_channel=cost_by_channel, margin_rate=margin_rate)


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
        if len(self.channels) > MAX_CHANNELS:
            raise DataError(Problem("touchpoints", f"has {len(self.channels)} channels; the SQL path codes a journey's "
                                    f"channel set as a 64-bit mask and takes at most {MAX_CHANNELS}", column="channel",
                                    fix="map rare sources to fewer channels (e.g. 'other') in the query"))
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
        #: the order of a journey's touches (window ORDER BY)
        self.order = "ts, tie"
        if order_by is None and not _dbapi(self.con):
            # DuckDB sorts one 8-byte key about twice as fast as two (34 M touches: 7 vs 10-13 CPU s):
            # time in microseconds times 64 plus the channel code (< 64) orders as (ts, code) does;
            # |epoch_us| < 2^57 holds for the years 2536 BC to 6536 AD.
            tie = f'epoch_us(CAST(t."timestamp" AS TIMESTAMP)) * 64 + ch.code'
            self.order = "tie"
        kept = """SELECT tp.lead_id, tp.ts, tp.tie, tp.code, conv.lead_id IS NOT NULL AS converted, conv.value,
                         conv.cutoff, conv.lead_cut, conv.opp_cut
                  FROM tp LEFT JOIN conv ON conv.lead_id = tp.lead_id
                  WHERE conv.cutoff IS NULL OR tp.ts <= conv.cutoff"""
        # PostgreSQL materialises a CTE used twice and then plans its joins blind (it hashed the 3.4 M
        # touches instead of the converted outcomes): inline it there; DuckDB keeps its small copy.
        inline = "NOT MATERIALIZED " if _dbapi(self.con) else ""
        ctes = f"""conv AS {inline}(SELECT lead_id, CAST(value AS {_F}) AS value, {cut("conversion_date")} AS cutoff,
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

    def journeys(self, with_paths: bool) -> tuple[list[tuple], tuple[float, float], np.ndarray | None]:
        """(mask, converted, journeys, value) per channel set, the untouched conversions (converted
        outcome rows without a touch left) and, ``with_paths``, the Markov contexts.

        One statement: the journeys grouped by channel set (and path), the distinct paths decoded
        into context counts. Journeys too long for the path words get a second statement.
        """
        c = len(self.channels)
        width = max(1, c.bit_length())  # digit = channel code + 1, 0 = no touch
        per_word = 63 // width
        cap = per_word * _PATH_WORDS
        words = [f"p{w}" for w in range(_PATH_WORDS)]
        null = "CAST(NULL AS BIGINT)"
        if with_paths:
            packed = ", ".join(
                f"bit_or(CASE WHEN k >= {w * per_word} AND k < {(w + 1) * per_word} THEN CAST(code + 1 AS BIGINT) "
                f"<< ({width} * (k - {w * per_word})) ELSE CAST(0 AS BIGINT) END) AS {name}"
                for w, name in enumerate(words))
            numbered = (f"pos AS (SELECT lead_id, code, CAST(row_number() OVER (PARTITION BY lead_id ORDER BY {self.order}) "
                        "AS INTEGER) - 1 AS k FROM touches),")
            j = f"SELECT lead_id, bit_or(CAST(1 AS BIGINT) << code) AS mask, count(*) AS n, {packed} FROM pos GROUP BY lead_id"
            keys = ", ".join(f"CASE WHEN j.n <= {cap} THEN j.{name} END AS {name}" for name in words)
        else:
            numbered = ""
            j = "SELECT lead_id, bit_or(CAST(1 AS BIGINT) << code) AS mask FROM touches GROUP BY lead_id"
            keys = ", ".join(f"{null} AS {name}" for name in words)
        pad = lambda n: ", ".join([null] * n)  # noqa: E731 (the output columns kind, 6 keys, count, value)
        no_value = f"CAST(NULL AS {_F})"
        selects = [
            f"SELECT 0, mask, c, {pad(4)}, sum(n), sum(value) FROM g WHERE mask IS NOT NULL GROUP BY mask, c",
            f"SELECT 1, {pad(6)}, sum(n), sum(value) FROM g WHERE mask IS NULL",
        ]
        ctes = f"""WITH {self.ctes}, {numbered}
            j AS ({j}),
            g AS MATERIALIZED (SELECT {keys}, j.mask, CASE WHEN conv.lead_id IS NULL THEN 0 ELSE 1 END AS c,
                                      count(*) AS n, sum(conv.value) AS value
                               FROM j FULL JOIN conv ON conv.lead_id = j.lead_id
                               GROUP BY {", ".join(str(i) for i in range(1, _PATH_WORDS + 3))})"""
        if with_paths:
            # the distinct paths (a few hundred thousand rows at 10 M journeys) are decoded in numpy
            keys3 = f"{', '.join(words)}, c, {pad(6 - _PATH_WORDS - 1)}"
            selects += [f"SELECT 2, {pad(6)}, sum(n), {no_value} FROM g WHERE mask IS NOT NULL AND {words[0]} IS NULL",
                        f"SELECT 3, {keys3}, sum(n), {no_value} FROM g WHERE {words[0]} IS NOT NULL "
                        f"GROUP BY {', '.join(words)}, c"]
        rows = _query(self.con, ctes + "\n" + "\nUNION ALL ".join(selects))
        sets = [(int(r[1]), int(r[2]), int(r[7]), float(r[8] or 0.0)) for r in rows if r[0] == 0]
        u = next(r for r in rows if r[0] == 1)
        untouched = (float(u[7] or 0), float(u[8] or 0.0))
        if not with_paths:
            return sets, untouched, None
        paths = np.array([r[1:2 + _PATH_WORDS] + (r[7],) for r in rows if r[0] == 3], dtype=np.int64)
        contexts = _path_contexts(paths.reshape(-1, _PATH_WORDS + 2), width, per_word)
        if any(r[0] == 2 and r[7] for r in rows):  # journeys longer than the path words: touch by touch
            long = _query(self.con, f"""WITH {self.ctes},
                long AS (SELECT lead_id FROM touches GROUP BY lead_id HAVING count(*) > {cap}),
                lt AS (SELECT touches.* FROM touches WHERE lead_id IN (SELECT lead_id FROM long)),
                {_context_ctes("lt", "lead_id", self.order, "CASE WHEN converted THEN 1 ELSE 0 END", "1")}
                {_CONTEXT_SELECT}""")
            long = np.array([[int(v) for v in r[1:8]] for r in long], dtype=np.int64).reshape(-1, 7)
            contexts = np.concatenate((contexts, long))
        return sets, untouched, contexts

    def rules(self, models: Sequence[str], opts: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Conversions and value per channel of each rule-based model, summed in SQL.

        Converted journeys only. One window pass gives each touch its position, the journey's
        length, last touch and milestone positions (the number of touches at or before the
        milestone: touches are in time order); a second pass over the journey only for time decay
        (its total) and last non-direct (the last non-direct position).
        """
        ctes, weights, final = self._rule_ctes(models, opts)
        sums = ", ".join(f"sum({weights[m]}), sum(({weights[m]}) * value)" for m in models)
        rows = _query(self.con, f"{ctes}\nSELECT code, {sums} FROM {final} GROUP BY code")
        c = len(self.channels)
        out = {m: (np.zeros(c), np.zeros(c)) for m in models}
        for row in rows:
            for i, m in enumerate(models):
                out[m][0][row[0]] = float(row[1 + 2 * i] or 0.0)
                out[m][1][row[0]] = float(row[2 + 2 * i] or 0.0)
        return out

    def journey_rules(self, model: str, opts: dict, outcome_order: str | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """What the bootstrap resamples, in one statement: per converted journey, in the order of each
        lead's first touch (the ``order_by`` column, before any filter, as :func:`.crm.prepare_touchpoints`
        orders journeys), its value and the model's credit share per channel (journeys x channels, as
        :meth:`.CompiledModel.journey_matrix`); the values of the converted outcome rows without a kept
        touch, in outcome order (the column ``outcome_order``, else the order of the scan); the number
        of non-converting journeys."""
        ctes, weights, final = self._rule_ctes([model], opts)
        pos = f"r.{outcome_order}" if outcome_order else "row_number() OVER ()"
        null = "CAST(NULL AS BIGINT)"
        rows = _query(self.con, f"""{ctes},
            firsts AS (SELECT lead_id, min(tie) AS first FROM tp WHERE lead_id IN (SELECT lead_id FROM conv)
                       GROUP BY lead_id),
            credit AS (SELECT lead_id, code, sum({weights[model]}) AS w, max(value) AS value FROM {final}
                       GROUP BY lead_id, code),
            o AS (SELECT lead_id, CAST(value AS {_F}) AS value, {pos} AS pos FROM {self.o} AS r WHERE converted)
            SELECT 0, firsts.first, credit.lead_id, credit.code, credit.w, credit.value
            FROM credit JOIN firsts ON firsts.lead_id = credit.lead_id
            UNION ALL SELECT 1, o.pos, o.lead_id, {null}, CAST(NULL AS {_F}), o.value FROM o
                      WHERE NOT EXISTS (SELECT 1 FROM touches WHERE touches.lead_id = o.lead_id)
            UNION ALL SELECT 2, count(DISTINCT lead_id), NULL, {null}, CAST(NULL AS {_F}), CAST(NULL AS {_F})
                      FROM touches WHERE NOT converted""")
        credit = sorted((r for r in rows if r[0] == 0), key=lambda r: (r[1], r[3]))
        index: dict[object, int] = {}
        values = []
        for r in credit:
            if r[2] not in index:
                index[r[2]] = len(values)
                values.append(float(r[5]))
        matrix = np.zeros((len(values), len(self.channels)))
        if credit:
            matrix[[index[r[2]] for r in credit], [int(r[3]) for r in credit]] = [float(r[4]) for r in credit]
        untouched = np.array([float(r[5] or 0.0) for r in sorted((r for r in rows if r[0] == 1), key=lambda r: r[1])])
        n_non = int(next(r[1] for r in rows if r[0] == 2) or 0)
        return np.array(values), matrix, untouched, n_non

    def _rule_ctes(self, models: Sequence[str], opts: dict) -> tuple[str, dict[str, str], str]:
        """(the WITH clause, each model's SQL weight of a touch, the relation holding the touches)."""
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
        u = _slots([("1", pw[0]), ("n", pw[2])], pw[1])
        w = _slots([("1", ww[0]), ("lead_pos", ww[1]), ("opp_pos", ww[2])], ww[3])
        fp = _slots([("1", fw[0]), ("lead_pos", fw[1]), ("opp_pos", fw[2]), ("n", fw[3])], fw[4])
        weights = {
            "first_touch": "CASE WHEN pos = 1 THEN 1.0 ELSE 0.0 END",
            "last_touch": "CASE WHEN pos = n THEN 1.0 ELSE 0.0 END",
            "last_non_direct": "CASE WHEN pos = lnd THEN 1.0 ELSE 0.0 END",
            "linear": f"1.0 / CAST(n AS {_F})",
            "time_decay": "td / td_total",
            "position_based": u,
            "w_shaped": f"CASE WHEN lead_pos IS NULL OR opp_pos IS NULL THEN {u} ELSE {w} END",
            "full_path": f"CASE WHEN lead_pos IS NULL OR opp_pos IS NULL THEN {u} ELSE {fp} END",
        }
        td = (f"power(CAST(2 AS {_F}), -CAST(extract(epoch FROM last_ts) - extract(epoch FROM ts) AS {_F})"
              f" / {86_400 * hl!r})")
        journey = ""  # the second pass, only when a model needs it
        if "time_decay" in models or "last_non_direct" in models:
            journey = f""",
            r3 AS (SELECT r2.*, sum(td) OVER j AS td_total, coalesce(max(CASE WHEN {non_direct} THEN pos END) OVER j, n)
                          AS lnd
                   FROM r2 WINDOW j AS (PARTITION BY lead_id))"""
        ctes = f"""WITH {self.ctes},
            r1 AS (SELECT lead_id, code, ts, CAST(value AS {_F}) AS value,
                          row_number() OVER w AS pos, count(*) OVER j AS n, max(ts) OVER j AS last_ts,
                          count(CASE WHEN ts <= lead_cut THEN 1 END) OVER j AS by_lead,
                          count(CASE WHEN ts <= opp_cut THEN 1 END) OVER j AS by_opp
                   FROM touches WHERE converted
                   WINDOW w AS (PARTITION BY lead_id ORDER BY {self.order}), j AS (PARTITION BY lead_id)),
            r2 AS (SELECT lead_id, code, ts, value, pos, n, last_ts, NULLIF(by_lead, 0) AS lead_pos,
                          NULLIF(by_opp, 0) AS opp_pos, {td} AS td FROM r1){journey}"""
        return ctes, weights, "r3" if journey else "r2"


def _slots(slots: list[tuple[str, float]], rest: float) -> str:
    """SQL of :func:`.rules._slots`' normalised weight: slot shares on key touches, ``rest`` over the others.

    ``slots``: (position, share); ``n_other`` = touches that hold no slot; slots at the same
    position add up; a NULL position (no milestone touch) holds no slot. The journey's total is
    known without summing its touches: the shares of the slots held plus ``rest`` when there
    are other touches; an all-zero journey splits evenly (as :func:`.rules._normalise`).
    """
    shares = " + ".join(f"CASE WHEN pos = {p} THEN {share!r} ELSE 0.0 END" for p, share in slots)
    is_key = " OR ".join(f"pos = {p}" for p, _ in slots)
    positions = [p for p, _ in slots]
    # distinct key positions of the journey: each counts unless an earlier slot has the same position
    distinct = " + ".join(
        "CASE WHEN " + " AND ".join([f"{p} IS NOT NULL"] + [f"({p} <> {q} OR {q} IS NULL)" for q in positions[:i]])
        + " THEN 1 ELSE 0 END" for i, p in enumerate(positions))
    n_other = f"(n - ({distinct}))"
    raw = (f"CASE WHEN {is_key} THEN {shares} "
           f"WHEN {n_other} > 0 THEN {rest!r} / CAST({n_other} AS {_F}) ELSE 0.0 END")
    held = " + ".join(f"CASE WHEN {p} IS NOT NULL THEN {share!r} ELSE 0.0 END" for p, share in slots)
    total = f"({held} + CASE WHEN {n_other} > 0 THEN {rest!r} ELSE 0.0 END)"
    return f"CASE WHEN {total} > 0 THEN ({raw}) / {total} ELSE 1.0 / CAST(n AS {_F}) END"


_CONTEXT_SELECT = ("SELECT 3, code, coalesce(l1, -1), coalesce(l2, -1), coalesce(l3, -1), last, cv, sum(w), "
                   f"CAST(NULL AS {_F}) FROM cx2 GROUP BY code, l1, l2, l3, last, cv")


def _context_ctes(rows: str, part: str, order: str, converted: str, weight: str) -> str:
    """CTEs ``cx1``, ``cx2``: the repeat-collapsed steps of the sequences in ``rows`` with the three
    channels before each and whether it is the last; ``_CONTEXT_SELECT`` counts them by context.

    ``part``: the columns of one sequence (a journey, or a distinct path); ``order``: its order;
    ``converted``: 1/0 expression; ``weight``: journeys per row (1 for touches, the count of a path).
    """
    return f"""cx1 AS (SELECT {part}, {order}, code, {converted} AS cv, {weight} AS w, lag(code) OVER w AS prev
                    FROM {rows} WINDOW w AS (PARTITION BY {part} ORDER BY {order})),
            cx2 AS (SELECT cv, code, w, lag(code, 1) OVER w AS l1, lag(code, 2) OVER w AS l2, lag(code, 3) OVER w AS l3,
                           CASE WHEN lead(code) OVER w IS NULL THEN 1 ELSE 0 END AS last
                    FROM cx1 WHERE prev IS NULL OR prev <> code
                    WINDOW w AS (PARTITION BY {part} ORDER BY {order}))"""


def _path_contexts(paths: np.ndarray, width: int, per_word: int) -> np.ndarray:
    """The context rows of ``_CONTEXT_SELECT`` (code, l1, l2, l3, last, converted, count) from
    distinct packed paths (``_PATH_WORDS`` words, converted, journeys): digits decoded, repeats
    collapsed, the three channels before each step; summed by context."""
    if not len(paths):
        return np.zeros((0, 7), dtype=np.int64)
    words, converted, count = paths[:, :_PATH_WORDS], paths[:, _PATH_WORDS], paths[:, _PATH_WORDS + 1]
    # only as many digits as the longest path has (words hold digits from the low end, 0 = no touch)
    digits = [-(-int(words[:, w].max()).bit_length() // width) for w in range(_PATH_WORDS)]
    i = np.arange(max(w * per_word + d for w, d in enumerate(digits) if d) if any(digits) else 0)
    digit = (((words[:, i // per_word] >> (width * (i % per_word))) & ((1 << width) - 1)) - 1).astype(np.int8)
    prev = np.concatenate((np.full((len(digit), 1), -2, dtype=np.int8), digit[:, :-1]), axis=1)
    step = (digit >= 0) & (digit != prev)
    row, _ = np.nonzero(step)  # row-major: each path's steps in order
    code = digit[step].astype(np.int64)
    lags = []
    for k in (1, 2, 3):
        same = np.zeros(len(row), dtype=bool)
        same[k:] = row[k:] == row[:-k]
        lag = np.full(len(row), -1, dtype=np.int64)
        lag[k:] = code[:-k]
        lags.append(np.where(same, lag, -1))
    last = np.ones(len(row), dtype=np.int64)
    last[:-1] = row[:-1] != row[1:]
    cv = converted[row]
    base = 65  # codes < 64, lags -1..63 shifted by one: one int64 key per context
    key = ((((code * base + lags[0] + 1) * base + lags[1] + 1) * base + lags[2] + 1) * 2 + last) * 2 + cv
    uniq, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=count[row], minlength=len(uniq)).round().astype(np.int64)
    cv_u, last_u = uniq % 2, uniq // 2 % 2
    rest = uniq // 4
    l3, l2, l1 = rest % base - 1, rest // base % base - 1, rest // base**2 % base - 1
    return np.stack((rest // base**3, l1, l2, l3, last_u, cv_u, total), axis=1)


def _chain(contexts: np.ndarray, n_channels: int, order: int) -> Chain:
    """Transition counts of order ``order`` summed from the context table of :meth:`_Run.journeys`."""
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


def _shapley(sets: list[tuple], channels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Conversion-rate Shapley from (mask, converted, journeys, value) per channel set."""
    c = len(channels)
    conv, value = np.zeros(c), np.zeros(c)
    if not sets:
        return conv, value
    masks = np.array([r[0] for r in sets], dtype=np.int64)
    union = int(np.bitwise_or.reduce(masks))
    present = np.array([i for i in range(c) if union >> i & 1], dtype=np.int64)
    check_channel_count(present, channels)
    compact = np.zeros(len(masks), dtype=np.int64)
    for bit, ch in enumerate(present):
        compact |= ((masks >> ch) & 1) << bit
    converted = np.array([bool(r[1]) for r in sets])
    journeys = np.array([float(r[2]) for r in sets])
    values = np.array([r[3] for r in sets], dtype=float)
    conv[present], value[present] = rate_shapley(compact, converted, len(present), journeys,
                                                 [journeys[converted], values[converted]])
    return conv, value


def _distinct_linear(sets: list[tuple], n_channels: int) -> tuple[np.ndarray, np.ndarray]:
    """``distinct_linear`` from the channel sets: each converted journey split evenly over its channels."""
    conv, value = np.zeros(n_channels), np.zeros(n_channels)
    for mask, converted, journeys, val in sets:
        if converted:
            bits = [i for i in range(n_channels) if mask >> i & 1]
            conv[bits] += journeys / len(bits)
            value[bits] += val / len(bits)
    return conv, value


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"
