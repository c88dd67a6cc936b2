"""Touchpoints from Parquet and DuckDB stay in the engine (issue 13): the loader validates and profiles them in
SQL with the messages and figures of the in-memory path, and the memos' pipeline figures come from aggregates."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from cmo_workbook.errors import DataError, ParamsError
from cmo_workbook.inputs import engine_table, loaders, plausibility, profile
from cmo_workbook.inputs.engine_table import EngineTable
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.inputs.validate import validate
from cmo_workbook.metrics import funnel, sla
from cmo_workbook.periods import Period

from test_attribution_source import memos_by_source, variants  # noqa: F401 (fixture)

ENGINE_KINDS = ("parquet", "duckdb")


def test_engine_touchpoints_never_become_a_frame_and_profile_as_in_memory(variants, sample_dir,  # noqa: F811
                                                                          monkeypatch):
    csv = load_dataset(load_params(variants["csv"]))
    assert "touchpoints" in csv.tables and not csv.engine
    lines = (sample_dir / "crm" / "touchpoints.csv").read_text(encoding="utf-8-sig").splitlines()
    P = Period.parse("2026-Q3")
    in_q3 = sum(1 for line in lines[1:] if "2026-07-01" <= line.split(",")[1] < "2026-10-01")
    assert in_q3 > 100 and csv.activity(P, "touchpoints") == {"timestamp": in_q3}
    for kind in ENGINE_KINDS:
        ds = load_dataset(load_params(variants[kind]))
        assert "touchpoints" not in ds.tables and isinstance(ds.touchpoints, EngineTable), kind
        assert ds.engine["touchpoints"].rows == len(lines) - 1 and ds.has("touchpoints")
        assert ds.activity(P, "touchpoints") == {"timestamp": in_q3}
        pd.testing.assert_series_equal(ds.profile().loc["touchpoints"], csv.profile().loc["touchpoints"])
        with monkeypatch.context() as m:  # the same entries read into pandas (the path before)
            m.setattr(engine_table, "takes", lambda params: False)
            mem = load_dataset(load_params(variants[kind]))
        assert "touchpoints" in mem.tables and not mem.engine
        pd.testing.assert_frame_equal(ds.profile(), mem.profile(), obj=kind)
        assert profile.lines(ds) == profile.lines(mem), kind
        assert [s.__dict__ for s in ds.sources] == [s.__dict__ for s in mem.sources]
        later = Period.parse("2030-01")
        assert ds.freshness(later, ["touchpoints"])[0].text("en") == mem.freshness(later, ["touchpoints"])[0].text("en")
        ds.touchpoints.close()


def test_validate_prints_the_same_for_parquet_in_the_engine_as_in_memory(variants, monkeypatch):  # noqa: F811
    out = {}
    read = loaders.load_file

    def no_touchpoints(params, table, entry, **kw):  # the engine path must not read the table into pandas
        assert table != "touchpoints", "the touchpoints were read into pandas"
        return read(params, table, entry, **kw)

    for takes in (True, False):
        said: list[str] = []
        with monkeypatch.context() as m:
            if takes:
                m.setattr(loaders, "load_file", no_touchpoints)
            else:
                m.setattr(engine_table, "takes", lambda params: False)
            assert validate(variants["parquet"], say=said.append) == 0
        out[takes] = said
    assert any(s.startswith("health  touchpoints") for s in out[True])
    assert out[True] == out[False]


def test_pipeline_figures_from_the_engine_are_the_in_memory_figures(variants):  # noqa: F811
    """Sourced/influenced (attribution review) and outbound deals with marketing touches (sync) from aggregates."""
    csv = load_dataset(load_params(variants["csv"]))
    mkt = csv.params.marketing_channels
    P = Period.parse("2026-Q3")
    created = csv.deals[P.contains(csv.deals["created_date"])]
    want = funnel.sourced_vs_influenced(created, csv.touchpoints, marketing_channels=mkt, leads=csv.leads)
    assert want.loc["influenced", "deals"] > 0 and want.loc["all", "deals"] == len(created)
    q = sla.attribution_questions(csv.deals, csv.leads, csv.touchpoints, pd.Timestamp("2025-01-01"),
                                  pd.Timestamp("2026-10-01"), mkt)["outbound_with_marketing"]
    assert len(q) > 0
    for kind in ENGINE_KINDS:
        ds = load_dataset(load_params(variants[kind]))
        created = ds.deals[P.contains(ds.deals["created_date"])]
        got = funnel.sourced_vs_influenced(created, ds.touchpoints, marketing_channels=mkt, leads=ds.leads)
        pd.testing.assert_frame_equal(got, want, obj=kind)
        got_q = sla.attribution_questions(ds.deals, ds.leads, ds.touchpoints, pd.Timestamp("2025-01-01"),
                                          pd.Timestamp("2026-10-01"), mkt)["outbound_with_marketing"]
        # the deals' _file and _row name the export they came from (hubspot_deals.csv row 975, deals_0.parquet row 974)
        cols = ["_file", "_row"]
        pd.testing.assert_frame_equal(got_q.drop(columns=cols), q.drop(columns=cols), obj=kind)
        ds.touchpoints.close()


#: the broken rows of the last :func:`_broken` (for the PostgreSQL table)
_ROWS: list[list[object]] = []


def _broken(folder, variants_parquet, kind: str):  # noqa: F811
    """Params whose touchpoints (the sample's, as text) have cells the loader refuses, as Parquet or DuckDB."""
    raw = yaml.safe_load(variants_parquet.read_text(encoding="utf-8"))
    source = f"{raw['data']['dir']}/touchpoints_0.parquet"
    rows = duckdb.sql(f'SELECT "Contact ID", CAST("Touch Timestamp" AS VARCHAR) AS t, "Channel" '
                      f"FROM read_parquet('{source}') LIMIT 40").fetchall()
    rows = [list(r) for r in rows]
    rows[2][1] = "gestern"          # not a date (row 3)
    rows[4][0] = None               # empty required id (row 5)
    rows[7][1] = "2031-05-01 10:00:00"  # in the future (row 8)
    rows[8][1] = "1850-01-01 10:00:00"  # implausible (row 9)
    for r in range(10, 23):         # 13 empty channels: 10 listed and one line counting 3 (rows 21 to 23)
        rows[r][2] = "  "
    _ROWS[:] = rows
    frame = pd.DataFrame(rows, columns=["Contact ID", "Touch Timestamp", "Channel"])
    entry = raw["data"]["touchpoints"][0]
    if kind == "sql":
        entry.pop("file", None)
        entry["sql"] = {"url_env": "CMO_CRM_URL", "query": 'select * from broken order by pos'}
    elif kind == "parquet":
        path = folder / "broken.parquet"
        duckdb.sql("SELECT * FROM frame").write_parquet(str(path))
        entry["file"] = str(path)
    else:
        db = folder / "broken.duckdb"
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE tp AS SELECT * FROM frame")
        con.close()
        entry.pop("file", None)
        entry["duckdb"], entry["query"] = str(db), "select * from tp order by rowid"
    p = folder / f"broken_{kind}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_params(p)


@pytest.mark.parametrize("kind", [*ENGINE_KINDS, "sql"])
def test_bad_cells_are_found_in_sql_with_the_loaders_messages(variants, tmp_path, kind, request,  # noqa: F811
                                                             monkeypatch):
    params = _broken(tmp_path, variants["parquet"], kind)
    if kind == "sql":  # the same rows in PostgreSQL, the checks pushed down there
        postgres = request.getfixturevalue("postgres")
        frame = pd.DataFrame(_ROWS, columns=["Contact ID", "Touch Timestamp", "Channel"])
        with postgres.connect() as conn:
            conn.execute("drop table if exists broken")
            conn.execute('create table broken (pos bigint, "Contact ID" text, "Touch Timestamp" text, "Channel" text)')
            with conn.cursor().copy("copy broken from stdin") as copy:
                for pos, row in enumerate(frame.itertuples(index=False)):
                    copy.write_row((pos, *row))
        monkeypatch.setenv("CMO_CRM_URL", postgres.url())
        assert engine_table.takes(params)
    with monkeypatch.context() as m, pytest.raises(DataError) as in_engine:  # found in SQL, not by the loader
        m.setattr(loaders, "load_file", lambda *a, **kw: pytest.fail("the touchpoints were read into pandas"))
        load_dataset(params, ["touchpoints"], today=dt.date(2026, 11, 30))
    with pytest.raises(DataError) as in_memory:  # the file path: the loader reads the entry into pandas
        loaders.load_file(params, "touchpoints", params.files("touchpoints")[0], today=dt.date(2026, 11, 30))
    got = [(p.file, p.message, p.row, p.column, p.value, p.fix) for p in in_engine.value.problems]
    assert got == [(p.file, p.message, p.row, p.column, p.value, p.fix) for p in in_memory.value.problems]
    by_row = {(p.row, p.column): p.message for p in in_engine.value.problems}
    assert by_row[(3, "Touch Timestamp")].startswith("is not a date")
    assert by_row[(5, "Contact ID")] == "is empty but lead_id is required"
    assert by_row[(8, "Touch Timestamp")] == "lies in the future (today is 30.11.2026)"
    assert by_row[(9, "Touch Timestamp")].startswith("is not a plausible date")
    assert [p.row for p in in_engine.value.problems if p.column == "Channel"][:10] == list(range(11, 21))
    assert in_engine.value.problems[-1].message == "3 more cells in rows 21 to 23 have the same kind of problem"


@pytest.mark.slow
def test_the_sync_memo_is_byte_identical_with_touchpoints_in_the_engine(variants, tmp_path):  # noqa: F811
    """The sales-marketing sync asks for the outbound deals' marketing touches (sla.attribution_questions)."""
    out = memos_by_source(variants, tmp_path, "sales_marketing_sync", "2026-10", "en")
    assert b"touchpoints 0 (" in out["csv"][0]  # the data note names the touchpoints with their rows
    assert out["parquet"] == out["csv"]


def _setting(table: EngineTable, name: str) -> str:
    return table.relation.con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_the_embedded_engine_gets_the_params_memory_limit_and_a_spill_folder(variants, tmp_path):  # noqa: F811
    """DuckDB's own default is 80 % of the machine's RAM: one company's warehouse touchpoints would take the memory
    of a portfolio run's other kernels (and a read-only database cannot spill next to itself)."""
    def expected(limit: str) -> str:  # DuckDB's own reading of the size (1GB is 10^9 bytes: "953.6 MiB")
        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{limit}'")
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    for kind in ENGINE_KINDS:
        ds = load_dataset(load_params(variants[kind]))
        assert _setting(ds.touchpoints, "memory_limit") == expected("1GB"), kind
        spill = Path(_setting(ds.touchpoints, "temp_directory"))
        assert spill.is_dir() and spill.name.startswith("cmo-duckdb-"), kind
        ds.touchpoints.close()
    raw = yaml.safe_load(variants["parquet"].read_text(encoding="utf-8"))
    raw["data"]["engine_memory_limit"] = "256MB"
    p = tmp_path / "capped.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    ds = load_dataset(load_params(p))
    assert _setting(ds.touchpoints, "memory_limit") == expected("256MB") != expected("1GB")
    ds.touchpoints.close()
    raw["data"]["engine_memory_limit"] = "viel"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(p)
    text = str(err.value)
    assert '"data.engine_memory_limit" must be a size with its unit' in text and "(got 'viel')" in text, text
    assert 'leave it out for the default "1GB"' in text, text


def _other_ids(variants, tmp_path, kind: str) -> Path:  # noqa: F811
    """The sample's params with touchpoints keyed by another id (e-mail-like "web-51023"), as CSV or Parquet."""
    raw = yaml.safe_load(variants[kind].read_text(encoding="utf-8"))
    entry = raw["data"]["touchpoints"][0]
    src = Path(raw["data"]["dir"]) / entry["file"]
    if kind == "csv":
        frame = pd.read_csv(src, dtype=str, encoding="utf-8-sig")
        frame["Contact ID"] = "web-" + frame["Contact ID"]
        out = tmp_path / "touchpoints_other_ids.csv"
        frame.to_csv(out, index=False)
    else:
        out = tmp_path / "touchpoints_other_ids.parquet"
        duckdb.sql(f"SELECT * REPLACE ('web-' || CAST(\"Contact ID\" AS VARCHAR) AS \"Contact ID\") "
                   f"FROM read_parquet('{src}')").write_parquet(str(out))
    entry["file"] = str(out)
    p = tmp_path / f"other_ids_{kind}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_touchpoints_whose_ids_match_no_lead_stop_the_run(variants, tmp_path, kind):  # noqa: F811
    """Every journey would count as not converting and each channel's attributed value would be 0 €: the run
    stops (validate exits 2) with the two ids side by side and the params key that maps the right column."""
    params_path = _other_ids(variants, tmp_path, kind)
    with pytest.raises(DataError) as err:  # the CLI's exit 2, before any kernel
        validate(params_path, say=lambda _line: None)
    text = str(err.value)
    first = (Path(yaml.safe_load(variants["csv"].read_text())["data"]["dir"]) / "crm" / "touchpoints.csv") \
        .read_text(encoding="utf-8-sig").splitlines()
    n = len(first) - 1  # every touch has an id: the sample's touchpoints export has no empty Contact ID
    leads = load_dataset(load_params(variants["csv"])).leads
    assert f"none of the {n:,} touchpoints carries the id of a lead" in text, text
    assert f'(touchpoints "web-{first[1].split(",")[0]}", leads "{leads["lead_id"].iloc[0]}")' in text, text
    assert "map the column that holds the lead's CRM id under data.touchpoints[..].columns.lead_id" in text, text
    assert "Contact ID" in text, text  # the header the preset read as the lead id


def _touchpoints_variant(variants, tmp_path, kind: str, change) -> Path:  # noqa: F811
    """The sample's params with its touchpoints passed through ``change(frame) -> frame`` (as CSV or Parquet)."""
    raw = yaml.safe_load(variants["csv"].read_text(encoding="utf-8"))
    entry = raw["data"]["touchpoints"][0]
    frame = change(pd.read_csv(Path(raw["data"]["dir"]) / entry["file"], dtype=str, encoding="utf-8-sig"))
    if kind == "csv":
        out = tmp_path / "touchpoints_changed.csv"
        frame.to_csv(out, index=False)
    else:
        out = tmp_path / "touchpoints_changed.parquet"
        duckdb.sql("SELECT * FROM frame").write_parquet(str(out))
    entry["file"] = str(out)
    p = tmp_path / f"changed_{kind}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


#: GA4's default channel groups as a GA4/BigQuery export spells them, for the sample's channel ids
_GA4_NAMES = {"email": "Email", "organic_search": "Organic Search", "direct": "Direct", "paid_search": "Paid Search"}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_touchpoint_channels_no_channel_id_knows_are_named_with_the_map_that_fixes_them(variants, tmp_path, kind):  # noqa: F811
    """GA4's "Organic Search" is no channel id: such touches are credited to no marketing channel. All of them
    unknown stops the run; some is a data-note line with the count (a fresh-clone reader's find: validate said ok)."""
    sample = pd.read_csv(Path(yaml.safe_load(variants["csv"].read_text())["data"]["dir"]) / "crm" / "touchpoints.csv",
                         dtype=str, encoding="utf-8-sig")
    by = sample["Channel"].value_counts()
    # some: the four channels GA4 names its own way, the rest (linkedin, webinars, ...) as ids
    some = _touchpoints_variant(variants, tmp_path, kind, lambda f: f.assign(Channel=f["Channel"].replace(_GA4_NAMES)))
    ds = load_dataset(load_params(some))
    notes = [f for f in plausibility.review(ds) if f.key == "note_touch_unknown_channels"]
    n = sum(int(by[c]) for c in _GA4_NAMES)  # 7,913 + 5,670 + 3,681 + 1,998 = 19,262 of 30,510
    assert n == 19262 and len(notes) == 1
    assert notes[0].text("de") == (f"{n:,}".replace(",", ".") + " Kontaktpunkte tragen Kanalnamen, die der Bericht "
                                   'nicht kennt ("Email", "Organic Search", "Direct", "Paid Search"), und sind keinem '
                                   "Marketingkanal zugerechnet")
    assert ('values: {channel: {"Email": email, "Organic Search": organic_search, "Direct": direct, '
            '"Paid Search": paid_search}}') in notes[0].fix
    if kind == "parquet":
        ds.touchpoints.close()
    # all: every touch in a GA4 name or in sales' own outbound work (no marketing channel left)
    every = dict(_GA4_NAMES, linkedin="Paid Social", webinars="Referral", trade_fairs="Display", partners="Affiliates")
    none = _touchpoints_variant(variants, tmp_path, kind, lambda f: f.assign(Channel=f["Channel"].replace(every)))
    with pytest.raises(DataError) as err:
        validate(none, say=lambda _line: None)
    assert (f"none of the {len(sample):,} touchpoints with a channel carries a marketing channel id (values "
            f'"Email" ({by["email"]:,}), "Organic Search" ({by["organic_search"]:,}),') in str(err.value)
    assert '"Paid Social": paid_social' in str(err.value) and '"Affiliates": partners' in str(err.value)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_touchpoints_of_contacts_outside_the_leads_table_are_counted_in_the_data_note(variants, tmp_path, kind):  # noqa: F811
    """40 % of the touches keyed by a cookie id: validate said ok; the journeys count as not converting."""
    def cookies(f: pd.DataFrame) -> pd.DataFrame:
        f = f.copy()
        rows = f.index[f.index % 5 < 2]  # rows 0, 1, 5, 6, ...: 2 in 5
        f.loc[rows, "Contact ID"] = "GA1.1." + f.loc[rows, "Contact ID"]
        return f

    ds = load_dataset(load_params(_touchpoints_variant(variants, tmp_path, kind, cookies)))
    notes = [f for f in plausibility.review(ds) if f.key == "note_touch_no_lead"]
    total = 30510
    n = sum(1 for i in range(total) if i % 5 < 2)  # 12,204
    assert n == 12204 and len(notes) == 1
    assert notes[0].text("en") == ("12,204 of 30,510 touchpoints (40%) belong to no inquiry in the CRM list; their "
                                   "journeys count as not converting")
    if kind == "parquet":
        ds.touchpoints.close()
