"""Metric catalogue, period store, history and controlling workbook, against independent derivations.

Expected figures are derived here with plain pandas on the loaded sample tables (or by hand on
small fixtures), never with the store's own code.
"""
from __future__ import annotations

import math
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.memos import controlling
from cmo_workbook.metrics import catalogue as cat_mod, history, store
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Fig, Headline, Rich, Table

OCT, Q3 = Period.parse("2026-10"), Period.parse("2026-Q3")


@pytest.fixture(scope="module")
def ds(sample_dir):
    return load_dataset(load_params("params/example.yaml"), ["leads", "deals", "spend"])


@pytest.fixture(scope="module")
def oct_store(ds, tmp_path_factory):
    return store.compute(ds, OCT, tmp_path_factory.mktemp("reports"), tmp_path_factory.mktemp("cache"))


# --------------------------------------------------------------------------- catalogue


def test_every_kpi_has_one_id_one_name_and_its_window_in_the_label():
    cat = cat_mod.catalogue()
    ids = [m.id for m in cat]
    assert len(ids) == len(set(ids))
    for lang in ("de", "en"):
        names = [m.name(lang) for m in cat]
        assert len(names) == len(set(names)), f"two KPIs share a name in {lang}"
    assert cat_mod.label("romi_all_orders", "t12m", "de") == "Marketing-ROMI gesamt, 12 Monate rollierend"
    assert cat_mod.label("romi_first_orders", "t12m", "en") == "Marketing ROMI, first orders, trailing 12 months"
    for m in cat:
        assert m.population and m.definition("de") and m.definition("en") and m.formula
        assert set(m.windows) <= set(cat_mod.WINDOWS) and set(m.comparisons) <= set(cat_mod.COMPARISONS)
    # order intake is not revenue: the CRM value says so in its name and definition
    assert "Auftragseingang" in cat["marketing_won_revenue"].name("de")
    assert "not booked revenue" in cat["marketing_won_revenue"].definition("en")


def test_company_overrides_parameters_and_adds_its_own_metric():
    raw = {"targets": {"customer_lifetime_years": 4},
           "kpis": {"params": {"clv_discount_rate": 0.1},
                    "custom": [{"id": "cost_per_sql", "name_de": "Kosten je akzeptierter Anfrage",
                                "name_en": "Cost per accepted inquiry", "definition_de": "Kosten ÷ SQL.",
                                "definition_en": "Cost ÷ SQL.", "numerator": "marketing_spend", "denominator": "sql",
                                "unit": "eur", "higher_is_better": False}]}}
    cat = cat_mod.catalogue(raw)
    assert cat.params["clv_horizon_years"] == 4 and cat.params["clv_discount_rate"] == 0.1
    assert cat["cost_per_sql"].formula == "marketing_spend / sql"
    with pytest.raises(ValueError, match="already a catalogue metric"):
        cat_mod.catalogue({"kpis": {"custom": [{**raw["kpis"]["custom"][0], "id": "cac"}]}})
    with pytest.raises(ValueError, match="unknown clv_horizon"):
        cat_mod.catalogue({"kpis": {"params": {"clv_horizon": 3}}})


# --------------------------------------------------------------------------- store values (plain pandas)


def _mkt(df, ds):
    return df[df["channel"].isin(ds.params.marketing_channels)]


def _in(s, start, end):
    return (s >= pd.Timestamp(start)) & (s < pd.Timestamp(end))


def test_store_month_values_match_plain_pandas(ds, oct_store):
    leads, deals, spend = _mkt(ds.leads, ds), ds.deals, ds.spend
    ql = int(_in(leads["mql_date"], "2026-10-01", "2026-11-01").sum())
    cost = spend.loc[_in(spend["date"], "2026-10-01", "2026-11-01"), "cost"].sum()
    assert ql == 211 and oct_store.value("qualified_leads", "month") == ql
    assert oct_store.value("cost_per_qualified_lead", "month") == pytest.approx(cost / ql)
    f = oct_store.figure("qualified_leads", "month")
    assert (f.prev_window, f.py_window) == ("2026-09", "2025-10")
    assert f.prev_value == _in(leads["mql_date"], "2026-09-01", "2026-10-01").sum()
    assert f.target == 180
    won = _mkt(deals, ds)
    won = won[(won["status"] == "won") & _in(won["close_date"], "2026-10-01", "2026-11-01")]
    assert oct_store.value("marketing_won_revenue", "month") == pytest.approx(won["amount"].sum())
    first = won[won["deal_type"].str.contains("new", case=False, na=True)]
    assert oct_store.value("marketing_first_order_value", "month") == pytest.approx(first["amount"].sum())
    assert oct_store.value("new_customers_marketing", "month") == len(first)
    # segments add up to the total
    segs = oct_store.segments("qualified_leads", "month")
    assert sum(oct_store.value("qualified_leads", "month", s) for s in segs) == ql


