"""load_dataset / load_file end to end: params YAML + real files in tmp_path -> canonical tables or exact messages.

Every broken file asserts the full message a user sees: file, row as Excel shows it, column as written,
the bad value, what was expected and the fix naming params/acme.yaml.
"""
from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from cmo_workbook.errors import DataError, ParamsError
from cmo_workbook.inputs.loaders import Dataset, load_dataset
from cmo_workbook.inputs.params import Params, load_params

TODAY = date(2024, 6, 30)
P = "params/acme.yaml"
#: a cell written like a format the file is read with, but no such day (31.02.2024): only the cell is the fix
NO_SUCH_DATE = "fix the cell: it is written like {}, but is no real or plausible date"
NUMBER_FIX = f"fix the cell or set number_format (de or en) for this file in {P}"
HUBSPOT_DATES = "YYYY-MM-DD[ HH:MM[:SS]] or YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM or DD.MM.YYYY"
DE_DATES = "DD.MM.YYYY or DD.MM.YYYY HH:MM or DD.MM.YY or an Excel date number or YYYY-MM-DD[ HH:MM[:SS]]"

BASE = {
    "company": {"name": "Acme Antriebe GmbH", "language": "de", "currency": "EUR", "gross_margin": 0.4},
    "stage_map": {"open": ["Appointment Scheduled", "Contract Sent", "Angebot"],
                  "won": ["Closed Won", "Gewonnen"], "lost": ["Closed Lost", "Verloren"]},
    "memo": {"recipients": ["ceo@acme.example"], "sender": "marketing@acme.example",
             "analyst": "analyst@acme.example"},
}

DEALS_HEAD = "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date\n"
CONTACTS_HEAD = ("Record ID,Create Date,Original Traffic Source,Original Traffic Source Drill-Down 1,"
                 "Original Traffic Source Drill-Down 2\n")


class Project:
    """A company folder: params/acme.yaml and data/ with the files a test writes."""

    def __init__(self, root: Path):
        self.root = root
        (root / "params").mkdir()
        (root / "data").mkdir()

    def write(self, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.root / "data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    def xlsx(self, name: str, sheets: dict[str, list[list[object]]]) -> Path:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
        path = self.root / "data" / name
        wb.save(path)
        return path

    def params(self, **tables: list[dict]) -> Params:
        raw = {**BASE, "data": {"dir": "../data", **tables}}
        (self.root / P).write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return load_params(P)

    def load(self, today: date = TODAY, **tables: list[dict]) -> Dataset:
        return load_dataset(self.params(**tables), today=today)

    def problems(self, today: date = TODAY, **tables: list[dict]) -> list[str]:
        with pytest.raises(DataError) as excinfo:
            self.load(today, **tables)
        return [str(p) for p in excinfo.value.problems]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)  # messages name the params file as the user typed it
    return Project(tmp_path)


def entry(file: str, preset: str, **options) -> list[dict]:
    return [{"file": file, "preset": preset, **options}]


def deal_rows(n: int) -> str:
    return "".join(f"{i},Deal {i},Closed Won,1000,15.03.2024,01.02.2024\n" for i in range(1, n + 1))


# --- broken files: one exact message each --------------------------------------------------------


def test_impossible_date_names_the_row_excel_shows(project):
    # a title line above the header and 15 good rows put the bad cell on Excel row 17
    project.write("deals.csv", "Deals export\n" + DEALS_HEAD + deal_rows(14)
                  + "15,Deal 15,Closed Won,1000,31.02.2024,01.02.2024\n")
    assert project.problems(deals=entry("deals.csv", "hubspot_deals", date_format="DD.MM.YYYY")) == [
        'deals.csv, row 17, column "Close Date": "31.02.2024" is not a date (expected DD.MM.YYYY); '
        + NO_SUCH_DATE.format("DD.MM.YYYY")]


def test_german_number_in_an_english_file(project):
    project.write("deals.csv", DEALS_HEAD + '1,A,Closed Won,"1.234,56",2024-03-01,2024-02-01\n')
    assert project.problems(deals=entry("deals.csv", "hubspot_deals")) == [
        'deals.csv, row 2, column "Amount": "1.234,56" is not a number (expected English format like 1,234.56); '
        + NUMBER_FIX]


