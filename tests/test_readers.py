"""read_raw: encodings, delimiters, title/header/footer rows, xlsx, and precise errors."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from cmo_workbook.errors import DataError
from cmo_workbook.inputs.readers import normalize_header, read_raw

FIX = "check the preset or set header_row / column names in params"


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def error_text(excinfo) -> str:
    return str(excinfo.value)


# --- encodings and delimiters ------------------------------------------------------------


def test_german_excel_csv_cp1252_semicolon(tmp_path):
    f = write(tmp_path / "kundenfeedback.csv",
              "Nr.;Datum;Quelle;Bewertung;Kommentar\r\n"
              "1;01.02.2024;Support-Ticket;;Lieferverzögerung, Ärger\r\n"
              "2;02.02.2024;NPS-Umfrage;9;Preis 1.234,56 € ok\r\n", "cp1252")
    t = read_raw(f, header_tokens=["Nr.", "Datum", "Quelle"])
    assert t.encoding == "cp1252"
    assert t.delimiter == ";"
    assert t.header_row == 1
    assert t.rows == [2, 3]
    assert list(t.frame.columns) == ["Nr.", "Datum", "Quelle", "Bewertung", "Kommentar"]
    assert t.frame.iloc[0].tolist() == ["1", "01.02.2024", "Support-Ticket", "", "Lieferverzögerung, Ärger"]
    assert t.frame.iloc[1, 4] == "Preis 1.234,56 € ok"
    assert t.frame.dtypes.tolist() == [object] * 5
    assert t.display_name == "kundenfeedback.csv"


def test_utf8_with_bom_does_not_leak_into_header(tmp_path):
    f = write(tmp_path / "preise.csv", "Datum;Wettbewerber;Preis\n15.09.2026;Hartmann Antriebe;\"1.234,50\"\n",
              "utf-8-sig")
    t = read_raw(f, header_tokens=["datum", "preis"])
    assert t.encoding == "utf-8-sig"
    assert t.original_headers == ["Datum", "Wettbewerber", "Preis"]
    assert t.frame.to_dict("records") == [
        {"Datum": "15.09.2026", "Wettbewerber": "Hartmann Antriebe", "Preis": "1.234,50"}]


def test_utf16_le_with_tabs(tmp_path):
    f = write(tmp_path / "ads.csv", "Tag\tKampagne\tKosten\r\n01.02.2024\tMesse Nürnberg\t1.234,56\r\n", "utf-16")
    assert f.read_bytes()[:2] == b"\xff\xfe"  # little-endian BOM, as Excel writes "Unicode text"
    t = read_raw(f, header_tokens=["Tag", "Kosten"])
    assert (t.encoding, t.delimiter) == ("utf-16", "\t")
    assert t.frame.iloc[0].tolist() == ["01.02.2024", "Messe Nürnberg", "1.234,56"]


def test_plain_utf8_is_preferred_over_cp1252(tmp_path):
    f = write(tmp_path / "a.csv", "Datum,Kanal\n01.02.2024,Messe München\n")
    t = read_raw(f, header_tokens=["Datum", "Kanal"])
    assert t.encoding == "utf-8"
    assert t.frame.iloc[0, 1] == "Messe München"


def test_sep_line_sets_delimiter_and_is_not_a_row(tmp_path):
    # with the sep= line Excel shows the header as row 1
    f = write(tmp_path / "x.csv", "sep=;\r\nDatum;Kosten;Notiz\r\n01.02.2024;12,5;a, b, c, d\r\n", "cp1252")
    t = read_raw(f, header_tokens=["Datum", "Kosten"])
    assert t.delimiter == ";"
    assert t.header_row == 1
    assert t.rows == [2]
    assert t.frame.iloc[0].tolist() == ["01.02.2024", "12,5", "a, b, c, d"]


def test_sniffing_ignores_delimiters_inside_quotes(tmp_path):
    # more ';' than ',' in the file, but all of them inside quoted text
    f = write(tmp_path / "x.csv", 'Record ID,Comment\n1,"a;b;c;d;e"\n2,"f;g;h"\n')
    t = read_raw(f, header_tokens=["Record ID", "Comment"])
    assert t.delimiter == ","
    assert t.frame["Comment"].tolist() == ["a;b;c;d;e", "f;g;h"]


def test_explicit_encoding_that_does_not_fit(tmp_path):
    f = write(tmp_path / "x.csv", "Datum;Kanal\n01.02.2024;Grüße\n", "cp1252")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Datum", "Kanal"], encoding="utf-8")
    assert error_text(e).startswith("x.csv: cannot be read with encoding 'utf-8' (")
    assert error_text(e).endswith("; remove encoding from params to detect it, or set the right one")


# --- title lines, totals, footers, row numbers -------------------------------------------


def test_google_ads_title_lines_and_totals_rows(tmp_path):
    f = write(tmp_path / "google_ads_kampagnen.csv",
              "Kampagnenbericht\n"
              "01.11.2024 - 31.10.2026\n"
              "Tag,Kampagne,Kampagnentyp,Währungscode,Kosten,Impr.,Klicks,Conversions\n"
              '01.11.2024,Search_DE_Getriebe,Suche,EUR,"123,45",1.234,56,"2,00"\n'
              '01.11.2024,Total Protection,Suche,EUR," --",0,0," --"\n'
              'Gesamt: Konto,,,EUR,"123.456,78",1.234,56,"2,00"\n'
              'Gesamt: Suche,,,EUR,"123.456,78",1.234,56,"2,00"\n')
    t = read_raw(f, header_tokens=["Tag", "Kampagne", "Kosten", "Klicks"])
    assert t.header_row == 3
    assert t.rows == [4, 5]
    assert t.frame["Kosten"].tolist() == ["123,45", " --"]
    # "Total Protection" is a campaign name, not a totals row
    assert t.frame["Kampagne"].tolist() == ["Search_DE_Getriebe", "Total Protection"]
    assert t.dropped == [(6, "Gesamt: Konto"), (7, "Gesamt: Suche")]


def test_english_totals_row(tmp_path):
    f = write(tmp_path / "ads.csv", "Day,Campaign,Cost\n2024-11-01,A,1.00\nTotal: Account,,1.00\n")
    t = read_raw(f, header_tokens=["Day", "Campaign", "Cost"])
    assert t.rows == [2]
    assert t.dropped == [(3, "Total: Account")]


def test_salesforce_footer_lines(tmp_path):
    f = write(tmp_path / "report.csv",
              '"Opportunity Name","Amount","Stage"\n'
              '"Getriebe X","12.500,00","Closed Won"\n'
              '"Servo Y","8.000,00","Closed Lost"\n'
              '""\n""\n'
              '"Grand Totals (2 records)"\n'
              '""\n'
              '"Confidential Information - Do Not Distribute"\n'
              '""\n'
              '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
              '"Generated By:  Anna Admin  01.11.2026 07:00"\n')
    t = read_raw(f, header_tokens=["Opportunity Name", "Amount", "Stage"])
    assert t.rows == [2, 3]
    assert t.frame["Opportunity Name"].tolist() == ["Getriebe X", "Servo Y"]
    assert t.dropped == [
        (6, "Grand Totals (2 records)"),
        (8, "Confidential Information - Do Not Distribute"),
        (10, "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."),
        (11, "Generated By:  Anna Admin  01.11.2026 07:00"),
    ]


def test_custom_footer_pattern_and_blank_rows_in_the_middle(tmp_path):
    f = write(tmp_path / "x.csv", "Datum;Kosten\n01.02.2024;1\n;\n\n02.02.2024;2\nStand: 03.02.2024;\n")
    t = read_raw(f, header_tokens=["Datum", "Kosten"], footer_patterns=[r"^stand:"])
    assert t.rows == [2, 5]
    assert t.frame["Datum"].tolist() == ["01.02.2024", "02.02.2024"]
    assert t.dropped == [(6, "Stand: 03.02.2024")]


def test_quoted_field_with_newline_and_delimiter_counts_as_one_row(tmp_path):
    f = write(tmp_path / "fb.csv",
              'Nr.;Datum;Kommentar\n'
              '1;01.02.2024;"Zeile eins\nZeile zwei; mit Semikolon"\n'
              '2;02.02.2024;"""zitiert"" und\r\nnoch eine Zeile"\n'
              '3;03.02.2024;einfach\n')
    t = read_raw(f, header_tokens=["Nr.", "Datum", "Kommentar"])
    # Excel shows each record as one row, however many lines it spans
    assert t.rows == [2, 3, 4]
    assert t.frame["Kommentar"].tolist() == [
        "Zeile eins\nZeile zwei; mit Semikolon", '"zitiert" und\r\nnoch eine Zeile', "einfach"]


