"""A company's own wording (i18n.set_overrides) reaches the VoC memo, the competitor briefing and the deck.

Each test changes one catalogue message in-process and checks the function that words it now says it, while the
other language keeps the catalogue's text; the overrides are reset afterwards.
"""
from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from cmo_workbook.competitors.relevance import score_observations
from cmo_workbook.delivery import deck as deck_delivery
from cmo_workbook.memos import competitor_briefing as briefing
from cmo_workbook.memos import impulse_deck as deck
from cmo_workbook.memos import voice_of_customer as vm
from cmo_workbook.render import blocks, i18n
from cmo_workbook.render.slides import Slide

from test_briefing import CFG, _tables
from test_voc_memo import _result
from cmo_workbook.periods import Period


@pytest.fixture
def wording():
    """Set overrides for one test; always back to the catalogue afterwards."""
    yield i18n.set_overrides
    i18n.set_overrides(None)


def test_voc_focus_message_and_table_header_follow_the_company_wording(wording):
    before = vm.key_messages(_result(), "de")[0]
    assert before.endswith("Leitung Operations/Logistik muss gegensteuern.")
    wording({"de": {"voc_focus_message": "{label}: {share} ({n} von {total}), {change} ggü. {base} ({share_base}){cost} "
                                         "– {owner} handelt.",
                    "voc_th_sentiment": "Tonlage", "voc_owner_operations": "Logistik"}})
    assert vm.key_messages(_result(), "de")[0] == ("Lieferverzögerungen: 30\u00a0% (30 von 100), verdreifacht ggü. Ø Jul–Sep "
                                                   "(10\u00a0%), kostet 12 NPS-Punkte – Logistik handelt.")
    header, _ = vm.themes_table(_result(), "de")
    assert header[3] == "Tonlage"
    # English keeps the catalogue's wording and lowercases the label inside its sentence
    assert vm.key_messages(_result(), "en")[0].startswith("30% of all feedback (30 of 100) concerns lieferverzögerungen")


def test_voc_footer_and_kpi_strip_use_overridden_labels(wording):
    wording({"en": {"voc_kpi_complaint_share": "Complaint rate", "voc_kpi_complaint_share_short": "Complaint rate",
                    "voc_caveats": "Read with care: {caveats}"}})
    header, rows, by_source = vm.kpi_strip_wide(_result(), "en")
    assert "Complaint rate" in header and "Complaints" not in header
    assert by_source.startswith("by source: ticket · NPS 60 · 40")
    assert vm.footer_lines(_result(), "en")[-1].startswith("Read with care: NPS impact of 2 themes rests on at most 4 answers")


def test_competitor_headline_fact_and_reason_follow_the_company_wording(wording):
    res = briefing.analyse(_tables(), CFG, Period.parse("2026-Q3"), lang="de", vat=0.19)
    main = briefing.main_blocks(res, limit=2)
    wording({"de": {"comp_headline_cut": "{competitor}: Listenpreis {product} −{pct}\u00a0% seit {date}",
                    "comp_fact_never_observed": "nie beobachtet",
                    "comp_why_it_matters": "Bedeutung für uns"}})
    head = briefing.headline(res, main)
    assert head.startswith("Hartmann Antriebe: Listenpreis HS-60 −10\u00a0% seit 15.09.2026; ")
    # one comparable product: singular, and the index of that one product (10 % below: index 90)
    assert "beim einzigen vergleichbaren Produkt liegt Hartmann Antriebe damit" in head and "(Preisindex 90)" in head
    assert briefing.fact({"topic": "quiet", "last_observation": None}, "de") == "nie beobachtet"
    assert briefing.fact({"topic": "quiet", "last_observation": None}, "en") == "no observation on record"
    assert briefing.recommendation_labels("de") == {"owner": "Verantwortlich", "due": "Bis", "evidence": "Bedeutung für uns",
                                                   "effect": "Was wir tun", "stakeholder": ""}
    assert blocks.recommendation_labels("en")["effect"] == "Expected effect"