def test_unknown_preset_suggests_the_closest(project):
    project.write("deals.csv", DEALS_HEAD + deal_rows(1))
    assert project.problems(deals=entry("deals.csv", "hubspot_deal")) == [
        'deals.csv: unknown preset "hubspot_deal"; did you mean "hubspot_deals"? known presets: datev_costs, '
        "dynamics_leads, dynamics_opportunities, freshdesk, ga4, generic_de, generic_en, google_ads, hubspot_contacts, "
        "hubspot_deals, journey_export, linkedin_ads, linkedin_lead_gen, meta_ads, pipedrive_deals, qualtrics, "
        "salesforce_leads, salesforce_opportunities, sap_cost_center, surveymonkey, trustpilot, typeform, zendesk, "
        f"zoho_crm; set a known preset for this file in {P}"]


def test_missing_required_column_names_the_closest_header(project):
    project.write("deals.csv", "Record ID,Deal Stage,Amount (EUR),Create Date\n1,Closed Won,5,2024-02-01\n")
    assert project.problems(deals=entry("deals.csv", "hubspot_deals")) == [
        'deals.csv: has no column for amount, which is required; preset hubspot_deals (HubSpot deals export) reads '
        'it from the header "Amount" or "Amount in company currency" (closest header found: "Amount (EUR)"); headers '
        'found: "Record ID", "Deal Stage", "Amount (EUR)", "Create Date"; '
        f'set data.deals[0].columns.amount: "Amount (EUR)" in {P}']


def test_duplicate_ids_across_two_files(project):
    project.write("deals_h1.csv", DEALS_HEAD + "1,A,Closed Won,5,2024-03-01,2024-02-01\n"
                                               "2,B,Closed Won,5,2024-03-01,2024-02-01\n")
    project.write("deals_h2.csv", DEALS_HEAD + "3,C,Closed Won,5,2024-03-01,2024-02-01\n"
                                               "2,B,Closed Won,5,2024-03-01,2024-02-01\n")
    assert project.problems(deals=[*entry("deals_h1.csv", "hubspot_deals"), *entry("deals_h2.csv", "hubspot_deals")]) == [
        'deals_h1.csv, row 3, column "Record ID": "2" appears 2 times as deal_id (deals_h1.csv row 3, '
        "deals_h2.csv row 3); each id must appear once: remove the duplicate rows, or do not list overlapping exports"]


def test_negative_spend(project):
    project.write("kosten.csv", "Datum;Kanal;Kosten (€)\n01.02.2024;Messe;1.200,00 €\n02.02.2024;Messe;-350,00 €\n",
                  "cp1252")
    assert project.problems(spend=entry("kosten.csv", "generic_de")) == [
        'kosten.csv, row 3, column "Kosten (€)": "-350,00 €" is negative; cost must be 0 or more; fix the cell; '
        "net refunds and credit notes into the original row instead of a negative row"]


def test_created_date_in_the_future(project):
    project.write("contacts.csv", CONTACTS_HEAD + "1,2024-06-30 17:00,Organic search,,\n"
                                                  "2,2024-07-01 09:00,Organic search,,\n")
    assert project.problems(leads=entry("contacts.csv", "hubspot_contacts")) == [
        'contacts.csv, row 3, column "Create Date": "2024-07-01 09:00" lies in the future (today is 30.06.2024); '
        f"check the date (day and month swapped?) or set date_format for this file in {P}"]


def test_won_deal_with_future_close_date_but_open_deal_may_have_one(project):
    project.write("deals.csv", DEALS_HEAD + "1,A,Contract Sent,5,2024-09-30,2024-02-01\n"
                                            "2,B,Closed Won,5,2024-09-30,2024-02-01\n")
    assert project.problems(deals=entry("deals.csv", "hubspot_deals")) == [
        'deals.csv, row 3, column "Close Date": "2024-09-30" lies in the future (today is 30.06.2024) but the deal '
        "is won; check the close date, or the stage of this deal"]


def test_mixed_currencies_without_currency_column(project):
    project.write("auftraege.csv", "Nr.;Erstellt am;Phase;Auftragswert\n"
                                   "A-1;01.02.2024;Gewonnen;1.234,56 €\n"
                                   "A-2;02.02.2024;Gewonnen;980,00 €\n"
                                   "A-3;03.02.2024;Gewonnen;1.000,00 $\n")
    assert project.problems(deals=entry("auftraege.csv", "generic_de")) == [
        'auftraege.csv, column "Auftragswert": mixes currencies (EUR in row 2, USD in row 4) but the file has no '
        "currency column; add a currency column (ISO code per row) and map it under data.deals[0].columns.currency "
        f"in {P}, or export in one currency"]