def test_romi_and_cac_have_one_definition_each(ds, oct_store):
    gm = ds.params.gross_margin
    lo, hi = "2025-11-01", "2026-11-01"
    cost = ds.spend.loc[_in(ds.spend["date"], lo, hi), "cost"].sum()
    won = _mkt(ds.deals, ds)
    won = won[(won["status"] == "won") & _in(won["close_date"], lo, hi)]
    first = won[won["deal_type"].str.contains("new", case=False, na=True)]
    assert oct_store.value("romi_all_orders", "t12m") == pytest.approx((won["amount"].sum() * gm - cost) / cost)
    assert oct_store.value("romi_first_orders", "t12m") == pytest.approx((first["amount"].sum() * gm - cost) / cost)
    # CAC: marketing cost over new customers from marketing inquiries only (sales' own finds do not count)
    assert oct_store.value("cac", "t12m") == pytest.approx(cost / len(first))
    assert oct_store.value("clv_to_cac", "t12m") == pytest.approx(
        oct_store.value("clv", "asof") / oct_store.value("cac", "t12m"))


def _clv_no_dropout(ds, as_of: str) -> float:
    """The sample's CLV by hand in the no-dropout limit its BG/NBD fit sits at (dropout share a/(a+b) < 1e-6):
    each customer buys at (r + x)/(alpha + T) per week, worth the Gamma-Gamma spend × margin, 60 months at 8 %."""
    from cmo_workbook.metrics import clv

    end = pd.Timestamp(as_of)
    won = ds.deals[(ds.deals["status"] == "won") & (ds.deals["close_date"] < end)]
    tx = pd.DataFrame({"customer_id": won["account_id"].fillna(won["company"]), "date": won["close_date"],
                       "value": won["amount"]}).dropna()
    s = clv.rfm_summary(tx, observation_end=end - pd.Timedelta(days=1))
    s = s[s["T"] > 0]
    bg = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    gg = clv.fit_gamma_gamma(s["frequency"], s["monetary_value"])
    assert bg.a / (bg.a + bg.b) < 1e-6
    x, T, z = (s[c].to_numpy() for c in ("frequency", "T", "monetary_value"))
    # Gamma-Gamma: E[spend | x, z̄] = p (v + x z̄) / (p x + q − 1); without repeats the population mean p v / (q − 1)
    spend = [gg.p * (gg.v + xi * zi) / (gg.p * xi + gg.q - 1) if xi > 0 else gg.p * gg.v / (gg.q - 1)
             for xi, zi in zip(x, z)]
    months = sum(1.08 ** (-m / 12) for m in range(1, 61))
    per = [(bg.r + xi) / (bg.alpha + Ti) * 365.25 / 12 / 7 * months * si * ds.params.gross_margin
           for xi, Ti, si in zip(x, T, spend)]
    return sum(per) / len(per)


