"""The jargon check covers what a CEO does not know (#11): model names, statistics words, file names."""
from __future__ import annotations

import pytest

from cmo_workbook.render import jargon


@pytest.mark.parametrize("sentence, term", [
    ("Der CAC sank auf 2,1 Tsd. €.", "CAC"),
    ("Der CLV liegt bei 62 Tsd. €.", "CLV"),
    ("BG/NBD + Gamma-Gamma sagt 3 Wiederkäufe voraus.", "BG/NBD"),
    ("Die Bootstrap-Spanne reicht von 3 bis 5.", "Bootstrap"),
    ("Die 90-%-Spanne reicht von 3 bis 5.", "90-%-Spanne"),
    ("Laut Schnappschuss vom 7. Juli senkt Hartmann die Preise.", "Schnappschuss"),
    ("Umgerechnet zum Params-Kurs 1,08.", "Params"),
    ("Laut hubspot_contacts.csv kamen 12 Anfragen.", "file name"),
    ("Markov und Shapley zeigen dasselbe.", "Markov / Shapley"),
])
def test_ceo_unknown_terms_are_flagged_in_sentences(sentence, term):
    found = jargon.check_text(sentence, "de", block="paragraph")
    assert [f.rule for f in found] == ["jargon"] and term in {t.term for t in jargon.load_glossary().terms
                                                              if t.pattern.search(found[0].snippet)}


def test_explained_or_in_the_data_note_it_passes():
    assert jargon.check_text("Kundenwert (CLV): Deckungsbeitrag über 5 Jahre, 62 Tsd. € je Kunde.", "de") == []
    assert jargon.check_text("CAC, die Marketingkosten je Neukunde: 2,1 Tsd. €.", "de") == []
    records = [{"kind": "paragraph", "text": "Anfragen wie geplant."},
               {"kind": "data_note", "text": "Quellen: hubspot_contacts.csv (10.241 Zeilen); Bootstrap, 90-%-Spanne"}]
    assert jargon.check_records(records, "de") == []


def test_prose_only_terms_are_not_flagged_in_evidence_tables():
    table = [{"kind": "table", "text": "Kanal | 90-%-Spanne über Modelle\nLinkedIn | 3–5"}]
    assert jargon.check_records(table, "de") == []
    assert [f.snippet for f in jargon.check_records([{"kind": "bullets", "text": "Die 90-%-Spanne reicht weit."}],
                                                    "de")] == ["90-%-Spanne"]
