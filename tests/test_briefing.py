"""Competitor briefing narrative: items from snapshots and observations, rules from params, escaping."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from cmo_workbook.render import blocks
from cmo_workbook.memos import competitor_briefing as briefing
from cmo_workbook.inputs.params import load_params
from cmo_workbook.periods import Period

RULES = [
    {"id": "cut", "when": {"topic": "price", "min_price_change_pct": -5, "segment_in": "core"},
     "implication_de": "Kernsegment {segment}: Preisdruck auf {our_product}.", "implication_en": "Core {segment}.",
     "response_de": "Argumentationsblatt zu {our_product}.", "response_en": "Argument sheet.", "owner": "Vertriebsleitung"},
    {"id": "promo", "when": {"topic": "promo"}, "implication_de": "Befristete Aktion.", "implication_en": "Promo.",
     "response_de": "Keine Listenpreis-Reaktion.", "response_en": "No reaction.", "owner": "Vertriebsleitung"},
    {"id": "msg", "when": {"topic": "messaging"}, "implication_de": "Neue Versprechen {started}.",
     "implication_en": "New {started}.", "response_de": "Botschaft prüfen.", "response_en": "Check.", "owner": "Marketingleitung"},
    {"id": "quiet", "when": {"topic": "quiet"}, "implication_de": "Seit {days_since} Tagen nichts.",
     "implication_en": "Nothing for {days_since} days.", "response_de": "Nachfragen.", "response_en": "Ask.",
     "owner": "Marketingleitung"},
    {"id": "product", "when": {"topic": "product", "segment_in": "own"}, "implication_de": "Neu: {summary}",
     "implication_en": "New: {summary}", "response_de": "Vergleich.", "response_en": "Compare.", "owner": "Produktmanagement"},
]
CFG = {
    "list": [{"name": "Hartmann Antriebe", "aliases": ["Hartmann"]}, {"name": "Nord AG"}, {"name": "Alpin AG"}],
    "own_segments": {"Servo": "core", "Planet": "core"},
    "priorities": {"core": 1.0},
    "own_products": [{"name": "KS-60", "segment": "Servo", "price": 1000.0},
                     {"name": "KP-120", "segment": "Planet", "price": 2000.0}],
    "fx": {}, "quiet_after_months": 3, "implication_rules": RULES,
}
SCRIPT = "<script>alert(1)</script>"


def _tables():
    obs = pd.DataFrame({
        "date": pd.to_datetime(["2026-01-10", "2026-08-03", "2026-08-04", "2026-09-16"]),
        "competitor": ["Alpin AG", "Nord AG", "Nord AG", "Hartmann"],
        "topic": ["press", "product", "product", "price"],
        "summary": ["Alpin opens a plant.", f"Baureihe NP-120 vorgestellt {SCRIPT}",
                    f"Auch gehört: Nord AG stellt Baureihe NP-120 vor {SCRIPT}", "Hartmann senkt Listenpreise um 10 %"],
        "impact": ["low", "medium", "medium", "high"], "segment": ["Planet", "Planet", "Planet", "Servo"],
        "source_url": ["Messe", "Kunde", "LinkedIn", "Website"],
    })
    rows = []
    for day in ("2026-06-02", "2026-09-01", "2026-09-15"):
        cut = day == "2026-09-15"
        rows.append((day, "Hartmann", "HS-60", 900.0 if cut else 1000.0, "EUR", "net", "list", "KS-60"))
        rows.append((day, "Nord AG", "NP-120", 2380.0, "EUR", "gross", "list", "KP-120"))  # 2000 net
        if day == "2026-09-01":
            rows.append((day, "Nord AG", "NP-120", 1700.0, "EUR", "net", "promo", "KP-120"))
    prices = pd.DataFrame(rows, columns=["observed_date", "competitor", "product", "price", "currency", "price_basis",
                                         "price_type", "our_product"])
    prices["observed_date"] = pd.to_datetime(prices["observed_date"])
    msgs = pd.DataFrame({
        "date": pd.to_datetime(["2026-04-01", "2026-07-07"]), "competitor": ["Hartmann", "Hartmann"],
        "location": ["Homepage", "Homepage"],
        "text": ["Premium-Qualität aus Bayern.", "Lieferzeit 48h mit Preisgarantie."],
    })
    return SimpleNamespace(competitor_observations=obs, competitor_prices=prices, competitor_messaging=msgs)


@pytest.fixture(scope="module")
def res():
    return briefing.analyse(_tables(), CFG, Period.parse("2026-Q3"), lang="de", vat=0.19)


def test_price_cut_from_snapshots_and_promo_kept_apart(res):
    assert list(res.changes["competitor"]) == ["Hartmann Antriebe"]
    assert res.changes["change_pct"].tolist() == [-10.0]
    price = res.items[(res.items["topic"] == "price") & (res.items["origin"] == "snapshot")]
    assert price["segment"].tolist() == ["Servo"]
    promo = res.items[res.items["topic"] == "promo"].iloc[0]
    assert promo["competitor"] == "Nord AG" and promo["discount_pct"] == 15.0  # 1700 vs 2380/1.19 = 2000 net
    # the gross list price is normalised: no list-price change at Nord AG
    assert "Nord AG" not in set(res.changes["competitor"])


def test_index_before_and_after_the_cut(res):
    idx = dict(zip(res.index["competitor"], res.index["index"]))
    before = dict(zip(res.index_before["competitor"], res.index_before["index"]))
    assert idx == {"Hartmann Antriebe": 90.0, "Nord AG": 100.0}
    assert before["Hartmann Antriebe"] == 100.0
    cats, values, title, _ = briefing.price_position(res)
    assert cats == ["Hartmann Antriebe (1)", "Nord AG (1)"] and values == [90.0, 100.0]
    # index 900/1000 = 90 over its 1 comparable product: 10 % below us
    assert title == "Hartmann Antriebe: Preisindex 100 → 90, im Mittel 10\u00a0% unter unserem Preis"


def test_messaging_terms_in_the_snapshot_s_words(res):
    msg = res.items[res.items["topic"] == "messaging"].iloc[0]
    assert "Lieferzeit 48h" in msg["started_terms"] and "Preisgarantie" in msg["started_terms"]
    assert "Premium-Qualität" in msg["stopped_terms"]


def test_duplicates_merged_quiet_competitor_and_rules(res):
    assert res.n_reports == 3 and len(res.events) == 2  # the "Auch gehört" report is the same event
    assert res.quiet["competitor"].tolist() == ["Alpin AG"]
    assert set(res.notes["rule"]) == {"cut", "promo", "msg", "quiet", "product"}
    cut = res.notes[res.notes["rule"] == "cut"].iloc[0]
    assert cut["implication"] == "Kernsegment Servo: Preisdruck auf KS-60." and cut["owner"] == "Vertriebsleitung"


def test_blocks_headline_and_timeline(res):
    main = briefing.main_blocks(res, limit=2)
    assert [b.competitor for b in main] == ["Hartmann Antriebe", "Nord AG", "Alpin AG"]
    assert main[0].actions == ["Argumentationsblatt zu KS-60.", "Botschaft prüfen."]
    assert main[-1].quiet and main[-1].matters == [f"Seit {(res.as_of - pd.Timestamp('2026-01-10')).days} Tagen nichts."]
    head = briefing.headline(res, main)
    assert head.startswith("Hartmann Antriebe senkt ab 15.09.2026 die Listenpreise von HS-60 um 10\u00a0%; beim einzigen "
                           "vergleichbaren Produkt liegt Hartmann Antriebe damit im Mittel 10\u00a0% unter unserem "
                           "Preis (Preisindex 90)")
    assert "Alpin AG" in head
    _, rows = briefing.timeline_rows(res)
    moves = [r[1] for r in rows]
    # the observation "Hartmann senkt Listenpreise" echoes the snapshot cut a day later: shown once
    assert sum("Hartmann" in m for m in moves) == 2  # price cut + messaging
    assert any(r[2].startswith("1,") or r[2].startswith("0,") for r in rows)  # observations show score and reason


def test_summary_with_script_shows_as_text(res):
    main = briefing.main_blocks(res, limit=3)
    recs = blocks.Recommendations([blocks.Recommendation(action="; ".join(b.happened), evidence=" ".join(b.matters))
                                   for b in main])
    header, rows = briefing.timeline_rows(res, limit=3)
    html = recs.html() + blocks.Table(header, rows).html()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_shorten_and_display_terms():
    assert briefing.shorten("eins zwei drei vier", 12) == "eins zwei …"
    assert briefing.display_terms("hoch präzision, bayern", "Servogetriebe für höchste Präzision aus Bayern", "de") == \
        ["höchste Präzision", "Bayern"]


def test_example_params_rules_cover_the_sample_effects():
    p = load_params("params/example.yaml")
    cfg = p.raw["competitors"]
    names = {c["name"] for c in cfg["list"]}
    assert names == {"Hartmann Antriebe", "Nordgetriebe AG", "Voss Motion", "Brenner Industrietechnik", "Alpin Drives AG"}
    assert {r["id"] for r in cfg["implication_rules"]} >= {"price_cut_core", "promo_only", "messaging_shift", "quiet_competitor"}
    assert {p["name"] for p in cfg["own_products"]} >= {"Servogetriebe KS-60", "Servogetriebe KS-90", "Planetengetriebe KP-120"}


def test_shipped_templates_equal_a_fresh_generation(tmp_path):
    from pathlib import Path

    from cmo_workbook.competitors import make_observation_template

    shipped = Path(briefing.__file__).parents[1] / "inputs" / "templates" / "xlsx"  # analyst input templates
    # Equal part by part as canonical XML (C14N): openpyxl writes the same document with different bytes
    # depending on whether lxml is installed (python-pptx of the deck branch brought it in: "<x />" vs "<x/>",
    # namespace declarations on the root or on the element); a stale template still differs in its content.
    for lang in ("de", "en"):
        for fresh in make_observation_template(tmp_path, lang):
            assert _xlsx_parts(shipped / fresh.name) == _xlsx_parts(fresh), fresh.name


def _xlsx_parts(path) -> dict[str, str]:
    import xml.etree.ElementTree as ET
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: ET.canonicalize(z.read(n).decode("utf-8")) if n.endswith((".xml", ".rels")) else z.read(n).hex()
                for n in sorted(z.namelist())}