def test_unknown_deal_stage_with_suggestion_and_count(project):
    project.write("deals.csv", DEALS_HEAD + "1,A,Closed-Won,5,2024-03-01,2024-02-01\n"
                                            "2,B,Closed Won,5,2024-03-01,2024-02-01\n"
                                            "3,C,Closed-Won,5,2024-03-01,2024-02-01\n"
                                            "4,D,Verhandlung,5,,2024-02-01\n")
    assert project.problems(deals=entry("deals.csv", "hubspot_deals")) == [
        'deals.csv, row 2, column "Deal Stage": "Closed-Won" is not in stage_map (2 rows have it; did you mean '
        f'"Closed Won" (won)?); add it to stage_map.open, .won or .lost in {P}',
        f'deals.csv, row 5, column "Deal Stage": "Verhandlung" is not in stage_map; add it to stage_map.open, '
        f".won or .lost in {P}"]


def test_unknown_choice_value_suggests_the_german_and_english_spelling(project):
    project.write("beobachtungen.csv", "Datum;Wettbewerber;Thema;Beobachtung\n"
                                       "01.02.2024;Hartmann;Preis;Senkt Listenpreise\n"
                                       "02.02.2024;Hartmann;Preiss;Rabattaktion\n")
    assert project.problems(competitor_observations=entry("beobachtungen.csv", "generic_de")) == [
        'beobachtungen.csv, row 3, column "Thema": "Preiss" is not an allowed value; did you mean "preis" (= price) '
        'or "press"? (expected one of: product, price, campaign, trade_fair, hiring, partnership, press, other; '
        "or one of the mapped values: kampagne, kooperation, messe, messen, partnerschaft, personal, pr, preis, "
        "preise, presse, produkt, produkte, recruiting, sonstige, sonstiges, stellenanzeige, werbung); use an allowed "
        f"value or map it under data.competitor_observations[0].values.topic in {P}"]


def test_empty_required_cell(project):
    project.write("contacts.csv", CONTACTS_HEAD + "1,2024-02-01 10:00,Organic search,,\n2,,Paid search,,\n")
    assert project.problems(leads=entry("contacts.csv", "hubspot_contacts")) == [
        'contacts.csv, row 3, column "Create Date": is empty but created_date is required; fill the cell or remove the row']


def test_header_not_found_lists_best_candidate(project):
    project.write("ads.csv", "Woche,Budget\n1,100\n")
    assert project.problems(spend=entry("ads.csv", "linkedin_ads")) == [
        'ads.csv: no header row found in the first 30 rows (need 2 cells matching known column names); best '
        'candidate is row 1 with cells "Woche", "Budget" (0 matching); known column names: "amount spent", '
        '"campaign", "campaign id", "campaign name", "clicks", "conversions", "currency", "end date", '
        '"end date (in utc)", "impressions", "leads", "start date", "start date (in utc)", "total spent"; '
        f"check the preset or set header_row / column names in {P}"]


def test_ragged_row(project):
    project.write("google_ads.csv", "Tag,Kampagne,Kosten\n01.02.2024,Search_DE,12\n02.02.2024,Search_DE,12,50\n")
    assert project.problems(spend=entry("google_ads.csv", "google_ads")) == [
        'google_ads.csv, row 3: has 4 cells but the header (row 1) has 3 columns; extra values: "50"; quote cells '
        "that contain the delimiter ','"]


