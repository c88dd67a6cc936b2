"""Unit tests of the KPI memo's rules (memos/kpi_dashboard.py): value texts, comparisons, the "so what"
sentence of each tile and the recommendations, on the hand fixture of kpi_fixtures (report month 2026-10:
120 qualified inquiries, cost 10 000 € / 120, acceptance 50 %, pipeline 300 000 €, revenue share 50 %,
ROMI 100 %). Texts are compared with NBSP turned into plain spaces.

Since issue 17 the memo reads its KPIs from the period store (``compute(store)``; catalogue ids
``sales_acceptance_rate`` and ``romi_all_orders``, labels with their window, "Auftragseingang" rather than
"Umsatz"); the fixture's store is built by ``kpi_fixtures.kpi_store`` from the same hand-made months.
"""
import math

import pandas as pd
import pytest

from cmo_workbook.memos.kpi_dashboard import Kpi, compute, recommendations, so_what, tiles, worst_channel
from cmo_workbook.metrics.goals import GoalStatus
from cmo_workbook.periods import Period
from kpi_fixtures import kpi_month_frame, kpi_store

# params targets keys as companies write them: mql_to_sql_rate and romi are the store's aliases of
# sales_acceptance_rate and romi_all_orders (metrics.store.TARGET_ALIASES)
TARGETS = {"qualified_leads": 150, "cost_per_qualified_lead": 100, "mql_to_sql_rate": 0.6,
           "marketing_pipeline_value": 400_000, "romi": 1.5}


def plain(s: str) -> str:
    return s.replace("\u00a0", " ").replace("\u202f", " ")


def _store(targets=TARGETS, frame=None):
    return kpi_store(kpi_month_frame() if frame is None else frame, targets, margin=0.5)


def _kpis(targets=TARGETS, frame=None):
    return {k.key: k for k in compute(_store(targets, frame))}


def _goal(status="on_track", goal_id="web", metric="qualified_leads_web", **kw):
    base = dict(goal_id=goal_id, title="Website-Anfragen verdoppeln", metric=metric, target=200.0, baseline=100.0,
                deadline=pd.Timestamp("2026-12-31"), actual=150.0, forecast=210.0, low=190.0, high=230.0,
                status=status, higher_is_better=True, months_left=2, progress=0.5)
    return GoalStatus(**{**base, **kw})


def sw(key, lang="de", ctx=None, targets=TARGETS):
    return plain(so_what(_kpis(targets)[key], lang, "EUR", ctx or {}))


def test_qualified_leads_below_plan_counts_the_gap():
    assert sw("qualified_leads") == "30 Anfragen unter Plan: weniger Nachschub für die Pipeline der nächsten Monate."
    assert sw("qualified_leads", "en") == "30 inquiries below plan: less supply for the coming months' pipeline."


def test_one_inquiry_below_plan_is_singular():
    # the fixture month has 120 qualified inquiries: a plan of 121 misses by exactly 1
    t = {**TARGETS, "qualified_leads": 121}
    assert sw("qualified_leads", targets=t) == "1 Anfrage unter Plan: weniger Nachschub für die Pipeline der nächsten Monate."
    assert sw("qualified_leads", "en", targets=t).startswith("1 inquiry below plan:")


def test_qualified_leads_at_or_above_plan():
    # the fixture month has 120 qualified inquiries: a plan of 100 is exceeded
    t = {**TARGETS, "qualified_leads": 100}
    assert sw("qualified_leads", targets=t) == "Über Plan: der Vertrieb hat genug qualifizierte Gespräche."
    assert sw("qualified_leads", "en", targets=t) == "Above plan: sales has enough qualified conversations."
    # exactly on a plan of 120 ("0 % ggü. Ziel") is on plan, not above it (before: "Über Plan")
    t = {**TARGETS, "qualified_leads": 120}
    assert sw("qualified_leads", targets=t) == ("Im Plan: der Vertrieb bekommt so viele qualifizierte Gespräche "
                                                "wie geplant.")
    assert sw("qualified_leads", "en", targets=t) == "On plan: sales gets as many qualified conversations as planned."
    # one inquiry more is above it again
    t = {**TARGETS, "qualified_leads": 119}
    assert sw("qualified_leads", targets=t).startswith("Über Plan:")
    # without a target there is no verdict (never "above plan" against a plan nobody set)
    assert sw("qualified_leads", targets={}) == ("Kein Plan hinterlegt (params targets): Menge ohne Maßstab, "
                                                 "Vergleich mit Vormonat oben.")


