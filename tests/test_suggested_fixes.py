"""Issue #10: every fix a `validate` message suggests works as written (session 13's fresh-clone user).

On a copy of tests/fixtures/exports/new_user_lab: a feedback list without a source column (map a header, or
one constant for the whole file) and a US date in a HubSpot deals export (the exact `date_format` line).
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from cmo_workbook import cli

LAB = Path(__file__).resolve().parent / "fixtures" / "exports" / "new_user_lab"
FEEDBACK = "Kundenfeedback_Oktober.csv"
DEALS = "hubspot-crm-exports-all-deals-2026-11-02.csv"


@pytest.fixture
def lab(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "lab"
    shutil.copytree(LAB, folder)
    monkeypatch.chdir(folder)  # messages name params.yaml relative to here
    return folder


def validate(folder: Path, capsys) -> tuple[int, str]:
    code = cli.main(["validate", "--params", str(folder / "params.yaml")])
    return code, capsys.readouterr().err


def entry(folder: Path, table: str) -> tuple[dict, dict]:
    raw = yaml.safe_load((folder / "params.yaml").read_text(encoding="utf-8"))
    return raw, raw["data"][table][0]


def save(folder: Path, raw: dict) -> None:
    (folder / "params.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_feedback_column(folder: Path, header: str, value: str) -> None:
    """A column appended to the cp1252 ';' feedback list, as the user would add it in Excel."""
    path = folder / FEEDBACK
    lines = path.read_text(encoding="cp1252").splitlines()
    out = [lines[0] + f";{header}"] + [line + f";{value}" for line in lines[1:]]
    path.write_text("\r\n".join(out) + "\r\n", encoding="cp1252")


def test_a_missing_source_offers_a_header_and_a_constant_and_each_works(lab, capsys):
    raw, feedback = entry(lab, "feedback")
    assert feedback.pop("constants") == {"source": "Kundenumfrage"}  # what the user found in docs/presets.md
    save(lab, raw)
    code, err = validate(lab, capsys)
    assert code == 2
    assert ('Kundenfeedback_Oktober.csv: has no column for source, which is required; preset generic_de (German '
            'spreadsheet (hand-kept Excel or CSV)) reads it from the header "Quelle" or "Herkunft" or "Kanal"') in err
    assert ('map your header: set data.feedback[0].columns.source: "<your header>" in params.yaml (or name the '
            'column "Quelle" as generic_de exports it); or, when one source holds for the whole file, set '
            'data.feedback[0].constants.source: "<the source, e.g. survey>"') in err

    # fix 1, the constant, exactly as the message spells the key
    key = re.search(r"set data\.feedback\[0\]\.(constants)\.(source): ", err)
    feedback[key.group(1)] = {key.group(2): "Kundenumfrage"}
    save(lab, raw)
    assert validate(lab, capsys)[0] == 0
    # fix 2, a header of the user's own, mapped under columns.source
    del feedback["constants"]
    add_feedback_column(lab, "Woher", "Kundenumfrage")
    feedback["columns"] = {"source": "Woher"}
    save(lab, raw)
    assert validate(lab, capsys)[0] == 0
    # fix 3, the column named as the preset reads it, no params at all
    shutil.copy(LAB / FEEDBACK, lab / FEEDBACK)
    add_feedback_column(lab, "Quelle", "Kundenumfrage")
    del feedback["columns"]
    save(lab, raw)
    assert validate(lab, capsys)[0] == 0


def test_columns_a_constant_can_fill_are_offered_it_and_no_other():
    from cmo_workbook.inputs import schema

    offered = {(t.name, c.name) for t in schema.TABLES.values() for c in t.columns if c.constant_example}
    assert offered == {("leads", "source_raw"), ("feedback", "source"), ("touchpoints", "channel"),
                       ("competitor_observations", "competitor"), ("competitor_observations", "topic"),
                       ("competitor_prices", "competitor"), ("competitor_messaging", "competitor")}
    assert all(schema.table(t).column(c).required for t, c in offered)  # an optional column needs no constant
    doc = (Path(__file__).resolve().parents[1] / "docs" / "presets.md").read_text(encoding="utf-8")
    assert ('| Required | feedback: `feedback_id` ← "Nr." (made from the row\'s content when the file has none), `date` ← '
            '"Datum", `source` ← "Quelle" (or one value for the file: `constants: {source: survey}`)') in doc


def _date_line(err: str) -> list[str]:
    """The date_format lists the message suggests, as YAML would read them."""
    return [json.loads(m) for m in re.findall(r"date_format: (\[[^\]]*\])", err)]


def test_a_us_date_names_the_date_format_line_that_reads_it_and_keeps_the_preset_formats(lab, capsys):
    path = lab / DEALS
    text = path.read_text(encoding="utf-8")
    assert text.count('"2026-10-01 09:10"') == 1  # D07's Create Date, spreadsheet row 8
    path.write_text(text.replace('"2026-10-01 09:10"', '"10/01/2026"'), encoding="utf-8")
    code, err = validate(lab, capsys)
    assert code == 2
    assert ('hubspot-crm-exports-all-deals-2026-11-02.csv, row 8, column "Create Date": "10/01/2026" is not a date '
            '(expected YYYY-MM-DD[ HH:MM[:SS]] or YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM or DD.MM.YYYY); fix the cell, '
            'or set data.deals[0].date_format: ["%m/%d/%Y", "iso", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y"] '
            "in params.yaml (the file's format MM/DD/YYYY first, then the formats of preset hubspot_deals: a single "
            "format would replace them)") in err
    # 1 October, not 10 January: the file's other dates run from August to October 2026
    [suggested] = _date_line(err)

    # what the user tried first: the single format replaces the preset's, and the other dates fail
    raw, deals = entry(lab, "deals")
    deals["date_format"] = "%m/%d/%Y"
    save(lab, raw)
    code, err = validate(lab, capsys)
    assert code == 2 and err.count('is not a date (expected MM/DD/YYYY)') == 18  # the user's 18 new errors
    # ... whose message now names the line that reads them: the ISO dates back, after the user's own format
    assert set(map(tuple, _date_line(err))) == {("iso", "%m/%d/%Y")}
    # the line as the message wrote it
    deals["date_format"] = suggested
    save(lab, raw)
    assert validate(lab, capsys)[0] == 0
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    d07 = load_dataset(load_params(lab / "params.yaml")).deals.set_index("deal_id").loc["9100007"]
    assert str(d07["created_date"].date()) == "2026-10-01"


def test_an_ambiguous_date_names_both_readings_and_each_line_works(lab, capsys):
    path = lab / DEALS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"2026-10-01 09:10"', '"05/06/2026"'), encoding="utf-8")  # 6 May or 5 June
    code, err = validate(lab, capsys)
    assert code == 2
    assert 'fix the cell, or say how "05/06/2026" reads in params.yaml: if it is 06.05.2026 (day.month.year), set ' \
           'data.deals[0].date_format: ["%m/%d/%Y", ' in err
    lines = _date_line(err)
    assert [line[0] for line in lines] == ["%m/%d/%Y", "%d/%m/%Y"]
    assert all(line[1:] == ["iso", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y"] for line in lines)
    raw, deals = entry(lab, "deals")
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    for line, day in zip(lines, ("2026-05-06", "2026-06-05")):
        deals["date_format"] = line
        save(lab, raw)
        assert validate(lab, capsys)[0] == 0
        d07 = load_dataset(load_params(lab / "params.yaml")).deals.set_index("deal_id").loc["9100007"]
        assert str(d07["created_date"].date()) == day


def test_a_format_of_the_same_shape_as_one_read_now_replaces_it(tmp_path, monkeypatch):
    """Dates written DD/MM/YYYY in a file read with MM/DD/YYYY: keeping that after the new format would read
    01/02/2026 as 2 January while 13/02/2026 is 13 February, so the line leaves it out."""
    from cmo_workbook.errors import DataError
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    monkeypatch.chdir(tmp_path)
    base = yaml.safe_load((LAB / "params.yaml").read_text(encoding="utf-8"))
    (tmp_path / "fb.csv").write_text("feedback_id,date,source,text\n1,01/02/2026,survey,ok\n2,13/02/2026,survey,gut\n",
                                     encoding="utf-8")
    base["data"] = {"dir": ".", "feedback": [{"file": "fb.csv", "preset": "generic_en",
                                              "date_format": ["%m/%d/%Y", "iso"]}]}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_dataset(load_params(tmp_path / "params.yaml"), ["feedback"])
    msg = str(exc.value)
    assert "then the formats its date_format lists: a single format would replace them" in msg
    [line] = _date_line(msg)
    assert line == ["%d/%m/%Y", "iso"]
    base["data"]["feedback"][0]["date_format"] = line
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    dates = load_dataset(load_params(tmp_path / "params.yaml"), ["feedback"]).feedback["date"]
    assert [str(d.date()) for d in dates] == ["2026-02-01", "2026-02-13"]


def test_a_custom_property_the_preset_expects_is_named_as_one_and_its_fix_works(lab):
    """HubSpot has no "Sales Feedback Date" by default: the note says it is a custom property the account may not
    have (and what follows without it); "Date of first engagement" is a standard one and gets no such words."""
    import csv

    from cmo_workbook.inputs import plausibility
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    notes = {f.key: f for f in plausibility.missing_rate_inputs(load_dataset(load_params(lab / "params.yaml")))}
    feedback, first_contact = notes["note_no_feedback_dates"], notes["note_no_first_contact_dates"]
    assert feedback.text("en").startswith(
        'No sales feedback date in the leads export ("Sales Feedback Date" is missing or empty; "Sales Feedback Date" '
        "is a custom property, not one HubSpot has by default, so an account without it exports no such column): "
        "the SLA feedback time cannot be measured and is not stated, and rejections are missing from the acceptance "
        "rate")
    assert ('"Sales Feedback Date" ist eine selbst angelegte Eigenschaft, keine Standard-Eigenschaft von HubSpot'
            in feedback.text("de"))
    assert feedback.fix == ("create the property in HubSpot and export it, or map a date property of your own under "
                            f"data.leads[0].columns.sales_feedback_date in {load_params(lab / 'params.yaml').relpath()}")
    assert "custom" not in first_contact.text("en") and "selbst angelegt" not in first_contact.text("de")
    # the fix as written: a date property of the user's own, mapped under that key
    path = lab / "hubspot-crm-exports-all-contacts-2026-11-02.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[0].append("Rückmeldung Vertrieb")
    for row in rows[1:]:
        row.append(row[12])  # accepted by sales on its SQL date
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows(rows)
    raw, leads = entry(lab, "leads")
    leads["columns"] = {"sales_feedback_date": "Rückmeldung Vertrieb"}
    save(lab, raw)
    ds = load_dataset(load_params(lab / "params.yaml"))
    assert [f.key for f in plausibility.missing_rate_inputs(ds)] == ["note_no_first_contact_dates"]
    assert ds.leads["sales_feedback_date"].notna().sum() == sum(1 for row in rows[1:] if row[12])
    doc = (Path(__file__).resolve().parents[1] / "docs" / "presets.md").read_text(encoding="utf-8")
    assert 'sales_feedback_date ← "Sales Feedback Date" (a custom property, not in every HubSpot portal)' in doc
