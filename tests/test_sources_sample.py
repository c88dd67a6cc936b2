"""Acceptance (issue 13): the sample company's data as CSV, Parquet, DuckDB and PostgreSQL gives the same
tables and byte-identical memos."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import source_variants as sv
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params

KINDS = ("csv", "parquet", "duckdb", "sql")


@pytest.fixture(scope="module")
def variants(sample_dir, postgres, tmp_path_factory):
    """{kind: params path}; the PostgreSQL URL is in CMO_CRM_URL while the module's tests run."""
    d = tmp_path_factory.mktemp("variants")
    tables = sv.sample_tables()
    sv.write_duckdb(d / "sample.duckdb", tables)
    sv.write_parquet(d, d / "sample.duckdb", tables)
    with postgres.connect() as conn:
        queries = sv.write_postgres(conn, tables)
    where = {"csv": None, "parquet": d, "duckdb": d / "sample.duckdb", "sql": None}
    mp = pytest.MonkeyPatch()
    mp.setenv("CMO_CRM_URL", postgres.url())
    yield {k: sv.variant_params(d / f"{k}.yaml", k, where[k], queries=queries) for k in KINDS}
    mp.undo()


def test_every_variant_loads_the_same_canonical_tables_and_findings(variants):
    loaded = {k: load_dataset(load_params(p), today=dt.date(2026, 11, 30)) for k, p in variants.items()}
    base = loaded["csv"]
    assert sum(len(df) for df in base.tables.values()) > 50_000  # the whole sample, not a slice
    for kind in KINDS[1:]:
        ds = loaded[kind]
        # touchpoints from the engine sources stay there (inputs.engine_table): their canonical touch columns
        assert sorted([*ds.tables, *ds.engine]) == sorted(base.tables) and list(ds.engine) == ["touchpoints"]
        for name, df in base.tables.items():
            if name in ds.engine:
                touch = ["lead_id", "timestamp", "channel"]
                pd.testing.assert_frame_equal(ds.engine[name].frame(), df[touch], obj=f"{kind} {name}")
                continue
            pd.testing.assert_frame_equal(ds.tables[name].drop(columns=["_file", "_row"]),
                                          df.drop(columns=["_file", "_row"]), obj=f"{kind} {name}")
        assert [f.en for f in ds.findings] == [f.en for f in base.findings]
        assert [(s.name, s.rows) for s in ds.sources] == [(s.name, s.rows) for s in base.sources]
    # what differs is where a row came from: a file row vs the query result's row
    assert loaded["sql"].tables["deals"]["_file"].iloc[0] == "table entry deals (query)"
    assert loaded["csv"].tables["deals"]["_file"].iloc[0] == "crm/hubspot_deals.csv"


@pytest.mark.slow
def test_the_kpi_memo_is_byte_identical_from_csv_parquet_duckdb_and_postgresql(variants, tmp_path):
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.periods import Period

    out = {}
    for kind, params in variants.items():
        opts = RunOptions(params_path=params, period=Period.parse("2026-10"), lang="de",
                          reports_dir=tmp_path / kind / "reports", history_dir=tmp_path / kind / "history")
        result = Runner(opts, say=lambda line: None).run("kpi_dashboard")
        assert result.ok, (kind, result.message)
        out[kind] = (result.memo.read_bytes(), result.memo.with_suffix(".txt").read_bytes(),
                     (result.memo.parent / "kpis.csv").read_bytes())
    assert b"Quellen: leads 0 (" in out["csv"][0] or b"leads 0 (" in out["csv"][0]  # the labels are in the note
    for kind in KINDS[1:]:
        assert out[kind][0] == out["csv"][0], f"{kind}: memo HTML differs from the CSV run"
        assert out[kind][1] == out["csv"][1], f"{kind}: plain-text memo differs"
        assert out[kind][2] == out["csv"][2], f"{kind}: KPI store differs"