def test_qualified_leads_with_a_web_goal_on_track_or_achieved():
    for status in ("on_track", "achieved"):
        ctx = {"web_goal": _goal(status), "web_goal_title_en": "Double website inquiries"}
        assert sw("qualified_leads", ctx=ctx) == ("Website-Anfragen 150 ggü. Ausgangswert 100: Ziel „Website-Anfragen "
                                                  "verdoppeln“ auf Kurs – ohne zusätzliche Kaltakquise.")
        assert sw("qualified_leads", "en", ctx=ctx) == ("Website inquiries 150 vs baseline 100: goal 'Double website "
                                                        "inquiries' on track without extra cold calling.")
    # a goal at risk does not get the good-news sentence
    assert sw("qualified_leads", ctx={"web_goal": _goal("at_risk")}).startswith("30 Anfragen unter Plan")
    # an English memo without the English title handed over names the goal by its own (German) title, never "None"
    assert sw("qualified_leads", "en", ctx={"web_goal": _goal("on_track")}) == (
        "Website inquiries 150 vs baseline 100: goal 'Website-Anfragen verdoppeln' on track without extra cold calling.")


def test_cost_per_lead_within_or_above_target():
    assert sw("cost_per_qualified_lead") == "Im Zielkorridor: jeder Euro bringt mehr Anfragen als geplant."
    assert sw("cost_per_qualified_lead", "en") == "Within target: each euro buys more inquiries than planned."
    # 10 000 / 120 = 83,33 €: exactly at a target of 10 000 / 120 is still within, but buys no more than planned
    at = {**TARGETS, "cost_per_qualified_lead": 10_000 / 120}
    assert sw("cost_per_qualified_lead", targets=at) == "Im Zielkorridor: jede Anfrage kostet so viel wie geplant."
    assert sw("cost_per_qualified_lead", "en", targets=at) == "Within target: each inquiry costs what was planned."
    above = {**TARGETS, "cost_per_qualified_lead": 80}
    assert sw("cost_per_qualified_lead", targets=above) == "Über dem Zielwert: Budget zu den günstigsten Kanälen verschieben."
    assert sw("cost_per_qualified_lead", "en", targets=above) == "Above target: shift budget to the cheapest channels."
    assert sw("cost_per_qualified_lead", targets={}) == ("Kein Zielwert hinterlegt (params targets): "
                                                         "Kosten je Anfrage ohne Maßstab.")  # no target: no verdict


def test_cost_per_lead_dearer_than_last_year_names_the_driver():
    kpi = Kpi("cost_per_qualified_lead", 130.0, 120.0, 100.0, 150.0, "money", False)
    worst = {"label": "LinkedIn Ads", "cpl": 260.0, "delta": "+30 %"}
    assert plain(so_what(kpi, "de", "EUR", {"worst_channel": worst})) == (
        "Teurer als im Vorjahr; Treiber ist LinkedIn Ads (260 € je Anfrage in den letzten 3 Monaten, +30 % ggü. Vorjahr).")
    assert plain(so_what(kpi, "en", "EUR", {"worst_channel": worst})) == (
        "More expensive than last year, driven by LinkedIn Ads (€260 per inquiry over the last 3 months, +30 % vs last year).")
    # cheaper than last year: the driver sentence is not used
    cheaper = Kpi("cost_per_qualified_lead", 100.0, 120.0, 100.0, 150.0, "money", False)
    assert so_what(cheaper, "de", "EUR", {"worst_channel": worst}).startswith("Im Zielkorridor")


def test_acceptance_more_than_ten_percent_below_target():
    # 50 % vs 60 %: gap −16,7 % < −10 %
    assert sw("sales_acceptance_rate") == ("Der Vertrieb lehnt mehr Anfragen ab als vereinbart: Qualitätskriterien im "
                                     "Sales-Sync klären.")
    assert sw("sales_acceptance_rate", "en") == ("Sales rejects more inquiries than agreed: align the quality criteria in "
                                           "the sales sync.")
    # 50 % vs 55 %: gap −9,1 % is within the tolerance
    ok = {**TARGETS, "mql_to_sql_rate": 0.55}
    assert sw("sales_acceptance_rate", targets=ok) == "Der Vertrieb nimmt die Anfragen an: die Qualität der Anfragen stimmt."
    assert sw("sales_acceptance_rate", "en", targets=ok) == "Sales accepts the inquiries: lead quality is where it should be."


