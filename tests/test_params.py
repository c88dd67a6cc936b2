"""Params validation: every problem named with key, value and fix."""
from pathlib import Path

import pytest
import yaml

from cmo_workbook.errors import ParamsError
from cmo_workbook.inputs.params import load_params

ROOT = Path(__file__).resolve().parents[1]


def base() -> dict:
    return yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "acme.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def load(tmp_path, data):
    return load_params(write(tmp_path, data), check_files=False)


def test_example_params_are_valid():
    p = load_params(ROOT / "params" / "example.yaml", check_files=False)
    assert p.name == "Kessler Antriebstechnik GmbH"
    assert p.language == "de" and p.gross_margin == 0.38
    assert p.data_dir == (ROOT / "data" / "sample").resolve()
    assert "sales_outbound" not in p.marketing_channels


def test_unknown_key_did_you_mean(tmp_path):
    d = base()
    d["company"]["gross_margn"] = 0.4
    with pytest.raises(ParamsError) as e:
        load(tmp_path, d)
    assert 'acme.yaml: unknown key "company.gross_margn"; did you mean "gross_margin"?' in str(e.value)


def test_wrong_type_and_missing_key(tmp_path):
    d = base()
    d["company"]["gross_margin"] = "38%"
    del d["memo"]["analyst"]
    with pytest.raises(ParamsError) as e:
        load(tmp_path, d)
    msg = str(e.value)
    assert "2 problem(s)" in msg
    assert ('"company.gross_margin" must be a number > 0 and < 1 without unit or thousands separator, '
            "e.g. 0.38 for 38 % (got '38%')") in msg
    assert ('missing required key "memo.analyst" (an e-mail address, e.g. name@example.com); '
            "failure alerts go to this address") in msg


def test_margin_out_of_range(tmp_path):
    d = base()
    d["company"]["gross_margin"] = 38
    with pytest.raises(ParamsError, match=r'"company.gross_margin" must be a number > 0 and < 1 .*, e.g. 0.38 for 38 % \(got 38\)'):
        load(tmp_path, d)


def test_bad_email_and_language(tmp_path):
    d = base()
    d["memo"]["recipients"] = ["ceo(at)acme.de"]
    d["company"]["language"] = "German"
    with pytest.raises(ParamsError) as e:
        load(tmp_path, d)
    assert "\"memo.recipients[0]\" must be an e-mail address, e.g. name@example.com (got 'ceo(at)acme.de')" in str(e.value)
    assert '"company.language" must be a two-letter language code' in str(e.value) and "(got 'German')" in str(e.value)


def test_vague_goal_rejected(tmp_path):
    d = base()
    d["goals"][0]["title"] = "Digitalisierung vorantreiben"
    with pytest.raises(ParamsError, match=r"title 'Digitalisierung vorantreiben' is vague; state the measurable result"):
        load(tmp_path, d)


def test_stage_in_two_statuses(tmp_path):
    d = base()
    d["stage_map"]["lost"].append("Closed Won")
    with pytest.raises(ParamsError, match=r"stage 'Closed Won' is listed under both \"stage_map.won\" and \"stage_map.lost\""):
        load(tmp_path, d)


def test_missing_data_file_did_you_mean(tmp_path):
    d = base()
    data = tmp_path / "data"
    (data / "crm").mkdir(parents=True)
    (data / "crm" / "hubspot_contacts.csv").write_text("x")
    d["data"] = {"dir": "data", "leads": [{"file": "crm/hubspot_contact.csv", "preset": "hubspot_contacts"}]}
    with pytest.raises(ParamsError) as e:
        load_params(write(tmp_path, d))
    assert '"data.leads[0].file" \'crm/hubspot_contact.csv\' does not exist' in str(e.value)
    assert 'did you mean "hubspot_contacts.csv"?' in str(e.value)


def test_invalid_yaml_names_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("company:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"bad.yaml, line \d+, column \d+: not valid YAML"):
        load_params(p)


def test_missing_params_file(tmp_path):
    with pytest.raises(ParamsError, match=r"does not exist; pass a YAML file such as params/example.yaml "
                                          r"\(cmo-workbook: --params FILE; plain papermill: -p params_file FILE, or --cwd notebooks"):
        load_params(tmp_path / "nope.yaml")


def test_company_state_must_be_a_bundesland_code(tmp_path):
    d = base()
    assert d["company"]["state"] == "BY"
    d["company"]["state"] = "Bayern"
    with pytest.raises(ParamsError) as e:
        load(tmp_path, d)
    assert "acme.yaml: company.state 'Bayern' is not a German Bundesland code; use one of BB, BE, BW, BY" in str(e.value)
    assert "(e.g. BY for Bayern, NW for Nordrhein-Westfalen)" in str(e.value)
