"""Attribution in SQL (DuckDB, over Parquet files) equals the in-memory path and the hand-derived credits.

The hand-written journeys are those of test_attribution.py (rule credits derived by hand in
RULE_CASES, the Markov chain solved by hand there); the SQL path reads them from Parquet files
that DuckDB writes, so the data never pass through pandas on the way in.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cmo_workbook.attribution import MODELS, NO_TOUCHPOINT, attribute, attribute_all
from cmo_workbook.attribution.crm import outcomes_from_crm, prepare_touchpoints
from cmo_workbook.attribution.sql import attribute_sql, attribute_sql_frames
from cmo_workbook.errors import DataError

from conftest import ROOT
from test_attribution import (RULE_CASES, assert_credits, expected, outcomes, random_data,  # noqa: F401 (fixtures)
                              touchpoints)

REL = 1e-9


def to_parquet(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, path: Path) -> str:
    """Write ``frame`` as a Parquet file and return the relation that reads it."""
    con.register("frame", frame)
    con.execute(f"COPY (SELECT * FROM frame) TO '{path}' (FORMAT parquet)")
    con.unregister("frame")
    return f"read_parquet('{path}')"


def sources(tmp_path: Path, tp: pd.DataFrame, oc: pd.DataFrame) -> tuple[duckdb.DuckDBPyConnection, str, str]:
    """Touchpoints with their export order as ``seq`` (the in-memory path keeps it for ties)."""
    con = duckdb.connect()
    tp = tp.reset_index(drop=True).assign(seq=lambda d: np.arange(len(d)))
    return con, to_parquet(con, tp, tmp_path / "touchpoints.parquet"), to_parquet(con, oc, tmp_path / "outcomes.parquet")


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_index_equal(got.index, want.index)
    for col in want.columns:
        np.testing.assert_allclose(got[col].to_numpy(), want[col].to_numpy(), rtol=REL, atol=1e-9, err_msg=col)


@pytest.mark.parametrize("model", sorted(RULE_CASES))
def test_rule_models_in_sql_match_hand_derived_credits(tmp_path, touchpoints, outcomes, model):
    con, tp, oc = sources(tmp_path, touchpoints, outcomes)
    assert_credits(attribute_sql_frames(con, tp, oc, [model], order_by="seq")[model], expected(RULE_CASES[model]))


def test_every_model_in_sql_equals_the_in_memory_path_on_the_hand_written_journeys(tmp_path, touchpoints, outcomes):
    con, tp, oc = sources(tmp_path, touchpoints, outcomes)
    got = attribute_sql_frames(con, tp, oc, MODELS, order_by="seq")
    for model in MODELS:
        assert_same(got[model], attribute(touchpoints, outcomes, model))
    # the (no touchpoint) row: lead 9 converted for 20 without a touch
    assert got["markov"].loc[NO_TOUCHPOINT].tolist() == [1.0, 20.0]
    # Markov: 4 conversions and 380 of value handed out by the hand-solved removal effects (test_attribution)
    assert got["markov"].drop(index=NO_TOUCHPOINT)["conversions"].sum() == pytest.approx(4, abs=1e-12)


@pytest.mark.parametrize("lookback", [None, 10])
def test_random_journeys_with_ties_lookback_and_untouched_leads_agree(tmp_path, lookback):
    tp, oc = random_data(3, n=2000)
    tp = tp.reset_index(drop=True)
    tp.loc[tp.index[::7], "timestamp"] = tp["timestamp"].iloc[0]  # ties: the export order decides
    con, tps, ocs = sources(tmp_path, tp, oc)
    for measure in ("value", "conversions"):
        assert_same(attribute_sql(con, tps, ocs, measure=measure, order_by="seq", lookback_days=lookback),
                    attribute_all(tp, oc, measure=measure, lookback_days=lookback))


def test_date_only_conversion_dates_count_the_whole_day_in_sql_too(tmp_path):
    tp = pd.DataFrame({"lead_id": [1, 1, 2], "channel": ["A", "B", "B"],
                       "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-03 17:00", "2024-01-02 08:00"])})
    oc = pd.DataFrame({"lead_id": [1, 2], "converted": [True, True], "value": [100.0, 40.0],
                       "conversion_date": pd.to_datetime(["2024-01-03", "2024-01-02"])})
    con, tps, ocs = sources(tmp_path, tp, oc)
    got = attribute_sql_frames(con, tps, ocs, ["last_touch"])["last_touch"]
    assert got["value"].to_dict() == {"A": 0.0, "B": 140.0}  # B at 17:00 on the conversion day counts


def test_sample_company_gives_the_same_credits_in_sql_and_in_memory(sample_dir, tmp_path):
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.memos import attribution_review as review
    from cmo_workbook.periods import Period

    params = load_params(ROOT / "params" / "example.yaml")
    ds = load_dataset(params, ["leads", "deals", "touchpoints"])
    start, end = review.window(Period.parse("2026-Q3"))
    touches = prepare_touchpoints(ds.touchpoints, channels=params.marketing_channels, leads=ds.leads)
    outcomes = outcomes_from_crm(ds.leads, ds.deals, window=(start, end))
    want = attribute_all(touches, outcomes, MODELS, lookback_days=review.LOOKBACK_DAYS)
    assert want.sum().iloc[0] > 100_000 and len(want) >= 6  # real data: many channels, won deals
    flat_tp = touches.assign(lead_id=touches["lead_id"].astype(str), channel=touches["channel"].astype(str))
    flat_oc = outcomes.assign(lead_id=outcomes["lead_id"].astype(str))
    con, tps, ocs = sources(tmp_path, flat_tp, flat_oc)
    got = attribute_sql(con, tps, ocs, MODELS, order_by="seq", lookback_days=review.LOOKBACK_DAYS)
    # channels the params list but no touch has are absent in SQL (it sees only the data): zero credit in memory
    assert (want.drop(index=got.index).abs().to_numpy() == 0).all()
    assert_same(got, want.loc[got.index])


def test_sql_refuses_duplicate_outcomes_and_missing_columns_like_the_in_memory_path(tmp_path, touchpoints, outcomes):
    con, tps, _ = sources(tmp_path, touchpoints, outcomes)
    dup = to_parquet(con, pd.concat([outcomes, outcomes.iloc[[0]]]), tmp_path / "dup.parquet")
    with pytest.raises(DataError, match="appears more than once") as err:
        attribute_sql(con, tps, dup)
    assert "lead_id" in str(err.value) and "one outcome row per lead" in str(err.value)
    bad = to_parquet(con, outcomes.drop(columns="value"), tmp_path / "bad.parquet")
    with pytest.raises(DataError, match=r"lacks the column\(s\) value"):
        attribute_sql(con, tps, bad)


def test_the_same_sql_pushed_down_to_postgresql_gives_the_same_credits(request, touchpoints, outcomes):
    """Runs on the PostgreSQL server of tests/postgres_server.py (session fixture ``postgres``)."""
    pytest.importorskip("postgres_server", reason="tests/postgres_server.py (the PostgreSQL fixture) is not here")
    server = request.getfixturevalue("postgres")
    tp, oc = random_data(5, n=300)
    tp = tp.reset_index(drop=True).assign(seq=lambda d: np.arange(len(d)))
    with server.connect() as con:
        with con.cursor() as cur:
            cur.execute('CREATE TEMP TABLE h_tp (lead_id bigint, "timestamp" timestamp, channel text, seq bigint)')
            cur.execute("CREATE TEMP TABLE h_oc (lead_id bigint, converted boolean, value double precision, "
                        "conversion_date timestamp, lead_created_date timestamp, opportunity_date timestamp)")
            with cur.copy('COPY h_tp (lead_id, "timestamp", channel, seq) FROM STDIN') as copy:
                for row in tp[["lead_id", "timestamp", "channel", "seq"]].itertuples(index=False):
                    copy.write_row((int(row[0]), row[1].to_pydatetime(), row[2], int(row[3])))
            with cur.copy("COPY h_oc FROM STDIN") as copy:
                for row in oc.itertuples(index=False):
                    copy.write_row((int(row[0]), bool(row[1]), float(row[2]),
                                    *[None if pd.isna(d) else d.to_pydatetime() for d in row[3:]]))
        for lookback in (None, 10):
            assert_same(attribute_sql(con, "h_tp", "h_oc", MODELS, order_by="seq", lookback_days=lookback),
                        attribute_all(tp, oc, MODELS, lookback_days=lookback))


def test_long_journeys_beyond_the_packed_path_words_agree_with_the_in_memory_path(tmp_path):
    """Paths are packed into two BIGINT words: with 3 channels (2 bits a digit) 31 touches fill a word,
    so a journey of more than 62 touches is counted touch by touch in SQL. Mixed lengths 1..150 with
    long runs of one channel (repeats collapse across the word boundary) must give the same credits
    as the in-memory path, for every model."""
    rng = np.random.default_rng(13)
    n = 300
    lengths = rng.integers(1, 151, n)
    lead = np.repeat(np.arange(n), lengths)
    chan = rng.integers(0, 3, len(lead))
    for i in np.flatnonzero(rng.random(len(lead)) < 0.5):  # half the touches repeat the previous channel
        if i and lead[i] == lead[i - 1]:
            chan[i] = chan[i - 1]
    ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(lead)) * 7, unit="min")
    tp = pd.DataFrame({"lead_id": lead, "timestamp": ts, "channel": np.array(["ads", "direct", "mail"])[chan]})
    converted = rng.random(n) < 0.4
    last = tp.groupby("lead_id")["timestamp"].max().to_numpy()
    oc = pd.DataFrame({"lead_id": np.arange(n), "converted": converted, "value": np.where(converted, 100.0, 0.0),
                       "conversion_date": pd.Series(last).where(converted).to_numpy(),
                       "lead_created_date": last - pd.Timedelta(hours=30),
                       "opportunity_date": last - pd.Timedelta(hours=10)})
    assert (lengths > 62).sum() > 100 and (lengths <= 62).sum() > 100  # both kinds of journeys
    con, tps, ocs = sources(tmp_path, tp, oc)
    assert_same(attribute_sql(con, tps, ocs, MODELS, order_by="seq"), attribute_all(tp, oc, MODELS))


def test_ties_without_order_by_go_by_channel_code_also_before_1970(tmp_path):
    """Without ``order_by`` DuckDB orders a journey's touches by one key, microseconds x 64 + channel
    code: touches at the same time go by channel code (the channels' sorted order). Random touches
    floored to the day tie often; sorted by (lead, time, channel) the export order the in-memory path keeps
    for ties is that same order, so every model must agree. Half the leads are moved 70 years back
    (negative keys before 1970 must order the same way)."""
    tp, oc = random_data(11, n=2000)
    back = pd.Timedelta(days=365 * 70)
    day = tp["timestamp"].dt.floor("D")
    tp = tp.assign(timestamp=day.where(tp["lead_id"] % 2 == 0, day - back))
    odd = oc["lead_id"] % 2 == 1
    for col in ("conversion_date", "lead_created_date", "opportunity_date"):
        oc[col] = oc[col].where(~odd, oc[col] - back)
    tp = tp.sort_values(["lead_id", "timestamp", "channel"]).reset_index(drop=True)
    ties = tp.duplicated(["lead_id", "timestamp"], keep=False) & (tp.groupby(["lead_id", "timestamp"])["channel"]
                                                                  .transform("nunique") > 1)
    assert ties.sum() > 100 and (tp["timestamp"] < pd.Timestamp("1970-01-01")).sum() > 1000
    con, tps, ocs = sources(tmp_path, tp, oc)
    for lookback in (None, 10):
        assert_same(attribute_sql(con, tps, ocs, MODELS, lookback_days=lookback),
                    attribute_all(tp, oc, MODELS, lookback_days=lookback))