def test_header_row_and_extra_header_rows(tmp_path):
    # Qualtrics: header, question text row, ImportId row, then data
    f = write(tmp_path / "survey.csv",
              'ResponseId,RecordedDate,Q1\n'
              'Response ID,Recorded Date,How likely are you to recommend us?\n'
              '"{""ImportId"":""_recordId""}","{""ImportId"":""recordedDate""}","{""ImportId"":""QID1""}"\n'
              'R_1,2026-10-01 10:00:00,9\n')
    t = read_raw(f, header_tokens=[], header_row=1, extra_header_rows=2)
    assert t.header_row == 1
    assert t.rows == [4]
    assert t.frame.iloc[0].tolist() == ["R_1", "2026-10-01 10:00:00", "9"]


def test_duplicate_and_trailing_empty_headers(tmp_path):
    f = write(tmp_path / "x.csv", "Name;Datum;Name;;Name;;\nA;01.02.2024;B;x;C;;\n")
    t = read_raw(f, header_tokens=["name", "datum"])
    assert list(t.frame.columns) == ["Name", "Datum", "Name.2", "(column D)", "Name.3"]
    assert t.original_headers == ["Name", "Datum", "Name", "", "Name"]
    assert t.frame.iloc[0].tolist() == ["A", "01.02.2024", "B", "x", "C"]


