"""The sync and VoC memos on the second new user's hand-written company (tests/fixtures/exports/new_user_lab,
session 13): no bare heading, no contradiction, no comparison with months that have no data, feedback linked to
the CRM's companies."""
from datetime import date
from pathlib import Path

import pandas as pd

from cmo_workbook import cli
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.memos import sales_marketing_sync as sync
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Paragraph, Recommendations

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "new_user_lab" / "params.yaml"
OCT = Period.parse("2026-10")


def _ds(tables=None):
    return load_dataset(load_params(FIXTURE), tables, today=date(2026, 11, 20))


def _plain(block) -> str:
    return " ".join(block.text().replace("\u00a0", " ").split())


# --- sync -----------------------------------------------------------------------------------------------------


def test_sync_quality_section_says_one_thing_without_feedback_dates():
    facts = sync.compute(_ds(["leads", "deals"]), OCT, "de")
    assert not facts.feedback_dates and facts.recycled.empty
    (para,) = sync.quality_blocks(facts, "de")
    text = _plain(para)
    assert text.startswith("Nicht messbar: der Export enthält kein Datum der Vertriebsrückmeldung")
    assert "Kein früher abgelehnter Kontakt" not in text and "nicht 0 %" not in text


def test_sync_agenda_without_items_says_why_not_a_bare_heading(monkeypatch):
    facts = sync.compute(_ds(["leads", "deals"]), OCT, "de")
    # no first-contact and no feedback dates, no deal without source, no company in both pipelines: no item
    assert sync.agenda(facts, "de", "EUR", "Dezember") == []
    (para,) = sync.agenda_blocks(facts, "de", "EUR", "Dezember")
    assert isinstance(para, Paragraph)
    assert _plain(para).startswith("Kein Beschlussvorschlag: ohne Datum des ersten Kontakts und Datum der "
                                   "Vertriebsrückmeldung im CRM-Export")
    assert _plain(para).endswith("die fehlenden Spalten im Export ergänzen (siehe Datenhinweise).")
    # with first-contact dates but still no feedback dates (and no rule firing): one column named, singular
    monkeypatch.setattr(sync, "agenda", lambda *a, **k: [])
    facts.gaps = [g for g in facts.gaps if g.key != "note_no_first_contact_dates"]
    en = _plain(sync.agenda_blocks(facts, "en", "EUR", "December")[0])
    assert "without the sales feedback date in the CRM export" in en and "the missing column to" in en
    # everything measured and nothing to decide: the plain sentence
    facts.gaps = []
    assert _plain(sync.agenda_blocks(facts, "de", "EUR", "Dezember")[0]).startswith("Diesen Monat steht kein Beschluss an")


def test_sync_agenda_with_items_is_the_recommendation_list():
    facts = sync.compute(_ds(["leads", "deals"]), OCT, "de")
    facts.shared = pd.DataFrame([{"company": "X GmbH", "stage": "Contract Sent", "open_value": 1000.0,
                                  "channels": ["paid_search"], "new_leads": 1}])
    (block,) = sync.agenda_blocks(facts, "de", "EUR", "Dezember")
    assert isinstance(block, Recommendations) and len(block.items) == 1


def test_validate_says_how_to_add_a_missing_date_column_once(capsys):
    assert cli.main(["validate", "--params", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if "No first-contact date" in line)
    feedback = next(line for line in out.splitlines() if "No sales feedback date" in line)
    for line in (first, feedback):
        assert line.count("export the column") == 1, line
