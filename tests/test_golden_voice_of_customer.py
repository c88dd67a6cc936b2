"""Golden table of the voice-of-customer memo (October 2026): every figure against the raw feedback file.

Pinned from kundenfeedback.csv (cp1252, ';'): feedback counts per month and source, the baseline
(Jul–Sep) and the NPS with its promoters, passives and detractors. Theme counts come from the VoC
taxonomy's lemmatising, compound-aware matcher (model-bound, tested on labelled data elsewhere);
for them the test asserts that each share is its n over the month's feedback and n ≤ the total.
The memo shows no catalogue KPI (no figure spans); the span check still runs so a figure added later
cannot slip in unpinned. Cross-check (comments only): 253 items, NPS +19 (29/18/17), +5 before, +27 Jul–Sep.
"""
from __future__ import annotations

import re
from io import StringIO

import pandas as pd
import pytest

import golden_raw as g

pytestmark = pytest.mark.slow

NAME, PERIOD = "voice_of_customer", "2026-10"
W = g.month(PERIOD)
PREV = g.shifted(W, 1)
BASE = g.trailing(str(PREV.last), 3)   # Jul–Sep 2026
#: sources in the order the memo lists them (Ticket · NPS · Vertrieb · Bewertung)
SOURCES = ("Support-Ticket", "NPS-Umfrage", "Vertriebsgespräch", "Bewertung")


html, text = g.memo_fixtures(NAME, PERIOD)


def test_every_figure_span_equals_its_golden_value(html):
    g.assert_spans_pinned(html)


def test_nps_line(text):
    score, n, promoters, detractors = g.nps(W)
    prev, base = g.nps(PREV)[0], g.nps(BASE)[0]   # the baseline is pooled over Jul–Sep, not a mean of months
    m = re.search(r"NPS ([+−-]\d+) \((\d+) Antworten: (\d+) Promotoren, (\d+) Kritiker\) ggü\. ([+−-]\d+) im Vormonat "
                  r"und ([+−-]\d+) im Ø Jul–Sep", text)
    assert m, text[:800]
    assert g.shows(m.group(1), score) and (int(m.group(2)), int(m.group(3)), int(m.group(4))) == (n, promoters, detractors)
    assert g.shows(m.group(5), prev) and g.shows(m.group(6), base)
    # the promoter/passive/detractor split and the counts by source moved to the analyst detail (not in the memo)
    assert "Promotoren/Passive/Kritiker" not in text
    assert f"NPS aus {n} Antworten" in text


def test_kpi_table_counts_and_nps(html):
    table = next(t for t in pd.read_html(StringIO(html), thousands=".") if "Rückmeldungen" in map(str, t.columns))
    table = table.map(lambda v: v.replace("\u00a0", " ") if isinstance(v, str) else v).set_index(table.columns[0])
    base_n = len(g.feedback_in(BASE)) / 3
    assert list(table["Rückmeldungen"].iloc[:3].astype(int)) == [len(g.feedback_in(W)), len(g.feedback_in(PREV)),
                                                                 round(base_n)]
    for shown, w in zip(table["NPS"].iloc[:3], (W, PREV, BASE)):   # read_html drops the "+"
        assert g.shows(str(shown), g.nps(w)[0]), (shown, g.nps(w)[0])
    assert int(table["NPS"].iloc[3]) == g.nps(W)[1]          # the n row: answers with a rating
    assert int(table["Rückmeldungen"].iloc[3]) == len(g.feedback_in(W))


def test_counts_by_source_are_not_in_the_memo(text):
    # moved to the analyst detail with the revenue at stake (issue 11): a memo figure without a golden value can't slip in
    assert "Ticket · NPS · Vertrieb · Bewertung" not in text
    assert sum(g.feedback_in(W)["source"].isin(SOURCES)) == len(g.feedback_in(W))  # no other source this month


def test_headline_and_basis_counts(text):
    total = len(g.feedback_in(W))
    m = re.search(r"(\d+) % aller Rückmeldungen \((\d+) von (\d+)\)", text)
    assert m and int(m.group(3)) == total
    # the theme's n is model-bound; its share must be that n of the month's total
    assert int(m.group(2)) <= total and g.shows(m.group(1) + " %", int(m.group(2)) / total)
    assert f"Datenbasis: {total} Rückmeldungen im Monat, Vergleich Ø Jul–Sep ({len(g.feedback_in(BASE))})" in text


def test_theme_table_shares_are_n_over_the_month(html):
    tables = [t.rename(columns=lambda c: str(c).replace("\u00a0", " ")) for t in pd.read_html(StringIO(html))]
    table = next(t for t in tables if str(t.columns[0]) == "Thema" and "Anteil (n)" in t.columns)
    total = len(g.feedback_in(W))
    ns = []
    for cell in table["Anteil (n)"].astype(str).str.replace("\u00a0", " "):
        share, n = re.fullmatch(r"(\d+ %) \((\d+)\)", cell).groups()
        assert int(n) <= total and g.shows(share, int(n) / total), cell
        ns.append(int(n))
    assert ns == sorted(ns, reverse=True)   # the largest themes, largest first


def test_data_note_row_count(text):
    g.assert_data_note_sources(text, {"Kundenfeedback": (len(g.feedback()), 1)})
