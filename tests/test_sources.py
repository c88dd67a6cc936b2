"""Table entries from Parquet, DuckDB and SQL (a real PostgreSQL started by the test session).

The rows come from the engines themselves (no mocks); every expected figure below is written by hand.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from cmo_workbook.errors import DataError, ParamsError
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from conftest import ROOT

# three HubSpot deals as their export names the columns: one won with an amount, one lost, one open without amount
HUBSPOT_HEADERS = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date"]
HUBSPOT_ROWS = [
    ("9001", "Antrieb A", "Closed Won", 1200.5, dt.datetime(2026, 3, 10), dt.datetime(2026, 1, 5)),
    ("9002", "Antrieb B", "Closed Lost", 800.0, dt.datetime(2026, 4, 2), dt.datetime(2026, 2, 1)),
    ("9003", "Antrieb C", "Contract Sent", None, None, dt.datetime(2026, 3, 15)),
]


def make_params(tmp_path: Path, data: dict, name: str = "acme.yaml") -> Path:
    """The sample company's params with only ``data`` replaced (absolute paths, no sections on files)."""
    params = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))
    params["data"] = {"dir": str(tmp_path), **data}
    params.pop("voc", None)
    params.pop("diary", None)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def hubspot_duckdb(path: Path, rows=HUBSPOT_ROWS, headers=HUBSPOT_HEADERS) -> Path:
    con = duckdb.connect(str(path))
    cols = ", ".join(f'"{h}" {t}' for h, t in zip(headers, ["varchar", "varchar", "varchar", "double",
                                                            "timestamp", "timestamp"]))
    con.execute(f"create table deals ({cols})")
    con.executemany(f"insert into deals values ({', '.join('?' * len(headers))})", rows)
    con.close()
    return path


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cmo_workbook", *args], capture_output=True, text=True,
                          env=full, timeout=300)


def assert_hubspot_deals(deals: pd.DataFrame) -> None:
    """The three deals above after the hubspot_deals preset and the sample stage map."""
    assert deals["deal_id"].tolist() == ["9001", "9002", "9003"]
    assert deals["status"].tolist() == ["won", "lost", "open"]
    assert deals["amount"].tolist()[:2] == [1200.5, 800.0] and pd.isna(deals["amount"].iloc[2])
    assert deals["close_date"].tolist()[:2] == [pd.Timestamp("2026-03-10"), pd.Timestamp("2026-04-02")]
    assert pd.isna(deals["close_date"].iloc[2])
    assert deals["created_date"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-02-01"),
                                              pd.Timestamp("2026-03-15")]


# --- DuckDB and Parquet ------------------------------------------------------------------------------


def test_a_duckdb_query_maps_its_columns_with_the_preset_like_a_files_headers(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    p = make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "query": "select * from deals order by 1",
                                          "preset": "hubspot_deals"}]})
    ds = load_dataset(load_params(p), ["deals"], today=dt.date(2026, 11, 30))
    assert_hubspot_deals(ds.deals)
    src = ds.sources[0]
    assert src.file.name == "table entry deals (query)" and src.rows == 3
    assert ds.deals["_row"].tolist() == [1, 2, 3]  # row numbers of the result


