"""Both notebooks execute on the sample data through the real runner; the memos find the planted effects."""
from __future__ import annotations

import json
import re

from conftest import ROOT, parse_eml

from cmo_workbook.render.export import MAX_HTML_BYTES
from cmo_workbook.delivery.preview import pdf_pages, print_pdf


def _meta(name):
    return json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["metadata"]["cmo"]


def test_both_notebooks_declare_quarterly_cadence():
    assert _meta("competitor_briefing")["cadence"] == "quarterly"
    assert _meta("strategy_memo")["cadence"] == "quarterly"


def test_competitor_briefing_finds_the_planted_moves(memo_run):
    run = memo_run("competitor_briefing", "2026-Q3", "de")
    _, html, plain, images = parse_eml(run.eml)
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES and len(images) == 1
    head = plain.split("\n\n")[1]
    assert head.startswith("Hartmann Antriebe senkt ab 15.09.2026 die Listenpreise von HS-Servogetriebe 60, "
                           "HS-Servogetriebe 90 um 12\u00a0%")
    flat = re.sub(r"[ \n]+", " ", plain)
    assert "Verantwortlich: Vertriebsleitung" in flat and "Argumentationsblatt für den Vertrieb" in flat
    # the promotion is reported as a promotion, never as a list-price change
    assert "Aktionspreis NG-Planet 120 −15\u00a0% ggü. Listenpreis" in flat
    assert "Listenpreis NG-Planet 120" not in flat
    assert "„Lieferzeit 48h“, „Preisgarantie“" in flat and "„Premium-Qualität“" in flat
    assert "Alpin Drives AG: keine Beobachtung seit 28.03.2026" in flat
    assert "Preisindex 101 → 95" in flat  # the chart's title, as alt text


def test_strategy_memo_connects_customers_and_competitors_within_two_pages(chromium, memo_run, tmp_path):
    run = memo_run("strategy_memo", "2026-Q3", "de")
    _, html, plain, _ = parse_eml(run.eml)
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES
    flat = re.sub(r"[ \n]+", " ", plain)
    assert "Lieferfähigkeit zur Chefsache machen" in flat
    assert "ENTSCHEIDUNGEN DER GESCHÄFTSFÜHRUNG" in plain
    pdf = print_pdf(run.memo, tmp_path / "strategy_memo.pdf")
    assert 1 <= pdf_pages(pdf) <= 2