def test_clv_keeps_one_definition_from_one_month_end_to_the_next(ds, oct_store, tmp_path):
    # #11: at Oct 2026's end the dropout fit touches its bound; the CLV was then the 1-year cohort value
    # (27.4 Tsd. €, CLV:CAC 3.6 in the KPI memo) against the 5-year model at Sep's end (61.9 Tsd. €, 8.2 in the
    # review). Now both month ends are the model: by hand ≈ 62.5 Tsd. € at Oct's end, 61.9 Tsd. € at Sep's.
    oct_clv = oct_store.value("clv", "asof")
    assert oct_clv == pytest.approx(_clv_no_dropout(ds, "2026-11-01"), rel=1e-3)
    sep = store.compute(ds, Q3, tmp_path)
    assert sep.value("clv", "asof") == pytest.approx(_clv_no_dropout(ds, "2026-10-01"), rel=1e-3)
    assert abs(oct_clv / sep.value("clv", "asof") - 1) < 0.02
    # the KPI memo's ratio: 62.5 Tsd. € / 7.519 € (12 months to Oct) = 8.3, the review's 61.9 / 7.551 = 8.2
    assert round(oct_store.value("clv_to_cac", "t12m"), 1) == 8.3
    assert round(sep.value("clv_to_cac", "t12m"), 1) == 8.2


def test_acceptance_rate_is_per_cohort_with_decisions_known_at_the_window_end(ds, oct_store):
    leads = _mkt(ds.leads, ds)
    cohort = leads[_in(leads["mql_date"], "2026-10-01", "2026-11-01")]
    end = pd.Timestamp("2026-11-01")
    accepted = (cohort["sql_date"] < end).sum()
    decided = ((cohort["sql_date"] < end) | (cohort["sales_feedback_date"] < end)).sum()
    assert oct_store.value("sales_acceptance_rate", "month") == pytest.approx(accepted / decided)


def test_deal_based_comparisons_in_the_ramp_up_months_are_withheld(oct_store):
    # data starts Nov 2024; 12 months to Oct 2025 reach into the first 9 months: no year-ago ROMI
    f = oct_store.figure("romi_all_orders", "t12m")
    assert f.py_window == "2025-10/T12M" and math.isnan(f.py_value)
    assert not math.isnan(f.prev_value)


def test_store_round_trips_through_csv_and_refuses_unknown_values(oct_store):
    again = store.read(oct_store.path)
    pd.testing.assert_frame_equal(again, oct_store.table)
    with pytest.raises(KeyError, match="has no romi_all_orders for 2026-10"):
        oct_store.value("romi_all_orders", "month")


def test_window_ids_parse_back():
    for wid in ("2026-10", "2026-Q3", "2026-10/T12M", "2026-09/YTD", "2026-10/END", "2026-10/T3M"):
        assert store.parse_window(wid).id == wid
    assert [str(m) for m in store.parse_window("2026-Q3").months] == ["2026-07", "2026-08", "2026-09"]


# --------------------------------------------------------------------------- figures in HTML


def test_figures_carry_metric_window_and_value_and_text_stays_escaped():
    fig = Fig("211", "qualified_leads", "2026-10", 211.0)
    h = Headline(Rich("<b>Marketing</b> lieferte ", fig, " Anfragen & mehr")).html()
    assert '<span data-metric="qualified_leads" data-window="2026-10" data-value="211">211</span>' in h
    assert "&lt;b&gt;Marketing&lt;/b&gt;" in h and "&amp; mehr" in h
    assert Headline(Rich("a ", fig)).text() == "a 211"
    evil = Fig('"><script>', "x", "2026-10", 1.0)
    assert "<script>" not in Table(["h"], [[evil]]).html()


# --------------------------------------------------------------------------- history


def _shown(*figures: tuple[str, str, float]) -> str:
    """A memo's HTML as far as the history reads it: its data-metric spans."""
    return "".join(f'<span data-metric="{m}" data-window="{w}" data-value="{v:.10g}">x</span>' for m, w, v in figures)