def test_pipeline_revenue_and_romi_sentences():
    assert sw("marketing_pipeline_value") == "Deckt 75 % des Monatsziels; wird in 3–9 Monaten zu Umsatz."
    assert sw("marketing_pipeline_value", "en") == "Covers 75% of the monthly target; turns into revenue in 3–9 months."
    # issue 17 named the CRM value order intake ("Auftragseingang"), not revenue
    assert sw("marketing_won_revenue") == "50 % des Auftragseingangs stammen aus Marketing-Anfragen."
    assert sw("marketing_won_revenue", "en") == "50% of order intake came from marketing inquiries."
    # ROMI 100 %: each euro came back as 2,00 € contribution margin; the sentence says it counts all orders (new and
    # existing customers), never worded like the attribution review's first-order ROMI
    # ROMI is explained where the memo first names it (the tile): "Rendite der Marketingausgaben (ROMI)"
    assert sw("romi_all_orders") == ("Rendite der Marketingausgaben (ROMI) auf alle Aufträge aus Marketing-Anfragen "
                                     "(Neu- und Bestandskunden): 2,00 € Deckungsbeitrag je Marketing-Euro.")
    assert sw("romi_all_orders", "en") == ("Return on marketing investment (ROMI) over all orders from marketing "
                                           "inquiries (new and existing customers): €2.00 of contribution margin per "
                                           "marketing euro.")
    assert so_what(Kpi("other", 1, 1, 1, None, "count"), "de", "EUR", {}) == ""


def test_tiles_values_and_comparisons():
    store = _store()
    ts = tiles(store, list(_kpis().values()), "de", "EUR", {})
    by = {t.label: t for t in ts}
    # issue 17: the catalogue's names, each with its window
    assert list(by) == ["Qualifizierte Anfragen, Monat", "Kosten je qualifizierter Anfrage, Monat",
                        "Akzeptanzquote Vertrieb (Kohorte), Monat", "Neue Pipeline aus Marketing, Monat",
                        "Auftragseingang aus Marketing-Anfragen, Monat", "Marketing-ROMI gesamt, 12 Monate rollierend"]
    assert [plain(str(t.value)) for t in ts] == ["120", "83 €", "50 %", "300 Tsd. €", "40 Tsd. €", "100 %"]
    ql = by["Qualifizierte Anfragen, Monat"]
    assert [(c.label, plain(c.delta), c.good) for c in ql.comparisons] == [
        ("ggü. Vormonat", "+20 %", True), ("ggü. Vorjahresmonat", "+50 %", True), ("ggü. Ziel", "−20 %", False)]
    cpl = by["Kosten je qualifizierter Anfrage, Monat"]
    # lower is better: 83,33 € vs 100 € last month is good news
    assert [(plain(c.delta), c.good) for c in cpl.comparisons][:2] == [("−17 %", True), ("−33 %", True)]
    acc = by["Akzeptanzquote Vertrieb (Kohorte), Monat"]
    assert [plain(c.delta) for c in acc.comparisons] == ["0,0 Prozentpunkte", "0,0 Prozentpunkte", "−10,0 Prozentpunkte"]
    won = by["Auftragseingang aus Marketing-Anfragen, Monat"]
    # no target: previous month and last year only; 40 000 € vs 1 000 000 € in 2025-10 = −96 %
    assert [(c.label, plain(c.delta)) for c in won.comparisons] == [("ggü. Vormonat", "0 %"),
                                                                     ("ggü. Vorjahresmonat", "−96 %")]
    romi = by["Marketing-ROMI gesamt, 12 Monate rollierend"]
    # 100 % vs 500 % for the 12 months to 2026-09; the year-ago window lies in the ramp-up months: "–"
    assert [(c.label, plain(c.delta)) for c in romi.comparisons] == [
        ("ggü. Vormonat (12 Monate)", "−400,0 Prozentpunkte"), ("ggü. Vorjahr", "–"), ("ggü. Ziel", "−50,0 Prozentpunkte")]
    assert ql.so_what.startswith("30 Anfragen unter Plan")


def test_small_money_values_are_not_compacted():
    frame = kpi_month_frame()
    frame.loc[pd.Period("2026-10", freq="M"), "marketing_won_revenue"] = 9_999.0
    store = _store(frame=frame)
    kpis = [k for k in compute(store) if k.key == "marketing_won_revenue"]
    (tile,) = tiles(store, kpis, "en", "EUR", {})
    assert str(tile.value) == "€9,999"
    frame.loc[pd.Period("2026-10", freq="M"), "marketing_won_revenue"] = 10_000.0
    store = _store(frame=frame)
    kpis = [k for k in compute(store) if k.key == "marketing_won_revenue"]
    assert str(tiles(store, kpis, "en", "EUR", {})[0].value) == "€10k"


