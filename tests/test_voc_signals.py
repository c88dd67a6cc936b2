from __future__ import annotations

import pytest

from cmo_workbook.voc.language import detect_language, tokenize
from cmo_workbook.voc.signals import classify, detect_signals
from cmo_workbook.voc.themes import load_taxonomy, match_themes


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.mark.parametrize("text, expected", [
    ("Wir sind mit dem Service nicht zufrieden.", ("complaint",)),
    ("Wir sind mit dem Service sehr zufrieden.", ("praise",)),
    ("Kein Problem, das Teil passt.", ("praise",)),
    ("Das war leider ein Problem.", ("complaint",)),
    ("No issues with the gearbox.", ("praise",)),
    ("We had issues with the gearbox.", ("complaint",)),
    ("I'm not happy with the gearbox.", ("complaint",)),
    ("don't have any issues so far", ("praise",)),
    ("nicht schnell, aber gut", ("praise",)),  # the comma and 'aber' end the negation window
    ("Der Preis ist nicht zu hoch.", ("price_signal",)),  # negated price mention stays a price mention
])
def test_negation(tax, text, expected):
    assert detect_signals([text], tax)[0] == expected


@pytest.mark.parametrize("text", [
    "wie kann ich das passwort zurücksetzen",
    "Hallo, wo finde ich die Betriebsanleitung",
    "Gibt es das auch mit Hohlwelle",
    "can you send the datasheet",
    "Is there a seal kit for the KG-200?",
    "Ich wüsste gern, ob Sie nach Österreich liefern.",
])
def test_questions_without_question_mark(tax, text):
    assert "question" in detect_signals([text], tax)[0]


def test_statement_starting_with_verb_is_no_question(tax):
    assert "question" not in detect_signals(["Ist leider kaputt angekommen."], tax)[0]


def test_nested_cue_belongs_to_the_longer_phrase(tax):
    assert detect_signals(["We would love an app for maintenance planning."], tax)[0] == ("feature_request",)


def test_themes_compounds_plural_multiword(tax):
    texts = ["Lieferverzögerungen bei allen Aufträgen", "Liefertermin verschoben", "Motorlieferverzögerung",
             "the spare parts are missing", "Rechnungsfehler schon wieder", "Das neue Ersatzteilportal",
             "Beispiel für eine Anfrage"]
    got = match_themes([tokenize(t) for t in texts], tax, [("complaint",)] * len(texts))
    assert got == [("delivery_delay",), ("delivery_delay",), ("delivery_delay",), ("spare_parts",),
                   ("invoice_errors",), (), ()]


def test_praise_theme_needs_praise_and_complaint_is_implied(tax):
    signals, themes = classify(["Der Support reagiert nicht.", "Super Support, danke!",
                                "Die Lieferung kam zwei Wochen nach dem Liefertermin."], tax)
    assert "praise_support" not in themes[0] and themes[1] == ("praise_support",)
    assert signals[2] == ("complaint",) and themes[2] == ("delivery_delay",)


@pytest.mark.parametrize("text, lang", [
    ("Die Lieferung ist leider schon wieder zu spät.", "de"),
    ("The delivery is late again, please check.", "en"),
    ("Top!", "unknown"),
    ("", "unknown"),
    ("Vielen Dank for the great support, Herr Vogt was very helpful.", "en"),
    ("Lieferung verspätet", "de"),
])
def test_language(text, lang):
    assert detect_language(text) == lang