def test_a_parquet_file_reads_like_the_same_csv(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    con = duckdb.connect(str(tmp_path / "crm.duckdb"))
    con.execute(f"copy (select * from deals order by 1) to '{tmp_path / 'deals.parquet'}' (format parquet)")
    con.execute(f"copy (select * from deals order by 1) to '{tmp_path / 'deals.csv'}' (header, delimiter ',')")
    con.close()
    pq = load_dataset(load_params(make_params(tmp_path, {"deals": [{"file": "deals.parquet",
                                                                   "preset": "hubspot_deals"}]})),
                      ["deals"], today=dt.date(2026, 11, 30)).deals
    csv = load_dataset(load_params(make_params(tmp_path, {"deals": [{"file": "deals.csv", "preset": "hubspot_deals"}]},
                                               "csv.yaml")), ["deals"], today=dt.date(2026, 11, 30)).deals
    assert_hubspot_deals(pq)
    pd.testing.assert_frame_equal(pq.drop(columns=["_file", "_row"]), csv.drop(columns=["_file", "_row"]))
    assert pq["_file"].iloc[0] == "deals.parquet" and pq["_row"].tolist() == [1, 2, 3]
    assert csv["_row"].tolist() == [2, 3, 4]  # the CSV counts its header line


def test_columns_mapping_and_value_maps_apply_to_query_columns(tmp_path):
    # the warehouse calls the stage "phase" and writes its own stage names
    rows = [(r[0], r[1], {"Closed Won": "W", "Closed Lost": "L", "Contract Sent": "O"}[r[2]], *r[3:]) for r in HUBSPOT_ROWS]
    hubspot_duckdb(tmp_path / "crm.duckdb", rows, ["Record ID", "Deal Name", "phase", "Amount", "Close Date",
                                                    "Create Date"])
    p = make_params(tmp_path, {"deals": [{
        "duckdb": "crm.duckdb", "query": "select * from deals order by 1", "preset": "hubspot_deals",
        "columns": {"stage": "phase"},
        "values": {"stage": {"W": "Closed Won", "L": "Closed Lost", "O": "Contract Sent"}}}]})
    assert_hubspot_deals(load_dataset(load_params(p), ["deals"], today=dt.date(2026, 11, 30)).deals)


def test_a_bad_cell_in_a_query_result_names_the_entry_the_result_row_and_the_column(tmp_path):
    con = duckdb.connect(str(tmp_path / "crm.duckdb"))
    con.execute('create table deals ("Record ID" varchar, "Deal Stage" varchar, "Amount" varchar, '
                '"Create Date" varchar)')
    con.execute("insert into deals values ('1', 'Closed Won', '100', '2026-01-02'), "
                "('2', 'Closed Won', 'viel', '2026-01-03')")
    con.close()
    p = make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "query": "select * from deals order by 1",
                                          "preset": "hubspot_deals"}]})
    with pytest.raises(DataError) as exc:
        load_dataset(load_params(p), ["deals"], today=dt.date(2026, 11, 30))
    text = str(exc.value)
    assert 'table entry deals (query), row 2, column "Amount": "viel" is not a number' in text, text


def test_a_missing_column_in_the_query_result_exits_2_naming_the_entry_and_the_columns_key(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    p = make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "preset": "hubspot_deals",
                                          "query": 'select "Record ID", "Deal Name", "Amount" from deals'}]})
    res = cli("validate", "--params", str(p))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "table entry deals (query): has no column for stage, which is required" in res.stderr
    assert "set data.deals[0].columns.stage:" in res.stderr


def test_a_wrong_duckdb_query_exits_2_with_the_engines_message_and_the_key_to_fix(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    p = make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "preset": "hubspot_deals",
                                          "query": "select * from dealz"}]})
    res = cli("validate", "--params", str(p))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "table entry deals (query): the query on crm.duckdb failed:" in res.stderr
    assert "dealz" in res.stderr and "correct data.deals[0].query in" in res.stderr


def test_a_duckdb_entry_without_a_query_or_with_two_sources_is_refused(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    with pytest.raises(ParamsError) as exc:
        load_params(make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "preset": "hubspot_deals"}]}))
    assert '"data.deals[0].duckdb" needs a query' in str(exc.value)
    with pytest.raises(ParamsError) as exc:
        load_params(make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "file": "x.csv", "query": "select 1",
                                                      "preset": "hubspot_deals"}]}))
    assert '"data.deals[0]" names file and duckdb; give one source per entry' in str(exc.value)


def test_a_label_names_the_source_in_the_data_note_only(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    p = make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "query": "select * from deals order by 1",
                                          "preset": "hubspot_deals", "label": "CRM-Replikat"}]})
    src = load_dataset(load_params(p), ["deals"], today=dt.date(2026, 11, 30)).sources[0]
    assert src.name == "CRM-Replikat" and src.file.name == "table entry deals (query)"


