"""Golden table of the quarterly stakeholder update (Q3 2026): every figure against the raw sample files.

Goal forecasts and their ranges are model-bound (seasonal/trend forecast) and not pinned; everything
else – headline changes, the "Erreicht" paragraph, the goals table's actuals and targets, the diary
week counts, the data note – is. Cross-check (comments only): 395 inquiries (+16 % vs Q3 2025),
6,7 Mio. € pipeline (−14 % vs Q2), 4,1 Mio. € orders (+60 % vs Q2).
"""
from __future__ import annotations

import re
from io import StringIO

import pandas as pd
import pytest

import golden_raw as g

pytestmark = pytest.mark.slow

NAME, PERIOD = "stakeholder_update", "2026-Q3"
Q = g.quarter(PERIOD)
LAST = str(Q.last)  # the goals are reported as of the quarter's last month


html, text = g.memo_fixtures(NAME, PERIOD)


def test_every_figure_span_equals_its_golden_value(html):
    g.assert_spans_pinned(html, at_least=5)  # 6 spans when this was written


def test_headline_and_achievements(text):
    ql_yoy = g.comparison("qualified_leads", PERIOD, "", "Vorjahresquartal")
    pipe_prev = g.comparison("marketing_pipeline_value", PERIOD, "", "Vorquartal")
    won_prev = g.comparison("marketing_won_revenue", PERIOD, "", "Vorquartal")
    # the year-ago quarter of the deal figures is inside the export's first 9 months, so they compare with Q2
    assert g.comparison("marketing_pipeline_value", PERIOD, "", "Vorjahresquartal") is None
    # the quarterly target is missed (395 vs 540): that comes first, before the growth vs last year (issue #11)
    target = g.TARGETS_QUARTER["qualified_leads"]
    m = re.search(r"Q3 2026: Quartalsziel verfehlt – (\d+) qualifizierte Anfragen, ([+−-]\d+ %) ggü\. Ziel \((\d+)\); "
                  r"([+−-]\d+ %) qualifizierte Anfragen ggü\. Vorjahresquartal und Pipeline ([+−-]\d+ %) ggü\. Vorquartal", text)
    assert m, text[:600]
    assert int(m.group(1)) == g.qualified_leads(Q) < target and int(m.group(3)) == target
    assert g.shows(m.group(2), g.qualified_leads(Q) / target - 1)
    assert g.shows(m.group(4), ql_yoy) and g.shows(m.group(5), pipe_prev), m.groups()
    # the euros marketing delivered, on the first line, with the same comparison as the paragraph
    m = re.search(r"Vorquartal, ([\d,]+ Mio\. €) Auftragseingang aus Marketing-Anfragen \(([+−-]\d+ %) ggü\. Vorquartal\), "
                  r"\d+ von \d+ Jahreszielen", text)
    assert m and g.shows(m.group(1), g.marketing_won_revenue(Q)) and g.shows(m.group(2), won_prev), text[:400]
    m = re.search(r"lieferte Marketing (\d+) qualifizierte Anfragen \(([+−-]\d+ %) ggü\. Vorjahresquartal\) bei .*?"
                  r"Neue Pipeline aus Marketing: ([\d,]+ Mio\. €) \(([+−-]\d+ %) ggü\. Vorquartal\).*?gewonnen wurden aus "
                  r"Marketing-Anfragen ([\d,]+ Mio\. €) Auftragseingang \(([+−-]\d+ %) ggü\. Vorquartal\)", text)
    assert m, text[:1500]
    assert int(m.group(1)) == g.qualified_leads(Q) and g.shows(m.group(2), ql_yoy)
    assert g.shows(m.group(3), g.marketing_pipeline_value(Q)) and g.shows(m.group(4), pipe_prev)
    assert g.shows(m.group(5), g.marketing_won_revenue(Q)) and g.shows(m.group(6), won_prev)


def test_diary_effect_month_change(text):
    # "(Pipeline aus Marketing im September 2026 +56 % ggü. Vorjahresmonat)": September 2026 vs September 2025
    m = re.search(r"im selben Monat Pipeline aus Marketing ([+−-]\d+ %) ggü\. Vorjahresmonat \(September 2026", text)
    assert m and g.shows(m.group(1), g.comparison("marketing_pipeline_value", LAST, "", "Vorjahresmonat"))


