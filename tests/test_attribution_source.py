"""The attribution review's two paths (issue 13): touchpoints from CSV stay in pandas, from Parquet or DuckDB
they are attributed in DuckDB, from a query on PostgreSQL in PostgreSQL; every path gives the same models,
bootstrap and previous window (to 1e-9)."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

import source_variants as sv
from cmo_workbook.attribution import bootstrap
from cmo_workbook.attribution.crm import outcomes_from_crm
from cmo_workbook.attribution.source import touches_for
from cmo_workbook.attribution.sql import bootstrap_sql
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.memos import attribution_review as review
from cmo_workbook.periods import Period

from test_attribution import outcomes, random_data, touchpoints  # noqa: F401 (fixtures)
from test_attribution_sql import sources

REL = 1e-9
TABLES = ["leads", "deals", "touchpoints", "spend"]


@pytest.fixture(scope="module")
def variants(sample_dir, tmp_path_factory):
    """{kind: params path} for the sample as CSV, Parquet files and one DuckDB database."""
    d = tmp_path_factory.mktemp("attr_variants")
    tables = sv.sample_tables()
    sv.write_duckdb(d / "sample.duckdb", tables)
    sv.write_parquet(d, d / "sample.duckdb", tables)
    where = {"csv": None, "parquet": d, "duckdb": d / "sample.duckdb"}
    return {k: sv.variant_params(d / f"{k}.yaml", k, w) for k, w in where.items()}


def review_figures(params_path, engine: str = "auto") -> tuple[str, dict[str, pd.DataFrame]]:
    """The notebook's attribution calls (attribution_review.ipynb) for 2026-Q3: (path taken, results)."""
    params = load_params(params_path)
    ds = load_dataset(params, TABLES)
    P = Period.parse("2026-Q3")
    start, end = review.window(P)
    prev_start, prev_end = review.window(P.shift(-1))
    touches = touches_for(ds, channels=params.marketing_channels, engine=engine)
    outcomes = outcomes_from_crm(ds.leads, ds.deals, window=(start, end))
    opts = dict(lookback_days=review.LOOKBACK_DAYS)
    figures = {
        "models": touches.attribute_all(outcomes, review.SPREAD_MODELS, **opts),
        "boot": touches.bootstrap(outcomes, review.PRIMARY_MODEL, n_boot=50, seed=20240101,
                                  cost_by_channel=review.spend_by_channel(ds.spend, start, end),
                                  margin_rate=params.gross_margin, **opts),
        "prev": touches.attribute(outcomes_from_crm(ds.leads, ds.deals, window=(prev_start, prev_end)),
                                  review.PRIMARY_MODEL, **opts),
    }
    return touches.path, figures


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    pd.testing.assert_index_equal(got.index, want.index)
    assert list(got.columns) == list(want.columns), what
    for col in want.columns:
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float), rtol=REL,
                                   atol=1e-9, err_msg=f"{what}: {col}")


def test_parquet_and_duckdb_touchpoints_are_attributed_in_duckdb_with_the_csv_figures(variants):
    path, want = review_figures(variants["csv"])
    assert path == "memory"
    assert want["models"]["linear"].sum() > 100_000 and len(want["models"]) >= 6  # the sample's won deals
    assert want["boot"]["value_low"].lt(want["boot"]["value_high"]).any()  # a real interval, not a point
    for kind in ("parquet", "duckdb"):
        path, got = review_figures(variants[kind])
        assert path == "duckdb", kind
        for what in want:
            assert_same(got[what], want[what], f"{kind} {what}")


def test_touchpoints_from_postgresql_are_attributed_there_with_the_csv_figures(variants, postgres, tmp_path,
                                                                                monkeypatch):
    with postgres.connect() as conn:
        queries = sv.write_postgres(conn, sv.sample_tables())
    monkeypatch.setenv("CMO_CRM_URL", postgres.url())
    path, got = review_figures(sv.variant_params(tmp_path / "sql.yaml", "sql", queries=queries))
    assert path == "postgresql"
    _, want = review_figures(variants["csv"])
    for what in want:
        assert_same(got[what], want[what], f"postgresql {what}")


def test_the_engine_can_be_refused_and_is_refused_for_csv(variants):
    path, _ = review_figures(variants["parquet"], engine="memory")
    assert path == "memory"
    ds = load_dataset(load_params(variants["csv"]), TABLES)
    with pytest.raises(ValueError, match="CSV/xlsx file"):
        touches_for(ds, engine="engine")


def test_a_timestamp_format_sql_would_read_otherwise_keeps_the_in_memory_path(variants, tmp_path):
    """Day-first dates with month names: DuckDB's strptime is not Python's; the loader reads them, pandas attributes."""
    raw = yaml.safe_load(variants["parquet"].read_text(encoding="utf-8"))
    raw["data"]["touchpoints"][0]["date_format"] = ["%d %b %Y %H:%M", "iso"]
    p = tmp_path / "month_names.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ds = load_dataset(load_params(p), TABLES)
    touches = touches_for(ds)
    assert touches.path == "memory" and "timestamp" in touches.reason