# --- SQL: params-level refusals (no server needed) ---------------------------------------------------


def test_a_url_with_a_password_in_params_exits_2_naming_the_key_and_url_env(tmp_path):
    p = make_params(tmp_path, {"deals": [{"sql": {"url": "postgresql+psycopg://crm:geheim@db.internal/crm",
                                                  "query": "select 1"}, "preset": "hubspot_deals"}]})
    res = cli("validate", "--params", str(p))
    assert res.returncode == 2, res.stdout + res.stderr
    assert '"data.deals[0].sql.url" contains a password' in res.stderr
    assert "url_env" in res.stderr and "geheim" not in res.stderr  # the password itself is never echoed


def test_a_password_as_url_parameter_is_refused_too(tmp_path):
    p = make_params(tmp_path, {"deals": [{"sql": {"url": "postgresql+psycopg://crm@db/crm?password=geheim",
                                                  "query": "select 1"}, "preset": "hubspot_deals"}]})
    with pytest.raises(ParamsError) as exc:
        load_params(p)
    assert '"data.deals[0].sql.url" contains a password' in str(exc.value)


def test_an_unset_url_env_exits_2_naming_the_variable(tmp_path):
    p = make_params(tmp_path, {"deals": [{"sql": {"url_env": "CMO_TEST_NO_SUCH_URL", "query": "select 1"},
                                          "preset": "hubspot_deals"}]})
    res = cli("validate", "--params", str(p), env={"CMO_TEST_NO_SUCH_URL": ""})
    assert res.returncode == 2, res.stdout + res.stderr
    assert ("table entry deals (query): the environment variable CMO_TEST_NO_SUCH_URL (named by "
            "data.deals[0].sql.url_env) is not set") in res.stderr


# --- SQL against the real PostgreSQL -----------------------------------------------------------------


@pytest.fixture(scope="module")
def crm(postgres):
    """The three HubSpot deals in PostgreSQL, typed as a CRM replica types them."""
    with postgres.connect() as conn:
        conn.execute("drop table if exists deals")
        conn.execute('create table deals ("Record ID" bigint, "Deal Name" text, "Deal Stage" text, '
                     '"Amount" numeric(12,2), "Close Date" date, "Create Date" timestamptz)')
        with conn.cursor().copy("copy deals from stdin") as copy:
            for r in HUBSPOT_ROWS:
                created = r[5].replace(tzinfo=dt.timezone.utc)
                copy.write_row((int(r[0]), r[1], r[2], r[3], r[4].date() if r[4] else None, created))
    return postgres


def sql_params(tmp_path: Path, query: str = 'select * from deals order by "Record ID"') -> Path:
    return make_params(tmp_path, {"deals": [{"sql": {"url_env": "CMO_CRM_URL", "query": query},
                                             "preset": "hubspot_deals"}]})


def test_a_postgresql_query_gives_the_same_deals(tmp_path, crm, monkeypatch):
    monkeypatch.setenv("CMO_CRM_URL", crm.url())
    ds = load_dataset(load_params(sql_params(tmp_path)), ["deals"], today=dt.date(2026, 11, 30))
    assert_hubspot_deals(ds.deals)
    assert ds.sources[0].file.name == "table entry deals (query)"


def test_a_query_with_colons_and_percent_signs_reaches_postgresql_unchanged(tmp_path, crm, monkeypatch):
    monkeypatch.setenv("CMO_CRM_URL", crm.url())
    q = ("select * from deals where \"Deal Name\" like 'Antrieb%' and '10:30' = '10:30' "
         "and \"Record ID\" <> 9002 order by 1")
    deals = load_dataset(load_params(sql_params(tmp_path, q)), ["deals"], today=dt.date(2026, 11, 30)).deals
    assert deals["deal_id"].tolist() == ["9001", "9003"]


