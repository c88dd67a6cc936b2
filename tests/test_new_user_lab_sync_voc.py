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


# --- VoC: feedback linked to the CRM's companies ----------------------------------------------------------------


def _voc(ds=None):
    from cmo_workbook import voc
    from cmo_workbook.memos import voice_of_customer as vm

    ds = ds or _ds(["feedback", "deals", "leads"])
    cfg = vm.settings(ds.params)
    res = voc.analyse(ds.feedback, month="2026-10", taxonomy=cfg["taxonomy"], allow_names=False, lang="de")
    return ds, res


def test_feedback_links_to_deals_by_company_name_without_account_ids():
    from cmo_workbook.memos import voice_of_customer as vm
    from cmo_workbook.voc.recommend import account_stake

    ds, res = _voc()
    # the HubSpot deals export has the company name ("Associated Company (Primary)"), no company id
    assert ds.deals["account_id"].isna().all()
    deals, contacts = vm.crm_tables(ds)
    links = vm.account_links(res, ds.feedback, deals, contacts)
    linked = dict(zip(ds.feedback["company"], ds.feedback["feedback_id"].map(dict(zip(links["feedback_id"],
                                                                                      links["account"])))))
    # 7 of the 8 companies have a deal; BioLab Nord GmbH is a contact (L04, MQL) without one
    assert sorted(k for k, v in linked.items() if pd.isna(v)) == ["BioLab Nord GmbH"]
    assert vm.accounts_note(links, "de").replace("\u00a0", " ") == ("Kundenzuordnung (Kunden-Nr. 0, Firmenname 7, E-Mail-Domain 0): 7 von 8 "
                                             "Rückmeldungen (88 %); Auftragseingang laut CRM, nicht gebucht.")
    # the stake reads the same accounts: delivery delays = Chemwerk Rhein AG (06.10.) and BioLab Nord (28.10.);
    # Chemwerk's only deal D02 is open (Decision Maker Bought-In, 31.900 €), nothing won in the 12 months
    st = account_stake(vm.month_items(res), links, deals, theme="delivery_delay", end=OCT.end)
    assert (st.n_items, st.n_linked, st.accounts, st.won_deals) == (2, 1, 1, 0)
    assert st.open_pipeline == 31_900.0 and st.order_intake == 0.0


def test_a_deal_without_account_id_joins_the_account_of_its_company():
    from cmo_workbook.voc.recommend import deal_accounts, link_accounts

    deals = pd.DataFrame({"account_id": ["A1", None, None, None],
                          "company": ["Kraft Labor GmbH", "kraft labor", "Neu AG", None]})
    assert deal_accounts(deals).tolist()[:3] == ["A1", "A1", "company:neu"] and pd.isna(deal_accounts(deals)[3])
    fb = pd.DataFrame({"feedback_id": ["f1", "f2", "f3"], "company": ["KRAFT LABOR GMBH", "Neu AG", "Fremd GmbH"]})
    links = link_accounts(fb, deals)
    assert links["account"].tolist()[:2] == ["A1", "company:neu"] and pd.isna(links["account"][2])
    assert links["linked_by"].tolist()[:2] == ["company", "company"]


# --- VoC: the first month with feedback compares with nothing, and says so --------------------------------------