def test_history_detects_a_restatement_and_says_it(tmp_path, oct_store):
    db = tmp_path / "kpi_history.duckdb"
    key = "example: Kessler"
    assert history.record(db, key, "2026-10", oct_store.table, now=datetime(2026, 11, 3)).empty
    changed = oct_store.table.copy()
    row = (changed["metric"] == "qualified_leads") & (changed["window"] == "2026-09") & (changed["segment"] == "")
    old = float(changed.loc[row, "value"].iloc[0])
    changed.loc[row, "value"] = old + 5
    # no memo showed September's value: its change is no restatement
    assert history.record(db, key, "2026-10", changed, now=datetime(2026, 11, 4)).empty
    history.remember_shown(db, key, "kpi_dashboard", "de", "2026-10", _shown(("qualified_leads", "2026-09", old + 5)),
                           now=datetime(2026, 11, 4, 8))
    changed.loc[row, "value"] = old + 6
    restated = history.record(db, key, "2026-10", changed, now=datetime(2026, 11, 5))
    assert list(restated["metric"]) == ["qualified_leads"] and list(restated["window"]) == ["2026-09"]
    assert history.sentences(restated, "de", "EUR") == [
        "Nachträglich korrigiert, nachdem ein Memo den alten Wert gezeigt hatte: "
        f"Qualifizierte Anfragen, September 2026: {old + 5:.0f} → {old + 6:.0f}."]
    assert history.sentences(restated, "en", "EUR")[0].startswith(
        "Restated since a memo showed the earlier value: Qualified inquiries, September 2026: ")
    trend = history.monthly_history(db, key, ["qualified_leads"], "2026-10")
    assert list(trend.columns)[0] == "2025-10" and len(trend.columns) == 13
    assert trend.at["qualified_leads", "2026-09"] == old + 6 and trend.at["qualified_leads", "2026-10"] == 211


# --------------------------------------------------------------------------- controlling workbook


def test_workbook_values_equal_the_store_numbers_are_numbers_and_text_is_never_a_formula(ds, oct_store, tmp_path):
    evil = '=HYPERLINK("http://example.invalid","Preisliste Hartmann")'
    spend = ds.spend.copy()
    spend.loc[spend.index[spend["date"] >= "2026-10-01"][0], "campaign"] = evil
    ds2 = type(ds)(ds.params, {**ds.tables, "spend": spend}, ds.sources)
    path = controlling.write(oct_store, ds2, OCT, tmp_path, actions=[(evil, -5000, "weniger Kosten", "cac", "2027-01-31", "")])
    assert path.name == "Kennzahlen_2026-10.xlsx"
    wb = openpyxl.load_workbook(path)
    assert {"Definitionen", "Kennzahlen", "Kosten Ist", "Budget Ist Prognose", "Trichter je Kanal", "Aufträge",
            "Pipeline-Brücke", "ROMI CAC CLV", "Maßnahmen", "Quellen"} <= set(wb.sheetnames)
    # the source files the memos name only in words (#11): one row per file, with its table and rows
    src = pd.read_excel(path, sheet_name="Quellen")
    assert list(src.columns[:3]) == ["Tabelle", "Datei", "Zeilen"]
    assert sorted(zip(src["Tabelle"], src["Datei"], src["Zeilen"])) == sorted((x.table, x.name, x.rows) for x in ds.sources)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"formula in {ws.title}!{c.coordinate}"
    texts = [c.value for ws in (wb["Kosten Ist"], wb["Maßnahmen"]) for row in ws.iter_rows() for c in row]
    assert texts.count(evil) == 2
    kpis = pd.read_excel(path, sheet_name="Kennzahlen", header=1)
    assert kpis.columns[0] == "Kennzahl (ID)"
    got = kpis[(kpis["Kennzahl (ID)"] == "qualified_leads") & (kpis["Fenster"] == "2026-10") & kpis["Segment"].isna()]
    assert float(got["Wert"].iloc[0]) == oct_store.value("qualified_leads", "month")
    romi = kpis[(kpis["Kennzahl (ID)"] == "romi_all_orders") & (kpis["Fenster"] == "2026-10/T12M")]
    assert float(romi["Wert"].iloc[0]) == pytest.approx(oct_store.value("romi_all_orders", "t12m"))
    cell = next(c for c in wb["Kennzahlen"]["E"] if isinstance(c.value, float))
    assert cell.number_format in controlling.FORMATS.values()
    bridge = pd.read_excel(path, sheet_name="Pipeline-Brücke")
    values = bridge["Wert €"].tolist()
    assert values[0] + values[1] + values[2] + values[3] + values[4] == pytest.approx(values[5])  # opening … = closing