def test_header_tokens_are_compared_normalised():
    assert normalize_header('\ufeff"  Kosten\u00a0 (€) "') == "kosten (€)"
    assert normalize_header("Impr.") == "impr."


# --- xlsx --------------------------------------------------------------------------------


def make_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kosten"
    ws.append(["Marketingkosten (manuell gepflegt)"])
    ws.append([])
    ws.append(["Datum", "Kanal", "Kampagne", "Kosten (€)", "Bemerkung"])
    ws.append([dt.datetime(2026, 9, 1), "Messe", "SPS 2026", 12500.5, None])
    ws.append([dt.datetime(2026, 9, 2), "Webinar", "Servo-Webinar", "12.500,00", "als Text erfasst"])
    ws.append([None, None, None, None, None])
    ws.append(["Summe", None, None, 25000.5, None])
    wb.create_sheet("Notizen")
    wb.save(path)
    return path


def test_xlsx_keeps_typed_and_text_cells(tmp_path):
    f = make_workbook(tmp_path / "marketingkosten.xlsx")
    t = read_raw(f, header_tokens=["Datum", "Kanal", "Kosten (€)"], sheet="Kosten")
    assert (t.sheet, t.encoding, t.delimiter, t.header_row) == ("Kosten", None, None, 3)
    assert t.rows == [4, 5]
    assert t.frame.to_dict("records") == [
        {"Datum": dt.datetime(2026, 9, 1), "Kanal": "Messe", "Kampagne": "SPS 2026",
         "Kosten (€)": 12500.5, "Bemerkung": ""},
        {"Datum": dt.datetime(2026, 9, 2), "Kanal": "Webinar", "Kampagne": "Servo-Webinar",
         "Kosten (€)": "12.500,00", "Bemerkung": "als Text erfasst"},
    ]
    assert isinstance(t.frame.iloc[0, 3], float)
    assert t.dropped == [(7, "Summe")]