def _cpl():
    return pd.DataFrame({"cpl": [200.0, 80.0, 60.0], "cpl_ref": [100.0, 80.0, 70.0], "leads": [10, 10, 10],
                         "spend": [2_000.0, 800.0, 600.0], "change": [1.0, 0.0, -1 / 7],
                         "excess_cost": [1_000.0, 0.0, -100.0], "label": ["Messen", "Newsletter", "Google Ads"]},
                        index=["events", "newsletter", "paid_search"])


def test_recommendations_shift_budget_plan_goals_and_review_acceptance():
    goals = [_goal("at_risk", goal_id="pipe", metric="marketing_pipeline_value", title="Pipeline", target=500.0,
                 forecast=420.0, low=380.0, high=510.0), _goal("on_track"),
             _goal("missed", goal_id="", metric="sql", title="SQL", target=90.0, forecast=70.0, low=70.0, high=70.0)]
    recs = recommendations(list(_kpis().values()), goals, _cpl(), "de", "EUR", {"pipe": "Pipeline-Ziel 2026"},
                           goal_owners={"pipe": "Marketing & Vertrieb"}, sales_owner="Marketing & Vertriebsleitung",
                           review_month="Dezember 2026")
    # owners: the goal's own (params goals[].owner), marketing for a goal without one, the matrix's for acceptance;
    # no store, no channel decision (it rests on the store's last complete quarter: metrics.channel_stake)
    assert [r.owner for r in recs] == ["Marketing & Vertrieb", "Marketing", "Marketing & Vertriebsleitung"]
    plan = recs[0]
    assert plan.action == "Maßnahmenplan für Ziel „Pipeline-Ziel 2026“ vorlegen."  # no store: no euro rate
    # a money goal's figures as money (never "Prognose 12.395.100")
    assert plain(plan.evidence) == "Prognose 420 € (Spanne 380 €–510 €) ggü. Ziel 500 €: gefährdet."
    assert plain(plan.effect) == "Schließt die Lücke von 80 € zum Ziel bis 31.12.2026."
    assert plain(recs[1].evidence).endswith(": nicht auf Kurs.")
    acc = recs[2]
    assert acc.action == ("Ablehnungsgründe im nächsten Sales-Marketing-Sync durchgehen und die Kriterien für "
                          "qualifizierte Anfragen gemeinsam neu festlegen: ja / nein.")
    assert plain(acc.evidence) == "Akzeptanzquote 50 % ggü. Ziel 60 %."
    # (60 % − 50 %) × 120 inquiries = 12 more accepted; at 10 000 € / 120 = 83 € each (as shown): 12 × 83 = 996 €
    # (not 12 × 83.33 = 1 000 €, which a reader multiplying the printed figures cannot reproduce)
    assert plain(acc.effect) == ("Bei der Zielquote nimmt der Vertrieb 12 Anfragen mehr je Monat an – Marketingausgaben "
                                 "von rund 996 € (83 € je Anfrage), die heute in abgelehnte Anfragen fließen; kostet "
                                 "nur die Abstimmung.")


def test_goal_recommendation_costs_the_gap_at_the_company_s_own_rate():
    store = _store()
    g = _goal("off_track", goal_id="leads", metric="qualified_leads", title="Anfragen", target=200.0, forecast=170.0,
              low=150.0, high=190.0)
    recs = recommendations(list(compute(store)), [g], _cpl().assign(change=0.0, excess_cost=0.0), "de", "EUR", {},
                           store=store)
    rec = next(r for r in recs if "Anfragen" in plain(r.action))
    # cost per inquiry of the last 3 months: 3 × 10 000 € / (120 + 100 + 50) = 111.11 €; gap 200 − 170 = 30
    # inquiries a month -> 30 × 111.11 = 3 333 € a month
    assert plain(rec.action) == "Maßnahmenplan für Ziel „Anfragen“ vorlegen; es geht um rund 3.333 € je Monat: Freigabe ja / nein."
    assert plain(rec.effect).endswith("Zu den Kosten je qualifizierter Anfrage der letzten 3 Monate kostet das rund "
                                      "3.333 € je Monat.")


