"""Theme matching that respects meaning: compound heads, *suffix terms, ambiguous/context/exclude terms."""
from __future__ import annotations

import pytest

from cmo_workbook.voc.language import tokenize
from cmo_workbook.voc.themes import PhraseMatcher, explain, is_modifier, load_taxonomy, match_themes


def _labels(phrases, text):
    return PhraseMatcher(phrases).labels(tokenize(text))


@pytest.mark.parametrize("text, hit", [
    ("Getriebebruch nach drei Wochen", True), ("Achsbruch an der Welle", True), ("Bruch am Gehäuse", True),
    ("Nach dem Wintereinbruch kamen keine LKW", False), ("Der Durchbruch kam mit dem neuen Board", False),
    ("Abbruch der Verbindung", False), ("Ausbruch", False), ("Umbruch im Markt", False),
])
def test_compound_head_needs_a_real_modifier(text, hit):
    assert (_labels([("quality", "bruch", "de")], text) == {"quality"}) is hit


def test_a_longer_head_wins():
    # Umsatz|steuer, not Umsatzs|teuer; Liefer|verzögerung and Motor|liefer|verzögerung are real compounds
    assert not is_modifier("umsatzs", "teuer")
    assert is_modifier("liefer", "verzögerung") and is_modifier("motorliefer", "verzögerung")
    assert _labels([("price", "teuer", "de")], "Auf der Rechnung fehlt die Umsatzsteuer-ID") == set()
    assert _labels([("price", "teuer", "de")], "Das ist uns zu teuer") == {"price"}


def test_suffix_terms_match_any_compound_when_intended():
    phrases = [("quality", "*bruch", "de")]
    assert _labels(phrases, "Wintereinbruch") == {"quality"} and _labels(phrases, "Durchbruch") == {"quality"}
    assert _labels(phrases, "Bruchstelle") == set()


def _tax(**extra):
    theme = {"key": "support", "label_de": "Support", "label_en": "Support", "signal_type": "complaint",
             "owner": "service", "terms_de": ["hotline"], "terms_en": ["hotline"], **extra}
    return {"version": "t", "themes": [theme], "signals": {"types": {}}}


def test_ambiguous_terms_need_context_and_exclusions_veto():
    tax = load_taxonomy(_tax(ambiguous_de=["ticket"], context_de=["support"], exclude_de=["zug"]))
    texts = ["Unser Ticket beim Support ist seit einer Woche offen",  # ambiguous + context
             "Das Ticket war zu teuer",  # ambiguous alone: no
             "Die Hotline ist nie erreichbar",  # a plain term
             "Hotline im Zug nicht erreichbar"]  # excluded
    got = match_themes([tokenize(t) for t in texts], tax)
    assert got == [("support",), (), ("support",), ()]
    assert explain(tokenize(texts[0]), tax) == {"support": ("ticket",)}
    assert explain(tokenize(texts[2]), tax) == {"support": ("hotline",)}


def test_bundled_taxonomy_reads_the_issue_examples_right():
    tax = load_taxonomy()
    cases = {
        "Die Seite lädt mit spürbarer Verzögerung": (),
        "Wir warten seit zwei Wochen auf eine Antwort vom Support": ("service_response",),
        "Wir warten seit drei Wochen auf die Servoantriebe": ("delivery_delay",),
        "Die App reagiert nicht mehr": (),
        "Der Support reagiert nicht auf unsere Anfrage": ("service_response",),
        "Lieferverzögerungen bei allen Aufträgen": ("delivery_delay",),
        "Getriebebruch nach drei Wochen": ("product_quality",),
        "Nach dem Wintereinbruch ist der Durchbruch geschafft": (),
    }
    got = match_themes([tokenize(t) for t in cases], tax, [("complaint",)] * len(cases))
    assert dict(zip(cases, got)) == cases
