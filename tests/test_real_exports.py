"""Hand-written exports in each tool's real shape (tests/fixtures/exports/): the figures are derived by hand.

Each fixture folder holds the files as the tool writes them (title rows, totals, Salesforce footers,
status-only qualification, empty amounts, no ids) and a params file with nothing beyond preset,
data.dir and the company's stage map. The expected figures below are counted from the files by
hand; the comments show the sums.
"""
from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook import cli
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics.monthly import monthly

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
TODAY = date(2026, 11, 20)
SEP, OCT = pd.Period("2026-09", "M"), pd.Period("2026-10", "M")


def load(name: str):
    return load_dataset(load_params(FIXTURES / name / "params.yaml"), today=TODAY)


def cents(value: float) -> int:
    return int(round(value * 100))


ALL = ["hubspot", "salesforce", "pipedrive_excel", "feedback_no_id", "dynamics", "zoho", "linkedin_lead_gen",
       "datev", "sap"]


@pytest.mark.parametrize("name", ALL)
def test_validate_passes_the_exports_as_downloaded(name, capsys):
    assert cli.main(["validate", "--params", str(FIXTURES / name / "params.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ok: all inputs valid"


def test_hubspot_contacts_and_deals_with_german_google_ads():
    ds = load("hubspot")
    assert (len(ds.leads), len(ds.deals), len(ds.spend)) == (10, 8, 6)
    m = monthly(ds)
    # Sep: 1002 (MQL date 12.09.) + 1003 (status MQL only: created 21.09.) = 2
    # Oct: 1004 (SQL only: its SQL date 02.10.), 1006 (07.10.), 1007 (customer, no dates: created 14.10.),
    #      1010 ("marketingqualifiedlead", created 30.10.) = 4; 1008 is sales outbound (Kaltakquise)
    assert (m.loc[SEP, "qualified_leads"], m.loc[OCT, "qualified_leads"]) == (2, 4)
    assert ds.leads.set_index("lead_id").loc["1005", "stage"] == "disqualified"
    # pipeline by create month, marketing channels: Sep 12,500.50 (5001) + 30,000 (5002) + 7,250.25 (5008)
    assert cents(m.loc[SEP, "marketing_pipeline_value"]) == 4_975_075
    # Oct: 5003 partners without amount, 5004 outbound, 5005 paid search (deal source) without amount,
    #      5006 trade fair by its own source 4,999.99; 5007 has no source
    assert cents(m.loc[OCT, "marketing_pipeline_value"]) == 499_999
    # won in Oct: 5001 12,500.50 + 5003 (empty) + 5006 4,999.99 + 5007 20,000 = 37,500.49; marketing 17,500.49
    won = ds.deals[(ds.deals["status"] == "won") & (ds.deals["close_date"].dt.to_period("M") == OCT)]
    assert len(won) == 4
    assert cents(m.loc[OCT, "won_revenue"]) == 3_750_049
    assert cents(m.loc[OCT, "marketing_won_revenue"]) == 1_750_049
    # German UI Google Ads: Sep 1.234,56 + 987,65 + 100,00; Oct 2.000,00 + 450,50 + 1.500,05; two Gesamt rows dropped
    assert (cents(m.loc[SEP, "marketing_spend"]), cents(m.loc[OCT, "marketing_spend"])) == (232_221, 395_055)
    assert [text for _, text in ds.files("spend")[0].dropped] == ["Gesamt: Konto", "Gesamt: Kampagnen"]
    # "1006;1009": the first associated contact is the deal's
    assert ds.deals.set_index("deal_id").loc["5003", "lead_id"] == "1006"
    notes = [f.en for f in ds.findings]
    assert "1 won deal without amount, not in revenue" in notes  # singular since the catalogue (was "1 won deals")
    assert "1 open deal without amount, not in pipeline value" in notes
    assert [f.de for f in ds.findings if f.en.startswith("1 won")] == ["1 gewonnener Deal ohne Betrag, nicht im Umsatz"]


def test_salesforce_leads_and_opportunities_with_footers():
    ds = load("salesforce")
    assert (len(ds.leads), len(ds.deals)) == (8, 5)
    assert [t for _, t in ds.files("deals")[0].dropped][0] == "Grand Totals (5 records)"
    m = monthly(ds)
    # Sep: AbC02 Qualified (09.09.); AbC04 converted on 01.10. counts in Oct
    # Oct: AbC04 (Converted Date 01.10.), AbC05 Qualified webinar, AbC08 converted 22.10.; AbC06 is a purchased list
    assert (m.loc[SEP, "qualified_leads"], m.loc[OCT, "qualified_leads"]) == (1, 3)
    stages = ds.leads.set_index("lead_id")["stage"]
    assert stages["00Q5g00000AbC07"] == "disqualified" and stages["00Q5g00000AbC04"] == "opportunity"
    # Converted Opportunity ID (15 characters) finds the 18-character Opportunity ID
    deals = ds.deals.set_index("deal_id")
    assert deals.loc["0065g00000XyZ01AAA", ["lead_id", "link"]].tolist() == ["00Q5g00000AbC04", "converted"]
    assert deals.loc["0065g00000XyZ03AAC", "lead_id"] == "00Q5g00000AbC08"
    # Oct pipeline: XyZ01 15,000 (lead: Web) + XyZ02 42,000 (Lead Source Trade Show) + XyZ03 (empty); XyZ04 outbound
    assert cents(m.loc[OCT, "marketing_pipeline_value"]) == 5_700_000
    assert m.loc[SEP, "marketing_pipeline_value"] == 0  # XyZ04 purchased list, XyZ05 without source
    # won: Sep XyZ05 3,333.33 (no source: not marketing); Oct XyZ01 15,000 + XyZ03 (empty)
    assert (cents(m.loc[SEP, "won_revenue"]), cents(m.loc[SEP, "marketing_won_revenue"])) == (333_333, 0)
    assert (cents(m.loc[OCT, "won_revenue"]), cents(m.loc[OCT, "marketing_won_revenue"])) == (1_500_000, 1_500_000)


def test_german_excel_lead_list_and_pipedrive_deals_linked_by_company():
    ds = load("pipedrive_excel")
    src = ds.files("leads")[0]
    assert (src.encoding, src.delimiter, src.rows) == ("cp1252", ";", 8)
    assert [t for _, t in src.dropped] == ["Summe"]
    assert ds.leads["company"].str.contains("Fördertechnik").any()
    m = monthly(ds)
    # Sep: 1 Messe Qualifiziert, 2 Website Angebot; 3 is Kaltakquise. Oct: 5 Empfehlung Auftrag, 7 Messe Qualifiziert
    assert (m.loc[SEP, "qualified_leads"], m.loc[OCT, "qualified_leads"]) == (2, 2)
    deals = ds.deals.set_index("deal_id")
    # company names match without legal form; a lead created after the deal (107 / Wolf) does not count
    assert deals["link"].dropna().to_dict() == {"101": "company", "102": "company", "103": "company", "105": "company"}
    assert deals.loc["107", "channel"] == "direct"  # source origin "Web forms"
    assert deals.loc["104", "channel"] == "paid_search"  # source channel "Paid search"
    # Aug 12,000 (107); Sep 18,500 (101) + 9,900.50 (104); Oct 102 (empty) + 27,000 (105) + 5,400 (106); 103 outbound
    assert [cents(m.loc[pd.Period(p, "M"), "marketing_pipeline_value"]) for p in ("2026-08", "2026-09", "2026-10")] \
        == [1_200_000, 2_840_050, 3_240_000]
    assert cents(m.loc[OCT, "marketing_won_revenue"]) == 2_390_000  # 101 18,500 + 106 5,400 + 102 (empty)
    assert any("4 of 7 deals (57%) matched to a lead by e-mail (0) or company name (4)" in f.en for f in ds.findings)


def test_feedback_without_id_gets_stable_ids_and_uses_the_mapped_score():
    a, b = load("feedback_no_id"), load("feedback_no_id")
    ids = a.feedback["feedback_id"].tolist()
    assert ids == b.feedback["feedback_id"].tolist()
    assert len(set(ids)) == 6  # the two identical rows stay two items
    assert ids[4] == ids[3] + "-2"
    assert a.feedback["score"].tolist() == [10, 9, 7, 3, 3, 10]
    assert any("6 ids generated from the row content" in f.en for f in a.findings)


# --- every fix a message suggests works --------------------------------------------------------------


@pytest.fixture
def company(tmp_path):
    """A copy of the HubSpot fixture to break and repair."""
    dst = tmp_path / "hubspot"
    shutil.copytree(FIXTURES / "hubspot", dst)
    shutil.copytree(FIXTURES / "google_ads_de", tmp_path / "google_ads_de")
    return dst


def _problems(folder: Path) -> str:
    from cmo_workbook.errors import DataError
    from cmo_workbook.inputs import plausibility

    try:
        plausibility.gate(load_dataset(load_params(folder / "params.yaml"), today=TODAY))
    except DataError as exc:
        return str(exc)
    return ""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unknown_statuses_stop_the_memo_and_lead_stage_map_fixes_it(company):
    contacts = company / "hubspot_contacts.csv"
    text = contacts.read_text(encoding="utf-8")
    # a company pipeline: statuses "Heiß" / "Kalt", no MQL dates, no lifecycle stage
    lines = text.splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for r in rows:
        r[5], r[6], r[11], r[12], r[13] = "", "Heiß" if r[0] in ("1002", "1006") else "Kalt", "", "", ""
    contacts.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    msg = _problems(company)
    assert '10 leads carry statuses no stage map knows ("Kalt" (8), "Heiß" (2)), so 0 leads would count as ' \
           "qualified" in msg
    assert "hubspot_contacts.csv, row 2" in msg and "lead_stage_map.qualified" in msg
    _edit(company / "params.yaml", "stage_map:", "lead_stage_map: {qualified: [Heiß], lead: [Kalt]}\nstage_map:")
    assert _problems(company) == ""
    ds = load_dataset(load_params(company / "params.yaml"), today=TODAY)
    assert monthly(ds).loc[[SEP, OCT], "qualified_leads"].tolist() == [1, 1]  # 1002 created 10.09., 1006 06.10.


def test_sources_without_marketing_channel_stop_the_memo_and_channel_rules_fix_it(company):
    contacts = company / "hubspot_contacts.csv"
    text = contacts.read_text(encoding="utf-8")
    for source in ("Organic search", "Paid search", "Offline Sources", "Email marketing", "Direct traffic",
                   "Referrals", "Paid social", "Organic social"):
        text = text.replace(f",{source},", ",Formular,")
    contacts.write_text(text, encoding="utf-8")
    deals = company / "hubspot_deals.csv"
    deals.write_text(deals.read_text(encoding="utf-8").replace(",Paid search,", ",Formular,")
                     .replace(",Offline Sources,", ",Formular,"), encoding="utf-8")
    _edit(company / "params.yaml", "stage_map:", "channels: {marketing: [paid_search], use_default_rules: false}\n"
                                                 "stage_map:")
    msg = _problems(company)
    assert "none comes from a marketing channel" in msg and "channels.rules" in msg
    assert "none maps to a marketing channel, so the marketing pipeline would be 0" in msg
    _edit(company / "params.yaml", "use_default_rules: false",
          'use_default_rules: false, rules: [{channel: paid_search, when: {source_raw: "^formular$"}}]')
    assert _problems(company) == ""


def test_duplicated_amount_header_is_an_error_and_naming_the_column_fixes_it(company):
    deals = company / "hubspot_deals.csv"
    lines = deals.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",Amount"] + [line + ",1" for line in lines[1:]]
    deals.write_text("\n".join(out) + "\n", encoding="utf-8")
    msg = _problems(company)
    assert 'has the header "Amount" 2 times (columns E, M) with different values' in msg
    assert 'set data.deals[0].columns.amount: "Amount.2"' in msg
    _edit(company / "params.yaml", "preset: hubspot_deals}", 'preset: hubspot_deals, columns: {amount: "Amount.2"}}')
    assert _problems(company) == ""
    ds = load_dataset(load_params(company / "params.yaml"), today=TODAY)
    assert ds.deals["amount"].tolist() == [1.0] * 8


def test_absurd_amount_and_contradicting_currency_name_the_cell(company):
    deals = company / "hubspot_deals.csv"
    _edit(deals, ",Closed Won,12500.5,", ",Closed Won,1e400,")
    msg = _problems(company)
    assert 'hubspot_deals.csv, row 2, column "Amount": "1e400" is not a plausible amount' in msg
    _edit(deals, ",Closed Won,1e400,", ",Closed Won,12500.5,")
    assert _problems(company) == ""
    text = deals.read_text(encoding="utf-8").splitlines()
    text[0] += ",Currency"
    text[1:] = [line + ",EUR" for line in text[1:]]
    text[2] = text[2].replace(",30000,", ",30000 $,")
    deals.write_text("\n".join(text) + "\n", encoding="utf-8")
    msg = _problems(company)
    assert 'row 3, column "Amount": "30000 $" is written in USD but the row\'s Currency says EUR' in msg


def test_score_outside_its_scale_names_the_cell_and_the_scale_that_fits(tmp_path):
    dst = tmp_path / "fb"
    shutil.copytree(FIXTURES / "feedback_no_id", dst)
    fb = dst / "kundenfeedback.csv"
    fb.write_bytes(fb.read_bytes().replace(b";Umfrage;7;", b";Umfrage;15;"))
    msg = _problems(dst)
    assert 'kundenfeedback.csv, row 4, column "Bewertung (0-10)": "15" is outside the nps_0_10 scale (0 to 10); ' \
           "correct the cell" in msg
    fb.write_bytes(fb.read_bytes().replace(b";Umfrage;15;", b";Umfrage;7;"))
    # a 5-point satisfaction survey named as NPS: 0 does not exist there, the message names the scale that fits
    _edit(dst / "params.yaml", 'columns: {score: "Bewertung (0-10)"}',
          'columns: {score: "Bewertung (0-10)"}\n      constants: {score_scale: csat_1_5}')
    msg = _problems(dst)
    assert '"10" is outside the csat_1_5 scale (1 to 5)' in msg and "constants.score_scale to nps_0_10" in msg
    _edit(dst / "params.yaml", "score_scale: csat_1_5", "score_scale: nps_0_10")
    assert _problems(dst) == ""


def test_all_won_amounts_empty_stops_and_mql_before_create_is_a_note(company):
    deals = company / "hubspot_deals.csv"
    text = deals.read_text(encoding="utf-8")
    for amount in (",12500.5,", ",4999.99,", ",20000,", ",7250.25,"):
        text = text.replace(",Closed Won" + amount, ",Closed Won,,")
    deals.write_text(text, encoding="utf-8")
    assert "5 deals are won but none has an amount, so the won revenue would be 0" in _problems(company)
    shutil.copy(FIXTURES / "hubspot" / "hubspot_deals.csv", deals)
    _edit(company / "hubspot_contacts.csv", ",2026-09-12 08:00,", ",2026-09-01 08:00,")
    assert _problems(company) == ""
    ds = load_dataset(load_params(company / "params.yaml"), today=TODAY)
    from cmo_workbook.inputs.plausibility import review

    notes = [f for f in review(ds) if f.severity == "note" and f.key == "note_qualified_before_created"]
    assert notes[0].en.startswith("1 lead became qualified before it was created (hubspot_contacts.csv row 3)")
    assert notes[0].text("de").startswith("1 Lead wurde vor seiner Anlage qualifiziert (hubspot_contacts.csv Zeile 3)")


def test_freshness_counts_any_activity_and_warns_instead_of_refusing(company):
    from cmo_workbook.errors import StaleDataError
    from cmo_workbook.periods import Period

    ds = load_dataset(load_params(company / "params.yaml"), today=TODAY)
    # November: no lead, deal or cost at all -> refused, with the flag named
    with pytest.raises(StaleDataError) as exc:
        ds.check_period(Period.parse("2026-11"), ["leads", "deals", "spend"])
    assert "CRM opportunities: no entries for November 2026" in str(exc.value) and "--allow-stale" in str(exc.value)
    assert len(ds.check_period(Period.parse("2026-11"), ["leads", "deals", "spend"], allow_stale=True)) == 3
    # a month with closed deals but no newly created deal is covered
    ds.tables["deals"] = ds.deals[ds.deals["created_date"] < "2026-10-01"]
    assert ds.activity(Period.parse("2026-10"), "deals") == {"created_date": 0, "close_date": 1}
    assert ds.check_period(Period.parse("2026-10"), ["leads", "deals", "spend"]) == []
    ds.tables["deals"] = ds.deals[ds.deals["close_date"].isna()]
    notes = ds.check_period(Period.parse("2026-10"), ["leads", "deals", "spend"])
    latest = ds.deals["created_date"].max()  # no deal closed: the latest activity is the latest created deal
    assert [n.de.split(";")[0] for n in notes] == [
        f"CRM-Verkaufschancen: keine Einträge für Oktober 2026 (letzter vom {latest:%d.%m.%Y})"]


def test_profile_counts_mapping_links_and_drops():
    ds = load("pipedrive_excel")
    prof = ds.profile()
    assert prof.loc["deals", "linked"] == "4/7 (57%) by company 4"
    assert prof.loc["leads", "to_stage"] == "8/8 (100%)"
    assert prof.loc["leads", "dropped_why"] == "anfragen.csv row 12: Summe"
    assert prof.loc["deals", "empty_kpi_cells"].startswith("amount 14%")
    assert not math.isnan(prof.loc["deals", "rows"])


@pytest.mark.parametrize("name", ALL)
def test_large_file_reader_gives_the_same_tables(name, monkeypatch):
    """Big CSVs go through pandas' parser with categorical cells; forced here, the tables are the same."""
    from cmo_workbook.inputs import readers

    slow = load(name)
    monkeypatch.setattr(readers, "LARGE_CSV_BYTES", 0)
    fast = load(name)
    for table, df in slow.tables.items():
        pd.testing.assert_frame_equal(df, fast.tables[table], check_dtype=False, obj=f"{name}.{table}")
    assert [(s.rows, s.dropped, s.encoding, s.delimiter) for s in slow.sources] == \
        [(s.rows, s.dropped, s.encoding, s.delimiter) for s in fast.sources]


def test_dynamics_leads_and_opportunities():
    ds = load("dynamics")
    m = monthly(ds)
    # Status "Qualified": 10.09. (Trade Show); 05.10. (Web) and 19.10. (Seminar); "Disqualified" is not
    assert (m.loc[SEP, "qualified_leads"], m.loc[OCT, "qualified_leads"]) == (1, 2)
    assert ds.leads["stage"].tolist() == ["lead", "qualified", "disqualified", "qualified", "lead", "qualified"]
    deals = ds.deals.set_index("deal_name")
    # won deals carry Actual Revenue (25.000,00), open and lost ones the estimate
    assert deals["amount"].tolist() == [25_000.0, 40_000.0, 12_500.5]
    assert deals["status"].tolist() == ["won", "open", "lost"]
    assert (cents(m.loc[SEP, "marketing_pipeline_value"]), cents(m.loc[OCT, "marketing_pipeline_value"])) == \
        (2_500_000, 5_250_050)
    assert cents(m.loc[OCT, "marketing_won_revenue"]) == 2_500_000
    assert set(ds.deals["link"]) == {"company"}  # Potential Customer = the lead's Company Name


def test_zoho_leads_and_deals():
    ds = load("zoho")
    m = monthly(ds)
    # "Pre-Qualified": 04.09. Trade Show, 15.09. Cold Call (sales outbound, not counted), 09.10. Employee Referral
    assert (m.loc[SEP, "qualified_leads"], m.loc[OCT, "qualified_leads"]) == (1, 1)
    assert ds.leads.set_index("lead_id").loc["zcrm_4876000000105", "stage"] == "disqualified"  # Junk Lead
    # Sep 8,500 (trade fair), Oct 15,000 (referral); the cold-call deal is not marketing
    assert (m.loc[SEP, "marketing_pipeline_value"], m.loc[OCT, "marketing_pipeline_value"]) == (8_500, 15_000)
    assert m.loc[OCT, "marketing_won_revenue"] == 8_500


def test_linkedin_lead_gen_forms_are_leads_of_the_linkedin_channel():
    ds = load("linkedin_lead_gen")
    m = monthly(ds)
    assert (m.loc[SEP, "leads"], m.loc[OCT, "leads"]) == (1, 3)
    assert set(ds.leads["channel"]) == {"linkedin"} and set(ds.leads["stage"]) == {"lead"}
    assert m["qualified_leads"].sum() == 0  # a form fill is a lead; qualification happens in the CRM


def test_datev_and_sap_cost_exports():
    datev, sap = load("datev"), load("sap")

    def by_month(ds):
        return [cents(v) for v in ds.spend.groupby(ds.spend["date"].dt.to_period("M"))["cost"].sum()]

    assert by_month(datev) == [369_000, 435_025]  # 1.190,00 + 2.500,00; 4.000,00 + 350,25
    assert datev.spend["channel"].tolist() == ["trade_fairs", "paid_search", "trade_fairs", "email"]
    assert datev.spend["account"].tolist() == ["4610", "4630", "4610", "4640"]
    assert by_month(sap) == [337_000, 715_050]  # 2.380,00 + 990,00; 5.950,00 + 1.200,50; the "*" total dropped
    assert sap.spend["cost_center"].tolist() == ["MKT-MESSE", "MKT-ONLINE", "MKT-MESSE", "MKT-ONLINE"]


def test_channel_rules_on_cost_centres(tmp_path):
    dst = tmp_path / "sap"
    shutil.copytree(FIXTURES / "sap", dst)
    _edit(dst / "params.yaml", "stage_map:", "channels:\n  rules:\n    - {channel: trade_fairs, when: {cost_center: "
                                             "'MESSE'}}\n    - {channel: paid_search, when: {cost_center: 'ONLINE'}}\n"
                                             "stage_map:")
    ds = load_dataset(load_params(dst / "params.yaml"), today=TODAY)
    assert ds.spend["channel"].tolist() == ["trade_fairs", "paid_search", "trade_fairs", "paid_search"]


def test_run_stops_with_exit_2_before_any_kernel_when_the_headline_would_be_zero(company, tmp_path, capsys):
    contacts = company / "hubspot_contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for r in rows:
        r[5], r[6], r[11], r[12], r[13] = "", "Heiß", "", "", ""
    contacts.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    reports = tmp_path / "reports"
    code = cli.main(["run", "kpi_dashboard", "--period", "2026-10", "--params", str(company / "params.yaml"),
                     "--reports", str(reports)])
    assert code == 2
    assert "so 0 leads would count as qualified" in capsys.readouterr().err
    assert not reports.exists() or not list(reports.rglob("*.ipynb"))
    assert cli.main(["validate", "--params", str(company / "params.yaml")]) == 2


def test_allow_stale_lets_the_preflight_pass(company):
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.errors import StaleDataError
    from cmo_workbook.periods import Period

    opts = RunOptions(params_path=company / "params.yaml", period=Period.parse("2026-11"), today=TODAY)
    runner = Runner(opts, say=lambda line: None)
    with pytest.raises(StaleDataError):
        runner.preflight(runner.resolve("kpi_dashboard"), Period.parse("2026-11"))
    opts.allow_stale = True
    assert runner.preflight(runner.resolve("kpi_dashboard"), Period.parse("2026-11"))["period"] == "2026-11"
    _edit(company / "params.yaml", "  dir: .", "  dir: .\n  allow_stale: true")
    stale = Runner(RunOptions(params_path=company / "params.yaml", period=Period.parse("2026-11"), today=TODAY),
                   say=lambda line: None)
    assert stale.preflight(stale.resolve("kpi_dashboard"), Period.parse("2026-11"))["period"] == "2026-11"


def test_large_file_reader_names_the_same_cell_in_errors(company, monkeypatch):
    from cmo_workbook.inputs import readers

    _edit(company / "hubspot_contacts.csv", "2026-09-28 16:45", "28.13.2026 16:45")
    slow = _problems(company)
    monkeypatch.setattr(readers, "LARGE_CSV_BYTES", 0)
    assert _problems(company) == slow
    assert 'hubspot_contacts.csv, row 5, column "Create Date": "28.13.2026 16:45" is not a date' in slow


def test_the_gate_stops_only_memos_that_use_the_table(company):
    from cmo_workbook.errors import DataError
    from cmo_workbook.inputs import plausibility

    _edit(company / "hubspot_deals.csv", ",Closed Won,12500.5,", ",Closed Won,,")
    for amount in (",4999.99,", ",20000,", ",7250.25,"):
        _edit(company / "hubspot_deals.csv", ",Closed Won" + amount, ",Closed Won,,")
    ds = load_dataset(load_params(company / "params.yaml"), today=TODAY)
    with pytest.raises(DataError):
        plausibility.gate(ds, ["leads", "deals", "spend"])
    # a memo without deals is not stopped; what remains is the note on the outbound lead 1008 and the one on the
    # missing "Sales Feedback Date" column (the acceptance rate is not measured)
    assert [f.key for f in plausibility.gate(ds, ["leads", "spend"])] == ["note_qualified_not_marketing",
                                                                          "note_no_feedback_dates"]
