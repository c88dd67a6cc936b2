"""One home for a channel's excess cost and the channel-shift decision (#11): the definition on a hand-made KPI
store, the window it is decided on, one id and one amount in the decision log, and the consistency check that
fails a period whose memos ask the same decision with two amounts. Figures derived by hand in the comments."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
import yaml

from cmo_workbook.memos import channel_decision, consistency, decisions, holdout
from cmo_workbook.metrics import budget, channel_stake as chs
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.store import COLUMNS, KpiStore, base_windows
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Recommendation, Recommendations


def plain(text: object) -> str:
    return str(text).replace("\xa0", " ")


def _store(period: str, channels: dict[str, tuple[float, float, float]], window: str, kind: str) -> KpiStore:
    """channel -> (spend, qualified inquiries, year-ago cost per inquiry) for one window, as kpis.csv holds them."""
    rows = []
    for ch, (spend, leads, ref) in channels.items():
        seg = f"channel={ch}"
        cpl = spend / leads if leads else math.nan
        rows += [("cost_per_qualified_lead", window, kind, seg, cpl, "eur", True, "", math.nan, "", ref, math.nan),
                 ("marketing_spend", window, kind, seg, spend, "eur", True, "", math.nan, "", math.nan, math.nan),
                 ("qualified_leads", window, kind, seg, leads, "count", True, "", math.nan, "", math.nan, math.nan)]
    return KpiStore(pd.DataFrame(rows, columns=list(COLUMNS)), Period.parse(period), catalogue())


# the sample's Q3 2026 as the store holds it (LinkedIn 43,630.80 € for 59 inquiries; 405.93 € a year earlier)
Q3 = {"linkedin": (43_630.80, 59, 405.9294737),
      "webinars": (9_650.0, 35, 190.0),         # 275.71 vs 190: +45 %, excess 9,650 − 190 × 35 = 2,999
      "paid_search": (40_000.0, 100, 320.0),     # 400 vs 320: +25 % (< 30 %), excess 40,000 − 32,000 = 8,000
      "email": (4_000.0, 40, 150.0),             # 100 vs 150: cheaper, excess −2,000
      "trade_fairs": (120_000.0, 50, math.nan),  # no year-ago value: not compared
      "partner": (5_000.0, 4, 100.0),            # 4 inquiries (< 5): not compared
      "organic_search": (0.0, 80, 0.0)}          # no spend: not compared


def test_excess_cost_is_spend_minus_last_years_rate_times_inquiries_and_ranks_the_channels():
    found = chs.stakes(_store("2026-Q3", Q3, "2026-Q3", "quarter"), "quarter")
    # compared: spend > 0, at least 5 inquiries, a year-ago value; costliest excess first
    assert [s.channel for s in found] == ["linkedin", "paid_search", "webinars", "email"]
    by = {s.channel: s for s in found}
    # 43,630.80 − 405.9294737 × 59 = 43,630.80 − 23,949.84 = 19,680.96
    assert by["linkedin"].excess == pytest.approx(19_680.96, abs=0.01)
    assert by["linkedin"].change == pytest.approx(739.5050847 / 405.9294737 - 1)  # +82 %
    assert by["paid_search"].excess == pytest.approx(8_000.0)
    assert by["email"].excess == pytest.approx(-2_000.0)
    assert (by["linkedin"].window, by["linkedin"].segment) == ("2026-Q3", "channel=linkedin")


def test_the_costliest_channel_needs_a_rise_of_thirty_percent_and_a_positive_excess():
    store = _store("2026-Q3", Q3, "2026-Q3", "quarter")
    assert chs.costliest(store, "quarter").channel == "linkedin"
    # without LinkedIn: paid search has the larger excess (8,000) but rose only 25 %: webinars (+45 %) it is
    rest = {k: v for k, v in Q3.items() if k != "linkedin"}
    assert chs.costliest(_store("2026-Q3", rest, "2026-Q3", "quarter"), "quarter").channel == "webinars"
    # exactly +30 % counts, just below does not: 1,300 € for 10 inquiries vs 100 € (and vs 100.01 €)
    assert chs.costliest(_store("2026-Q3", {"a": (1_300.0, 10, 100.0)}, "2026-Q3", "quarter"), "quarter") is not None
    assert chs.costliest(_store("2026-Q3", {"a": (1_300.0, 10, 100.01)}, "2026-Q3", "quarter"), "quarter") is None
    assert chs.decision(_store("2026-Q3", {"email": Q3["email"]}, "2026-Q3", "quarter")) is None


def test_the_shift_is_the_budget_rules_full_cut_of_the_channel():
    s = chs.decision(_store("2026-Q3", Q3, "2026-Q3", "quarter"))
    # min(19,680.96, 20 % × 43,630.80 = 8,726.16), towards zero to 100 €: 8,700
    assert s.shift == 8_700 and chs.decision_key(s) == "channel_shift.linkedin"
    # the attribution review's budget rule cuts a channel that rose ≥ 30 % by the full 20 %: the same 8,700 €
    rule = budget.suggest(pd.DataFrame({"budget": [43_630.80, 50_000.0], "romi": [0.81, 1.5], "romi_low": [-0.11, 0.7],
                                        "romi_high": [2.02, 2.2], "cpl_change": [s.change, 0.0]},
                                       index=["linkedin", "organic_search"]))
    assert rule.at["linkedin", "change"] == -s.shift
    # a rise of 30 % or more means an excess of at least 0.3 / 1.3 = 23 % of spend: the 20 % cap always binds
    edge = chs.ChannelStake("a", "quarter", "2026-Q3", 1_300.0, 10, 130.0, 100.0)
    assert edge.excess == pytest.approx(300.0) and edge.shift == 200.0  # min(300, 260) → 200 (towards zero)


def test_a_monthly_store_carries_the_last_complete_quarter_the_decision_rests_on():
    def quarter(p: str) -> str:
        return next(w.id for w in base_windows(Period.parse(p)) if w.kind == "quarter")
    assert quarter("2026-10") == "2026-Q3" and quarter("2026-11") == "2026-Q3"
    assert quarter("2026-09") == "2026-Q3" and quarter("2027-01") == "2026-Q4"
    assert quarter("2026-Q3") == "2026-Q3"
    oct_store = _store("2026-10", Q3, "2026-Q3", "quarter")
    assert oct_store.window(chs.DECISION_KIND) == "2026-Q3"
    assert chs.decision(oct_store).shift == 8_700  # the same decision from the October memo's store


def test_labels_carry_the_window_in_words():
    store = _store("2026-10", Q3, "2026-Q3", "quarter")
    assert chs.label(store, "cost_per_qualified_lead", "2026-Q3", "de") == "Kosten je qualifizierter Anfrage, Q3 2026"
    assert chs.label(store, "cost_per_qualified_lead", "2026-10/T3M", "de").endswith("letzte 3 Monate bis Okt 2026")
    assert chs.label(store, "cost_per_qualified_lead", "2026-10", "en").endswith(", October 2026")


def test_every_memo_asks_the_decision_in_the_same_words_with_the_same_amount_and_id():
    s = chs.decision(_store("2026-Q3", Q3, "2026-Q3", "quarter"))
    q_store, m_store = _store("2026-Q3", Q3, "2026-Q3", "quarter"), _store("2026-10", Q3, "2026-Q3", "quarter")
    today = date(2026, 12, 2)
    review = channel_decision.recommendation(s, q_store, "de", "EUR", today, owner="Marketing")
    kpi = channel_decision.recommendation(chs.decision(m_store), m_store, "de", "EUR", today, owner="Marketing",
                                          cite="Quartalsbericht")
    assert plain(review.action) == ("Freigabe von 8,7 Tsd. € Umschichtung aus dem LinkedIn-Budget in Q4 2026 "
                                    "(20 % des Budgets von Q3 2026): ja / nein.")
    assert plain(kpi.action).startswith(plain(review.action))
    assert plain(kpi.action).endswith("Wie im Quartalsbericht Q3 2026.")
    # generated in January 2027, the decision is for the current quarter, never a past one
    assert "in Q1 2027" in plain(channel_decision.action(s, q_store, "de", "EUR", date(2027, 1, 15)))
    # 740 € vs 406 € a year earlier; the CPL is the store's figure with its window
    assert "740 € je qualifizierter Anfrage ggü. 406 €" in plain(review.evidence)
    assert [(f.metric, f.window, f.segment) for f in review.figures()] == [
        ("cost_per_qualified_lead", "2026-Q3", "channel=linkedin")]
    recs = [Recommendations([review]).record()]
    found = decisions.from_records("attribution_review", "2026-Q3", recs, "de")
    other = decisions.from_records("kpi_dashboard", "2026-10", [Recommendations([kpi]).record()], "de")
    # one id in every memo (no memo prefix), one amount
    assert [(d.id, d.amount) for d in found] == [("channel_shift.linkedin", 8_700.0)]
    assert [(d.id, d.amount) for d in other] == [("channel_shift.linkedin", 8_700.0)]
    # a memo's own recommendation keeps its memo prefix
    assert decisions.decision_id("strategy_memo", {"key": "price_pressure.hartmann"}) == "strategy_memo.price_pressure.hartmann"


def _records(amount: float, key: str = "channel_shift.linkedin") -> list[dict]:
    return [Recommendations([Recommendation("Freigabe ...", key=key, amount=amount)]).record()]


def test_the_consistency_check_fails_a_period_whose_memos_ask_one_decision_with_two_amounts(tmp_path):
    today = date(2026, 12, 2)
    decisions.record(tmp_path, "attribution_review", "2026-Q3", _records(8_700.0), "de")
    assert yaml.safe_load((tmp_path / "decisions.yaml").read_text())["attribution_review"][0]["amount"] == 8_700.0
    # the strategy memo asks the same amount: no finding
    assert consistency.check(_records(8_700.0), "de", "strategy_memo", today, tmp_path) == []
    # planted: the deck asks 9,100 € for the same decision
    found = consistency.check(_records(9_100.0), "de", "impulse_deck", today, tmp_path)
    assert [(f.rule, f.subject, f.memo) for f in found] == [
        ("decision", "channel_shift.linkedin", "impulse_deck vs attribution_review")]
    assert "9,100 €" in found[0].message and "8,700 €" in found[0].message
    with pytest.raises(consistency.StoryError):
        raise consistency.StoryError(found)
    # inside one memo: two amounts for one decision
    both = _records(8_700.0) + _records(15_700.0)
    assert [f.rule for f in consistency.check(both, "de", "attribution_review", today)] == ["decision"]
    # another decision id is another decision
    assert consistency.check(_records(1.0, key="channel_shift.webinars"), "de", "impulse_deck", today, tmp_path) == []


def test_a_holdout_that_ran_is_found_for_the_review_and_one_not_yet_run_is_not():
    tests = holdout.from_params([{"channel": "linkedin", "test_regions": ["Nord", "Ost"], "start": "2026-04-06",
                                  "weeks": 12}])  # last day Sunday 2026-06-28
    assert holdout.finished(tests, "linkedin", Period.parse("2026-Q3")).last_day == pd.Timestamp("2026-06-28")
    assert holdout.finished(tests, "linkedin", Period.parse("2026-Q1")) is None
    assert holdout.finished(tests, "paid_search", Period.parse("2026-Q3")) is None


def test_the_decision_review_measures_the_decision_by_the_first_figure_whose_window_moved():
    # September's decision named Q3 2026 (739.51 €) and the last 3 months to September (739.51 € too, same months);
    # in October Q3 is still the last complete quarter (no new value), the last 3 months moved to Aug–Oct (794.25 €)
    d = decisions.Decision("channel_shift.linkedin", "kpi_dashboard", "2026-09", "Freigabe ...", figures=[
        {"metric": "cost_per_qualified_lead", "window": "2026-Q3", "segment": "channel=linkedin", "value": 739.51},
        {"metric": "cost_per_qualified_lead", "window": "2026-09/T3M", "segment": "channel=linkedin", "value": 739.51}],
        amount=8_700.0)
    rows = [("cost_per_qualified_lead", w, k, "channel=linkedin", v, "eur", True, "", math.nan, "", math.nan, math.nan)
            for w, k, v in (("2026-Q3", "quarter", 739.51), ("2026-10/T3M", "t3m", 794.25))]
    october = KpiStore(pd.DataFrame(rows, columns=list(COLUMNS)), Period.parse("2026-10"), catalogue())
    [o] = decisions.outcomes([d], {}, october)
    assert (o.kind, o.before, o.after) == ("t3m", 739.51, 794.25)
    # in January the quarter moved (Q4 2026): the decision's own quarter figure is the measure
    rows = [("cost_per_qualified_lead", "2026-Q4", "quarter", "channel=linkedin", 600.0, "eur", True, "", math.nan, "",
             math.nan, math.nan)]
    january = KpiStore(pd.DataFrame(rows, columns=list(COLUMNS)), Period.parse("2027-01"), catalogue())
    [o] = decisions.outcomes([d], {}, january)
    assert (o.kind, o.before, o.after) == ("quarter", 739.51, 600.0)


def test_the_review_asks_the_decision_in_its_budget_shift_and_cites_a_test_that_ran():
    from cmo_workbook.memos import attribution_review as review

    store = _store("2026-Q3", Q3, "2026-Q3", "quarter")
    s = pd.DataFrame({"action": ["cut", "grow"], "change": [-8_700.0, 8_700.0], "romi": [0.81, 1.53],
                      "budget": [43_630.80, 60_000.0]}, index=["linkedin", "organic_search"])
    recs = review.recommendations(s, None, "linkedin", None, "de", "EUR", "Q4 2026", store=store,
                                  decision=chs.decision(store), today=date(2026, 12, 2),
                                  test_result=["Test ohne LinkedIn-Werbung: −0,6 Anfragen.", "Kein Beitrag messbar."])
    shift, test = recs
    assert (shift.key, shift.amount) == ("channel_shift.linkedin", 8_700.0)
    # the decision first, in every memo's words, then the budget rule's plan with LinkedIn's cut of the same amount
    assert plain(shift.action).startswith("Freigabe von 8,7 Tsd. € Umschichtung aus dem LinkedIn-Budget in Q4 2026 "
                                          "(20 % des Budgets von Q3 2026): ja / nein. Teil des Plans:")
    assert "LinkedIn 8,7 Tsd. €" in plain(shift.action)
    # the test already ran: its verdict, never a new test proposal or "then decide on another 20 %"
    assert test.action == ("LinkedIn ist schon getestet. Kein Beitrag messbar. Die 81\u00a0% Rendite in der Tabelle "
                           "messen etwas anderes: woran LinkedIn beteiligt war, nicht was ohne LinkedIn fehlt.")
    assert test.evidence == "Test ohne LinkedIn-Werbung: −0,6 Anfragen."
    # the budget rule does not cut the decision's channel: the decision is asked on its own, same id and amount
    held = s.assign(action=["hold", "hold"], change=[0.0, 0.0])
    [alone] = review.recommendations(held, None, None, None, "de", "EUR", "Q4 2026", store=store,
                                     decision=chs.decision(store), today=date(2026, 12, 2))
    assert (alone.key, alone.amount) == ("channel_shift.linkedin", 8_700.0)


def test_the_boundaries_of_comparing_and_of_putting_budget_at_stake():
    # compared: any spend above 0 (half a euro counts), any positive reference (half a euro too); 0 is no reference
    assert chs.comparable(0.5, 5, 100.0) and chs.comparable(100.0, 5, 0.5)
    assert not chs.comparable(0.0, 5, 100.0) and not chs.comparable(100.0, 5, 0.0)
    assert not chs.comparable(100.0, 4, 100.0) and not chs.comparable(100.0, 5, math.nan)

    def s(spend: float, leads: float, cpl: float, ref: float) -> chs.ChannelStake:
        return chs.ChannelStake("a", "quarter", "2026-Q3", spend, leads, cpl, ref)

    # a rise of exactly the threshold counts: 150 vs 100 is +50 % exactly in binary floating point
    assert chs.first_costly([s(1_600.0, 10, 150.0, 100.0)], rise=0.5) is not None
    # excess = 1,000 − 100 × 10 = 0: nothing at stake however much the rate rose; half a euro is at stake
    assert chs.first_costly([s(1_000.0, 10, 150.0, 100.0)], rise=0.5) is None
    assert chs.first_costly([s(1_000.5, 10, 150.0, 100.0)], rise=0.5).excess == pytest.approx(0.5)
    # costliest passes its rise and min_leads on: +45 % webinars at stake only when the bar is below 45 %
    store = _store("2026-Q3", {"webinars": Q3["webinars"]}, "2026-Q3", "quarter")
    assert chs.costliest(store, "quarter", rise=0.5) is None and chs.costliest(store, "quarter", rise=0.4) is not None
    assert chs.costliest(store, "quarter", min_leads=36) is None  # 35 inquiries below a bar of 36
    # a channel id holding "=" keeps it (segments split at the first "=")
    odd = _store("2026-Q3", {"x=y": (1_300.0, 10, 100.0)}, "2026-Q3", "quarter")
    assert [c.channel for c in chs.stakes(odd, "quarter")] == ["x=y"]
