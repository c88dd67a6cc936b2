"""The quarterly notebooks on a new user's hand-written HubSpot company (tests/fixtures/exports/new_user_hubspot:
contacts, fair leads, deals and Google Ads; no diary, no stakeholders, no touchpoints, feedback or competitor
exports). No traceback may reach the user: the stakeholder update runs with what it has and says what is missing;
a notebook whose declared input is not configured is refused before any kernel (exit 2) when asked for by name."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook import cli
from cmo_workbook.errors import DataError
from cmo_workbook.inputs import diary
from cmo_workbook.periods import Period

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "new_user_hubspot"
Q3 = "2026-Q3"


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "new_user_hubspot"
    shutil.copytree(FIXTURE, dst)
    return dst / "params.yaml"


def test_without_a_diary_dir_there_are_no_entries_and_the_note_says_why(tmp_path):
    # before: diary_dir() -> None went straight into Path(None): TypeError in the stakeholder update's cell 4
    entries = diary.load_diary(None)
    assert entries.empty and list(entries.columns) == diary.COLUMNS
    summary = diary.quarter_summary(entries, Period.parse(Q3), configured=False)
    assert summary.entries == 0 and summary.weeks == 13  # ISO weeks 27-39 have their Thursday in Q3 2026
    assert diary.coverage_sentence(summary, "de") == ("Kein Marketing-Tagebuch eingerichtet (diary.dir in den Params): "
                                                      "Die Absätze stützen sich nur auf Kennzahlen und Ziele.")
    # a company that keeps a diary but wrote nothing this quarter still reads "0 von 13 Wochen"
    kept = diary.quarter_summary(entries, Period.parse(Q3))
    assert diary.coverage_sentence(kept, "en") == "Marketing diary: 0 of 13 weeks written."
    # a folder that is set but missing stays an error with its fix
    with pytest.raises(DataError, match="diary folder does not exist"):
        diary.load_diary(tmp_path / "nowhere")


@pytest.mark.parametrize("name, missing", [
    ("attribution_review", "needs the touchpoints table, which params.yaml does not configure (data.touchpoints)"),
    ("strategy_memo", "needs the feedback table, which params.yaml does not configure (data.feedback)"),
    ("impulse_deck", "needs the feedback table, which params.yaml does not configure (data.feedback)"),
    ("competitor_briefing", "needs the competitor_observations, competitor_prices tables, which params.yaml does not "
                            "configure (data.competitor_observations and data.competitor_prices)"),
])
def test_a_single_run_without_a_declared_input_is_refused_before_any_kernel(tmp_path, capsys, name, missing):
    # before: attribution_review, strategy_memo and impulse_deck started a kernel and failed in a cell (exit 1,
    # AttributeError "no data configured for table ..."); `run all` skips them with the same sentence
    params = _copy(tmp_path)
    reports = tmp_path / "reports"
    assert cli.main(["run", name, "--period", Q3, "--params", str(params), "--reports", str(reports)]) == 2
    err = capsys.readouterr().err
    assert f"{name} {missing}; add the export there to run it" in err
    assert "Traceback" not in err
    assert not (reports / Q3).exists()  # no KPI store, no notebook: nothing was started


@pytest.mark.slow
def test_the_stakeholder_update_runs_without_diary_and_stakeholders(tmp_path, capsys):
    params = _copy(tmp_path)
    reports = tmp_path / "reports"
    assert cli.main(["run", "stakeholder_update", "--period", Q3, "--params", str(params),
                     "--reports", str(reports)]) == 0
    out = capsys.readouterr().out
    assert "done     stakeholder_update 2026-Q3" in out
    text = (reports / Q3 / "stakeholder_update.txt").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    # marketing deals created in Q3: 9009 (125.000, organic search), 9014 (20.000, paid search), 9001 (48.000,
    # direct), 9018 (66.000, paid social), 9002 (22.000, paid search), 9010 (40.000, e-mail) = 321.000 €
    assert "Neue Pipeline aus Marketing: 321 Tsd. €" in flat
    # won in Q3 from marketing inquiries: 9021 (14.07., 28.000), 9016 (28.08., 54.000), 9002 (30.09., 22.000)
    assert "104 Tsd. € Auftragseingang aus Marketing-Anfragen" in flat
    # the data note says the diary is missing and where to set it up; no empty departments table
    assert ("Kein Marketing-Tagebuch eingerichtet (diary.dir in den Params): Die Absätze stützen sich nur auf "
            "Kennzahlen und Ziele.") in flat
    assert "Marketing-Tagebuch: 0 von" not in flat
    # contacts (first created 04.08.2026; fair leads from 10.09.) and Google Ads (from 06.08.2026) begin inside Q3: the
    # quarter's inquiries and costs are "–", and the data note says why instead of "keine Lücken" alone
    # sources and months in words (file names and raw period ids stay out of the CEO's memo)
    assert ("CRM-Kontakte: der Export beginnt erst August 2026; Werte für Q3 2026, die diese "
            "Daten brauchen, bleiben ohne Wert (–)") in flat
    assert "Marketingkosten: der Export beginnt erst August 2026" in flat
    assert "der Export beginnt" in flat and flat.count("der Export beginnt") == 2  # deals from April 2026 cover Q3
    assert ".csv" not in flat.split("Quelldateien")[0]
    assert "BEREICHE, DIE WIR UM UNTERSTÜTZUNG BITTEN" not in text
    assert "WO WIR UNTERSTÜTZUNG BRAUCHEN" in text  # the paragraph itself stays


@pytest.mark.slow
def test_run_all_of_the_quarter_runs_the_update_and_skips_the_rest(tmp_path, capsys):
    params = _copy(tmp_path)
    assert cli.main(["run", "all", "--period", Q3, "--params", str(params), "--reports", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "summary  1 of 1 run ok, 0 failed, 4 skipped (input not configured)" in out
    skipped = sorted(line.split()[1] for line in out.splitlines() if line.startswith("skipped "))
    assert skipped == ["attribution_review", "competitor_briefing", "impulse_deck", "strategy_memo"]
    assert pd.read_csv(tmp_path / "r" / Q3 / "kpis.csv").shape[0] > 0