def test_a_wrong_sql_query_exits_2_with_the_servers_message(tmp_path, crm):
    res = cli("validate", "--params", str(sql_params(tmp_path, "select * from dealz")),
              env={"CMO_CRM_URL": crm.url()})
    assert res.returncode == 2, res.stdout + res.stderr
    assert "table entry deals (query): the query failed on postgresql+psycopg://cmo:***@127.0.0.1" in res.stderr
    assert 'relation "dealz" does not exist' in res.stderr
    assert "correct data.deals[0].sql.query in" in res.stderr and crm.password not in res.stderr


def test_the_fix_names_a_params_file_in_a_folder_called_params_once(tmp_path, crm, monkeypatch):
    """Run from the project folder, the params path reads "params/acme.yaml"; the reader's "in params" became
    "params/acme.yaml/acme.yaml" (a fresh-clone reader's find)."""
    (tmp_path / "params").mkdir()
    path = sql_params(tmp_path, "select * from dealz").rename(tmp_path / "params" / "acme.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CMO_CRM_URL", crm.url())
    with pytest.raises(DataError) as err:
        load_dataset(load_params(path.relative_to(tmp_path)), ["deals"], today=dt.date(2026, 11, 30))
    assert "correct data.deals[0].sql.query in params/acme.yaml (try it in psql" in str(err.value), str(err.value)


def test_a_url_with_host_and_port_in_its_query_reaches_postgresql(crm):
    """``postgresql+psycopg://user:pw@/db?host=/run/postgresql&port=5433`` (a socket folder or a host in the query,
    as libpq and SQLAlchemy allow) gave the engine's connect "multiple values for keyword argument 'host'"."""
    from sqlalchemy.engine import make_url

    from cmo_workbook.inputs.engine import _conninfo

    url = make_url(f"postgresql+psycopg://{crm.user}:{crm.password}@/{crm.database}?host={crm.host}&port={crm.port}")
    assert _conninfo(url) == {"host": crm.host, "port": str(crm.port), "user": crm.user, "password": crm.password,
                              "dbname": crm.database}
    import psycopg

    with psycopg.connect(autocommit=True, **_conninfo(url)) as conn:
        assert conn.execute("select count(*) from deals").fetchone()[0] == len(HUBSPOT_ROWS)
    # the URL's own host and port when the query has none
    plain = _conninfo(make_url(crm.url()))
    assert (plain["host"], plain["port"], plain["dbname"]) == (crm.host, crm.port, crm.database)


def test_a_missing_column_in_a_sql_result_exits_2(tmp_path, crm):
    res = cli("validate", "--params", str(sql_params(tmp_path, 'select "Record ID", "Deal Name" from deals')),
              env={"CMO_CRM_URL": crm.url()})
    assert res.returncode == 2, res.stdout + res.stderr
    assert "table entry deals (query): has no column for stage, which is required" in res.stderr


def test_an_unreachable_database_exits_2_before_any_kernel(tmp_path, crm):
    from postgres_server import _free_port

    url = crm.url().replace(f":{crm.port}/", f":{_free_port()}/")  # nothing listens there
    reports = tmp_path / "reports"
    res = cli("run", "kpi_dashboard", "--period", "2026-10", "--params", str(sql_params(tmp_path)),
              "--reports", str(reports), env={"CMO_CRM_URL": url})
    assert res.returncode == 2, res.stdout + res.stderr
    assert "table entry deals (query): cannot connect to the database postgresql+psycopg://cmo:***@127.0.0.1:" \
        in res.stderr
    assert "check that the database server runs" in res.stderr and crm.password not in res.stderr
    assert not list(reports.rglob("*.ipynb"))  # refused before any kernel started


def test_a_wrong_password_in_the_environment_is_a_connection_problem(tmp_path, crm):
    res = cli("validate", "--params", str(sql_params(tmp_path)),
              env={"CMO_CRM_URL": crm.url().replace(crm.password, "falsch")})
    assert res.returncode == 2, res.stdout + res.stderr
    assert "cannot connect to the database" in res.stderr and "password authentication failed" in res.stderr


# --- what the engine does so pandas sees less -------------------------------------------------------------


