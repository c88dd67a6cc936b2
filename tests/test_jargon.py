"""Jargon check: planted jargon and changes without a so-what are flagged; the bundled memos pass strict mode."""
from __future__ import annotations

import pytest

from cmo_workbook.render import jargon
from cmo_workbook.render.export import build_memo


def test_planted_seo_and_ctr_are_flagged_with_exact_messages():
    found = jargon.check_text("Unser SEO wirkt. CTR +12 % im Oktober.", "de", block="paragraph")
    assert jargon.format_findings(found) == [
        'warning  jargon: paragraph: jargon "SEO" – write "Auffindbarkeit in Suchmaschinen" or explain it in the '
        'same sentence: "Unser SEO wirkt."',
        'warning  jargon: paragraph: jargon "CTR" – write "Anteil der Betrachter, die klicken (Klickrate)" or explain '
        'it in the same sentence: "CTR +12 % im Oktober."',
        'warning  so_what: paragraph: "+12 %" has no comparison and no consequence – add what it is compared with and '
        'what follows: "CTR +12 % im Oktober."',
    ]


def test_translated_term_and_change_with_so_what_pass():
    text = ("Die Klickrate (CTR) stieg um +12 % ggü. Vormonat: mehr Besucher fragen an. "
            "Website-Besuche +47 % ggü. Vorjahr ermöglichen die Zielerreichung – ohne zusätzliche Kaltakquise.")
    assert jargon.check_text(text, "de") == []


def test_missing_consequence_only():
    found = jargon.check_text("Traffic +47 % ggü. Vorjahr.", "en")
    assert [(f.rule, f.snippet, f.hint) for f in found] == [
        ("jargon", "Traffic", "website visits"), ("so_what", "+47 %", "consequence")]


def test_sentences_do_not_split_after_abbreviations():
    assert jargon.sentences("Plus 3 Pp. ggü. Vormonat. Danach\nmehr.") == ["Plus 3 Pp. ggü. Vormonat.", "Danach mehr."]


def test_leads_is_jargon_only_in_german_and_sea_is_case_sensitive():
    assert [f.snippet for f in jargon.check_text("Mehr Marketing-Leads im Oktober.", "de")] == ["Leads"]
    assert jargon.check_text("More marketing leads in October.", "en") == []
    assert jargon.check_text("Shipments by sea were late.", "en") == []
    assert [f.snippet for f in jargon.check_text("SEA budget doubled.", "en")] == ["SEA"]


def test_records_tiles_data_note_and_strict():
    records = [
        {"kind": "headline", "text": "Anfragen auf Rekordniveau."},
        {"kind": "kpis", "text": "", "tiles": [
            {"label": "Anfragen", "value": "250", "so_what": "Genug Gespräche für den Vertrieb.",
             "comparisons": ["+12 % ggü. Vormonat"]},
            {"label": "Klickrate", "value": "2 %", "so_what": "", "comparisons": ["+0,4 Prozentpunkte ggü. Vormonat"]},
        ]},
        {"kind": "paragraph", "text": "Die MQL-Kriterien bleiben."},
        {"kind": "chart", "text": "[x]", "alt": "Anfragen +40 % ggü. Vorjahresmonat"},
        {"kind": "data_note", "text": "Qualifizierte Anfrage = Marketing Qualified Lead (MQL); Attribution = Zuordnung."},
    ]
    found = jargon.check_records(records, "de")
    # only the tile without a so-what; MQL is defined in the data note, the chart needs no consequence
    assert [(f.rule, f.block, f.snippet, f.hint) for f in found] == [("so_what", "kpis", "+0,4 Prozentpunkte", "consequence")]
    records[-1] = {"kind": "data_note", "text": "Quellen: CRM."}
    assert [f.snippet for f in jargon.check_records(records, "de")] == ["+0,4 Prozentpunkte", "MQL"]

    class FakeMemo:
        lang = "de"
        text = ""

    FakeMemo.records = records
    with pytest.raises(jargon.JargonError, match='jargon "MQL"'):
        jargon.check_memo(FakeMemo(), strict=True)
    assert len(jargon.check_memo(FakeMemo())) == 2


def test_kpi_dashboard_memo_en_passes_strict(memo_run):
    res = memo_run("kpi_dashboard", "2026-10", "en")
    assert jargon.check_memo(build_memo(res.notebook, lang="en"), strict=True) == []


def test_kpi_dashboard_memo_de_passes_strict(memo_run):
    res = memo_run("kpi_dashboard", "2026-10", "de")
    assert jargon.check_memo(build_memo(res.notebook, lang="de"), strict=True) == []


def test_a_plain_word_in_another_bullet_does_not_excuse_jargon_in_this_one():
    # the attribution review's pipeline bullets: "Deals" in the first, "Auftrag" only in the second; the old check
    # read the whole list as one sentence and let the first through
    bullets = ("- Offene Pipeline 6,9 Mio. € in 135 Deals – zu dünn: mehr Anfragen nötig.\n"
               "- Gewonnene Verkaufschancen brauchen 93 Tage bis zum Auftrag.")
    assert jargon.list_items(bullets) == ["- Offene Pipeline 6,9 Mio. € in 135 Deals – zu dünn: mehr Anfragen nötig.\n",
                                          "- Gewonnene Verkaufschancen brauchen 93 Tage bis zum Auftrag."]
    found = jargon.check_records([{"kind": "bullets", "text": bullets}], "de")
    assert [(f.snippet, f.sentence) for f in found] == [
        ("Deals", "- Offene Pipeline 6,9 Mio. € in 135 Deals – zu dünn: mehr Anfragen nötig.")]
    assert jargon.check_records([{"kind": "recommendations", "text": "1. Budget freigeben: Markov sagt ja.\n"
                                  "2. Aufträge nachfassen."}], "de")[0].snippet == "Markov"


@pytest.mark.parametrize("text, term", [
    # the model names stay jargon even beside "datengetrieben": the CEO cannot place them (data note only)
    ("Datengetriebene Modelle (Markov, Shapley) sind nicht belastbar.", "Markov"),
    ("E-Mail: datengetrieben (Shapley nach Abschlussquote) negativ.", "Shapley"),
    ("Wo die Attributionsmodelle uneins sind", "Attributionsmodelle"),
])
def test_model_names_and_attribution_compounds_are_jargon_in_the_ceo_part(text, term):
    assert [f.snippet for f in jargon.check_text(text, "de", block="bullets")] == [term]
    # the data note is where they are defined, and stays unchecked
    assert jargon.check_records([{"kind": "data_note", "text": text}], "de") == []