def test_diary_week_counts(text):
    d = g.diary()
    weeks = d[Q.has(d["thursday"])]
    total = g.iso_weeks(Q)   # ISO weeks 27–39 of 2026: 13
    assert f"Marketing-Tagebuch: {len(weeks)} von {total} Wochen geführt" in text
    # support asks: weeks whose tags concern the department (params stakeholders[].topics)
    topics = {"Produktion & Logistik": {"lieferzeit", "liefertermin"},
              "Vertrieb": {"preis", "wettbewerb", "lead_nachbearbeitung"}}
    for dept, tags in topics.items():
        n = sum(bool(t & tags) for t in weeks["tags"])
        m = re.search(r"Von " + re.escape(dept) + r":.*?\(in (\d+) von (\d+) Wochen\)", text)
        assert m and (int(m.group(1)), int(m.group(2))) == (n, total), (dept, m and m.groups(), n)


def test_goals_table_actuals_and_targets(html):
    table = next(t for t in pd.read_html(StringIO(html), thousands=None) if "Zielwert" in t.columns)
    table = table.map(lambda v: v.replace("\u00a0", " ") if isinstance(v, str) else v)
    ist = table.columns[1]
    assert ist == "Ist, Stand Sep 2026"
    # params goals in their order: web_inquiries 100 a month, pipeline 26 Mio. € in 2026, CPL 450 €
    targets = [goal["target"] for goal in g.PARAMS["goals"]]
    shown = list(table["Zielwert"].astype(str).str.replace("\u00a0", " "))
    assert len(shown) == len(targets) and all(g.shows(s, t) for s, t in zip(shown, targets)), (shown, targets)
    assert g.shows(str(table[ist][0]), g.qualified_leads_web(g.month(LAST)))
    assert g.shows(str(table[ist][1]), g.marketing_pipeline_value(g.ytd(LAST)))
    assert g.shows(str(table[ist][2]), g.cost_per_qualified_lead(g.month(LAST)))


def test_data_note_row_counts(text):
    # sources in words with their rows, no file names (#11)
    g.assert_data_note_sources(text, {"CRM-Kontakte": (len(g.leads()), 1), "CRM-Verkaufschancen": (len(g.deals()), 1), "Marketingkosten": g.spend_source(),
                                       "Kontaktverläufe": (len(g.touchpoints()), 1)})  # the trade fairs' margin


def test_the_trade_fair_sentence_is_the_budget_decision_not_order_intake_beside_cost(text):
    """#11: "471 Tsd. € Kosten, 3,6 Mio. € Auftragseingang" read as a success while the review says ROMI −31 %; the
    update now states the review's budget decision: first-order margin against the four quarters' cost, its return."""
    m = re.search(r"Zur Einordnung – Messen in Q4 2025–Q3 2026: ([\d,]+ Tsd\. €) Deckungsbeitrag aus Erstaufträgen ggü\. "
                  r"([\d,]+ Tsd\. €) Kosten, Rendite der Erstaufträge ([+−-]\d+ %) \(Spanne "
                  r"([+−-]\d+ %) bis ([+−-]\d+ %)\); über das Budget Q4 2026–Q3 2027 \(Freigabe von ([\d,]+ Tsd\. €) ja / nein\)",
                  text)
    assert m, text[:2500]
    sp = g.spend()
    cost = sp.loc[g.trailing(PERIOD, 12).has(sp["date"]) & (sp["channel"] == "trade_fairs"), "cost"].sum()
    assert g.shows(m.group(2), cost) and g.shows(m.group(6), cost)  # the amount the review asks to approve
    # the margin is model-bound (linear attribution, bootstrap range); the ROMI follows from the shown figures
    number, _, scale = g.shown(m.group(1))
    margin = number * scale
    assert abs((margin - cost) / cost * 100 - float(m.group(3).replace("−", "-").removesuffix(" %"))) <= 1
    assert float(m.group(5).replace("−", "-").removesuffix(" %")) < 0  # even the top of its range loses money
    assert "Auftragseingang aus ihren Anfragen" not in text


def test_search_ads_are_not_grown_with_below_average_sales_acceptance(text):
    """#11: a channel only gets "ausbauen" when sales accept at least the average share of its inquiries."""
    d = g.decisions(Q)
    paid = d[d["channel"] == "paid_search"]
    rate, average = (paid["outcome"] == "accepted").mean(), (d["outcome"] == "accepted").mean()
    assert rate < average  # 33 of 68 vs 192 of 394 decided in Q3 2026: 48,5 % vs 48,7 %
    m = re.search(r"Website-Inhalte zu den meistgefragten Auslegungsthemen ausbauen; bei Suchmaschinenwerbung zuerst "
                  r"die Übergabekriterien schärfen \(der Vertrieb nahm im Q3 2026 ([\d,]+ %) ihrer Anfragen an, im "
                  r"Schnitt ([\d,]+ %)\)", text)
    assert m and g.shows(m.group(1), rate) and g.shows(m.group(2), average), m and m.groups()
    assert "Suchanzeigen" not in text
