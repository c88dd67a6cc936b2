"""`cmo-workbook validate` against malformed params and data: exit 2, the key or file named, never a traceback.

Every key of params/example.yaml gets a value of the wrong kind (derived from the example's own
value, so a key added to the example is covered automatically), plus the cases operators hit.
"""
from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from cmo_workbook.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "params" / "example.yaml"


def example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def key_paths(node, prefix=""):
    """(path, value) of every key in the example; list entries of mappings through their first item."""
    if isinstance(node, dict):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            yield path, v
            if path.startswith("notebooks.") and path.count(".") >= 2:
                continue  # inside a notebook parameter's value: the notebook's own business (its type is checked)
            yield from key_paths(v, path)
    elif isinstance(node, list) and node and isinstance(node[0], dict):
        yield from key_paths(node[0], f"{prefix}[0]")


def bad_value(value):
    """A value of the wrong kind for ``value``."""
    if isinstance(value, bool):
        return "yes please"
    if isinstance(value, (int, float)):
        return "12 units"
    if isinstance(value, date):
        return "2026-02-31"
    if isinstance(value, str):
        return {"oops": 1}
    if isinstance(value, list):
        return "a, b"
    return 5


def set_path(data: dict, path: str, value) -> None:
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node = data
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


@pytest.fixture
def base(tmp_path, sample_dir) -> dict:
    """The example params with absolute paths, valid as they are."""
    d = example()
    d["data"]["dir"] = str(sample_dir)
    d["voc"]["taxonomy"] = str(ROOT / "params" / d["voc"]["taxonomy"])
    d["diary"]["dir"] = str(sample_dir / "diary")
    return d