def test_old_excel_xls(project):
    project.write("kosten.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200))
    assert project.problems(spend=entry("kosten.xls", "generic_de")) == [
        "kosten.xls: is an old Excel .xls workbook, which cannot be read; open it in Excel and save it as .xlsx "
        "(Excel workbook) or CSV"]


def test_wrong_sheet_name(project):
    project.xlsx("budget.xlsx", {"Übersicht": [["Budget 2024"]], "Kosten": [["Datum", "Kosten (€)"]]})
    assert project.problems(spend=entry("budget.xlsx", "generic_de", sheet="Kosten 2024")) == [
        f'budget.xlsx: has no sheet "Kosten 2024"; sheets: "Übersicht", "Kosten"; set sheet in {P} to one of these names']


def test_undecodable_file(project):
    project.write("export.csv", bytes(range(256)) * 4)
    assert project.problems(spend=entry("export.csv", "google_ads")) == [
        "export.csv: cannot be read as text: it is neither UTF-8, UTF-16 nor Windows-1252 (it may be a binary file "
        f"such as a zipped or Excel file with a .csv name); export the data as CSV or .xlsx again, or set encoding in {P}"]


def test_file_with_only_a_header(project):
    project.write("reviews.csv", "Review Id,Review Created (UTC),Review Title,Review Content,Review Stars\n")
    assert project.problems(feedback=entry("reviews.csv", "trustpilot")) == [
        "reviews.csv, row 1: has the header but no data rows below it; export the file again with data, "
        "or check the period"]


def test_several_problems_in_one_file_come_at_once_in_reading_order(project):
    project.write("deals.csv", DEALS_HEAD
                  + "1,A,Closed Won,-5,2024-03-01,2024-02-01\n"      # row 2: negative amount
                  + "2,B,Verhandlung,5,2024-03-01,\n"                # row 3: unknown stage, empty created date
                  + "3,C,Closed Won,abc,2024-13-01,2024-02-01\n"     # row 4: close date before amount in the sheet
                  + "4,D,Closed Won,5,2024-03-01,2024-02-01\n")      # row 5: fine
    problems = project.problems(deals=entry("deals.csv", "hubspot_deals"))
    assert problems == [
        'deals.csv, row 2, column "Amount": "-5" is negative; amount must be 0 or more; fix the cell; net refunds '
        "and credit notes into the original row instead of a negative row",
        f'deals.csv, row 3, column "Deal Stage": "Verhandlung" is not in stage_map; add it to stage_map.open, '
        f".won or .lost in {P}",
        'deals.csv, row 3, column "Create Date": is empty but created_date is required; fill the cell or remove the row',
        'deals.csv, row 4, column "Amount": "abc" is not a number (expected English format like 1,234.56); '
        + NUMBER_FIX,
        f'deals.csv, row 4, column "Close Date": "2024-13-01" is not a date (expected {HUBSPOT_DATES}); '
        + NO_SUCH_DATE.format("YYYY-MM-DD[ HH:MM[:SS]]"),
    ]


def test_problems_of_several_files_and_tables_come_together(project):
    project.write("deals.csv", DEALS_HEAD + "1,A,Closed Won,x,2024-03-01,2024-02-01\n")
    project.write("contacts.csv", CONTACTS_HEAD + "1,gestern,Organic search,,\n")
    problems = project.problems(leads=entry("contacts.csv", "hubspot_contacts"), deals=entry("deals.csv", "hubspot_deals"))
    assert problems == [
        f'contacts.csv, row 2, column "Create Date": "gestern" is not a date (expected {HUBSPOT_DATES}); fix the '
        'cell, or put the file\'s date format first in data.leads[0].date_format: ["<your format, e.g. %d/%m/%Y>", '
        f'"iso", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y"] in {P} (then the formats of preset '
        "hubspot_contacts, which the file's other dates need: a single format replaces them)",
        'deals.csv, row 2, column "Amount": "x" is not a number (expected English format like 1,234.56); ' + NUMBER_FIX,
    ]
    with pytest.raises(DataError, match=r"^2 problems in the input data:\n  - contacts.csv, row 2"):
        project.load(leads=entry("contacts.csv", "hubspot_contacts"), deals=entry("deals.csv", "hubspot_deals"))


def test_a_wrong_format_for_a_whole_column_lists_ten_cells_and_counts_the_rest(project):
    rows = "".join(f"{m}/{d}/2024,Brand,12.50\n" for m in (1, 2) for d in range(1, 14))  # 26 US dates
    project.write("linkedin.csv", "Start Date (in UTC),Campaign Name,Total Spent\n" + rows)
    problems = project.problems(spend=entry("linkedin.csv", "linkedin_ads", date_format="DD.MM.YYYY"))
    assert len(problems) == 11
    fix = (f'fix the cell, or set data.spend[0].date_format: ["%m/%d/%Y", "%d.%m.%Y"] in {P} (the file\'s format '
           "MM/DD/YYYY first, then the formats its date_format lists: a single format would replace them)")
    assert problems[0] == (f'linkedin.csv, row 2, column "Start Date (in UTC)": "1/1/2024" is not a date '
                           f"(expected DD.MM.YYYY); {fix}")
    assert problems[9].startswith('linkedin.csv, row 11, column "Start Date (in UTC)": "1/10/2024" is not a date')
    assert problems[10] == ('linkedin.csv, column "Start Date (in UTC)": 16 more cells in rows 12 to 27 have the '
                            f"same kind of problem; {fix}")
    spend = project.load(spend=entry("linkedin.csv", "linkedin_ads", date_format=["%m/%d/%Y", "%d.%m.%Y"])).spend
    assert spend["date"].iloc[[0, 12, 25]].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-13", "2024-02-13"]


def test_header_named_in_params_but_missing_from_the_file(project):
    project.write("deals.csv", DEALS_HEAD + deal_rows(1))
    assert project.problems(deals=entry("deals.csv", "hubspot_deals", date_format="DD.MM.YYYY",
                                        columns={"amount": "Betrag"})) == [
        'deals.csv: has no column "Betrag", set for amount in data.deals[0].columns; headers found: "Record ID", '
        f'"Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date"; correct the header in {P}']


def test_unknown_column_in_params_overrides_and_constants(project):
    project.write("deals.csv", DEALS_HEAD + deal_rows(1))
    assert project.problems(deals=entry("deals.csv", "hubspot_deals", columns={"ammount": "Amount"})) == [
        'deals.csv: columns.ammount: "ammount" is not a column of table deals (preset hubspot_deals); did you mean '
        '"amount"? columns: deal_id, created_date, stage, amount, currency, status, deal_name, close_date, '
        "expected_close_date, pipeline, owner, company, account_id, lead_id, link, contact_email, lead_source, "
        "source_detail, channel, campaign, "
        f"deal_type, lost_reason, probability; correct data.deals[0].columns in {P}"]
    assert project.problems(deals=entry("deals.csv", "hubspot_deals", date_format="DD.MM.YYYY",
                                        constants={"currency": "Euro"})) == [
        'deals.csv: "Euro" is not a currency code (expected a 3-letter ISO code like EUR) (constants.currency); '
        f"correct data.deals[0].constants.currency in {P}"]


def test_unknown_number_format_in_params(project):
    # the params schema names it before any file is read
    project.write("deals.csv", DEALS_HEAD + deal_rows(1))
    with pytest.raises(ParamsError) as excinfo:
        project.load(TODAY, deals=entry("deals.csv", "hubspot_deals", number_format="german"))
    assert str(excinfo.value) == (f'{Path(P).name}: "data.deals[0].number_format" must be one of "de", "en", "auto" '
                                  "(got 'german'); de for 1.234,56 and en for 1,234.56")


def test_salesforce_report_with_title_lines_and_totals_names_excel_rows(project):
    project.write("opportunities.csv",
                  '"Alle Opportunities"\n"Gefiltert nach: Alle Opportunities"\n\n'
                  "Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Created Date\n"
                  '006A1,Getriebe Linie 4,Closed Won,"12,500.00",15.03.2024,01.02.2024\n'
                  "006A2,Servo Retrofit,Closed Won,12.500.00,15.03.2024,01.02.2024\n"
                  'Grand Totals (2 records),,,"25,000.00",,\n')
    assert project.problems(deals=entry("opportunities.csv", "salesforce_opportunities")) == [
        'opportunities.csv, row 6, column "Amount": "12.500.00" is not a number (expected a number like 1.234,56 '
        f"or 1,234.56); {NUMBER_FIX}"]


def test_zendesk_ticket_id_twice_in_one_file(project):
    project.write("tickets.csv", "Id,Created at,Subject,Satisfaction Score\n"
                                 "101,2024-02-01T09:00:00Z,Lieferung verspätet,bad\n"
                                 "102,2024-02-02T09:00:00Z,Ersatzteil,good\n"
                                 "101,2024-02-01T09:00:00Z,Lieferung verspätet,bad\n")
    assert project.problems(feedback=entry("tickets.csv", "zendesk")) == [
        'tickets.csv, row 2, column "Id": "101" appears 2 times as feedback_id (tickets.csv row 2, tickets.csv row 4); '
        "each id must appear once: remove the duplicate rows, or do not list overlapping exports"]


def test_meta_export_bad_spend_and_pipedrive_bad_date(project):
    project.write("meta.csv", "Day,Campaign name,Amount spent (EUR),Impressions\n2024-02-01,Retargeting,12.5O,1000\n")
    project.write("pipedrive.csv", "Deal - ID,Deal - Title,Deal - Value,Deal - Stage,Deal - Status,Deal - Deal created\n"
                                   "7,Linie 4,5000,Verhandlung,open,2024-02-30\n")
    assert project.problems(spend=entry("meta.csv", "meta_ads"), deals=entry("pipedrive.csv", "pipedrive_deals")) == [
        'pipedrive.csv, row 2, column "Deal - Deal created": "2024-02-30" is not a date (expected '
        "YYYY-MM-DD[ HH:MM[:SS]] or YYYY-MM-DD HH:MM:SS or DD.MM.YYYY or MM/DD/YYYY or an Excel date number); "
        + NO_SUCH_DATE.format("YYYY-MM-DD[ HH:MM[:SS]]"),
        'meta.csv, row 2, column "Amount spent (EUR)": "12.5O" is not a number (expected a number like 1.234,56 or '
        f"1,234.56); {NUMBER_FIX}"]


# --- params overrides make the same file load ------------------------------------------------------


def test_date_format_override_reads_us_dates(project):
    project.write("contacts.csv", CONTACTS_HEAD + "1,02/01/2024 10:30,Organic search,,\n")
    assert project.problems(leads=entry("contacts.csv", "hubspot_contacts")) == [
        f'contacts.csv, row 2, column "Create Date": "02/01/2024 10:30" is not a date (expected {HUBSPOT_DATES}); '
        f'fix the cell, or say how "02/01/2024 10:30" reads in {P}: if it is 01.02.2024 (day.month.year), set '
        'data.leads[0].date_format: ["%m/%d/%Y %H:%M", "iso", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y"]; if it '
        'is 02.01.2024 (day.month.year), set data.leads[0].date_format: ["%d/%m/%Y %H:%M", "iso", "%Y-%m-%d %H:%M", '
        '"%d.%m.%Y %H:%M", "%d.%m.%Y"]']
    for spelling in ("MM/DD/YYYY HH:MM", "%m/%d/%Y %H:%M"):
        ds = project.load(leads=entry("contacts.csv", "hubspot_contacts", date_format=spelling))
        assert ds.leads["created_date"].tolist() == [pd.Timestamp("2024-02-01 10:30")]


def test_columns_override_maps_an_unknown_header(project):
    project.write("deals.csv", "Record ID,Deal Stage,Auftragsvolumen,Create Date\n1,Closed Won,2500,2024-02-01\n")
    ds = project.load(deals=entry("deals.csv", "hubspot_deals", columns={"amount": "Auftragsvolumen"}))
    assert ds.deals["amount"].tolist() == [2500.0]


def test_number_format_override_reads_german_amounts(project):
    project.write("deals.csv", DEALS_HEAD + '1,A,Closed Won,"1.234,56",2024-03-01,2024-02-01\n')
    ds = project.load(deals=entry("deals.csv", "hubspot_deals", number_format="de"))
    assert ds.deals["amount"].tolist() == [1234.56]


def test_single_foreign_currency_mark_sets_the_currency(project):
    project.write("auftraege.csv", "Nr.;Erstellt am;Phase;Auftragswert\nA-1;01.02.2024;Gewonnen;1.000,00 $\n")
    ds = project.load(deals=entry("auftraege.csv", "generic_de"))
    assert ds.deals[["amount", "currency"]].values.tolist() == [[1000.0, "USD"]]


# --- correct files load with the right types and values ----------------------------------------------


def test_leads_hubspot_channels_from_rules(project):
    project.write("contacts.csv", CONTACTS_HEAD
                  + "11,2024-02-01 10:00,Offline sources,IMPORT,Messe SPS Nürnberg 2023\n"
                  + "12,2024-02-02 11:15,Paid social,linkedin_q1,\n"
                  + "13,2024-02-03 12:00,Organic search,google,\n")
    leads = project.load(leads=entry("contacts.csv", "hubspot_contacts")).leads
    assert leads["lead_id"].tolist() == ["11", "12", "13"]
    assert leads["channel"].tolist() == ["trade_fairs", "linkedin", "organic_search"]
    assert leads["source_detail"].tolist() == ["IMPORT | Messe SPS Nürnberg 2023", "linkedin_q1", "google"]
    assert leads["created_date"].tolist() == [pd.Timestamp("2024-02-01 10:00"), pd.Timestamp("2024-02-02 11:15"),
                                              pd.Timestamp("2024-02-03 12:00")]
    assert str(leads["created_date"].dtype) == "datetime64[ns]"
    assert str(leads["mql_date"].dtype) == "datetime64[ns]"  # absent columns get their type, not object
    assert leads["_row"].tolist() == [2, 3, 4]


def test_deals_german_sheet_amounts_dates_status_and_channel_from_the_lead(project):
    project.write("contacts.csv", CONTACTS_HEAD + "L-7,2024-01-10 09:00,Paid search,,\n")
    project.write("auftraege.csv", "sep=;\nNr.;Erstellt am;Phase;Auftragswert;Abschlussdatum;Anfrage-Nr.\n"
                                   "A-1;01.02.2024;Gewonnen;1.234,56 €;15.03.2024;L-7\n"
                                   "A-2;02.02.2024;Angebot;980 €;;\n"
                                   "Summe;;;2.214,56 €;;\n", "cp1252")
    ds = project.load(leads=entry("contacts.csv", "hubspot_contacts"), deals=entry("auftraege.csv", "generic_de"))
    deals = ds.deals
    assert deals["deal_id"].tolist() == ["A-1", "A-2"]
    assert deals["amount"].tolist() == [1234.56, 980.0]
    assert deals["created_date"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-02")]
    assert deals["close_date"].iloc[0] == pd.Timestamp("2024-03-15") and pd.isna(deals["close_date"].iloc[1])
    assert deals["status"].tolist() == ["won", "open"]
    assert deals["currency"].tolist() == ["EUR", "EUR"]
    assert deals["channel"].iloc[0] == "paid_search" and pd.isna(deals["channel"].iloc[1])
    assert deals["_row"].tolist() == [2, 3]  # Excel hides the sep= line, so the header is row 1
    assert [str(deals[c].dtype) for c in ("deal_id", "created_date", "amount", "status", "probability")] == [
        "string", "datetime64[ns]", "float64", "string", "float64"]
    source = ds.files("deals")[0]
    assert (source.encoding, source.delimiter, source.dropped) == ("cp1252", ";", [(4, "Summe")])


def test_spend_from_google_ads_title_lines_totals_and_a_german_xlsx(project):
    project.write("google_ads.csv", "Kampagnenbericht\n01.02.2024 - 02.02.2024\n"
                                    "Tag,Kampagne,Währungscode,Kosten,Impr.,Klicks\n"
                                    '01.02.2024,Search_DE,EUR,"1.234,56",1.234,56\n'
                                    "02.02.2024,Search_DE,EUR,\"12,00\", --,3\n"
                                    'Gesamt: Konto,,EUR,"1.246,56",1.234,59\n')
    project.xlsx("budget.xlsx", {"Kosten": [["Marketingkosten 2024"], ["Datum", "Kanal", "Kosten (€)", "Plattform"],
                                            [dt.datetime(2024, 2, 1), "Messe", 8500.0, "SPS"],
                                            [dt.datetime(2024, 2, 2), "Webinar", "1.200,50", "ON24"]]})
    ds = project.load(spend=[*entry("google_ads.csv", "google_ads"), *entry("budget.xlsx", "generic_de", sheet="Kosten")])
    sp = ds.spend
    assert sp["cost"].tolist() == [1234.56, 12.0, 8500.0, 1200.5]
    assert sp["channel"].tolist() == ["paid_search", "paid_search", "trade_fairs", "webinars"]
    assert sp["platform"].tolist() == ["Google Ads", "Google Ads", "SPS", "ON24"]
    assert sp["impressions"].tolist()[:2] == [1234, pd.NA]
    assert sp["date"].tolist() == [pd.Timestamp(f"2024-02-0{d}") for d in (1, 2, 1, 2)]
    assert sp["_row"].tolist() == [4, 5, 3, 4]
    assert [str(sp[c].dtype) for c in ("date", "cost", "impressions", "channel")] == [
        "datetime64[ns]", "float64", "Int64", "string"]


def test_feedback_utf16_and_trustpilot(project):
    project.write("feedback.txt", "Nr.\tDatum\tQuelle\tBewertung\tKommentar\r\n"
                                  "F1\t01.02.2024\tUmfrage\t9\tSchnelle Lieferung, gern wieder\r\n", "utf-16")
    project.write("reviews.csv", "\ufeffReview Id,Review Created (UTC),Review Title,Review Content,Review Stars\n"
                                 "r-1,2024-02-03 08:00:00,Great gearbox,Runs quietly.,5\n")
    fb = project.load(feedback=[*entry("feedback.txt", "generic_de"), *entry("reviews.csv", "trustpilot")]).feedback
    assert fb["feedback_id"].tolist() == ["F1", "r-1"]
    assert fb["score"].tolist() == [9.0, 5.0]
    assert fb["score_scale"].tolist() == ["nps_0_10", "stars_1_5"]
    assert fb["text"].tolist() == ["Schnelle Lieferung, gern wieder", "Great gearbox\nRuns quietly."]
    assert fb["date"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-03 08:00")]


def test_competitor_tables_and_touchpoints_and_web_traffic(project):
    project.xlsx("wettbewerb.xlsx", {"Beobachtungen": [
        ["Datum", "Wettbewerber", "Thema", "Beobachtung", "Bedeutung"],
        [dt.datetime(2024, 3, 1), "Hartmann", "Preis", "Listenpreis Servo -12 %", "hoch"],
        ["05.03.2024", "Brandt", "Messe", "Neuer Stand auf der SPS", "mittel"]]})
    project.write("preise.csv", "Datum;Wettbewerber;Produkt;Preis;Netto/Brutto\n01.03.2024;Hartmann;HS-60;1.056,00;netto\n",
                  "utf-8-sig")
    project.write("botschaften.csv", "Datum;Wettbewerber;Botschaft\n01.03.2024;Hartmann;Liefertreue garantiert\n")
    project.write("touches.csv", "Contact ID,Touch Timestamp,Channel,Interaction Type\n11,2024-02-01 10:00:00,linkedin,form\n")
    project.write("ga4.csv", "# Traffic acquisition\n# 20240201-20240202\nDate,Session primary channel group "
                             "(Default Channel Group),Session source / medium,Sessions\n"
                             "20240201,Paid Search,google / cpc,\"1,204\"\n")
    ds = project.load(competitor_observations=entry("wettbewerb.xlsx", "generic_de"),
                      competitor_prices=entry("preise.csv", "generic_de"),
                      competitor_messaging=entry("botschaften.csv", "generic_de"),
                      touchpoints=entry("touches.csv", "journey_export"), web_traffic=entry("ga4.csv", "ga4"))
    obs = ds.competitor_observations
    assert obs["topic"].tolist() == ["price", "trade_fair"] and obs["impact"].tolist() == ["high", "medium"]
    assert obs["date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-05")]
    prices = ds.competitor_prices
    assert prices[["price", "price_basis", "price_type", "currency"]].values.tolist() == [[1056.0, "net", "list", "EUR"]]
    assert ds.competitor_messaging["text"].tolist() == ["Liefertreue garantiert"]
    assert ds.touchpoints["timestamp"].tolist() == [pd.Timestamp("2024-02-01 10:00")]
    web = ds.web_traffic
    assert web[["source", "medium", "sessions"]].values.tolist() == [["google", "cpc", 1204]]
    assert web["date"].tolist() == [pd.Timestamp("2024-02-01")]


# --- docs/presets.md -----------------------------------------------------------------------------


def test_docs_presets_md_is_generated_from_the_presets():
    from cmo_workbook.inputs import presets

    doc = (Path(__file__).resolve().parents[1] / "docs" / "presets.md").read_text(encoding="utf-8")
    assert doc == presets.markdown_table(), "regenerate: .venv/bin/python -m cmo_workbook.inputs.presets > docs/presets.md"
    assert [line[4:-1] for line in doc.splitlines() if line.startswith("## `")] == sorted(presets.PRESETS)
    typeform = doc.split("## `typeform`")[1].split("\n## ")[0]
    assert ("| Params | `preset: typeform`; `columns.text` and/or `columns.score` with your export's header "
            "(e.g. the survey question) |") in typeform
    assert f"| Export (deutsch) | {presets.TYPEFORM.howto_de} |" in typeform
    google = doc.split("## `google_ads`")[1].split("\n## ")[0]
    assert "| Numbers | German: 1.234,56 (override: `number_format`) |" in google
    assert "| Dates | DD.MM.YYYY; YYYY-MM-DD[ HH:MM[:SS]]; Mon DD, YYYY; MM/DD/YYYY (override: `date_format`) |" in google


def test_schema_docs_are_up_to_date():
    from cmo_workbook.inputs import schema

    doc = Path(__file__).resolve().parents[1] / "docs" / "schemas.md"
    assert doc.read_text(encoding="utf-8") == schema.markdown() + "\n", \
        "docs/schemas.md is stale: run .venv/bin/python -m cmo_workbook.inputs.schema > docs/schemas.md"