def test_voc_first_month_claims_no_trend_and_names_no_empty_comparison():
    from cmo_workbook.memos import voice_of_customer as vm

    _, res = _voc()
    # Aug and Sep have no feedback rows (the file is October's): no baseline month
    assert res.baseline_months == [] and vm.first_month(res)
    texts = {lang: [*vm.key_messages(res, lang), *vm.expectations(res, lang), *vm.footer_lines(res, lang)]
             for lang in ("de", "en")}
    joined = " ".join(texts["de"])
    for broken in ("ohne Vormonate", "Preisdruck nimmt zu", "Kein zunehmender Preisdruck", "Vormonat",
                   "Kunden erwarten"):  # the last: 0 of 8 items state a service expectation
        assert broken not in joined, broken
    assert "no earlier months" not in " ".join(texts["en"]) and "Price pressure" not in " ".join(texts["en"])
    # the headline: a largest theme (delivery delays, praise for support and price: 2 of 8 each) and why nothing is
    # said about rising themes
    assert texts["de"][0] == ("25\u00a0% der Rückmeldungen betreffen Lieferverzögerungen; erster Monat mit "
                              "Rückmeldungen: kein Vergleich, daher noch keine Aussage über steigende Themen.")
    # NPS: scores 9, 6, 3, 10, 7, 8, 5, 9 -> promoters 9, 10, 9 = 3, detractors 6, 3, 5 = 3: NPS 0; complaints 4 of 8
    # (Lieferzeit zu lang, Preis zu hoch, "... dauert zu lange", warten auf den Liefertermin)
    assert texts["de"][1].replace("\u00a0", " ") == ("NPS 0 (8 Antworten: 3 Promotoren, 3 Kritiker); Beschwerdeanteil "
                                                     "50 %; erster Monat mit Rückmeldungen: kein Vergleich.")
    # the KPI strip: this month and n, no "Vormonat 0" and no row of dashes
    _, rows, _ = vm.kpi_strip_wide(res, "de")
    assert [r[0] for r in rows] == ["Okt 2026", "n"]
    header, rows = vm.themes_table(res, "de")
    assert len(header) == 4 and all(len(r) == 4 for r in rows) and not any("Δ" in h for h in header)


def test_voc_actions_without_items_say_why():
    from cmo_workbook.memos import voice_of_customer as vm

    _, res = _voc()
    recs = vm.actions(res, OCT, "de", today=date(2026, 11, 20))
    assert recs == []
    (para,) = vm.action_blocks(recs, res, "de")
    assert isinstance(para, Paragraph) and _plain(para).startswith(
        "Diesen Monat keine Maßnahme: erster Monat mit Rückmeldungen – ob ein Thema steigt oder neu ist")
    res.baseline_months = ["2026-09"]  # with an earlier month: the general reason
    assert _plain(vm.action_blocks([], res, "en")[0]).startswith("No action this month: no theme meets a rule")


def test_validate_names_the_bundled_taxonomy_when_voc_taxonomy_is_not_set(capsys, tmp_path):
    import shutil

    from cmo_workbook.voc.themes import DEFAULT_TAXONOMY

    assert cli.main(["validate", "--params", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    # 7 of 8 items match a theme (only "Planung und Umsetzung aus einer Hand – gerne wieder." matches none)
    assert ("no voc.taxonomy in the params: the VoC memo uses the bundled theme taxonomy of a drive-technology maker "
            "(params/voc_taxonomy.yaml, version ") in out and "it matches 88% of the 8 feedback items" in out
    folder = tmp_path / "lab"
    shutil.copytree(FIXTURE.parent, folder)
    params = folder / "params.yaml"
    params.write_text(params.read_text() + f"\nvoc:\n  taxonomy: {DEFAULT_TAXONOMY}\n")
    assert cli.main(["validate", "--params", str(params)]) == 0
    assert "no voc.taxonomy" not in capsys.readouterr().out


def test_praise_with_aber_and_a_complaint_is_mixed_not_praise():
    from cmo_workbook.memos import voice_of_customer as vm
    from cmo_workbook.voc.signals import classify
    from cmo_workbook.voc.themes import load_taxonomy

    tax = load_taxonomy(None)
    (sig,), (themes,) = classify(["Gute Qualität, aber die Rückmeldung vom Service dauert zu lange."], tax)
    # "dauert zu lange" is a complaint; the praise ("Gute Qualität") and "Service" sit on either side of "aber"
    assert sig == ("complaint", "praise") and "praise_support" not in themes
    # the praise and the support in one clause still are praise for the support, a complaint beside it or not
    assert classify(["Der Support war super, aber die App stürzt ab."], tax)[1] == [("praise_support",)]
    _, res = _voc()
    praise = res.themes.set_index("theme").loc["praise_support"]
    assert praise["n"] == 2  # "Sehr gute Beratung ..." and "Kompetente Ansprechpartner ..."
    _, rows = vm.quote_rows(res, "de", themes=["praise_support"])
    assert not any("dauert zu lange" in r[1] for r in rows)