def validate(tmp_path: Path, data: dict | str, capsys) -> tuple[int, str]:
    p = tmp_path / "acme.yaml"
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code = main(["validate", "--params", str(p)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text and "internal error" not in text, text
    return code, out.err


KEYS = [path for path, _ in key_paths(example())]
VALUES = dict(key_paths(example()))


def test_every_example_key_is_covered():
    # the list is derived from the example, so this guards the derivation itself
    assert len(KEYS) > 150
    for must in ("company.name", "goals[0].deadline", "sla.response_hours", "competitors.own_products[0].price",
                 "memo.recipients", "notebooks.attribution_review.business_case", "diary.dir", "voc.taxonomy"):
        assert must in KEYS


@pytest.mark.parametrize("path", KEYS)
def test_bad_value_of_every_key_exits_2_naming_it(path, base, tmp_path, capsys):
    set_path(base, path, bad_value(VALUES[path]))
    code, err = validate(tmp_path, base, capsys)
    assert code == 2, err
    assert f'"{path}"' in err, err


def test_example_itself_validates(base, tmp_path, capsys):
    code, _ = validate(tmp_path, base, capsys)
    assert code == 0


def _text_with(base: dict, old: str, new: str) -> str:
    text = yaml.safe_dump(base, allow_unicode=True, sort_keys=False)
    assert old in text
    return text.replace(old, new, 1)


ISSUE_CASES = {
    "goal metric typo": (lambda d: set_path(d, "goals[0].metric", "qualified_leeds"),
                         '"goals[0].metric" \'qualified_leeds\' is not a KPI the workbook computes; did you mean "qualified_leads"?'),
    "target with unit": (lambda d: set_path(d, "targets.qualified_leads", "180 MQL"),
                         '"targets.qualified_leads" must be a number ≥ 0 without unit or thousands separator, e.g. 180 (got \'180 MQL\')'),
    "sla hours with unit": (lambda d: set_path(d, "sla.response_hours", "24h"),
                            "business hours as a plain number: 24, not \"24h\""),
    "missing taxonomy": (lambda d: set_path(d, "voc.taxonomy", "voc_taxonomie.yaml"),
                         '"voc.taxonomy" \'voc_taxonomie.yaml\' is not a file'),
    "missing diary": (lambda d: set_path(d, "diary.dir", "../tagebuch"), '"diary.dir" \'../tagebuch\' is not a folder'),
    "competitors as text": (lambda d: set_path(d, "competitors.list", "Hartmann, Nordgetriebe"),
                            '"competitors.list" must be a list'),
    "German price": (lambda d: set_path(d, "competitors.own_products[0].price", "1.250,00 €"),
                     'write the net list price as a plain number: 1250.00, not "1.250,00 €"'),
    "unknown notebook": (lambda d: d["notebooks"].update({"kpi_dashbord": {}}),
                         '"notebooks.kpi_dashbord" is not a notebook; did you mean "kpi_dashboard"?'),
    "unknown notebook parameter": (lambda d: d["notebooks"].update({"kpi_dashboard": {"perod": "2026-10"}}),
                                   'kpi_dashboard.ipynb: unknown parameter "perod"; did you mean "period"?'),
    "notebook parameter of wrong type": (lambda d: d["notebooks"].update({"kpi_dashboard": {"lang": 5}}),
                                         'parameter "lang" must be str (got 5, a int)'),
    "memo route to unknown notebook": (lambda d: d["memo"].update({"by_notebook": {"sales_sync": {"recipients": ["a@b.de"]}}}),
                                       '"memo.by_notebook.sales_sync" is not a notebook; did you mean "sales_marketing_sync"?'),
    "data with only dir": (lambda d: d.update({"data": {"dir": d["data"]["dir"]}}),
                           '"data" names none of leads, deals'),
    "company name with a newline": (lambda d: set_path(d, "company.name", "Kessler\nAntriebe"),
                                    '"company.name" must be text on one line'),
    "subject prefix with a newline": (lambda d: set_path(d, "memo.subject_prefix", "[M]\nBcc: x@y.de"),
                                      '"memo.subject_prefix" must be text on one line'),
    "unknown top-level key": (lambda d: d.update({"stakeholder": []}), 'unknown key "stakeholders"'.replace('"stakeholders"', '"stakeholder"; did you mean "stakeholders"?')),
    "unknown nested key": (lambda d: set_path(d, "sla.response_hour", 24), 'unknown key "sla.response_hour"; did you mean "response_hours"?'),
    "target typo": (lambda d: set_path(d, "targets.qualified_lead", 180), 'unknown key "targets.qualified_lead"; did you mean "qualified_leads"?'),
    "share above one": (lambda d: set_path(d, "sla.response_target", 90), '"sla.response_target" must be a number ≥ 0 and ≤ 1'),
    "fiscal month 13": (lambda d: set_path(d, "company.fiscal_year_start", 13), '"company.fiscal_year_start" must be a whole number ≥ 1 and ≤ 12'),
    "currency in lower case": (lambda d: set_path(d, "company.currency", "eur"), '"company.currency" must be a three-letter currency code'),
    "empty recipients": (lambda d: set_path(d, "memo.recipients", []), '"memo.recipients" must be a list'),
    "recipients as one string": (lambda d: set_path(d, "memo.recipients", "ceo@x.de, cfo@x.de"), '"memo.recipients" must be a list'),
    "unknown number format": (lambda d: set_path(d, "data.leads[0].number_format", "german"), '"data.leads[0].number_format" must be one of "de", "en"'),
    "header row zero": (lambda d: set_path(d, "data.leads[0].header_row", 0), '"data.leads[0].header_row" must be a whole number ≥ 1'),
    "missing preset": (lambda d: d["data"]["leads"][0].pop("preset"), 'missing required key "data.leads[0].preset"'),
    "business hours free text": (lambda d: set_path(d, "sla.business_hours", "office hours"), '"sla.business_hours" must be hours and days, e.g. "8-17 Mon-Fri"'),
    "holiday not a day": (lambda d: set_path(d, "sla.holidays", ["2026-13-01"]), '"sla.holidays[0]" must be a real calendar date'),
    "goal deadline before start": (lambda d: set_path(d, "goals[0].deadline", date(2025, 1, 1)), "deadline 2025-01-01 is not after start 2025-11-01"),
    "version 2": (lambda d: set_path(d, "version", 2), '"version" must be a whole number ≥ 1 and ≤ 1'),
    "stage map missing won": (lambda d: d["stage_map"].pop("won"), 'missing required key "stage_map.won"'),
    "fx rate zero": (lambda d: set_path(d, "competitors.fx.CHF", 0), '"competitors.fx.CHF" must be a number > 0'),
    "price basis typo": (lambda d: set_path(d, "competitors.own_products[0].price_basis", "netto"), 'must be one of "net", "gross"'),
    "rule without when": (lambda d: d["competitors"]["implication_rules"][0].pop("when"), 'missing required key "competitors.implication_rules[0].when"'),
    "missing data file": (lambda d: set_path(d, "data.leads[0].file", "crm/hubspot_contact.csv"), 'did you mean "hubspot_contacts.csv"?'),
    "data dir missing": (lambda d: set_path(d, "data.dir", "/nonexistent/exports"), '"data.dir" \'/nonexistent/exports\' is not a folder'),
}


@pytest.mark.parametrize("case", list(ISSUE_CASES))
def test_operator_params_mistakes(case, base, tmp_path, capsys):
    change, expected = ISSUE_CASES[case]
    change(base)
    code, err = validate(tmp_path, base, capsys)
    assert code == 2, err
    assert expected in err, err


@pytest.mark.parametrize("old,new,expected", [
    ("deadline: 2026-12-31", "deadline: 2026-02-31", '"goals[0].deadline" must be a real calendar date YYYY-MM-DD, e.g. 2026-12-31 (got \'2026-02-31\')'),
    ("version: 1", "version: [1", "not valid YAML"),
    ("version: 1", "version: 1\n\tcompany: x", "not valid YAML"),
])
def test_yaml_text_mistakes(old, new, expected, base, tmp_path, capsys):
    code, err = validate(tmp_path, _text_with(base, old, new), capsys)
    assert code == 2 and expected in err, err


def test_top_level_list_and_empty_file(tmp_path, capsys):
    for text, expected in (("- a\n- b\n", "expected a mapping of settings at the top level"),
                           ("", "expected a mapping of settings at the top level"),
                           ("\xff\xfe", "not valid YAML")):
        p = tmp_path / "acme.yaml"
        p.write_text(text, encoding="latin-1")
        code = main(["validate", "--params", str(p)])
        err = capsys.readouterr().err
        assert code == 2 and (expected in err or "not UTF-8" in err), err


# --- data files ---------------------------------------------------------------------------------

def _feedback_rows(sample_dir: Path) -> list[list[str]]:
    with open(sample_dir / "feedback" / "kundenfeedback.csv", encoding="cp1252", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def _only_feedback(base: dict, path: Path, **extra) -> dict:
    base["data"] = {"dir": str(path.parent), "feedback": [{"file": path.name, "preset": "generic_de", **extra}]}
    return base


def test_comment_longer_than_csv_field_limit_is_read(base, tmp_path, sample_dir, capsys):
    rows = _feedback_rows(sample_dir)[:50]
    rows[5][-1] = "Lieferzeit zu lang. " * 7000  # 140,000 characters, above csv's default field limit of 131,072
    f = tmp_path / "feedback.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    code, err = validate(tmp_path, _only_feedback(base, f), capsys)
    assert code == 0, err


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    f = tmp_path / name
    f.write_bytes(content)
    return f


DATA_CASES = {
    "empty file": (b"", {}, "feedback.csv"),
    "binary garbage": (bytes(range(256)) * 20, {}, "feedback.csv"),
    "header only": ("Nr.;Datum;Quelle;Kunde;Produkt;Segment;Bewertung;Kommentar\n".encode(), {}, "feedback.csv"),
    "unclosed quote": ('Nr.;Datum;Quelle;Bewertung;Kommentar\n1;01.10.2026;NPS;9;"gut\n2;02.10.2026;NPS;3;schlecht\n'.encode(),
                       {}, "feedback.csv"),
    "dates that are no dates": ("Nr.;Datum;Quelle;Bewertung;Kommentar\n1;gestern;NPS;9;gut\n2;31.02.2026;NPS;3;schlecht\n".encode(),
                                {}, "feedback.csv"),
    "score as text": ("Nr.;Datum;Quelle;Bewertung;Kommentar\n1;01.10.2026;NPS;neun;gut\n".encode(), {}, "feedback.csv"),
    "unknown preset": ("Nr.;Datum\n1;01.10.2026\n".encode(), {"preset": "hubspot_feedback"}, "unknown preset"),
    "xlsx that is text": ("not a workbook".encode(), {"sheet": "Kosten"}, "feedback.xlsx"),
    "bogus encoding": ("Nr.;Datum\n1;01.10.2026\n".encode(), {"encoding": "latin-99"}, "feedback.csv"),
    "header row beyond the file": ("Nr.;Datum\n1;01.10.2026\n".encode(), {"header_row": 40}, "feedback.csv"),
    "date format that does not match": ("Nr.;Datum;Quelle;Bewertung;Kommentar\n1;2026/10/01;NPS;9;gut\n".encode(),
                                        {"date_format": "%d.%m.%Y"}, "feedback.csv"),
}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_malformed_data_file_exits_2(case, base, tmp_path, capsys):
    content, extra, expected = DATA_CASES[case]
    name = "feedback.xlsx" if case == "xlsx that is text" else "feedback.csv"
    f = _write(tmp_path, name, content)
    params = _only_feedback(base, f, **extra)
    code, err = validate(tmp_path, params, capsys)
    assert code == 2, err
    assert expected in err, err