def test_xlsx_first_sheet_by_default(tmp_path):
    t = read_raw(make_workbook(tmp_path / "k.xlsx"), header_tokens=["Datum", "Kanal"])
    assert t.sheet == "Kosten"


def test_xlsx_unknown_sheet_lists_sheets(tmp_path):
    f = make_workbook(tmp_path / "k.xlsx")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Datum", "Kanal"], sheet="Budget")
    assert error_text(e) == ('k.xlsx: has no sheet "Budget"; sheets: "Kosten", "Notizen"; '
                             "set sheet in params to one of these names")


# --- errors ------------------------------------------------------------------------------


def test_header_not_found_names_best_candidate_and_tokens(tmp_path):
    f = write(tmp_path / "deals.csv", "Deal Report\nDeal,Betrag,Phase\nX,1,Won\n")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Record ID", "Amount", "Deal Stage", "Deal"])
    assert error_text(e) == (
        'deals.csv: no header row found in the first 30 rows (need 2 cells matching known column '
        'names); best candidate is row 2 with cells "Deal", "Betrag", "Phase" (1 matching: Deal); '
        'known column names: "amount", "deal", "deal stage", "record id"; ' + FIX)


def test_ragged_rows_are_all_reported(tmp_path):
    f = write(tmp_path / "deals.csv", "Record ID,Amount\n1,12500.00\n2,12,500.00\n3,1.00,,\n4,7,8\n")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Record ID", "Amount"])
    assert [p.row for p in e.value.problems] == [3, 5]
    assert str(e.value.problems[0]) == (
        'deals.csv, row 3: has 3 cells but the header (row 1) has 2 columns; extra values: "500.00"; '
        "quote cells that contain the delimiter ','")


def test_empty_file(tmp_path):
    f = write(tmp_path / "leer.csv", "")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["a", "b"])
    assert error_text(e) == "leer.csv: is empty (no cells with content); export the file again with data"


def test_header_only_file(tmp_path):
    f = write(tmp_path / "deals.csv", "Record ID,Amount\r\n")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Record ID", "Amount"])
    assert error_text(e) == ("deals.csv, row 1: has the header but no data rows below it; "
                             "export the file again with data, or check the period")


def test_xls_is_refused_with_fix(tmp_path):
    f = tmp_path / "alt.xls"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["a"])
    assert error_text(e) == ("alt.xls: is an old Excel .xls workbook, which cannot be read; "
                             "open it in Excel and save it as .xlsx (Excel workbook) or CSV")


def test_binary_garbage(tmp_path):
    f = tmp_path / "kaputt.csv"
    f.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["a"])
    assert error_text(e) == (
        "kaputt.csv: cannot be read as text: it is neither UTF-8, UTF-16 nor Windows-1252 "
        "(it may be a binary file such as a zipped or Excel file with a .csv name); "
        "export the data as CSV or .xlsx again, or set encoding in params")


def test_xlsx_renamed_to_csv(tmp_path):
    f = make_workbook(tmp_path / "k.xlsx").rename(tmp_path / "k.csv")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Datum"])
    assert error_text(e) == ("k.csv: is a zipped file (most likely an Excel .xlsx workbook), not a text "
                             "file; rename it to .xlsx, or export it from Excel as CSV")


def test_unclosed_quote(tmp_path):
    f = write(tmp_path / "x.csv", 'Datum;Kommentar\n01.02.2024;"offen\n02.02.2024;zu\n')
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["Datum", "Kommentar"])
    assert e.value.problems[0].row == 2
    assert 'check for an unclosed quote (") in that row or the rows above it' in error_text(e)


def test_display_name_is_used_in_errors(tmp_path):
    f = write(tmp_path / "tmp123.csv", "")
    with pytest.raises(DataError) as e:
        read_raw(f, header_tokens=["a"], display_name="crm/deals.csv")
    assert error_text(e).startswith("deals.csv: is empty")
