"""Euros at stake (#11): feedback linked to CRM accounts, the revenue a competitor's price cut touches, the strategy
memo's order by amount, and a stakeholder update that says what is true. Figures derived by hand in the comments."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.competitors.implications import price_move_stake, product_line, product_revenue
from cmo_workbook.memos import competitor_briefing as briefing
from cmo_workbook.memos import stakeholder_update as update
from cmo_workbook.memos import strategy_memo as strategy
from cmo_workbook.memos import voice_of_customer as vm
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.store import KpiStore
from cmo_workbook.periods import Period
from cmo_workbook.voc.recommend import account_stake, link_accounts, match_summary

T = pd.Timestamp


def plain(text: object) -> str:
    return str(text).replace("\xa0", " ")


# -- VoC: feedback -> accounts -> order intake ------------------------------------------------------------------

FEEDBACK = pd.DataFrame([
    # company with a legal form the deals spell without it
    {"feedback_id": "F1", "company": "Lange Umformtechnik GmbH", "account_id": pd.NA, "contact_email": pd.NA},
    # no company: the contact's mail domain is a CRM contact's, whose account has deals
    {"feedback_id": "F2", "company": pd.NA, "account_id": pd.NA, "contact_email": "m.kaiser@berger.de"},
    # a mail provider never links
    {"feedback_id": "F3", "company": pd.NA, "account_id": pd.NA, "contact_email": "kunde@gmail.com"},
    # the export's own customer number
    {"feedback_id": "F4", "company": pd.NA, "account_id": "A1", "contact_email": pd.NA},
    # a company the CRM does not know
    {"feedback_id": "F5", "company": "Unbekannt AG", "account_id": pd.NA, "contact_email": pd.NA},
])
ITEMS = pd.DataFrame({
    "feedback_id": ["F1", "F2", "F3", "F4", "F5"], "month": "2026-10",
    "themes": [("delivery_delay",), ("delivery_delay", "price"), ("delivery_delay",), ("price",), ("delivery_delay",)],
    "product": ["Servogetriebe KS-90", "Planetengetriebe KP-120", "Servogetriebe KS-90", "Kupplung KC-Flex",
                "Servogetriebe KS-90"],
})
DEALS = pd.DataFrame([
    ("A1", "Lange Umformtechnik", "won", 100_000.0, "2026-03-15", "Lange Umformtechnik - Servogetriebe KS-90"),
    ("A1", "Lange Umformtechnik", "won", 50_000.0, "2025-10-31", "Lange Umformtechnik - Servogetriebe KS-60"),  # before
    ("A1", "Lange Umformtechnik", "open", 30_000.0, None, "Lange Umformtechnik - Kupplung KC-Flex"),
    ("A2", "Berger Prozesstechnik B.V.", "won", 20_000.0, "2026-10-31", "Nachbestellung Servogetriebe KS-60"),
    ("A2", "Berger Prozesstechnik B.V.", "won", 5_000.0, "2026-11-05", "Nachbestellung Servogetriebe KS-600"),  # after
    ("A2", "Berger Prozesstechnik B.V.", "lost", 70_000.0, "2026-05-01", "Berger - Servogetriebe KS-90"),
], columns=["account_id", "company", "status", "amount", "close_date", "deal_name"])
DEALS["close_date"] = pd.to_datetime(DEALS["close_date"])
LEADS = pd.DataFrame({"contact_email": ["a.berger@berger.de", "x@gmail.com"], "account_id": ["A2", "A1"],
                      "company": ["Berger Prozesstechnik", "Lange Umformtechnik"]})


def test_feedback_links_by_customer_number_company_and_mail_domain_never_by_a_mail_provider():
    links = link_accounts(FEEDBACK, DEALS, LEADS).set_index("feedback_id")
    assert links.loc["F1"].tolist() == ["A1", "company"]
    assert links.loc["F2"].tolist() == ["A2", "email_domain"]
    assert links.loc["F4"].tolist() == ["A1", "account_id"]
    assert links.loc[["F3", "F5"], "account"].isna().all()
    # 3 of 5 linked: 60 %, one by each method
    assert match_summary(links.reset_index()) == {"n": 5, "linked": 3, "rate": 0.6,
                                                  "by": {"account_id": 1, "company": 1, "email_domain": 1}}


def test_order_intake_of_the_accounts_behind_a_theme_counts_won_orders_of_the_twelve_months_only():
    links = link_accounts(FEEDBACK, DEALS, LEADS)
    st = account_stake(ITEMS, links, DEALS, theme="delivery_delay", end=Period.parse("2026-10").end)
    # delivery items F1, F2, F3, F5 (4); linked F1 -> A1, F2 -> A2; window 1 Nov 2025 – 31 Oct 2026:
    # A1 100,000 (Mar 2026) + A2 20,000 (31 Oct 2026) = 120,000; 50,000 (Oct 2025) and 5,000 (Nov 2026) are outside,
    # the lost 70,000 never counts; open 30,000 (A1)
    assert (st.n_items, st.n_linked, st.accounts, st.won_deals) == (4, 2, 2, 2)
    assert st.order_intake == 120_000 and st.open_pipeline == 30_000
    assert st.match_rate == 0.5 and (st.start, st.end) == (T("2025-11-01"), T("2026-11-01"))
    assert st.products == ["Servogetriebe KS-90", "Planetengetriebe KP-120"]  # 3 items name KS-90, 1 KP-120
    # KS-90 alone carries 3 of the 4 items naming a line (75 % >= half): the decision names it, not KP-120
    assert st.focus_products() == ["Servogetriebe KS-90"] and st.months == ("2026-10",)
    assert plain(vm.stake_products(st, "de")) == "Servogetriebe KS-90 (75 % der Rückmeldungen mit Produktangabe, Okt 2026)"
    assert plain(vm.stake_message(st, "de")) == (
        # the feedback month is in the label: a quarter's memo counts other customers (issue #11)
        "Auf dem Spiel: 120 Tsd. € Auftragseingang von 2 Kunden, die sich im Okt 2026 dazu meldeten (gewonnene Aufträge"
        " Nov 2025 – Okt 2026;"
        " 2 der 4 Rückmeldungen einem Kunden zugeordnet).")
    # the first screen names the decision beside the euros (the focus theme's owner puts a figure on the cost)
    assert plain(vm.stake_message(st, "de", owner="operations")).endswith(
        " Zu entscheiden (siehe Maßnahmen): Sicherheitsbestand für Servogetriebe KS-90 – ja/nein; das gebundene"
        " Kapital beziffert Leitung Operations/Logistik.")
    decision = plain(vm.decision_text(st, "operations", "en"))
    assert decision.startswith("Decision: safety stock for Servogetriebe KS-90 (75% of the feedback naming a product,"
                               " Oct 2026) – the capital tied up is not in the data (")
    assert decision.endswith("against €120k order intake (orders won Nov 2025 – Oct 2026);"
                             " yes/no?")


def test_complaints_spread_over_many_lines_name_all_of_them_in_the_voc_and_the_strategy_memo_alike():
    # 3/3/3/3 of 12: the top two (ties alphabetical) carry 6 of 12 = half -> those two are named;
    # 3/2/2/2/2 of 11: the top two carry 5 < 5.5 (half), three lines would be needed -> spread: all 5 lines,
    # the most named at 3/11 = 27 %
    def stake_of(counts: dict[str, int], month: str):
        products = [p for p, n in counts.items() for _ in range(n)]
        items = pd.DataFrame({"feedback_id": [f"X{i}" for i in range(len(products))], "month": month,
                              "themes": [("delivery_delay",)] * len(products), "product": products})
        links = pd.DataFrame({"feedback_id": items["feedback_id"], "account": pd.NA, "linked_by": pd.NA})
        return account_stake(items, links, DEALS, theme="delivery_delay", end=Period.parse(month).end)

    even = stake_of({"KD-400": 3, "KS-60": 3, "KP-120": 3, "KC-Flex": 3}, "2026-09")
    assert even.focus_products() == ["KC-Flex", "KD-400"]
    spread_sep = stake_of({"KD-400": 3, "KS-60": 2, "KP-120": 2, "KC-Flex": 2, "KK-80": 2}, "2026-09")
    spread_oct = stake_of({"KC-Flex": 3, "KS-60": 2, "KD-400": 2, "KP-120": 2, "KK-80": 2}, "2026-10")
    # neighbouring months, different most-named line: neither singles out a pair, both name all five lines
    assert spread_sep.focus_products() == spread_oct.focus_products() == []
    assert plain(vm.stake_products(spread_sep, "de")) == (
        "alle 5 genannten Produktlinien (Sep 2026: keine über 27 % der Rückmeldungen mit Produktangabe)")
    assert plain(vm.stake_products(spread_oct, "en")) == (
        "all 5 product lines named (Oct 2026: none above 27% of the feedback naming a product)")
    # the strategy memo's decision uses the same words (one home): the VoC text is inside it
    rec_text = plain(vm.decision_text(spread_sep, "operations", "de"))
    assert "Sicherheitsbestand für alle 5 genannten Produktlinien (Sep 2026:" in rec_text


def test_a_theme_nobody_can_be_linked_to_says_which_input_is_missing():
    links = link_accounts(FEEDBACK.assign(company=pd.NA, account_id=pd.NA, contact_email=pd.NA), DEALS, LEADS)
    st = account_stake(ITEMS, links, DEALS, theme="delivery_delay", end=T("2026-11-01"))
    assert st.n_linked == 0 and st.order_intake == 0
    assert "Kunden-Nr. oder Firmenname im Feedback-Export ergänzen" in vm.stake_message(st, "de")


# -- competitor: revenue a price cut touches --------------------------------------------------------------------


def test_product_lines_come_from_deal_names_longest_name_first():
    names = pd.Series(["X - Servogetriebe KS-600", "Nachbestellung servogetriebe ks-60", "Ersatzteile"])
    assert product_line(names, ["Servogetriebe KS-60", "Servogetriebe KS-600"]).tolist() == [
        "Servogetriebe KS-600", "Servogetriebe KS-60", pd.NA]
    assert product_line(names, ["Servogetriebe KS-60"]).tolist() == [pd.NA, "Servogetriebe KS-60", pd.NA]


def test_a_price_cut_carries_the_touched_intake_the_margin_cost_of_matching_and_the_break_even_loss():
    item = {"competitor": "Hartmann Antriebe", "our_product": "Servogetriebe KS-60, Servogetriebe KS-90",
            "change_pct": -12.0}
    st = price_move_stake(item, DEALS, gross_margin=0.38, end=T("2026-10-01"))
    # window 1 Oct 2025 – 30 Sep 2026, won: KS-90 100,000 (Mar 2026); KS-60 50,000 (31 Oct 2025) is inside;
    # KS-60 20,000 (31 Oct 2026) after; the lost KS-90 never counts -> 150,000 from 2 orders
    assert (st.order_intake, st.deals) == (150_000, 2)
    # matching 12 % on it: 18,000 of margin; losing all of it: 150,000 × 0.38 = 57,000; break-even 0.12 / 0.38 = 31.6 %
    assert st.match_cost == pytest.approx(18_000) and st.margin_at_risk == pytest.approx(57_000)
    assert st.break_even_share == pytest.approx(0.315789, abs=1e-6)
    text = plain(briefing.stake_text(st, "de"))
    assert text.startswith("Auf dem Spiel: 150 Tsd. € Auftragseingang mit Servogetriebe KS-60, Servogetriebe KS-90"
                           " (gewonnene Aufträge Okt 2025 – Sep 2026); volles Mitziehen um 12 % kostet 18 Tsd. € Marge")
    assert "mehr als 32 % davon an Hartmann Antriebe ginge" in text
    assert "ja/nein?" in briefing.decision_text(st, "de")
    by_line = product_revenue(DEALS, ["Servogetriebe KS-60", "Servogetriebe KS-90", "Kupplung KC-Flex"],
                              end=T("2026-10-01"))
    assert by_line.set_index("product")["order_intake"].to_dict() == {
        "Servogetriebe KS-60": 50_000, "Servogetriebe KS-90": 100_000, "Kupplung KC-Flex": 0}


def test_without_product_lines_in_the_crm_the_stake_names_the_missing_input():
    deals = DEALS.assign(deal_name="Auftrag")
    st = price_move_stake({"competitor": "H", "our_product": "Servogetriebe KS-60", "change_pct": -10.0}, deals,
                          gross_margin=0.38, end=T("2026-10-01"))
    assert not st.known and math.isnan(st.order_intake)
    assert "das CRM nennt die Produktlinie der Aufträge nicht" in briefing.stake_text(st, "de")


def test_an_unobserved_competitor_gets_no_price_index_but_a_data_gap(sample_dir):
    from cmo_workbook.memos.context import open_workbook
    from conftest import ROOT

    wb = open_workbook(ROOT / "params" / "example.yaml", "2026-Q3", "de", kind="quarter",
                       tables=["competitor_observations", "competitor_prices", "competitor_messaging", "deals"])
    res = briefing.analyse(wb.ds, wb.params.raw["competitors"], wb.period, lang="de")
    # Alpin Drives AG has price snapshots up to 05.10.2026 but no observation since 28.03.2026
    assert "Alpin Drives AG" in set(res.quiet["competitor"])
    assert "Alpin Drives AG" not in set(res.index["competitor"]) | set(res.index_by_product["competitor"])
    cats, _, _, _ = briefing.price_position(res)
    assert not any(c.startswith("Alpin") for c in cats)
    assert briefing.price_gap_line(res).endswith("(Datenlücke, keine Entwarnung): Alpin Drives AG.")
    stakes = briefing.price_stakes(res, wb.ds.deals, wb.params.gross_margin)
    # Hartmann's 12 % cut of 15.09.2026 touches KS-60 and KS-90: won Oct 2025 – Sep 2026 per the sample CRM
    (st,) = stakes.values()
    assert st.products == ["Servogetriebe KS-60", "Servogetriebe KS-90"] and st.cut == pytest.approx(0.12)
    blocks = briefing.main_blocks(res, limit=2, stakes=stakes)
    assert blocks[0].key == "price.hartmann_antriebe"
    assert any(a.startswith("Entscheidung: darf der Vertrieb bis 12") for a in blocks[0].actions)
    assert "das betrifft" in briefing.headline(res, blocks, stakes)


# -- strategy memo: the biggest amount leads --------------------------------------------------------------------

COLUMNS = ["metric", "window", "window_kind", "segment", "value", "unit", "reliable", "prev_window", "prev_value",
           "py_window", "py_value", "target"]


def _store(period: str, rows: list[tuple]) -> KpiStore:
    """(metric, window, kind, segment, value, unit, prev_value, py_value) rows as kpis.csv holds them."""
    df = pd.DataFrame([(m, w, k, s, v, u, True, "", p, "", y, math.nan) for m, w, k, s, v, u, p, y in rows],
                      columns=COLUMNS)
    return KpiStore(df, Period.parse(period), catalogue())


Q3 = _store("2026-Q3", [
    ("cost_per_qualified_lead", "2026-Q3", "quarter", "", 563.06, "eur", 475.58, 546.52),
    ("cost_per_qualified_lead", "2026-Q3", "quarter", "channel=linkedin", 739.5050847, "eur", 616.69, 405.9294737),
    ("cost_per_qualified_lead", "2026-Q3", "quarter", "channel=webinars", 275.7142857, "eur", 248.37, 190.0),
    ("cost_per_qualified_lead", "2026-Q3", "quarter", "channel=email", 127.94, "eur", 120.83, 174.0),
    ("cost_per_qualified_lead", "2026-Q3", "quarter", "channel=trade_fairs", 2359.090909, "eur", 662.7027027, math.nan),
    ("marketing_spend", "2026-Q3", "quarter", "channel=linkedin", 43630.8, "eur", math.nan, math.nan),
    ("marketing_spend", "2026-Q3", "quarter", "channel=webinars", 9650.0, "eur", math.nan, math.nan),
    ("qualified_leads", "2026-Q3", "quarter", "channel=linkedin", 59.0, "count", math.nan, math.nan),
    ("qualified_leads", "2026-Q3", "quarter", "channel=webinars", 35.0, "count", math.nan, math.nan),
    ("marketing_spend", "2026-09/T12M", "t12m", "channel=trade_fairs", 471220.0, "eur", math.nan, math.nan),
    ("marketing_won_revenue", "2026-09/T12M", "t12m", "channel=trade_fairs", 3559000.0, "eur", math.nan, math.nan),
])


def test_the_channel_at_stake_is_the_one_with_most_cost_above_last_years_cost_per_inquiry():
    ch = strategy.channel_stake(Q3)
    # LinkedIn: 739.51 vs 405.93 (+82 %): 43,630.80 − 405.93 × 59 = 19,680.96; webinars +45 %: 9,650 − 190 × 35 = 2,999;
    # e-mail got cheaper (and has no spend row here), trade fairs have no year-ago value (no inquiries then)
    assert ch.channel == "linkedin" and ch.excess == pytest.approx(19_680.96, abs=0.01)
    # the decision moves at most 20 % of the quarter's 43,630.80 = 8,726.16, towards zero to 100 €: 8,700
    assert ch.shift == 8_700
    assert ch.leads_at_risk == pytest.approx(8_700 / 739.505, rel=1e-4)  # 11.8 inquiries at the quarter's own rate
    assert (ch.window, ch.segment, ch.kind) == ("2026-Q3", "channel=linkedin", "quarter")


def test_recommendations_are_ordered_by_euros_at_stake_whatever_their_source():
    recs = [strategy.StrategyRec("delivery_promise", "a", "", "", stake=1_472_550.0),
            strategy.StrategyRec("new_customer_topic", "b", "", ""),
            strategy.StrategyRec("price_pressure", "c", "", "", stake=7_509_500.0),
            strategy.StrategyRec("channel_budget", "d", "", "", stake=19_681.0),
            strategy.StrategyRec("monitoring_gap", "e", "", "")]
    assert [r.rule for r in strategy.by_stake(recs)] == ["price_pressure", "delivery_promise", "channel_budget",
                                                         "new_customer_topic", "monitoring_gap"]


# -- stakeholder update: what is true ---------------------------------------------------------------------------


def test_a_trade_fair_activity_gets_its_channels_cost_and_result_with_their_windows():
    assert update.activity_channel(("messe", "lieferzeit"), "FachPack 2026: Stand betreut") == "trade_fairs"
    assert update.activity_channel(("webinar",), "Webinarreihe") == "webinars"
    assert update.activity_channel((), "LinkedIn-Kampagne gestartet") == "linkedin"
    assert update.activity_channel(("preis",), "Preisliste") == ""
    text = plain(update.channel_result(Q3, "trade_fairs", Period.parse("2026-Q3"), "de", "EUR"))
    # 2,359.09 / 662.70 − 1 = +256 %: the cost per inquiry more than tripled against Q2
    assert text == ("Zur Einordnung – Messen, 12 Monate bis Sep 2026: 471 Tsd. € Kosten, 3,6 Mio. € Auftragseingang aus"
                    " ihren Anfragen; Kosten je qualifizierter Anfrage im Q3 2026 2.359 € (+256 % ggü. Vorquartal).")
    assert update.channel_result(Q3, "email", Period.parse("2026-Q3"), "de", "EUR") is None  # no spend in the store


def test_pipeline_is_called_opportunity_value_not_order_intake():
    k = lambda key, v, py, prev: update.QuarterKpi(key, v, py, prev, True, "2026-Q3")  # noqa: E731
    kpis = {"qualified_leads": k("qualified_leads", 395, 340, 601),
            "marketing_pipeline_value": k("marketing_pipeline_value", 6_684_700, math.nan, 7_731_300),
            "marketing_won_revenue": k("marketing_won_revenue", 4_084_700, math.nan, 2_556_300),
            "marketing_spend": k("marketing_spend", 222_407, 185_818, 285_826),
            "cost_per_qualified_lead": update.QuarterKpi("cost_per_qualified_lead", 563.06, 546.52, 475.58, False,
                                                         "2026-Q3")}
    for lang, must, never in (("de", "ungewichtet und noch kein Auftragseingang", "Auftragseingang der kommenden"),
                              ("en", "unweighted and not yet order intake", "order intake of the coming")):
        text = plain(update.achieved(kpis, [], [], None, Period.parse("2026-Q3"), lang, "EUR"))
        assert must in text and never not in text
    # 6.68 m vs 7.73 m in Q2: −13.5 % -> "−14 %"; the cost of the quarter is said beside the results (+20 % on Q3 2025)
    de = plain(update.achieved(kpis, [], [], None, Period.parse("2026-Q3"), "de", "EUR"))
    assert "Neue Pipeline aus Marketing: 6,7 Mio. € (−14 % ggü. Vorquartal)" in de
    # 222,407 / 395 = 563.06 € per inquiry, +3 % on 546.52 a year ago (a cost: a rise is worse)
    assert "bei 222 Tsd. € Marketingkosten (+20 % ggü. Vorjahresquartal) – das sind 563 € je Anfrage (+3 % ggü." in de


def test_the_decision_log_shortens_an_action_to_its_first_clause_not_at_an_abbreviation():
    from cmo_workbook.memos.decisions import _short

    # VoC actions start with their evidence in parentheses ("+6,8 Pp. ggü. Basis"): the clause ends at the colon after it
    assert _short("Lieferverzögerungen steigen (+6,8 Pp. ggü. Basis, n = 35): Ursache analysieren und beheben.") == \
        "Lieferverzögerungen steigen (+6,8 Pp. ggü. Basis, n = 35)"
    assert _short("Anteil 1,2 Mio. € halten. Danach prüfen.") == "Anteil 1,2 Mio. € halten"
    assert _short("Budget für Lepp. erhöhen. Danach") == "Budget für Lepp"  # a word ending in "pp" is no abbreviation


def test_a_company_without_deals_gets_the_missing_input_named_instead_of_a_failing_memo():
    class NoCrm:
        def has(self, name: str) -> bool:
            return False

    deals, leads = vm.crm_tables(NoCrm())
    assert deals.empty and leads is None
    st = account_stake(ITEMS, link_accounts(FEEDBACK, deals, leads), deals, theme="delivery_delay", end=T("2026-11-01"))
    assert (st.n_items, st.n_linked, st.order_intake) == (4, 0, 0)
    assert vm.stake_message(st, "en").startswith("Revenue at stake: unknown – none of the 4 items can be linked")
    cut = price_move_stake({"competitor": "H", "our_product": "Servogetriebe KS-60", "change_pct": -10.0}, deals,
                           gross_margin=0.38, end=T("2026-10-01"))
    assert not cut.known and "does not name the product line" in briefing.stake_text(cut, "en")


def test_the_strategy_headline_names_the_stake_and_what_the_decision_costs():
    from types import SimpleNamespace

    # the price stake of the test above: 150,000 € touched, matching 12 % costs 18,000 € of margin
    rec = strategy.StrategyRec("price_pressure", "Mit Wert statt Rabatt antworten.", "", "", stake=150_000.0,
                               stake_text="150 Tsd. € Auftragseingang mit Servogetriebe KS-90",
                               cost_text=plain(strategy.t("strat_cost_price_no", "de", pct="12 %", cost="18 Tsd. €")))
    head = plain(strategy.headline(SimpleNamespace(lang="de"), [rec]))
    assert head == ("Mit Wert statt Rabatt antworten – auf dem Spiel: 150 Tsd. € Auftragseingang mit Servogetriebe KS-90;"
                    " zu entscheiden: Rabatt bis 12 % pauschal freigeben? Empfehlung: nein – Rabatt nur im Einzelfall"
                    " nach Freigaberegel (pauschal kostete er bis 18 Tsd. € Marge im Jahr).")
    rec.cost_text = ""  # a rule without a cost keeps the stake-only headline
    assert plain(strategy.headline(SimpleNamespace(lang="de"), [rec])).endswith("auf dem Spiel: 150 Tsd. € Auftragseingang"
                                                                                 " mit Servogetriebe KS-90.")


def test_the_budget_channels_activity_gets_the_budget_decision_not_its_order_intake():
    """#11: beside a trade-fair diary entry the update says the pack's budget decision (margin, ROMI, decision) —
    "471 Tsd. € Kosten, 3,6 Mio. € Auftragseingang" read as a success for a channel with ROMI −31 %."""
    from datetime import date

    from cmo_workbook.metrics.channel_budget import BudgetStake

    # (325 − 471) / 471 = −31 %; (234 − 471) / 471 = −50 %; (452 − 471) / 471 = −4 %
    st = BudgetStake("trade_fairs", "2026-Q3", 471_000.0, 325_000.0, 234_000.0, 452_000.0)
    text = plain(update.channel_sentence("trade_fairs", Q3, Period.parse("2026-Q3"), "de", "EUR", st, date(2026, 12, 3)))
    assert text == ("Zur Einordnung – Messen in Q4 2025–Q3 2026: 325 Tsd. € Deckungsbeitrag aus Erstaufträgen ggü. "
                    "471 Tsd. € Kosten, Rendite der Erstaufträge −31 % (Spanne −50 % bis −4 %); "
                    "über das Budget Q4 2026–Q3 2027 (Freigabe von 471 Tsd. € ja / nein) entscheidet die "
                    "Geschäftsführung mit dem Quartalsbericht.")
    from cmo_workbook.memos import consistency
    assert consistency.verdicts([{"kind": "paragraph", "text": text}], "de") == {"channel:trade_fairs": [(-1, (
        "Messen in Q4 2025–Q3 2026: 325 Tsd. € Deckungsbeitrag aus Erstaufträgen ggü. 471 Tsd. € Kosten, Rendite "
        "der Erstaufträge −31 % (Spanne −50 % bis −4 %)"))]}  # the review's verdict, in the review's words
    # another channel keeps its store figures; without a budget decision trade fairs do too
    assert plain(update.channel_sentence("trade_fairs", Q3, Period.parse("2026-Q3"), "de", "EUR")).startswith(
        "Zur Einordnung – Messen, 12 Monate bis Sep 2026")
