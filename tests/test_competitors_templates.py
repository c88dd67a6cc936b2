"""Hand-kept Excel templates for competitor observations and prices."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from cmo_workbook.competitors.templates import make_observation_template, template_bytes


def test_german_templates_headers_validation_and_example(tmp_path):
    obs_path, price_path = make_observation_template(tmp_path, lang="de")
    assert (obs_path.name, price_path.name) == ("wettbewerb_beobachtungen.xlsx", "wettbewerb_preise.xlsx")

    ws = load_workbook(obs_path)["Beobachtungen"]
    assert [c.value for c in ws[1]] == ["Datum", "Wettbewerber", "Thema", "Beobachtung", "Quelle",
                                        "Beobachtet von", "Bedeutung", "Region", "Segment", "Produkt"]
    assert ws["A1"].font.b
    assert ws["A2"].value == dt.datetime(2026, 9, 15)
    assert ws["C2"].value == "Preis" and ws["G2"].value == "hoch"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {
        "C2:C1001": '"Produkt,Preis,Kampagne,Messe,Personal,Partnerschaft,Presse,Sonstiges"',
        "G2:G1001": '"hoch,mittel,niedrig"',
    }

    ws = load_workbook(price_path)["Preise"]
    assert [c.value for c in ws[1]] == ["Datum", "Wettbewerber", "Produkt", "Preis", "Währung", "Einheit",
                                        "Netto/Brutto", "Preisart", "Mindestmenge", "Vergleichsprodukt", "Quelle"]
    assert ws["D2"].value == 1056.0
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["G2:G1001"] == '"netto,brutto"'
    assert lists["H2:H1001"] == '"Listenpreis,Aktion,Angebot"'


def test_english_templates_use_canonical_values(tmp_path):
    obs_path, price_path = make_observation_template(tmp_path, lang="en")
    ws = load_workbook(obs_path)["Observations"]
    assert [c.value for c in ws[1]][:7] == ["Date", "Competitor", "Topic", "Summary", "Source URL", "Observed by",
                                            "Impact"]
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C2:C1001"] == '"product,price,campaign,trade_fair,hiring,partnership,press,other"'
    assert lists["G2:G1001"] == '"high,medium,low"'
    assert load_workbook(price_path)["Prices"]["H1"].value == "Price type"


def test_templates_are_byte_identical_across_runs(tmp_path):
    first = [p.read_bytes() for p in make_observation_template(tmp_path / "a", lang="de")]
    second = [p.read_bytes() for p in make_observation_template(tmp_path / "b", lang="de")]
    assert first == second
    assert template_bytes("prices", "en")[1] == template_bytes("prices", "en")[1]
    assert template_bytes("prices", "en")[1] != template_bytes("prices", "de")[1]
    # Runs within the same second match anyway; what makes later runs match is that no
    # clock time is stored: fixed zip entry times and fixed document dates.
    with zipfile.ZipFile(io.BytesIO(first[0])) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2024-01-01T00:00:00Z</dcterms:modified>" in core


def test_unknown_language_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="expected 'de' or 'en'"):
        make_observation_template(tmp_path, lang="fr")
