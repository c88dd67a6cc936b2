"""The per-sentence path (language.Corpus) gives exactly what the per-text path gives, and the cheap
tests in front of the pseudonymisation patterns never skip a match."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.voc.language import Corpus, content_lemmas, detect_languages, other_number, tokenize
from cmo_workbook.voc.privacy import _CUSTOMER_NO, pseudonymise, pseudonymise_many
from cmo_workbook.voc.signals import classify_explained, number_words
from cmo_workbook.voc.themes import load_taxonomy

DATA = Path(__file__).parent / "data"
#: texts where a sentence end, a comma, a number or a negation sits where a shortcut could go wrong
TRICKY = [
    "", "   ", "...", "Danke!", "Nicht 24 Stunden geliefert, aber freundlich.", "Lieferung in 48 Stunden? Super.",
    "Warum, wann. Kein Problem, aber teuer", "a;b:c", "3.5 kg!! Auftrag 4512345.", "²³ ok ok", "Portal-Login 404",
    "I don't like the portal. Would love a dark mode", "Preis? nicht teuer; Lieferung 2 Wochen zu spät.",
    "Rückruf an [Name] unter [Telefon]. Danke", "Spare parts portal login fails. spare parts are late",
]


def _eval_texts() -> list[str]:
    texts = []
    for name in ("voc_eval.csv", "voc_eval_software.csv"):
        texts += pd.read_csv(DATA / name, dtype=str, keep_default_na=False)["text"].tolist()
    # pairs of eval texts with order numbers: the shape of real exports (and of bench/voc.py)
    pairs = [f"{a} {b} Auftrag {4_500_000 + 37 * i}" for i, (a, b) in enumerate(zip(texts, reversed(texts)))]
    return pseudonymise_many(texts + pairs + TRICKY)


@pytest.mark.parametrize("taxonomy", [None, DATA / "voc_taxonomy_software.yaml"], ids=["drive", "software"])
def test_corpus_path_equals_per_text_path(taxonomy):
    tax = load_taxonomy(taxonomy)
    texts = _eval_texts()
    corpus = Corpus(texts, numbers_kept=number_words(tax))
    langs = detect_languages(texts)
    assert corpus.languages() == langs
    assert classify_explained(texts, tax, corpus=corpus) == classify_explained(texts, tax)
    assert corpus.content_lemmas(langs) == [content_lemmas(tokenize(t), lg) for t, lg in zip(texts, langs)]


def test_sentences_are_stored_once_and_numbers_read_alike():
    corpus = Corpus(["Auftrag 4512345. Danke!", "Auftrag 4533210. Danke", "Lieferung in 24 Stunden",
                     "Lieferung in 25 Stunden?"], numbers_kept={"24"})
    # "1" is the first of 1, 10, 100 ... not kept, so 4512345, 4533210 and 25 all read as "1"
    assert corpus.number == "1"
    assert corpus.sentences == [("auftrag", "1"), ("danke",), ("lieferung", "in", "24", "stunden"),
                                ("lieferung", "in", "1", "stunden")]
    assert corpus.items == [(0, 1), (0, 1), (2,), (3,)]
    assert corpus.question_mark == [False, False, False, True]
    assert corpus.tokens(0) == ["auftrag", "1", ".", "danke"]
    # without numbers_kept every number stays as written
    assert Corpus(["Auftrag 4512345."]).sentences == [("auftrag", "4512345")]
    assert other_number({"1", "10"}) == "100"


def test_default_taxonomy_numbers_are_kept():
    # "24 h"/"48 h" delivery promises are cue or term words of the bundled taxonomy: they must not be folded
    assert {"24", "48"} <= number_words(load_taxonomy())


@pytest.mark.parametrize("text", [
    "Kundennummer 123456", "KUNDEN-NR. K-12345", "customer no. 98765", "CLIENT ID 123-456",
    "\u212ad-Nr. 4711",  # Kelvin sign: the case-insensitive pattern reads it as "k", lower() does not
    "cu\u017ftomer no. 98765",  # long s, likewise "s"
])
def test_customer_numbers_found_behind_the_hint_test(text):
    assert _CUSTOMER_NO.search(text)  # the pattern itself matches ...
    assert "[Kundennr.]" in pseudonymise(text)  # ... and the hint test in front lets it run


@pytest.mark.parametrize("text, expected", [
    ("Am Wollhaus 3, 74072 Heilbronn", "[Adresse]"),
    ("Prof. Dr. Weber rief an", "[Name] rief an"),
    ("Mr Smith called", "[Name] called"),
    # "ΣΑΣ" alone lower-cases to "σας" (final sigma) but inside "ΣΑΣ.Α" to "σασ.α": the substring test would
    # miss the name, so texts with a capital sigma skip it
    ("Gruß von ΣΑΣ.Α", "Gruß von [Name].Α"),
])
def test_addresses_titles_and_names_behind_the_hint_tests(text, expected):
    assert pseudonymise(text, known_names=["Σας"]) == expected
