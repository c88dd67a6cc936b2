"""One value per decision amount (#11): the channel shift and the safety stock read the same in every memo.

* The channel shift (metrics.channel_stake: the channel's own cost per inquiry against the year-ago quarter, capped
  at 20 % of its spend in the last complete quarter) is THE budget-shift amount. The attribution review's budget
  plan (metrics.budget.suggest, ROMI over 4 quarters) cuts the decision's channel by that amount, and its other cuts
  are named as a decision of their own, never summed into a second "Umschichtung" amount (it read 15,7 Tsd. € in
  the review against 8,7 Tsd. € in the KPI memo, the strategy memo and the deck).
* The safety stock is costed on the stake's demand window, which ends with the memo's month (VoC: October) or the
  quarter's last month (strategy memo, deck: September): every label of the amount names its basis month.

Figures are derived by hand below: from hand-made frames, and for the sample company from the raw exports with
plain pandas (not through the loaders or the functions under test).
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
import yaml

from cmo_workbook.memos import attribution_review as review
from cmo_workbook.memos import channel_decision
from cmo_workbook.metrics import budget, channel_budget, store
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.channel_stake import ChannelStake
from cmo_workbook.metrics.store import KpiStore
from cmo_workbook.periods import Period

from conftest import ROOT, parse_eml


def plain(text: object) -> str:
    return " ".join(str(text).replace("\u00a0", " ").replace("\u202f", " ").split())


# --------------------------------------------------------------------------- hand-made: the review's plan

NAN = float("nan")


def _channels() -> pd.DataFrame:
    """Four quarters of attribution; this quarter's budget: fairs 100 000 €, LinkedIn 10 000 €, paid search
    6 000 €, e-mail 20 000 €. Portfolio ROMI of the shiftable channels (cost-weighted):
    (0.2 × 10 000 + 0.3 × 6 000 + 3.0 × 20 000) / 36 000 = 1.77."""
    return pd.DataFrame(
        {"cost": [400_000.0, 40_000.0, 24_000.0, 80_000.0], "margin": [280_000.0, 48_000.0, 31_200.0, 320_000.0],
         "margin_low": [200_000.0, 28_000.0, 19_200.0, 240_000.0],
         "margin_high": [360_000.0, 72_000.0, 45_600.0, 400_000.0],
         "romi": [-0.3, 0.2, 0.3, 3.0], "romi_low": [-0.5, -0.3, -0.2, 2.0], "romi_high": [-0.1, 0.8, 0.9, 4.0],
         "cpl_change": [NAN, 0.67, 0.0, NAN], "budget": [100_000.0, 10_000.0, 6_000.0, 20_000.0]},
        index=["trade_fairs", "linkedin", "paid_search", "email"])


def _stake() -> ChannelStake:
    """LinkedIn in the store's Q3 2026: 9 000 € spend (the store's window, not the plan's 10 000 €), 10 inquiries at
    900 € against 540 € a year earlier. Excess 9 000 − 540 × 10 = 3 600 €; cap 20 % × 9 000 = 1 800 €: the shift
    is 1 800 € (a multiple of 100 already)."""
    return ChannelStake("linkedin", "quarter", "2026-Q3", 9_000.0, 10.0, 900.0, 540.0)


def _store() -> KpiStore:
    rows = [["marketing_won_revenue", "2026-Q3", "quarter", "", 1.5e6, "eur", True, "2026-Q2", 1.0e6, "2025-Q3", NAN, NAN],
            ["cost_per_qualified_lead", "2026-Q3", "quarter", "channel=linkedin", 900.0, "eur", True, "2026-Q2", 700.0,
             "2025-Q3", 540.0, NAN]]
    return KpiStore(pd.DataFrame(rows, columns=list(store.COLUMNS)), Period.parse("2026-Q3"), catalogue())


def _plan(decision: ChannelStake | None) -> pd.DataFrame:
    ch = _channels()
    return budget.suggest(ch[["romi", "romi_low", "romi_high", "cpl_change", "budget"]],
                          decided=channel_decision.plan_cuts(decision))


def test_the_plan_cuts_the_decision_s_channel_by_the_decision_s_amount():
    own = _plan(None)
    # the rule alone: LinkedIn's range reaches below 0, ROMI below the portfolio, cost per inquiry +67 % (>= 30 %):
    # full cut 20 % × 10 000 = 2 000 €; paid search: no alarm and the range reaches above 0: half, 10 % × 6 000 = 600 €
    assert own.at["linkedin", "change"] == -2_000.0 and own.at["paid_search", "change"] == -600.0
    s = _plan(_stake())
    # with the decision: LinkedIn −1 800 € (the decision's amount), paid search −600 € as before; the freed 2 400 €
    # go to e-mail (room 20 % × 20 000 = 4 000 €), nothing left in reserve
    assert s.at["linkedin", "change"] == -1_800.0 and s.at["paid_search", "change"] == -600.0
    assert s.at["email", "change"] == 2_400.0 and s.attrs["reserve"] == 0.0
    assert s.at["linkedin", "change_pct"] == pytest.approx(-0.18)
    # a channel the rule does not cut is not cut by a decision about it (the review then asks it on its own)
    held = budget.suggest(_channels()[["romi", "romi_low", "romi_high", "cpl_change", "budget"]],
                          decided={"email": 1_000.0})
    assert held.at["email", "action"] == "grow" and held.at["email", "change"] > 0


def test_the_review_names_one_amount_for_the_shift_and_the_other_cuts_apart():
    s, ch, st, decision = _plan(_stake()), _channels(), _store(), _stake()
    stakes = channel_budget.from_frame(ch, "2026-Q3")
    won = review.QKpi("marketing_won_revenue", 1.5e6, 1.0e6, None, "money", window="2026-Q3")
    decide = Period.parse("2026-Q4")
    head = plain(review.headline([won], ch, s, "Q3 2026", "de", "EUR", stakes=stakes, decide_from=decide,
                                 decision=decision))
    # the fairs' 400 000 € lead; beside them the decision as the KPI memo words it, not the plan's 2 400 € of cuts
    assert head.endswith("Freigabe von 400 Tsd. € ja / nein; daneben 1,8 Tsd. € Umschichtung aus LinkedIn.")
    assert "2,4 Tsd. €" not in head
    en = plain(review.headline([won], ch, s, "Q3 2026", "en", "EUR", stakes=stakes, decide_from=decide,
                               decision=decision))
    assert en.endswith("besides, move €1.8k out of LinkedIn.")
    # the budget paragraph: 1 800 € out of LinkedIn and 600 € out of paid search (2 400 € in all, never as one sum)
    text = plain(review.budget_paragraph(s, budget.expected_effect(s), "linkedin", "de", "EUR", shift_no=2,
                                         decision=decision))
    assert text.startswith("Die Umschichtung von 1,8 Tsd. € aus LinkedIn und 600 € aus Suchmaschinenwerbung"
                           " (Empfehlung 2) bringt")
    recs = review.recommendations(s, None, None, None, "de", "EUR", "Q4 2026", stakes=stakes, decide_from=decide,
                                  effect=budget.expected_effect(s), effect_range=review.shift_range(s), store=st,
                                  decision=decision, today=date(2026, 10, 5))
    shift = next(r for r in recs if r.key == "channel_shift.linkedin")
    action = plain(shift.action)
    # the decision first, with its amount and window; the plan it is part of; the other cut as its own yes / no
    assert action.startswith("Freigabe von 1,8 Tsd. € Umschichtung aus dem LinkedIn-Budget in Q4 2026 (20 % des"
                             " Budgets von Q3 2026): ja / nein. Teil des Plans: Budget Q4 2026 umschichten:"
                             " LinkedIn 1,8 Tsd. €, Suchmaschinenwerbung 600 € weniger; E-Mail +2,4 Tsd. €.")
    assert action.endswith("Dazu Freigabe von 600 € Kürzung bei Suchmaschinenwerbung in Q4 2026: ja / nein.")
    assert "2,4 Tsd. € Umschichtung" not in action and shift.amount == 1_800.0
    # without the decision (no channel rose 30 % in cost per inquiry) the plan's sum is the one amount asked
    recs = review.recommendations(_plan(None), None, None, None, "de", "EUR", "Q4 2026", store=st)
    assert plain(recs[0].action).endswith("Freigabe von 2,6 Tsd. € Umschichtung Q4 2026: ja / nein.")
    assert (recs[0].key, math.isnan(recs[0].amount)) == ("", True)


def test_a_decision_that_is_the_plan_s_only_cut_asks_nothing_twice():
    ch = _channels().drop(index="paid_search")
    s = budget.suggest(ch[["romi", "romi_low", "romi_high", "cpl_change", "budget"]],
                       decided=channel_decision.plan_cuts(_stake()))
    recs = review.recommendations(s, None, None, None, "de", "EUR", "Q4 2026", store=_store(), decision=_stake(),
                                  today=date(2026, 10, 5))
    action = plain(recs[0].action)
    assert action.count("Freigabe") == 1 and "Dazu Freigabe" not in action
    text = plain(review.budget_paragraph(s, budget.expected_effect(s), None, "de", "EUR", decision=_stake()))
    assert text.startswith("Die Umschichtung von 1,8 Tsd. € aus LinkedIn (Empfehlung 1) bringt")


# --------------------------------------------------------------------------- the sample company, by hand


def _quarter_spend(sample_dir) -> dict[str, float]:
    """Jul–Sep 2026 spend by channel from the raw exports (LinkedIn and Google Ads exports, the manual sheet)."""
    li = pd.read_csv(sample_dir / "ads" / "linkedin_campaign_performance.csv", skiprows=5)
    li_day = pd.to_datetime(li["Start Date (in UTC)"], format="%m/%d/%Y")
    g = pd.read_csv(sample_dir / "ads" / "google_ads_kampagnen.csv", skiprows=2, thousands=".", decimal=",")
    g = g[~g["Tag"].astype(str).str.startswith("Gesamt")]
    g_day = pd.to_datetime(g["Tag"], format="%d.%m.%Y")
    m = pd.read_excel(sample_dir / "budget" / "marketingkosten.xlsx", skiprows=2)
    cost = m["Kosten (€)"].map(lambda v: v if isinstance(v, (int, float)) else float(str(v).replace(".", "").replace(",", ".")))
    m_day = pd.to_datetime(m["Datum"], errors="coerce")
    q3 = lambda d: (d >= "2026-07-01") & (d < "2026-10-01")  # noqa: E731
    return {"linkedin": float(li.loc[q3(li_day), "Total Spent"].sum()),
            "paid_search": float(g.loc[q3(g_day), "Kosten"].sum()),
            "partner": float(cost[q3(m_day) & (m["Kanal"] == "Partner")].sum())}


@pytest.mark.slow
def test_the_sample_pack_asks_the_linkedin_shift_with_one_amount(memo_run, sample_dir):
    spend = _quarter_spend(sample_dir)
    # LinkedIn Q3 2026: 43 630,80 € in the ad export; cost per inquiry +82 % on the year-ago quarter, excess
    # 19,7 Tsd. € (the memos' evidence) > the cap 20 % × 43 630,80 = 8 726,16 €: the shift is 8 700 € (to 100 €)
    assert spend["linkedin"] == pytest.approx(43_630.80)
    assert math.trunc(0.20 * spend["linkedin"] / 100) * 100 == 8_700
    # the plan's other cuts at half strength (10 %): paid search 43 686,62 € → 4 368,66 → 4 300 €; partners
    # 5 110 + 8 350 + 8 460 + 5 880 = 27 800 € → 2 780 → 2 700 €; together 7 000 € ("7 Tsd. €")
    assert spend["paid_search"] == pytest.approx(43_686.62) and spend["partner"] == pytest.approx(27_800.0)
    rest = sum(math.trunc(0.10 * spend[c] / 100) * 100 for c in ("paid_search", "partner"))
    assert rest == 7_000

    result = memo_run("attribution_review", "2026-Q3", "de")
    assert result.ok
    _msg, _html, text, _images = parse_eml(result.eml)
    flat = plain(text)
    head = plain(result.message)
    assert head.endswith("Freigabe von 471 Tsd. € ja / nein; daneben 8,7 Tsd. € Umschichtung aus LinkedIn.")
    assert "Die Umschichtung von 8,7 Tsd. € aus LinkedIn und 7 Tsd. € aus Suchmaschinenwerbung, Partner" in flat
    assert ("Freigabe von 8,7 Tsd. € Umschichtung aus dem LinkedIn-Budget in Q4 2026 (20 % des Budgets von"
            " Q3 2026): ja / nein.") in flat
    assert "LinkedIn 8,7 Tsd. €, Suchmaschinenwerbung 4,3 Tsd. €, Partner 2,7 Tsd. € weniger" in flat
    assert "Dazu Freigabe von 7 Tsd. € Kürzung bei Suchmaschinenwerbung, Partner in Q4 2026: ja / nein." in flat
    assert "15,7 Tsd. €" not in flat  # the old sum of the cuts, read as a second amount of the same decision
    # the KPI memo of October asks the same decision with the same words and amount
    kpi = memo_run("kpi_dashboard", "2026-10", "de")
    assert kpi.ok and plain(kpi.message).endswith("daneben 8,7 Tsd. € Umschichtung aus LinkedIn.")
    # and the decision log holds one amount for it in both periods
    for res, memo in ((result, "attribution_review"), (kpi, "kpi_dashboard")):
        logged = yaml.safe_load((res.memo.parent / "decisions.yaml").read_text(encoding="utf-8"))[memo]
        assert [d["amount"] for d in logged if d["id"] == "channel_shift.linkedin"] == [8_700.0]


def _lines_intake(sample_dir, start: str, end: str) -> float:
    """Won order intake [start, end) of the six product lines (a deal name ends with the line, a reorder reads
    'Nachbestellung <line>'; 'Nachbestellung Ersatzteile' names no line), all customers."""
    d = pd.read_csv(sample_dir / "crm" / "hubspot_deals.csv")
    line = d["Deal Name"].str.split(" - ").str[-1].str.replace("Nachbestellung ", "", regex=False)
    close = pd.to_datetime(d["Close Date"])
    won = (d["Deal Stage"] == "Closed Won") & (close >= start) & (close < end) & (line != "Ersatzteile")
    assert line[won].nunique() == 6
    return float(d.loc[won, "Amount"].sum())


@pytest.mark.slow
def test_the_safety_stock_names_its_basis_month_in_the_voc_and_the_strategy_memo(memo_run, sample_dir):
    # October (VoC memo): 24 661 000 € × (1 − 38 %) × 4/52 = 1 176 140 € ("1,2 Mio. €"), × 20 % = 235 228 € a year
    oct_ = _lines_intake(sample_dir, "2025-11-01", "2026-11-01")
    assert oct_ == 24_661_000.0 and round(oct_ * 0.62 * 4 / 52) == 1_176_140 and round(oct_ * 0.62 * 4 / 52 * 0.2) == 235_228
    # September (strategy memo, the quarter's last month): 23 855 700 € × 0.62 × 4/52 = 1 137 733 € ("1,1 Mio. €"),
    # × 20 % = 227 547 € ("228 Tsd. €")
    sep = _lines_intake(sample_dir, "2025-10-01", "2026-10-01")
    assert sep == 23_855_700.0 and round(sep * 0.62 * 4 / 52) == 1_137_733 and round(sep * 0.62 * 4 / 52 * 0.2) == 227_547
    voc = memo_run("voice_of_customer", "2026-10", "de")
    assert voc.ok
    text = plain(parse_eml(voc.eml)[2])
    assert "Freigabe von 1,2 Mio. € Sicherheitsbestand (Basis Oktober 2026) für alle 6 Produktlinien" in text
    assert "Freigabe von 1,2 Mio. € Sicherheitsbestand (4 Wochen Bedarf, Basis Oktober 2026)" in text
    strategy = memo_run("strategy_memo", "2026-Q3", "de")
    assert strategy.ok
    text = plain(parse_eml(strategy.eml)[2])
    assert "Freigabe von 1,1 Mio. € Sicherheitsbestand (Basis September 2026) für alle 6 genannten" in text
    assert "Kosten: 228 Tsd. € im Jahr" in text
    assert "1,2 Mio. € Sicherheitsbestand" not in text  # no unlabelled second amount


def test_a_decision_asked_again_for_another_amount_names_the_earlier_one(tmp_path):
    """September's VoC asked 1,137,733 € of safety stock (Sep basis: 23,855,700 × 0.62 × 4/52, derived above), the
    Q3 strategy memo the same; October's asks 1,176,140 € (Oct basis). October's sentence names September's amount
    ("1,1 Mio. €"), so two amounts read as one decision recalculated, not as a contradiction (#11, CEO read)."""
    from cmo_workbook.memos import decisions
    from cmo_workbook.render.blocks import Recommendation

    sep = tmp_path / "2026-09"
    decisions.record(sep, "voice_of_customer", "2026-09", [{"kind": "recommendations", "items": [
        {"key": "rising_complaint.delivery_delay", "amount": 1_137_733.0, "action": "Freigabe … ja / nein?",
         "infer_kpi": False, "figures": []},
        {"key": "new_topic.portal", "amount": None, "action": "Neues Thema", "infer_kpi": False, "figures": []}]}],
        "de")
    stored = {d.id: d for d in decisions.load(sep, "de", "de")}
    assert stored["voice_of_customer.rising_complaint.delivery_delay"].amount == 1_137_733.0
    assert stored["voice_of_customer.rising_complaint.delivery_delay"].figures == []  # no KPI inferred from words
    recs = [Recommendation("Freigabe von 1,2 Mio. € … ja / nein?", key="rising_complaint.delivery_delay",
                           amount=1_176_140.0),
            Recommendation("Gleicher Betrag", key="rising_complaint.delivery_delay", amount=1_137_733.0),
            Recommendation("Neues Thema", key="new_topic.portal")]
    out = decisions.restated(recs, "voice_of_customer", tmp_path, Period.parse("2026-10"), "de", "EUR", "de")
    assert out[0].action == "Freigabe von 1,2 Mio. € … ja / nein? Im September 2026 genannt: 1,1\u00a0Mio.\u00a0€."
    assert out[1].action == "Gleicher Betrag" and out[2].action == "Neues Thema"  # same amount as printed; no amount
    # an English run keeps its own log (decisions.en.yaml) and reads it
    decisions.record(sep, "voice_of_customer", "2026-09", [{"kind": "recommendations", "items": [
        {"key": "rising_complaint.delivery_delay", "amount": 1_137_733.0, "action": "Approve …", "figures": []}]}],
        "en", own="de")
    en = decisions.restated(recs[:1], "voice_of_customer", tmp_path, Period.parse("2026-10"), "en", "EUR", "de")
    assert en[0].action.endswith("Stated in September 2026: €1.1m.")


@pytest.mark.parametrize(("low", "high", "want"), [
    # the sample's fairs: first orders 234-452 Tsd. € against 471,220 € of cost: the whole range below the cost.
    # Half of it first, rounded to thousands: 471,220 / 2 = 235,610 -> 236,000; the rest 471,220 - 236,000 = 235,220
    (234_000.0, 452_000.0, "Unsere Empfehlung: 236\u00a0Tsd.\u00a0€ für Q4 2026–Q1 2027 freigeben, die übrigen "
                           "235\u00a0Tsd.\u00a0€ erst, wenn je Veranstaltung Anfragen und Aufträge vorliegen"),
    (480_000.0, 600_000.0, "Unsere Empfehlung: ja – auch das untere Ende der Spanne deckt die Kosten."),
    (300_000.0, 500_000.0, "Unsere Empfehlung: ja, und nach zwei Quartalen Anfragen und Aufträge je Veranstaltung"),
])
def test_the_budget_question_carries_marketing_s_own_answer(low, high, want):
    """#11: the 471 Tsd. € fair decision had no recommendation of marketing's own; the answer follows the range of
    what the first orders brought against the cost."""
    fair = channel_budget.BudgetStake("trade_fairs", "2026-Q3", 471_220.0, 325_142.0, low, high)
    ask = channel_decision.budget_ask(fair, "de", "EUR", decide_from=Period.parse("2026-Q4"))
    assert ask.startswith("Budget Messen Q4 2026–Q3 2027: Freigabe von 471\u00a0Tsd.\u00a0€ wie in den letzten 4 "
                          "Quartalen – ja / nein. ")
    assert want in ask, ask
