"""Stakeholder matrix: params validation, which department a recommendation serves, memo rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from cmo_workbook.memos import stakeholders
from cmo_workbook.render.blocks import Recommendation
from cmo_workbook.errors import ParamsError
from cmo_workbook.inputs.params import load_params

RAW = [
    {"department": "Vertrieb", "department_en": "Sales", "head": "Vertriebsleitung", "goals": ["Auftragseingang +10 %"],
     "kpis": ["sql", "marketing_pipeline_value", "Angebotsquote"], "challenges": ["Preisdruck"], "topics": ["preis"]},
    {"department": "Produktion", "head": "Leitung Supply Chain", "kpis": ["Liefertreue"], "topics": ["lieferzeit"]},
    {"department": "Finanzen", "head": "Kaufmännische Leitung", "kpis": ["marketing_spend", "cost_per_qualified_lead"]},
]


def test_from_params_reads_rows_and_english_names():
    m = stakeholders.from_params(RAW)
    assert [s.department for s in m] == ["Vertrieb", "Produktion", "Finanzen"]
    assert m[0].name("en") == "Sales" and m[1].name("en") == "Produktion"
    assert m[0].kpis == ("sql", "marketing_pipeline_value", "Angebotsquote")


def test_from_params_names_every_problem():
    with pytest.raises(ParamsError) as exc:
        stakeholders.from_params([{"department": "Vertrieb", "kpis": []}, {"head": "X", "kpi": ["sql"]}])
    msg = str(exc.value)
    assert 'stakeholders[0]": missing "head"' in msg
    assert 'stakeholders[0]": list at least one KPI' in msg
    assert 'stakeholders[1]": unknown key "kpi"' in msg
    assert 'stakeholders[1]": missing "department"' in msg


def test_serving_prefers_shared_kpis_then_topics_and_excludes_the_owner():
    m = stakeholders.from_params(RAW)
    assert stakeholders.serving("Budget umschichten", ["cost_per_qualified_lead"], m).department == "Finanzen"
    assert stakeholders.serving("Pipeline priorisieren", ["marketing_pipeline_value"], m).department == "Vertrieb"
    assert stakeholders.serving("lieferzeit", [], m).department == "Produktion"
    assert stakeholders.serving("Liefertreue der Servogetriebe", [], m).department == "Produktion"  # free-text KPI
    assert stakeholders.serving("Newsletter-Design", ["leads"], m) is None
    assert stakeholders.serving("preis", [], m, exclude=["Vertrieb"]) is None


def test_link_recommendations_fills_the_stakeholder_from_the_text():
    m = stakeholders.from_params(RAW)
    recs = [Recommendation("LinkedIn-Budget um 20 % kürzen", owner="Marketing", evidence="Kosten je Anfrage 690 €"),
            Recommendation("Newsletter neu gestalten"),
            Recommendation("x", stakeholder="Geschäftsführung")]
    out = stakeholders.link_recommendations(recs, m, "en", kpi_label=lambda k, _l: k.upper())
    assert out[0].stakeholder == "Finanzen (COST_PER_QUALIFIED_LEAD)"
    assert out[1].stakeholder == "" and out[2].stakeholder == "Geschäftsführung"
    assert recs[0].stakeholder == ""  # the input stays untouched


def test_matrix_table_filters_rows_and_picks_columns():
    m = stakeholders.from_params(RAW)
    header, rows = stakeholders.matrix_table(m, "de", only=["Sales", "Finanzen"], columns=("kpis",))
    assert header == ["Bereich", "Kennzahlen"]
    assert rows == [["Vertrieb (Vertriebsleitung)", "sql, marketing_pipeline_value, Angebotsquote"],
                    ["Finanzen (Kaufmännische Leitung)", "marketing_spend, cost_per_qualified_lead"]]


def test_example_params_matrix_is_valid():
    params = load_params(Path(__file__).resolve().parents[1] / "params" / "example.yaml", check_files=False)
    m = stakeholders.from_params(params.raw["stakeholders"])
    assert {"Vertrieb", "Produktion & Logistik", "Kundenservice", "Finanzen"} <= {s.department for s in m}
    assert all(s.head and s.kpis for s in m)
