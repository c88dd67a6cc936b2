"""The attribution review and the sales–marketing sync take every word from the catalogues.

A company's own wording (``i18n.set_overrides``, what the params key ``messages`` does) must show in
the functions' output, in-process; the German singulars the catalogue adds are checked by hand.
"""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from cmo_workbook.memos import attribution_review as review
from cmo_workbook.memos import sales_marketing_sync as sync
from cmo_workbook.metrics.sla import SlaConfig, SlaSummary
from cmo_workbook.render import i18n
from cmo_workbook.render.wording import channel_label, recommendation_labels, rich

NB = "\u00a0"


@pytest.fixture
def wording():
    """Set a company's wording for the test; the catalogue's own text afterwards."""
    yield i18n.set_overrides
    i18n.set_overrides(None)


def _summary(met: int, breach: int) -> SlaSummary:
    return SlaSummary(leads=met + breach, response_met=met, response_breach=breach, response_pending=0,
                      median_response_hours=8.0, response_unanswered=0, feedback_met=0, feedback_breach=0,
                      feedback_pending=0, accepted=0, rejected=0)


def _facts(**extra: object) -> SimpleNamespace:
    """What headline() and breach_tables() read: 70 of 100 answered in time (previous month 90 of 100);
    25 of the 30 late ones came from trade fairs."""
    by_channel = pd.DataFrame({"leads": [50, 50], "rate": [0.5, 0.9], "breaches": [25, 5], "median_hours": [40.0, 3.0]},
                              index=["trade_fairs", "email"])
    return SimpleNamespace(cfg=SlaConfig(), now=_summary(70, 30), prev=_summary(90, 10), by_channel=by_channel,
                           by_owner=by_channel.iloc[0:0], owner_label={}, response_dates=True, feedback_dates=True,
                           gaps=[], **extra)


def test_sync_headline_is_the_catalogue_sentence_and_follows_the_company_wording(wording):
    f = _facts()
    assert sync.headline(f, "de") == (f"Der Vertrieb beantwortete 70{NB}% der an ihn übergebenen Anfragen (alle Quellen) binnen 24 "
                                      f"Arbeitsstunden (Vormonat 90{NB}%, Ziel 90{NB}%) – 25 der 30 verspäteten Anfragen "
                                      "kamen von Messen: Nachbearbeitung gemeinsam planen.")
    wording({"de": {"channel_trade_fairs": "Messe-Anfragen",
                    "sync_headline_late": "{worst} von {n} verspäteten Anfragen kamen von {channel}; "
                                          "{rate} binnen {hours} Std. (Vormonat {prev}, Ziel {target})."}})
    assert sync.headline(f, "de") == (f"25 von 30 verspäteten Anfragen kamen von Messe-Anfragen; 70{NB}% binnen 24 Std. "
                                      f"(Vormonat 90{NB}%, Ziel 90{NB}%).")
    (src_header, src_rows), _ = sync.breach_tables(f, "de")
    assert [r[0] for r in src_rows] == ["Messe-Anfragen", "E-Mail"]  # the renamed channel in the table too
    assert src_header == ["Quelle", "übergeben", "binnen 24 Std.", "verspätet", "Median"]
    assert sync.headline(f, "en").endswith("25 of the 30 late answers were Trade fairs inquiries: plan the follow-up together.")


def test_sync_counts_use_the_singular_for_one():
    one = pd.DataFrame({"open_value": [82_700.0]})
    f = _facts(shared=one)
    assert sync.shared_text(f, "de", "EUR", shown=4) == (
        f"1 Firma mit offenem Angebot über 82,7{NB}Tsd.{NB}€ fragte zusätzlich über Marketing an: "
        "Betreuer informieren, damit niemand doppelt anruft.")
    f.shared = pd.DataFrame({"open_value": [82_700.0, 17_300.0, 5_000.0]})
    assert sync.shared_text(f, "en", "EUR", shown=2) == (
        "3 companies with open deals worth €105k also sent a marketing inquiry (the 2 largest below): "
        "tell the account owner so nobody calls twice.")


def test_review_bullets_and_chart_title_follow_the_company_wording(wording):
    models = pd.DataFrame({"first_touch": [80.0, 20.0], "last_touch": [20.0, 80.0], "linear": [50.0, 50.0]},
                          index=["organic_search", "sales_outbound"])
    quarter, window = {"n": 62, "reliable": False}, {"n": 157, "reliable": True}
    before = review.model_comparison(models, quarter, window, "de", "EUR")
    assert before[-1] == ("Im Quartal nur 62 Neukunden-Abschlüsse (unter 100): datengetriebene Modelle "
                          "sind nicht belastbar; wir führen mit dem linearen Modell über 4 Quartale (157).")
    wording({"de": {"attr_role_opener": "bringt die ersten Kontakte.", "channel_organic_search": "Google organisch",
                    "attr_cmp_unreliable": "Nur {n_quarter} Abschlüsse (Minimum {minimum}); Basis {n_window}."}})
    after = review.model_comparison(models, quarter, window, "de", "EUR")
    assert after[0].startswith("Google organisch: ") and after[0].endswith(" – bringt die ersten Kontakte.")
    assert after[-1] == "Nur 62 Abschlüsse (Minimum 100); Basis 157."
    ch = pd.DataFrame({"margin_low": [500.0, 50.0], "cost": [100.0, 100.0]}, index=["email", "linkedin"])
    assert review.net_chart_title(ch, "de") == "Nur 1 von 2 Kanälen mit Kosten sicher im Plus"
    wording({"de": {"attr_chart_title_some": "{safe} von {n} Kanälen verdienen ihre Kosten sicher"}})
    assert review.net_chart_title(ch, "de") == "1 von 2 Kanälen verdienen ihre Kosten sicher"
    assert review.net_chart_title(ch, "en") == "Only 1 of 2 channels with costs safely in the black"


