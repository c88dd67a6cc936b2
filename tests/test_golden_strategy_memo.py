"""Golden table of the strategy memo (Q3 2026): every figure against the raw sample files.

Pinned: the catalogue KPIs (spans) and their comparisons, the competitor's price cut and its date, the
start of its new message, the NPS and its baseline, the monitoring gap in days, the observation counts
and the data note. Theme shares of customer feedback come from the VoC taxonomy's lemmatising
matcher (model-bound); for them the test asserts that n is at most the month's feedback count.
Cross-check (comments only): Hartmann −12 % since 15.09.2026, NPS 5 after 32 (n = 60).
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

import golden_raw as g

pytestmark = pytest.mark.slow

NAME, PERIOD = "strategy_memo", "2026-Q3"
Q = g.quarter(PERIOD)
LAST = g.month(str(Q.last))   # September 2026: the VoC month the memo cites


html, text = g.memo_fixtures(NAME, PERIOD)


def test_every_figure_span_equals_its_golden_value(html):
    g.assert_spans_pinned(html, at_least=4)  # 6 spans when this was written


def test_marketing_sentence_and_evidence_comparisons(text):
    m = re.search(r"Marketing: (\d+) qualifizierte Anfragen im Quartal \(([+−-]\d+ %) ggü\. Vorjahresquartal\) zu "
                  r"([\d.]+ €) je Anfrage \(([+−-]\d+ %) ggü\. Vorjahresquartal\); ([\d,]+ Mio\. €) neue Pipeline", text)
    assert m, text[:1500]
    assert int(m.group(1)) == g.qualified_leads(Q)
    assert g.shows(m.group(2), g.comparison("qualified_leads", PERIOD, "", "Vorjahresquartal"))
    assert g.shows(m.group(3), g.cost_per_qualified_lead(Q))
    assert g.shows(m.group(4), g.comparison("cost_per_qualified_lead", PERIOD, "", "Vorjahresquartal"))
    assert g.shows(m.group(5), g.marketing_pipeline_value(Q))
    # evidence lines: orders vs the year-ago quarter are "–" (Q3 2025 lies in the export's first 9 months)
    assert g.comparison("marketing_won_revenue", PERIOD, "", "Vorjahresquartal") is None
    for shown in re.findall(r"Auftragseingang aus Marketing-Anfragen, Quartal ([\d,]+ Mio\. €) \((\S+) ggü\. Vorjahresquartal\)", text):
        assert g.shows(shown[0], g.marketing_won_revenue(Q)) and shown[1] == "–"


def test_channel_decision_is_the_review_s_with_the_excess_cost_at_stake(text):
    channel, amount, excess = g.channel_shift("2026-Q3")
    # at stake: the excess cost; asked: the shift (the same words and amount as the review and the KPI memo)
    m = re.search(r"Auf dem Spiel: ([\d,.]+ Tsd\. €) Mehrkosten von LinkedIn in Q3 2026", text)
    assert channel == "linkedin" and m and g.shows(m.group(1), excess), text
    m = re.search(r"Freigabe von ([\d,.]+ (?:Tsd\. )?€) Umschichtung aus dem LinkedIn-Budget in Q4 2026 "
                  r"\(20 % des Budgets von Q3 2026\): ja / nein\.", text)
    assert m and g.shows(m.group(1), amount), text


def test_trade_fair_budget_is_the_review_s_decision_ordered_by_euros_at_stake(text):
    # the fairs' year (Q4 2025 – Q3 2026) at stake: their spend, asked with the review's amount and words, and
    # ranked before the LinkedIn shift's excess cost (#11)
    year = g.trailing("2026-Q3", 12)
    cost, credit = g.channel_spend(year)["trade_fairs"], g.linear_credit(year)["trade_fairs"]
    _, _, excess = g.channel_shift("2026-Q3")
    m = re.search(r"Auf dem Spiel: ([\d,.]+ Tsd\. €) Budget für Messen in Q4 2025–Q3 2026; je Euro kamen (\d+,\d\d) € "
                  r"Deckungsbeitrag aus Erstaufträgen zurück", text)
    assert m and g.shows(m.group(1), cost) and g.shows(m.group(2), credit / cost), text
    ask = re.search(r"Budget Messen Q4 2026–Q3 2027: Freigabe von ([\d,.]+ Tsd\. €) wie in den letzten 4 Quartalen "
                    r"– ja / nein", text)
    assert ask and ask.group(1) == m.group(1)
    assert cost > excess and text.index("Budget für Messen") < text.index("Mehrkosten von LinkedIn")


def test_competitor_price_cut_and_message(text):
    cuts = g.list_price_changes("Hartmann Antriebe", Q.end)
    cuts = cuts[cuts["date"] == cuts["date"].max()]
    m = re.search(r"Hartmann Antriebe senkt seit (\d\d\.\d\d\.\d{4}) die Listenpreise von (.*?) um (\d+ %)", text)
    assert m, text[:800]
    assert m.group(1) == f"{cuts['date'].iloc[0]:%d.%m.%Y}"
    assert m.group(2).split(", ") == sorted(cuts["product"])
    assert all(g.shows(m.group(3), abs(c)) for c in cuts["change"])
    # "wirbt seit 07.07.2026 mit „Lieferzeit 48h“": the first message that says it
    raw = pd.read_csv(g.SAMPLE / "competitors" / "wettbewerb_botschaften.csv", sep=";", encoding="utf-8-sig", dtype=str)
    said = raw[(raw["Wettbewerber"] == "Hartmann Antriebe") & raw["Text"].str.contains("Lieferzeit 48h")]
    first = pd.to_datetime(said["Datum"], format="%d.%m.%Y").min()
    assert f"Hartmann Antriebe wirbt seit {first:%d.%m.%Y} mit „Lieferzeit 48h“" in text
    # the largest cut is what sales may match: "bis 12 % Rabatt selbst freigeben?"
    m = re.search(r"bis (\d+ %) Rabatt selbst freigeben", text)
    assert m and g.shows(m.group(1), abs(cuts["change"]).max())


def test_nps_and_feedback_counts(text):
    score, n, _, _ = g.nps(LAST)
    base, _, _, _ = g.nps(g.shifted(g.trailing(str(Q.last), 3), 1))   # June–August pooled
    m = re.search(r"NPS ([+−-]?\d+) nach ([+−-]?\d+) im Mittel der Vormonate \(n = (\d+)\)", text)
    assert m and g.shows(m.group(1), score) and g.shows(m.group(2), base) and int(m.group(3)) == n
    m = re.search(r"NPS fällt auf ([+−-]?\d+) \(Basis ([+−-]?\d+); n = (\d+)", text)
    assert m and g.shows(m.group(1), score) and g.shows(m.group(2), base) and int(m.group(3)) == n
    # theme shares are model-bound (taxonomy matcher); their n cannot exceed the month's feedback
    for n_theme in re.findall(r"im September 2026 \(Basis \d+ %, n = (\d+)\)", text):
        assert int(n_theme) <= len(g.feedback_in(LAST))


def test_monitoring_gap_and_observation_counts(text):
    obs = g.observations()
    last_seen = obs.loc[obs["Wettbewerber"] == "Alpin Drives AG", "Datum"]
    last_seen = last_seen[last_seen < Q.end].max()
    days = (Q.end - pd.Timedelta(days=1) - last_seen).days   # to the quarter's last day
    # five recommendations with the euros first (price, delivery, fairs, LinkedIn) and the new topic leave no room
    # for the gap's own recommendation (at most 5); the risks still name the blind spot
    assert f"keine Beobachtung zu Alpin Drives AG seit {last_seen:%d.%m.%Y} ({days} Tage)" not in text
    assert "Keine Nachricht ist keine gute Nachricht: zu Alpin Drives AG wissen wir nichts Aktuelles." in text
    inq = obs[Q.has(obs["Datum"])]
    counts = inq["Wettbewerber"].value_counts()
    for name in ("Alpin Drives AG", "Brenner Industrietechnik", "Hartmann Antriebe", "Nordgetriebe AG", "Voss Motion"):
        assert f"{name} {int(counts.get(name, 0))}" in text, name
    assert f"({len(inq)} Meldungen" in text
    for source, n in inq["Quelle"].value_counts().items():
        assert f"{source} {n}" in text, source


def test_data_note_row_counts(text):
    # sources in words with their rows, no file names (#11)
    g.assert_data_note_sources(text, {"CRM-Kontakte": (len(g.leads()), 1), "CRM-Verkaufschancen": (len(g.deals()), 1),
                                       "Marketingkosten": g.spend_source(), "Kontaktverläufe": (len(g.touchpoints()), 1), "Kundenfeedback": (len(g.feedback()), 1),
                                       "Wettbewerbsbeobachtungen": (len(g.observations()), 1),
                                       "Wettbewerbspreise": (len(g.competitor_prices()), 1)})
