"""The sales-marketing sync on a new user's hand-written HubSpot company (tests/fixtures/exports/new_user_hubspot,
issue #10): it credits deals as the KPI memo does and asks only real questions."""
from datetime import date
from pathlib import Path

import pandas as pd

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics import sla

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "new_user_hubspot" / "params.yaml"
OCT = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"))


def _ds():
    return load_dataset(load_params(FIXTURE), today=date(2026, 11, 20))


def test_unlinked_deals_with_their_own_source_are_credited_not_questions():
    ds = _ds()
    deals = ds.deals.set_index("deal_id")
    # 9012 "Webshop-Anfrage" (Paid Search, 9 500 €) and 9007 "Messekontakt Motek" (Offline Sources / Messe Motek
    # 2026, 72 000 €) have no linked contact: the KPI memo credits them by their own source field
    assert pd.isna(deals.loc["9012", "lead_id"]) and deals.loc["9012", "channel"] == "paid_search"
    assert pd.isna(deals.loc["9007", "lead_id"]) and deals.loc["9007", "channel"] == "trade_fairs"
    aq = sla.attribution_questions(ds.deals, ds.leads, None, *OCT, ds.params.marketing_channels)
    # October's new-business deals all have a channel (their own or their contact's): no "ohne Quelle" question
    assert aq["no_source"].empty


def test_shared_companies_leave_out_the_inquiry_the_deal_came_from():
    ds = _ds()
    shared = sla.shared_accounts(ds.leads, ds.deals, *OCT, ds.params.marketing_channels)
    # October's marketing inquiries at companies with an open deal: Thiel (203 -> deal 9003), Wagner (205 -> 9019),
    # Albrecht (208 -> 9015), Conrad (210 -> 9006), Haas (213 -> 9011) are each the deal's own linked contact;
    # Becker Prüftechnik's fair lead M-03 (07.10.) is not linked, but came three days BEFORE its deal 9007
    # ("Messekontakt Motek", created 10.10., same 72,000 €): where the deal came from, not a second inquiry
    assert shared["company"].tolist() == []
    # the same lead three days AFTER the deal was created is a second channel into a deal sales already works
    leads = ds.leads.copy()
    m03 = leads["company"].astype(str).str.startswith("Becker") & leads["channel"].eq("trade_fairs")
    deal_created = ds.deals.loc[ds.deals["company"].astype(str).str.startswith("Becker"), "created_date"].min()
    leads.loc[m03, "created_date"] = deal_created + pd.Timedelta(days=3)
    later = sla.shared_accounts(leads, ds.deals, *OCT, ds.params.marketing_channels)
    assert later["company"].tolist() == ["Becker Prüftechnik GmbH"]
    assert later[["open_deals", "open_value", "new_leads"]].values.tolist() == [[1, 72_000.0, 1]]


def test_quality_section_without_decisions_is_a_sentence_not_an_empty_table():
    from types import SimpleNamespace

    from cmo_workbook.memos import sales_marketing_sync as sync
    from cmo_workbook.render.blocks import Paragraph, Table

    empty = pd.DataFrame(columns=["decided", "accepted", "rejected", "rate", "top_reasons"])
    # the new user's contacts export has no sales feedback date: nothing is decided, and that is the reason
    f = SimpleNamespace(quality=empty, recycled=[], feedback_dates=False)
    out = sync.quality_blocks(f, "de")
    assert len(out) == 1 and isinstance(out[0], Paragraph) and not any(isinstance(b, Table) for b in out)
    # one statement: without feedback dates no rejection is known, so neither "no rejected contact came back" nor
    # a quality per source is said (the earlier "Kein früher abgelehnter Kontakt ..." contradicted "Nicht messbar")
    assert " ".join(out[0].text().replace("\u00a0", " ").split()) == (
        "Nicht messbar: der Export enthält kein Datum der Vertriebsrückmeldung – ohne Annahmen und Ablehnungen gibt es "
        "keine Qualität je Quelle und keine Aussage über früher abgelehnte Kontakte, die sich erneut meldeten; wie es "
        "ergänzt wird, steht in den Datenhinweisen.")
    f.feedback_dates = True
    assert " ".join(sync.quality_blocks(f, "de")[0].text().split()).endswith("noch keine Qualität je Quelle.")


def test_optional_touchpoints_without_rows_get_no_data_note():
    from cmo_workbook.memos.context import Workbook
    from cmo_workbook.periods import Period

    ds = load_dataset(load_params(FIXTURE), ["leads", "deals", "touchpoints"], today=date(2026, 11, 20))
    wb = Workbook(ds.params, ds, Period.parse("2026-10"), "de", date(2026, 11, 20), Path("."))
    # the table and the month in words, no raw ids (#11)
    empty = "Kontaktverläufe: keine Daten vorhanden; die Kennzahlen daraus fehlen für Oktober 2026"
    # the sync uses touchpoints only when the company has them: no note then
    assert empty not in wb.input_notes(["leads", "deals", "touchpoints"], optional=["touchpoints"])
    # a memo that needs the table still says so
    assert empty in wb.input_notes(["leads", "deals", "touchpoints"])


def test_stale_note_reports_the_latest_activity_not_an_expected_close_date():
    from cmo_workbook.periods import Period

    ds = _ds()
    (note,) = ds.freshness(Period.parse("2026-11"), ["deals"])
    # open deal 9019 expects to close on 15.02.2027: a forecast; the latest activity is deal 9020 won on 31.10.2026
    # (the latest created deal, 9020, is from 29.10.2026)
    assert note.text("en") == ("CRM opportunities: no entries for November 2026 (the latest on 31 Oct 2026); the figures "
                               "based on it are missing for this period")
    assert note.text("de") == ("CRM-Verkaufschancen: keine Einträge für November 2026 (letzter vom 31.10.2026); die "
                               "Kennzahlen daraus fehlen für diesen Zeitraum")


def test_table_notes_name_the_source_and_the_months_in_words_and_pass_the_strict_check():
    """The three freshness notes (#11): the table as its source in words, the period spelled out, no raw ids or
    file names, so a memo with a stale or empty table still passes ``--strict`` (the data note's jargon rules)."""
    from cmo_workbook.periods import Period
    from cmo_workbook.render import jargon

    ds = _ds()
    nov = Period.parse("2026-11")
    (stale,) = ds.freshness(nov, ["deals"])
    ds.tables["touchpoints"] = ds.deals.iloc[:0]  # a table the memo needs, without rows
    (empty,) = ds.freshness(nov, ["touchpoints"])
    ds.tables["deals"] = ds.deals.assign(created_date=pd.NaT, close_date=pd.NaT)  # rows, but not one date
    (never,) = ds.freshness(nov, ["deals"])
    assert [f.key for f in (stale, empty, never)] == ["note_table_stale", "note_table_empty", "note_table_stale_never"]
    assert never.text("de") == ("CRM-Verkaufschancen: keine Einträge für November 2026, und kein Eintrag trägt ein "
                                "Datum; die Kennzahlen daraus fehlen für diesen Zeitraum")
    assert empty.text("de") == "Kontaktverläufe: keine Daten vorhanden; die Kennzahlen daraus fehlen für November 2026"
    assert empty.text("en") == "contact histories: no data at all; the figures based on it are missing for November 2026"
    for f in (stale, empty, never):
        for lang in ("de", "en"):
            text = f.text(lang)
            assert "2026-11" not in text and "deals" not in text and "touchpoints" not in text and ".csv" not in text
            assert jargon.check_records([{"kind": "data_note", "text": text}], lang) == [], text
        assert f.file  # the analyst's exit-2 message still names the files