def test_rerunning_a_period_after_one_input_row_changed_says_the_restatement(ds, tmp_path):
    from cmo_workbook.memos.period import prepare

    db = tmp_path / "history" / "kpi_history.duckdb"
    first = prepare(ds, OCT, tmp_path / "reports", db)
    assert first.restatements.empty and first.workbook.name == "Kennzahlen_2026-10.xlsx"
    # a memo showed both months (as the KPI memo's 13-month series would); the 3 months to October are unchanged by the move
    history.remember_shown(db, history.company_key(ds.params), "kpi_dashboard", "de", "2026-10",
                           _shown(*((m, w, first.store.value(m, window=w)) for m, w in (
                               ("qualified_leads", "2026-09"), ("qualified_leads", "2026-08"),
                               ("qualified_leads", "2026-10/T3M")))))
    # the CRM corrects one lead: its MQL date moves from August into September
    leads = ds.leads.copy()
    mkt = leads["channel"].isin(ds.params.marketing_channels) & (leads["channel"] == "organic_search")
    i = leads.index[mkt & (leads["mql_date"] >= "2026-08-20") & (leads["mql_date"] < "2026-09-01")][0]
    leads.loc[i, "mql_date"] = pd.Timestamp("2026-09-02 10:00")
    ds2 = type(ds)(ds.params, {**ds.tables, "leads": leads}, ds.sources)
    prepare(ds2, OCT, tmp_path / "reports", db)
    said = history.sentences(history.read_restatements(tmp_path / "reports" / "2026-10"), "de", "EUR")
    assert said == ["Nachträglich korrigiert, nachdem ein Memo den alten Wert gezeigt hatte: "
                    "Qualifizierte Anfragen, September 2026: 175 → 176; Qualifizierte Anfragen, August 2026: 92 → 91."]


def test_archive_lists_every_memo_with_headline_sent_status_and_the_kpi_history(ds, oct_store, tmp_path):
    import json

    from cmo_workbook.delivery.archive import write_index

    reports = tmp_path / "reports"
    for period, names in (("2026-10", ("kpi_dashboard", "sales_marketing_sync")), ("2026-Q3", ("strategy_memo",))):
        d = reports / period
        d.mkdir(parents=True)
        for n in names:
            (d / f"{n}.html").write_text("<html></html>", encoding="utf-8")
            (d / f"{n}.txt").write_text(f"Kessler\n{n} - {period}\nErstellt am 01.11.2026\n\nHeadline <{n}> {period}\n",
                                        encoding="utf-8")
    (reports / "2026-10" / "sent.json").write_text(json.dumps({"example.yaml:kpi_dashboard": {"sent_at": "2026-11-02T07:00"}}),
                                                   encoding="utf-8")
    db = tmp_path / "kpi_history.duckdb"
    history.record(db, history.company_key(ds.params), "2026-10", oct_store.table)
    html = write_index(reports, ds.params, db, say=lambda line: None).read_text(encoding="utf-8")
    assert html.count('href="2026-10/') == 2 and 'href="2026-Q3/strategy_memo.html"' in html
    assert "Headline &lt;kpi_dashboard&gt; 2026-10" in html  # escaped
    assert "2026-11-02T07:00" in html and html.count("nicht versandt") == 2
    assert "Qualifizierte Anfragen, Monat" in html and "<th class=\"r\">2025-10</th>" in html
    assert html.count('<th class="r">') == 13


def test_a_bad_kpis_section_stops_the_run_before_any_kernel(tmp_path, sample_dir):
    import yaml

    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.errors import ParamsError

    raw = yaml.safe_load(open("params/example.yaml", encoding="utf-8"))
    raw["data"]["dir"] = str(sample_dir)
    raw["voc"]["taxonomy"] = str(load_params("params/example.yaml").path.parent / "voc_taxonomy.yaml")
    raw["diary"]["dir"] = str(load_params("params/example.yaml").path.parent / raw["diary"]["dir"])
    raw["kpis"] = {"custom": [{"id": "x", "name_de": "X", "name_en": "X", "definition_de": "d", "definition_en": "d",
                               "numerator": "marketing_spend", "denominator": "leads_typo"}]}
    p = tmp_path / "acme.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    runner = Runner(RunOptions(params_path=p, period=OCT, reports_dir=tmp_path / "r"), say=lambda line: None)
    with pytest.raises(ParamsError, match="'leads_typo' is not a catalogue metric"):
        runner.run("kpi_dashboard")
    assert not (tmp_path / "r" / "2026-10").exists()