def test_padded_cells_and_a_channel_map_read_in_duckdb_as_the_loader_reads_them(variants, tmp_path):
    """Tabs and no-break spaces around ids and times (Python's strip takes them, SQL's trim only spaces) and a
    ``values:`` map of the channel: the engine keeps its path and gives the in-memory figures."""
    raw = yaml.safe_load(variants["parquet"].read_text(encoding="utf-8"))
    source = f"{raw['data']['dir']}/touchpoints_0.parquet"
    messy = tmp_path / "messy.parquet"
    duckdb.sql(f"""COPY (SELECT CASE WHEN file_row_number % 7 = 0 THEN "Contact ID" || chr(9) ELSE "Contact ID" END
                                AS "Contact ID",
                            CASE WHEN file_row_number % 5 = 0 THEN ' ' || "Touch Timestamp" || chr(160)
                                 ELSE "Touch Timestamp" END AS "Touch Timestamp",
                            CASE WHEN "Channel" = 'email' AND file_row_number % 3 = 0 THEN chr(160) || 'E-Mail '
                                 ELSE "Channel" END AS "Channel", "Campaign", "Interaction Type"
                     FROM read_parquet('{source}', file_row_number = true)) TO '{messy}' (FORMAT parquet)""")
    entry = raw["data"]["touchpoints"][0]
    entry["file"], entry["values"] = str(messy), {"channel": {"e-mail": "email"}}
    p = tmp_path / "messy.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path, got = review_figures(p)
    assert path == "duckdb"
    _, want = review_figures(p, engine="memory")
    _, clean = review_figures(variants["csv"])
    for what in want:
        assert_same(got[what], want[what], f"messy {what}")
        assert_same(got[what], clean[what], f"messy vs clean {what}")  # the padding and the map change nothing


def test_sql_bootstrap_draws_the_in_memory_replicates(tmp_path, touchpoints, outcomes):  # noqa: F811
    """Hand-written journeys (lead 9 converted without a touch): same point values, same intervals."""
    con, tps, ocs = sources(tmp_path, touchpoints, outcomes)
    want = bootstrap(touchpoints, outcomes, "linear", n_boot=40, seed=3)
    got = bootstrap_sql(con, tps, ocs, "linear", order_by="seq", n_boot=40, seed=3)
    assert_same(got, want, "hand-written")
    # linear: lead 1 (A, A, B; 100) gives A 2/3 and B 1/3, lead 2 (B, C; 50) half each, lead 3 (C; 30) all,
    # lead 4 (A, B, C, A; 200) A 1/2, B and C 1/4: A 66.67 + 100, B 33.33 + 25 + 50, C 25 + 30 + 50
    assert got["value"].round(6).to_dict() == {"(no touchpoint)": 20.0, "A": round(200 / 3 + 100, 6),
                                               "B": round(100 / 3 + 75, 6), "C": 105.0}


@pytest.mark.parametrize("lookback", [None, 10])
def test_sql_bootstrap_agrees_on_random_journeys_with_ties(tmp_path, lookback):
    tp, oc = random_data(5, n=1500)
    tp = tp.reset_index(drop=True)
    tp.loc[tp.index[::5], "timestamp"] = tp["timestamp"].iloc[0]  # ties: the export order decides
    con, tps, ocs = sources(tmp_path, tp, oc)
    for model in ("linear", "time_decay", "w_shaped"):
        want = bootstrap(tp, oc, model, n_boot=30, seed=11, lookback_days=lookback)
        assert_same(bootstrap_sql(con, tps, ocs, model, order_by="seq", n_boot=30, seed=11, lookback_days=lookback),
                    want, model)
    with pytest.raises(ValueError, match="rule-based model"):
        bootstrap_sql(con, tps, ocs, "markov", order_by="seq")


def memos_by_source(variants: dict, tmp_path, notebook: str, period: str, lang: str) -> dict[str, tuple[bytes, bytes]]:
    """``notebook``'s memo (HTML, plain text) run on the sample from CSV and from Parquet, each with its own reports
    and history."""
    from cmo_workbook.delivery.runner import Runner, RunOptions

    out = {}
    for kind in ("csv", "parquet"):
        opts = RunOptions(params_path=variants[kind], period=Period.parse(period), lang=lang,
                          reports_dir=tmp_path / kind / "reports", history_dir=tmp_path / kind / "history")
        result = Runner(opts, say=lambda line: None).run(notebook)
        assert result.ok, (kind, result.message)
        out[kind] = (result.memo.read_bytes(), result.memo.with_suffix(".txt").read_bytes())
    return out


@pytest.mark.slow
def test_the_attribution_review_memo_is_byte_identical_from_csv_and_from_parquet_in_duckdb(variants, tmp_path):
    out = memos_by_source(variants, tmp_path, "attribution_review", "2026-Q3", "de")
    assert "Attributions-Review".encode() in out["csv"][0] or b"Attribution" in out["csv"][0]  # a whole memo
    assert out["parquet"][0] == out["csv"][0], "memo HTML differs between the in-memory and the DuckDB path"
    assert out["parquet"][1] == out["csv"][1], "plain-text memo differs"
