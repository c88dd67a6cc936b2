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
               {"kind": "data_note", "text": "Quellen: Kontakte aus dem CRM (10.241 Zeilen); Bootstrap, 90-%-Spanne"}]
    assert jargon.check_records(records, "de") == []


@pytest.mark.parametrize("sentence, term", [
    ("Die Akzeptanzquote fiel um 1,8 Pp. ggü. Vormonat: Kriterien klären.", "Pp."),
    ("Share fell 1.8 pp vs last month: review the criteria.", "Pp."),
    ("Der Vertrieb bricht das SLA bei 49 Anfragen.", "SLA"),
    ("ROMI 54 % ggü. Ziel 80 %: weniger Rückfluss.", "ROMI"),
    ("Die MQL-Zahl stieg.", "MQL"),
    ("12 SQLs im Oktober.", "SQL"),
])
def test_the_ceo_list_of_issue_11_is_flagged_unless_explained(sentence, term):
    lang = "en" if sentence.startswith("Share") else "de"
    found = jargon.check_records([{"kind": "paragraph", "text": sentence}], lang)
    assert [f.rule for f in found if f.rule == "jargon"] == ["jargon"], found
    assert {t.term for t in jargon.load_glossary().terms if t.pattern.search(found[0].snippet)} >= {term}


def test_romi_is_explained_once_in_reading_order():
    first = {"kind": "headline", "text": "Die Rendite der Marketingausgaben (ROMI) liegt bei 54 % ggü. 80 % Ziel: zu wenig."}
    later = {"kind": "paragraph", "text": "ROMI Erstaufträge 81 % ggü. 120 % im Schnitt: LinkedIn kürzen."}
    assert jargon.check_records([first, later], "de") == []
    # used before it is explained: the first use is flagged, the explained one and those after it pass
    found = jargon.check_records([later, first, later], "de")
    assert [(f.block, f.snippet) for f in found] == [("paragraph", "ROMI")]
    # or the footnote explains it (term and explanation in one sentence of the data note)
    note = {"kind": "data_note", "text": "ROMI (Rendite der Marketingausgaben) = (Deckungsbeitrag − Kosten) ÷ Kosten."}
    assert jargon.check_records([later, note], "de") == []


def test_a_footnote_explains_a_term_only_with_its_words():
    used = {"kind": "paragraph", "text": "37 % der MQLs angenommen, ggü. Ziel 50 %: Kriterien klären."}
    named = {"kind": "data_note", "text": "Quellen: CRM. MQL laut Katalog."}
    explained = {"kind": "data_note", "text": "MQL = Anfrage, vom Marketing qualifiziert."}
    assert [f.snippet for f in jargon.check_records([used, named], "de")] == ["MQLs"]
    assert jargon.check_records([used, explained], "de") == []
    pp = {"kind": "kpis", "tiles": [{"label": "Akzeptanzquote", "value": "37 %", "so_what": "Kriterien klären.",
                                     "comparisons": ["−1,8 Pp. ggü. Vormonat"]}]}
    assert [f.snippet for f in jargon.check_records([pp], "de")] == ["Pp."]
    assert jargon.check_records([pp, {"kind": "data_note", "text": "Pp. = Prozentpunkte."}], "de") == []


def test_file_names_are_flagged_in_the_data_note_too():
    note = {"kind": "data_note", "text": "Quellen: hubspot_contacts.csv (10.241 Zeilen); Kontakte aus dem CRM."}
    found = jargon.check_records([{"kind": "paragraph", "text": "Anfragen wie geplant."}, note], "de")
    assert [(f.block, f.snippet) for f in found] == [("data_note", "hubspot_contacts.csv")]
    # the other jargon stays fine in the footnote, where definitions belong
    assert jargon.check_records([{"kind": "data_note", "text": "Spannen: Bootstrap über Kundenreisen; Markov."}],
                                "de") == []


def test_prose_only_terms_are_not_flagged_in_evidence_tables():
    table = [{"kind": "table", "text": "Kanal | 90-%-Spanne über Modelle\nLinkedIn | 3–5"}]
    assert jargon.check_records(table, "de") == []
    assert [f.snippet for f in jargon.check_records([{"kind": "bullets", "text": "Die 90-%-Spanne reicht weit."}],
                                                    "de")] == ["90-%-Spanne"]


@pytest.mark.parametrize("text, flagged", [
    ("247 Anfragen (2024-11 bis 2026-10) kamen über Vertriebskanäle.", ["2024-11"]),  # one finding per term and sentence
    ("Kundenstimme: Monate 2026-07, 2026-08.", ["2026-07"]),
    ("Stand 2026-Q3.", ["2026-Q3"]),
    ("Stand 05.10.2026, Quartal Q3 2026, Oktober 2026.", []),
    ("Am 2026-10-05 exportiert.", []),  # an ISO date is a date, not a period id
])
def test_raw_period_ids_are_flagged_in_the_memo_and_its_footnote(text, flagged):
    for kind in ("paragraph", "data_note"):
        found = [f.snippet for f in jargon.check_records([{"kind": kind, "text": text}], "de")]
        assert found == flagged, (kind, found)


def test_the_data_note_names_its_sources_in_words_with_their_rows():
    from types import SimpleNamespace as S

    from cmo_workbook.memos.context import sources_text

    sources = [S(table="leads", rows=10_241, label=None), S(table="spend", rows=3_469, label=None),
               S(table="spend", rows=2_494, label=None), S(table="spend", rows=152, label=None),
               S(table="deals", rows=2_302, label="Auftragsbuch SAP")]
    # in the memo's order; several files of one table summed (3 469 + 2 494 + 152 = 6 115); a params label kept
    text = sources_text(sources, ["leads", "deals", "spend", "feedback"], "de")
    assert text.replace("\u00a0", " ") == ("CRM-Kontakte (10.241 Zeilen); Auftragsbuch SAP (2.302 Zeilen); "
                                           "Marketingkosten (3 Quellen, 6.115 Zeilen)")
    assert sources_text(sources[:1], ["leads"], "en") == "CRM contacts (10,241 rows)"
    assert jargon.check_records([{"kind": "data_note", "text": "Quellen: " + text}], "de") == []