def test_parquet_columns_nothing_maps_are_left_in_the_file(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    con = duckdb.connect(str(tmp_path / "crm.duckdb"))
    con.execute(f"copy (select *, repeat('x', 1000) as \"Notes\" from deals order by 1) to "
                f"'{tmp_path / 'deals.parquet'}' (format parquet)")
    con.close()
    p = load_params(make_params(tmp_path, {"deals": [{"file": "deals.parquet", "preset": "hubspot_deals"}]}))
    from cmo_workbook.inputs.loaders import raw_cells

    raw = raw_cells(p, "deals", p.files("deals")[0])
    assert list(raw.frame.columns) == HUBSPOT_HEADERS and raw.unread == ["Notes"]
    ds = load_dataset(p, ["deals"], today=dt.date(2026, 11, 30))
    assert_hubspot_deals(ds.deals)
    assert ds.sources[0].unmapped == ["Notes"]  # validate still lists it as ignored


def test_a_row_without_id_makes_the_engine_read_every_column_so_its_generated_id_stays_the_same(tmp_path):
    rows = [*HUBSPOT_ROWS[:2], (None, *HUBSPOT_ROWS[2][1:])]
    hubspot_duckdb(tmp_path / "crm.duckdb", rows)
    con = duckdb.connect(str(tmp_path / "crm.duckdb"))
    # text cells as in the CSV, so both hash the same content
    con.execute(f"copy (select columns(*)::varchar, 'n' as \"Notes\" from deals order by \"Create Date\") to "
                f"'{tmp_path / 'deals.parquet'}' (format parquet)")
    con.execute(f"copy (select *, 'n' as \"Notes\" from deals order by \"Create Date\") to "
                f"'{tmp_path / 'deals.csv'}' (header, delimiter ',')")
    con.close()
    from cmo_workbook.inputs.loaders import raw_cells

    p = load_params(make_params(tmp_path, {"deals": [{"file": "deals.parquet", "preset": "hubspot_deals"}]}))
    assert "Notes" in raw_cells(p, "deals", p.files("deals")[0]).frame.columns
    pq = load_dataset(p, ["deals"], today=dt.date(2026, 11, 30)).deals
    csv = load_dataset(load_params(make_params(tmp_path, {"deals": [{"file": "deals.csv", "preset": "hubspot_deals"}]},
                                               "csv.yaml")), ["deals"], today=dt.date(2026, 11, 30)).deals
    assert pq["deal_id"].iloc[2].startswith("de-") and pq["deal_id"].tolist() == csv["deal_id"].tolist()


def test_validate_names_each_source_kind(tmp_path):
    hubspot_duckdb(tmp_path / "crm.duckdb")
    p = make_params(tmp_path, {"deals": [{"duckdb": "crm.duckdb", "query": "select * from deals order by 1",
                                          "preset": "hubspot_deals"}]})
    res = cli("validate", "--params", str(p))
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("file ")), res.stdout + res.stderr)
    assert line.split() == ["file", "deals", "table", "entry", "deals", "(query):", "3", "rows,", "preset",
                            "hubspot_deals,", "DuckDB", "query"], line


def test_an_entry_without_any_source_names_the_three_kinds(tmp_path):
    with pytest.raises(ParamsError) as exc:
        load_params(make_params(tmp_path, {"deals": [{"preset": "hubspot_deals"}]}))
    assert '"data.deals[0]" names none of file, duckdb, sql; each table entry reads a file:' in str(exc.value)


def test_a_url_without_password_passes_params_and_fails_only_at_the_server(tmp_path, crm):
    p = make_params(tmp_path, {"deals": [{"sql": {"url": crm.url(password=False), "query": "select 1"},
                                          "preset": "hubspot_deals"}]})
    load_params(p)  # allowed in params: .pgpass, peer or certificate authentication
    with pytest.raises(DataError) as exc:
        load_dataset(load_params(p), ["deals"], today=dt.date(2026, 11, 30))
    assert "cannot connect to the database postgresql+psycopg://cmo@127.0.0.1" in str(exc.value)
