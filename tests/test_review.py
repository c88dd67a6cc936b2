"""Quarterly review narrative and CRM outcomes on hand-made numbers."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.metrics import budget, store
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.store import KpiStore
from cmo_workbook.memos import attribution_review as review
from cmo_workbook.attribution import attribute
from cmo_workbook.attribution.crm import outcomes_from_crm, prepare_touchpoints
from cmo_workbook.periods import Period

T = pd.Timestamp


def _store() -> KpiStore:
    """A hand-made quarterly store: Q3 400 inquiries for 150,000 € (375 €), Q2 300 for 90,000 € (300 €)."""
    rows = []
    for metric, unit, now, prev, target in (("qualified_leads", "count", 400, 300, 500),
                                            ("cost_per_qualified_lead", "eur", 375, 300, 450),
                                            ("marketing_pipeline_value", "eur", 3e6, 3e6, float("nan")),
                                            ("marketing_won_revenue", "eur", 1.5e6, 1.5e6, float("nan"))):
        rows.append([metric, "2026-Q3", "quarter", "", now, unit, True, "2026-Q2", prev, "2025-Q3", float("nan"), target])
    rows.append(["clv_to_cac", "2026-09/T12M", "t12m", "", 10.0, "factor", True, "2026-06/T12M", 5.0, "2025-09/T12M",
                 float("nan"), 3.0])
    table = pd.DataFrame(rows, columns=list(store.COLUMNS))
    return KpiStore(table, Period.parse("2026-Q3"), catalogue())


def test_kpi_tiles_show_the_store_values_with_the_catalogue_comparisons():
    kpis = review.compute_kpis(_store(), {"romi": 0.8}, romi_now=0.5, romi_prev=0.25, window="2026-09/T12M")
    by = {k.key: k for k in kpis}
    assert by["qualified_leads"].previous == 300 and by["clv_to_cac"].value == 10 and by["clv_to_cac"].previous == 5
    ctx = {"worst_cpl": None, "cycle_days": 60, "cac": 5_000, "clv": 50_000, "payback_months": 3}
    tiles = {t.label: t for t in review.tiles(_store(), kpis, "de", "EUR", ctx)}
    ql = tiles["Qualifizierte Anfragen, Quartal"]
    # 400 vs 300 (previous quarter), no year-ago value, vs target 500
    assert [c.delta for c in ql.comparisons] == ["+33\u00a0%", "\u2013", "\u221220\u00a0%"]
    assert [c.good for c in ql.comparisons][0::2] == [True, False]
    assert "100 Anfragen unter Plan" in ql.so_what
    assert (ql.value.metric, ql.value.window, ql.value.value) == ("qualified_leads", "2026-Q3", 400)
    cpl = tiles["Kosten je qualifizierter Anfrage, Quartal"]
    assert cpl.comparisons[0].good is False  # 375 vs 300: dearer is bad
    romi = tiles["Rendite der Erstaufträge je Kanal, 12 Monate rollierend"]
    assert str(romi.value) == "50\u00a0%" and romi.value.metric == "romi_first_orders_attributed"
    assert romi.comparisons[0].delta.startswith("+25")
    assert tiles["Kundenwert : Akquisekosten, 12 Monate rollierend"].value.text == "10,0 : 1"


def test_the_attributed_return_names_the_total_romi_with_its_months_so_the_two_never_read_as_one_kpi():
    # #11: the KPI memo shows "Marketing-ROMI gesamt" (all orders), the review "Rendite der Erstaufträge je Kanal"
    # (first orders, credit shared over the touches). The review's tile names the total with the months of its
    # window: 12 months to Sep 2026 = Okt 2025 – Sep 2026; 2.756 -> "276 %"; 1 + 0.5 = 1,50 € per marketing euro.
    st = _store()
    total = ["romi_all_orders", "2026-09/T12M", "t12m", "", 2.756, "ratio", True, "2026-06/T12M", float("nan"),
             "2025-09/T12M", float("nan"), 2.5]
    st = KpiStore(pd.concat([st.table, pd.DataFrame([total], columns=list(store.COLUMNS))], ignore_index=True),
                  Period.parse("2026-Q3"), catalogue())
    kpis = review.compute_kpis(st, {"romi": 0.8}, romi_now=0.5, romi_prev=0.25, window="2026-09/T12M")
    ctx = {"worst_cpl": None, "cycle_days": 60, "cac": 5_000, "clv": 50_000, "payback_months": 3}
    tiles = {t.label: t for t in review.tiles(st, kpis, "de", "EUR", ctx)}
    romi = tiles["Rendite der Erstaufträge je Kanal, 12 Monate rollierend"]
    assert str(romi.so_what).replace("\u00a0", " ") == (
        "Nur Erstaufträge neuer Kunden, anteilig je Kontakt: 1,50 € Deckungsbeitrag je Marketing-Euro – der Maßstab "
        "für Verschiebungen zwischen Kanälen. Rendite der Marketingausgaben mit Folgeaufträgen von Bestandskunden "
        "(Marketing-ROMI gesamt, Okt 2025 – Sep 2026): 276 %.")
    # the total is the store's figure: its span carries the catalogue id and window
    from cmo_workbook.render.blocks import Fig

    assert [(f.metric, f.window, f.value) for f in romi.so_what.parts if isinstance(f, Fig)] == [
        ("romi_all_orders", "2026-09/T12M", 2.756)]
    en = {t.label: t for t in review.tiles(st, kpis, "en", "EUR", ctx)}
    assert "(Marketing ROMI, total, Oct 2025 – Sept 2026): 276%." in str(  # babel's English short month
        en["Return on first orders by channel, trailing 12 months"].so_what).replace("\u00a0", " ")
    # without the total in the store the tile says only what it counts
    plain = {t.label: t for t in review.tiles(_store(), kpis, "de", "EUR", ctx)}
    assert "Marketing-ROMI gesamt" not in str(plain["Rendite der Erstaufträge je Kanal, 12 Monate rollierend"].so_what)


def test_a_test_that_ran_is_set_apart_from_the_tables_attributed_return():
    # #11: "kein messbarer Effekt" (the holdout) beside LinkedIn's 81 % in the table: one clause says what each measures
    s = pd.DataFrame({"romi": [0.81], "romi_low": [-0.11], "romi_high": [2.02], "change": [0.0], "action": ["keep"],
                      "budget": [43_600.0]}, index=["linkedin"])
    recs = review.recommendations(s, None, "linkedin", None, "de", "EUR", "Q4 2026",
                                  test_result=["Test ohne LinkedIn-Werbung: −0,6 Anfragen je Gebiet und Woche.",
                                               "Damit ist kein zusätzlicher Beitrag von LinkedIn messbar."])
    assert str(recs[0].action) == ("LinkedIn ist schon getestet. Damit ist kein zusätzlicher Beitrag von LinkedIn "
                                   "messbar. Die 81\u00a0% Rendite in der Tabelle messen etwas anderes: woran LinkedIn "
                                   "beteiligt war, nicht was ohne LinkedIn fehlt.")
    assert str(recs[0].evidence) == "Test ohne LinkedIn-Werbung: −0,6 Anfragen je Gebiet und Woche."


def test_romi_from_attribution_counts_only_channels_with_cost():
    value = pd.Series({"linkedin": 100_000.0, "email": 50_000.0, "direct": 999_999.0})
    spend = pd.Series({"linkedin": 20_000.0, "email": 10_000.0})
    # margin (150000 * 0.4 = 60000) - cost 30000, / 30000 = 1.0; direct has no cost and is left out
    assert review.romi_from_attribution(value, spend, 0.4) == pytest.approx(1.0)


def _boot() -> pd.DataFrame:
    return pd.DataFrame({"value": [100_000.0, 300_000.0, 50_000.0], "value_low": [40_000.0, 200_000.0, 0.0],
                         "value_high": [150_000.0, 400_000.0, 80_000.0], "cost": [40_000.0, 30_000.0, float("nan")],
                         "romi": [0.0, 3.0, float("nan")], "romi_low": [-0.6, 1.67, float("nan")],
                         "romi_high": [0.5, 4.33, float("nan")]}, index=["linkedin", "email", "direct"])


def test_channel_frame_keeps_paid_channels_and_model_spread():
    models = pd.DataFrame({"first_touch": [50_000.0, 350_000.0, 50_000.0], "last_touch": [150_000.0, 250_000.0, 50_000.0]},
                          index=["linkedin", "email", "direct"])
    ch = review.channel_frame(_boot(), models, 0.4)
    assert list(ch.index) == ["email", "linkedin"]  # best ROMI first, direct has no cost
    # linkedin: (50000*0.4 - 40000)/40000 = -0.5 ... (150000*0.4 - 40000)/40000 = 0.5
    assert ch.at["linkedin", "romi_model_min"] == pytest.approx(-0.5)
    assert ch.at["linkedin", "romi_model_max"] == pytest.approx(0.5)
    assert ch.at["linkedin", "model_min"] == "first_touch"
    assert ch.at["linkedin", "margin_low"] == pytest.approx(16_000)
    assert review.net_chart_title(ch, "en") == "Only 1 of 2 channels with costs safely in the black"


def test_model_comparison_warns_below_100_conversions():
    models = pd.DataFrame({"first_touch": [80.0, 20.0], "last_touch": [20.0, 80.0], "linear": [50.0, 50.0]},
                          index=["organic_search", "sales_outbound"])
    weak = review.model_comparison(models, {"n": 62, "reliable": False}, {"n": 157, "reliable": True}, "de", "EUR")
    assert any("nur 62" in b and "nicht belastbar" in b for b in weak)
    assert any("Organische Suche" in b and "öffnet Kontakte" in b for b in weak)
    strong = review.model_comparison(models, {"n": 150, "reliable": True}, {"n": 500, "reliable": True}, "en", "EUR")
    assert not any("unreliable" in b for b in strong)


def test_budget_paragraph_states_the_caveat_and_the_test():
    s = budget.suggest(pd.DataFrame({"budget": [10_000.0, 10_000.0], "romi": [-0.5, 2.0], "romi_low": [-0.8, 1.0],
                                     "romi_high": [-0.1, 3.0]}, index=["linkedin", "email"]))
    text = review.budget_paragraph(s, budget.expected_effect(s), budget.biggest_shift(s), "en", "EUR")
    assert "not incrementality" in text and "LinkedIn" in text
    header, rows = review.channel_rows(review.channel_frame(_boot(), pd.DataFrame({"linear": [1.0, 1.0]},
                                       index=["linkedin", "email"]), 0.4), s, "de", "EUR", "Q4 2026")
    assert rows[1][0] == "LinkedIn" and rows[1][-1] == "\u221220\u00a0%"


def test_deals_as_of_reopens_deals_decided_later():
    deals = pd.DataFrame({"deal_id": ["1", "2", "3"], "status": ["won", "lost", "won"], "stage": ["Closed Won"] * 3,
                          "created_date": [T("2026-08-01"), T("2026-05-01"), T("2026-10-05")],
                          "close_date": [T("2026-10-10"), T("2026-09-01"), T("2026-10-20")], "amount": [1.0, 2.0, 3.0]})
    snap = review.deals_as_of(deals, T("2026-10-01"))
    assert list(snap["deal_id"]) == ["1", "2"]  # deal 3 did not exist yet
    assert snap.iloc[0]["status"] == "open" and pd.isna(snap.iloc[0]["close_date"])
    assert snap.iloc[1]["status"] == "lost"


# --------------------------------------------------------------------------- CRM outcomes


def _crm():
    leads = pd.DataFrame({"lead_id": ["1", "2", "3"], "created_date": [T("2026-01-05"), T("2026-02-01"), T("2026-03-01")],
                          "opportunity_date": [T("2026-03-01"), pd.NaT, pd.NaT]})
    deals = pd.DataFrame({
        "lead_id": ["1", "1", "2", "3"],
        "status": ["won", "won", "won", "lost"],
        "amount": [10_000.0, 5_000.0, 7_000.0, 9_000.0],
        "close_date": [T("2026-08-01"), T("2026-09-15"), T("2026-05-01"), T("2026-07-01")],
        "created_date": [T("2026-03-01"), T("2026-06-01"), T("2026-02-20"), T("2026-04-01")],
        "deal_type": ["New Business", "Existing Business", "New Business", "New Business"],
    })
    return leads, deals


def test_outcomes_count_won_new_business_in_the_window():
    leads, deals = _crm()
    out = outcomes_from_crm(leads, deals, window=(T("2026-07-01"), T("2026-10-01")), margin_rate=0.5)
    assert list(out["converted"]) == [True, False, False]  # lead 2 won in Q2, lead 3 lost
    assert out.at[0, "value"] == 5_000  # new business only (the repeat order is not a conversion) x 0.5 margin
    assert out.at[0, "conversion_date"] == T("2026-08-01")
    assert out.at[1, "opportunity_date"] == T("2026-02-20")  # from the first new-business deal
    everything = outcomes_from_crm(leads, deals)
    assert list(everything["converted"]) == [True, True, False] and everything.at[1, "value"] == 7_000


def test_outcomes_and_touchpoints_feed_the_attribution():
    leads, deals = _crm()
    touches = pd.DataFrame({"lead_id": [1, 1, 2, 3], "channel": ["linkedin", "email", "organic_search", "email"],
                            "timestamp": [T("2026-01-05 09:00"), T("2026-05-01"), T("2026-02-01"), T("2026-03-01")]})
    tp = prepare_touchpoints(touches, channels=["organic_search", "linkedin", "email"])
    assert isinstance(tp["channel"].dtype, pd.CategoricalDtype) and tp["lead_id"].tolist() == ["1", "1", "2", "3"]
    res = attribute(tp, outcomes_from_crm(leads, deals), "linear")
    # lead 1 (10000): half linkedin, half email; lead 2 (7000): organic search
    assert res.at["linkedin", "value"] == pytest.approx(5_000)
    assert res.at["email", "value"] == pytest.approx(5_000)
    assert res.at["organic_search", "value"] == pytest.approx(7_000)


def test_touchpoints_prepared_with_the_leads_share_their_codes_and_change_no_figure():
    from cmo_workbook.attribution import bootstrap
    from cmo_workbook.attribution.journeys import BY_CATEGORY, _lead_codes, _shared_codes

    leads, deals = _crm()
    # lead 3 touches first, lead 4 is not in the leads table (its touches are a non-converting journey)
    touches = pd.DataFrame({"lead_id": [3, 1, 4, 1, 2], "channel": ["email", "linkedin", "email", "email", "organic_search"],
                            "timestamp": [T("2026-03-01"), T("2026-01-05 09:00"), T("2026-02-01"), T("2026-05-01"),
                                          T("2026-02-01")]})
    shared = prepare_touchpoints(touches, channels=["organic_search", "linkedin", "email"], leads=leads)
    out = outcomes_from_crm(leads, deals)
    assert list(shared["lead_id"].cat.categories) == ["1", "2", "3", "4"]  # the leads' ids first, then the rest
    assert list(out["lead_id"].cat.categories) == ["1", "2", "3"]
    ts = shared["timestamp"].to_numpy().view("int64")
    codes, ids, lead_cat, ordered = _lead_codes(shared["lead_id"], ts)
    # grouped by lead in first-touch order (3, 1, 4, 2), each in time order: the category codes are the leads
    assert (list(codes), list(ids), lead_cat, ordered) == ([2, 0, 0, 3, 1], ["1", "2", "3", "4"], BY_CATEGORY, True)
    t_code, o_code, n = _shared_codes(ids, lead_cat, shared["lead_id"], out["lead_id"])
    assert (t_code, list(o_code), n) == (None, [0, 1, 2], 4)  # integer match, no text hashed, no lookup
    # lead 1's touches apart (rows 1 and 3): renumbered by first appearance, matched through the categories
    apart = shared.iloc[[1, 0, 3, 2, 4]].reset_index(drop=True)
    codes, ids, lead_cat, ordered = _lead_codes(apart["lead_id"], apart["timestamp"].to_numpy().view("int64"))
    assert (list(codes), list(ids), list(lead_cat), ordered) == ([0, 1, 2, 0, 3], ["1", "3", "4", "2"], [0, 2, 3, 1],
                                                                 False)
    t_code, o_code, n = _shared_codes(ids, lead_cat, apart["lead_id"], out["lead_id"])
    assert (list(t_code), list(o_code), n) == ([0, 2, 3, 1], [0, 1, 2], 4)
    pd.testing.assert_frame_equal(attribute(apart, out, "linear"), attribute(shared, out, "linear"))
    # grouped, but lead 1's two touches out of time order (rows 1 and 2 swapped): renumbered and sorted, same credits
    unsorted = shared.iloc[[0, 2, 1, 3, 4]].reset_index(drop=True)
    codes, ids, lead_cat, ordered = _lead_codes(unsorted["lead_id"], unsorted["timestamp"].to_numpy().view("int64"))
    assert (list(codes), list(ids), ordered) == ([0, 1, 1, 2, 3], ["3", "1", "4", "2"], False)
    pd.testing.assert_frame_equal(attribute(unsorted, out, "time_decay"), attribute(shared, out, "time_decay"))
    assert attribute(unsorted, out, "first_touch").at["linkedin", "value"] == pytest.approx(10_000)  # 05.01 first

    plain = prepare_touchpoints(touches, channels=["organic_search", "linkedin", "email"])
    text_out = out.assign(lead_id=out["lead_id"].astype("string"))
    pd.testing.assert_frame_equal(attribute(shared, out, "linear"), attribute(plain, text_out, "linear"))
    assert attribute(shared, out, "linear").at["linkedin", "value"] == pytest.approx(5_000)
    # same journeys in the same order: the seeded bootstrap draws the same replicates
    pd.testing.assert_frame_equal(bootstrap(shared, out, "markov", n_boot=50, seed=4),
                                  bootstrap(plain, text_out, "markov", n_boot=50, seed=4))