def test_relevance_reason_in_both_languages_uses_the_catalogue(wording):
    obs = pd.DataFrame({"date": pd.to_datetime(["2026-09-01"]), "competitor": ["Nord AG"], "topic": ["price"],
                        "summary": ["x"], "impact": ["high"], "segment": [None], "product": [None]})
    wording({"de": {"comp_reason_age": "{days} Tage her ×{w}"}, "en": {"comp_impact_high": "major"}})
    row = score_observations(obs, own_segments={}, own_products=[], priorities={}, as_of="2026-09-11").iloc[0]
    # hand-derived: age 10 days, half-life 60: 0.5 ** (10 / 60) = 0.891
    assert row["reason_de"] == "hohe Bedeutung ×3,0 · kein Segment angegeben ×0,5 · 10 Tage her ×0,89"
    assert row["reason_en"] == "major impact ×3 · no segment given ×0.5 · 10 days old ×0.89"


def test_deck_decisions_title_plural_and_override(wording):
    ev = SimpleNamespace(recs=[], sources=["leads.csv (12)"])
    imp = {"customer": {}, "channel": {},
           "competitor": {"cut": {"competitor": "Nord AG"}, "cut_pct": 0.1, "discount_cost": 1500.0, "at_stake": 15000.0}}
    slide = deck._decisions(ev, imp, "de", "EUR")
    assert slide.title == "Die Runde entscheidet heute über eine Maßnahme."
    # the question and the strategy memo's answer to it
    assert slide.table[1][0] == "10\u00a0% Rabatt: Empfehlung nein"
    wording({"de": {"deck_dec_title": "Heute zu entscheiden: {count}", "deck_sources": "Daten: {sources}"}})
    assert deck._decisions(ev, imp, "de", "EUR").title == "Heute zu entscheiden: 1"
    assert deck._appendix(ev, "de").notes == "Daten: leads.csv (12)"
    assert deck._appendix(ev, "en").notes == "Sources: leads.csv (12)"


def test_deck_mail_subject_and_body_follow_the_company_wording(wording, tmp_path: Path):
    pptx = tmp_path / "impulse_deck.pptx"
    pptx.write_bytes(b"pptx")
    params = SimpleNamespace(name="Kessler GmbH", memo={"sender": "memo@kessler.example", "analyst": "a@kessler.example",
                                                         "subject_prefix": "[CMO]"})
    slides = [Slide("title", "Lieferfähigkeit zuerst.", [], "")]
    wording({"de": {"deck_mail_subject": "{prefix} Strategierunde {period} – {title}"}})
    msg = deck_delivery._email(None, pptx, slides, params, "2026-Q3", "de")
    assert msg["Subject"] == "[CMO] Strategierunde 2026-Q3 – Lieferfähigkeit zuerst."
    parsed = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    body = parsed.get_body(("plain",)).get_content()
    assert body.startswith("Die Folien für die Impuls-Session 2026-Q3 zum Bearbeiten vor dem Termin "
                           "(PowerPoint (kein PDF: Chromium fehlt) im Anhang;")
    assert body.endswith("\n\n1. Lieferfähigkeit zuerst.\n")


def test_voc_small_nps_caveat_is_a_plural_message():
    res = _result()
    assert "NPS impact of 2 themes rests on at most 4 answers each; indicative only." in vm.footer_lines(res, "en")[-1]
    # one theme with few answers (praise_support, nps_n 4): the singular, no "1 Themen"
    res.themes.loc[res.themes["theme"] == "price", "nps_n"] = 0
    assert "NPS-Wirkung von 1 Thema beruht auf höchstens 4 Antworten; nur Tendenz." in vm.footer_lines(res, "de")[-1]
    assert "NPS impact of 1 theme rests on at most 4 answers; indicative only." in vm.footer_lines(res, "en")[-1]