def test_review_headline_keeps_its_figure_when_the_sentence_is_reworded(wording):
    won = review.QKpi("marketing_won_revenue", 120_000.0, 100_000.0, None, "money", window="2026-Q3")
    keep = pd.DataFrame({"action": ["keep"], "change": [0.0]}, index=["email"])
    text = review.headline([won], pd.DataFrame(), keep, "Q3 2026", "de", "EUR")
    assert text == (f"Q3 2026: 120{NB}Tsd.{NB}€ Auftragseingang aus Marketing-Anfragen (+20{NB}% ggü. Vorquartal); "
                    "alle Kanäle verdienen ihre Kosten zurück.")
    wording({"de": {"attr_headline_all_earn": "{won} Auftragseingang im {period} ({delta}) – alles im Plus."}})
    text = review.headline([won], pd.DataFrame(), keep, "Q3 2026", "de", "EUR")
    assert text == f"120{NB}Tsd.{NB}€ Auftragseingang im Q3 2026 (+20{NB}%) – alles im Plus."
    assert text.__html__().startswith('<span data-metric="marketing_won_revenue" data-window="2026-Q3" data-value="120000">')


def test_channel_names_and_recommendation_labels_come_from_the_catalogue(wording):
    assert channel_label("trade_fairs", "de") == "Messen" and channel_label("field_events", "de") == "Field Events"
    assert recommendation_labels("de") == {"owner": "Verantwortlich", "due": "Bis", "evidence": "Beleg",
                                           "effect": "Erwartete Wirkung", "stakeholder": "Dient"}
    wording({"de": {"rec_owner": "Zuständig", "channel_trade_fairs": "Messe"}})
    assert recommendation_labels("de")["owner"] == "Zuständig" and channel_label("trade_fairs", "de") == "Messe"
    assert recommendation_labels("en")["owner"] == "Owner"


def test_rich_without_figures_is_the_plain_sentence():
    assert rich("sync_next_sync", "de", month="November 2026") == "nächster Sync, November 2026"
    assert str(rich("sync_next_sync", "de", month="November 2026").__html__()) == "nächster Sync, November 2026"


def test_holdout_proposal_of_the_review_follows_the_company_wording(wording):
    from cmo_workbook.metrics import budget

    assert budget.holdout_test("linkedin", "de") == (
        "Testgebiete ohne Werbung (Vergleichsgruppe): LinkedIn 8 Wochen lang in einem Drittel der Vertriebsgebiete "
        "(z. B. PLZ-Bereiche 0–3) pausieren und qualifizierte Anfragen und Pipeline dieser Gebiete mit den übrigen vergleichen.")
    assert budget.holdout_test("email", "en", weeks=6) == (
        "Control group: exclude a random 10 % of recipients from Email for 6 weeks and compare "
        "their inquiries and orders with the rest.")
    wording({"de": {"attr_holdout_geo_third": "Testregion: {channel} {weeks} Wochen aus."}})
    assert budget.holdout_test("linkedin", "de") == "Testregion: LinkedIn 8 Wochen aus."


def test_sync_definitions_name_the_state_only_when_there_is_one():
    with_state = sync.definitions(SimpleNamespace(cfg=SlaConfig(state="BY"), gaps=[]), "de")
    assert "(Mo–Fr 8–17 Uhr, ohne gesetzliche Feiertage in BY und Betriebsruhetage)" in with_state
    without = sync.definitions(SimpleNamespace(cfg=SlaConfig(), gaps=[]), "en")
    assert "(Mon–Fri 8–17, excluding public holidays and company days off)" in without
    assert without.endswith("within 5 business days.")


def test_shared_table_names_hubspot_stages_in_the_memo_language_and_keeps_other_crms_stages():
    shared = pd.DataFrame({"company": ["Roth GmbH", "Klein KG"], "stage": ["contract sent", "Verhandlung"],
                           "open_value": [143_000.0, 50_000.0], "channels": [["organic_search"], ["webinars", "email"]],
                           "new_leads": [1, 3]})
    header, rows = sync.shared_table(_facts(shared=shared), "de", "EUR")
    assert header == ["Firma", "Angebotsphase", "offener Wert", "neue Anfrage über"]
    assert rows == [["Roth GmbH", "Vertrag versandt", f"143{NB}Tsd.{NB}€", "Organische Suche"],
                    ["Klein KG", "Verhandlung", f"50{NB}Tsd.{NB}€", "3× Webinare, E-Mail"]]
    assert sync.shared_table(_facts(shared=shared), "en", "EUR")[1][0][1] == "Contract Sent"


def test_sync_credit_questions_count_deals_in_singular_and_plural():
    one = pd.DataFrame({"amount": [82_700.0], "touch_channels": [["direct"]], "status": ["won"]})  # a won deal: an order
    f = _facts(attribution={"no_source": pd.DataFrame(), "outbound_with_marketing": one})
    assert sync.attribution_items(f, "de", "EUR") == [
        f"1 Auftrag aus Vertriebs-Kaltakquise (82,7{NB}Tsd.{NB}€) hatte vorher Marketing-Kontakt (Direkt): "
        "gemeinsam festlegen, wem die Pipeline zählt."]
    two = pd.DataFrame({"amount": [10_000.0, 20_000.0], "touch_channels": [["email"], ["direct", "email"]]})
    f.attribution = {"no_source": two, "outbound_with_marketing": two}
    assert sync.attribution_items(f, "en", "EUR") == [
        "2 new deals (€30k) without a source: nobody gets credit – add the source in the CRM.",
        "2 deals from sales outbound (€30k) had marketing contact before (Direct, Email): agree whose pipeline "
        "they count as."]