def test_recommendations_in_english_and_limits():
    goals = [_goal("off_track", goal_id="pipe", title="Pipeline", target=500.0, forecast=420.0, low=380.0, high=450.0)]
    recs = recommendations(list(_kpis().values()), goals, _cpl(), "en", "EUR", {})
    assert recs[0].action == "Present an action plan for the goal 'Pipeline'."
    assert plain(recs[0].evidence) == "Forecast 420 (range 380–450) vs target 500: off track."
    assert plain(recs[0].effect) == "Closes the gap of 80 to the target by 31 Dec 2026."
    assert recs[1].owner == "Marketing & Sales"
    assert plain(recs[1].evidence) == "Acceptance rate 50% vs target 60%."
    assert recs[1].action == ("Review rejection reasons in the next sales-marketing sync and agree new criteria for "
                              "qualified inquiries: yes / no.")
    # acceptance exactly at 90 % of target (0.5 vs 0.5/0.9) is not flagged; no costly channel, no goal: nothing to do
    calm = _cpl().assign(change=0.0, excess_cost=0.0)
    assert recommendations(list(_kpis({**TARGETS, "mql_to_sql_rate": 0.5 / 0.9}).values()), [], calm, "de", "EUR", {}) == []
    many = [_goal("at_risk", goal_id=f"g{i}") for i in range(5)]
    assert len(recommendations(list(_kpis().values()), many, _cpl(), "de", "EUR", {})) == 4


def test_missing_months_columns_and_targets_give_no_figure():
    k = _kpis({}, kpi_month_frame().loc["2025-10":])
    assert math.isnan(k["romi_all_orders"].year_ago)  # 2025-10 is the first month: the year-ago window is incomplete
    k = _kpis({}, kpi_month_frame().drop(columns=["marketing_pipeline_value"]))
    assert math.isnan(k["marketing_pipeline_value"].value)
    assert plain(so_what(k["marketing_pipeline_value"], "de", "EUR", {})) == ("Kein Monatsziel hinterlegt; "
                                                                            "neue Pipeline wird in 3–9 Monaten zu Umsatz.")
    k = _kpis({}, kpi_month_frame().loc["2026-01":])
    assert math.isnan(k["qualified_leads"].year_ago)  # 2025-10 is not in the data
    assert k["qualified_leads"].previous == 100


def test_other_currencies_are_printed():
    worst = {"label": "LinkedIn Ads", "cpl": 260.0, "delta": "+30 %"}
    kpi = Kpi("cost_per_qualified_lead", 130.0, 120.0, 100.0, 150.0, "money", False)
    assert "$260 per inquiry" in so_what(kpi, "en", "USD", {"worst_channel": worst})
    from cmo_workbook.memos.kpi_dashboard import headline

    cpl = pd.DataFrame({"cpl": [260.0], "cpl_ref": [200.0], "leads": [10], "spend": [2_600.0], "change": [0.3],
                        "excess_cost": [600.0], "label": ["LinkedIn Ads"], "window": ["2026-10/T3M"],
                        "segment": ["channel=linkedin_ads"]}, index=["linkedin_ads"])
    assert "$260" in headline(list(_kpis().values()), Period.parse("2026-10"), "en", "USD",
                              worst_channel(cpl, "en", currency="USD"))


def test_channel_labels_in_the_memo_language():
    from cmo_workbook.memos.kpi_dashboard import channel_cpl
    from cmo_workbook.render.wording import channel_label

    idx = pd.Index(["paid_search", "email"], name="channel")
    now = pd.DataFrame({"cost_per_qualified_lead": [50.0, 20.0], "qualified_leads": [10, 10], "spend": [500.0, 200.0]},
                       index=idx)
    for lang in ("de", "en"):
        cpl = channel_cpl(now, now, lang)
        assert cpl["label"].to_dict() == {c: channel_label(c, lang) for c in idx}
    assert channel_cpl(now, now, "de")["label"].tolist() != channel_cpl(now, now, "en")["label"].tolist()


def test_no_recommendation_is_a_sentence_and_names_goals_waiting_for_data():
    from cmo_workbook.memos.kpi_dashboard import recommendation_blocks
    waiting = [_goal("no_forecast"), _goal("no_forecast", goal_id="cpl"), _goal("on_track", goal_id="p")]
    (para,) = recommendation_blocks([], waiting, "de")
    assert plain(" ".join(para.text().split())) == (
        "Diesen Monat ist keine Entscheidung nötig: keine Kennzahl und kein Ziel verlangt eine Maßnahme. 2 Ziele haben "
        "noch zu wenige Monate Daten für eine Prognose; sie werden bewertet, sobald 4 Monate vorliegen.")
    (only,) = recommendation_blocks([], waiting[2:], "en")
    assert " ".join(only.text().split()) == "No decision needed this month: no KPI and no goal calls for action."
