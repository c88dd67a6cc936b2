"""Budget suggestion and business case (metrics/budget.py): every column of the suggestion, the
channel history by hand, and the exact sentences and table cells the memos print (NBSP → space)."""
import math

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.metrics import budget
from test_budget import _channels, _history


def plain(s: str) -> str:
    return s.replace("\u00a0", " ").replace("\u202f", " ")


def test_suggestion_columns_for_every_channel():
    s = budget.suggest(_channels())
    assert s["action"].to_dict() == {"a": "cut", "b": "cut", "c": "grow", "d": "grow", "trade_fairs": "separate"}
    assert s["strength"].to_dict() == {"a": 1.0, "b": 0.5, "c": 1.0, "d": 1.0, "trade_fairs": 0.0}
    assert s["proposed"].to_dict() == {"a": 8_000, "b": 18_000, "c": 5_300, "d": 53_600, "trade_fairs": 100_000}
    assert s["change_pct"].to_dict() == {"a": -0.2, "b": -0.1, "c": pytest.approx(0.06), "d": pytest.approx(0.072),
                                         "trade_fairs": 0.0}
    assert budget.biggest_shift(s) == "d"


def test_hold_when_nothing_is_weak_and_missing_inputs():
    ok = _channels().assign(romi_low=[0.1, 0.1, 0.1, 0.1, 0.1], romi=[1.0, 1.0, 1.0, 1.0, 1.0])
    s = budget.suggest(ok, lumpy=())
    assert set(s["action"]) == {"hold"} and (s["change"] == 0).all()
    assert s.attrs["reserve"] == 0 and budget.biggest_shift(s) is None
    assert s.attrs["portfolio_romi"] == pytest.approx(1.0)
    # without cpl_change a cut is the half cut unless the whole range is below zero
    s = budget.suggest(_channels().drop(columns="cpl_change"))
    assert s.at["b", "change"] == -1_000 * 2
    # a zero-budget channel is not shiftable and its change_pct is undefined
    z = budget.suggest(_channels().assign(budget=[0.0, 20_000.0, 5_000.0, 50_000.0, 100_000.0]))
    assert z.at["a", "action"] == "hold" and math.isnan(z.at["a", "change_pct"])
    # steps of 1 000 € instead of 100 €
    assert budget.suggest(_channels(), step=1_000).at["d", "change"] == 3_000
    with pytest.raises(ValueError, match=r"max_shift 0 must be a share between 0 and 1, e\.g\. 0\.2"):
        budget.suggest(_channels(), max_shift=0)
    with pytest.raises(ValueError, match=r"^channels lacks column\(s\) romi, romi_high$"):
        budget.suggest(_channels().drop(columns=["romi", "romi_high"]))
    assert budget.suggest(_channels(), max_shift=1.0).at["a", "change"] == -10_000


def test_cost_alarm_threshold_is_inclusive():
    assert budget.suggest(_channels(b=0.3)).at["b", "strength"] == 1.0
    assert budget.suggest(_channels(b=0.29)).at["b", "strength"] == 0.5
    assert budget.suggest(_channels(b=0.29), cpl_alarm=0.25).at["b", "strength"] == 1.0


def test_holdout_sentences():
    assert plain(budget.holdout_test("paid_search", "de", weeks=6)) == (
        "Testgebiete ohne Werbung (Vergleichsgruppe): Suchmaschinenwerbung 6 Wochen lang in einem Drittel der Vertriebsgebiete "
        "(z. B. PLZ-Bereiche 0–3) pausieren und qualifizierte Anfragen und Pipeline dieser Gebiete mit den übrigen "
        "vergleichen.")
    assert plain(budget.holdout_test("paid_search", "en")) == (
        "Test regions without ads (control group): pause Paid search for 8 weeks in a third of the sales regions "
        "(e.g. postcode areas 0–3) and compare qualified inquiries and pipeline there with the other regions.")
    assert plain(budget.holdout_test("email", "de")) == (
        "Kontrollgruppe: 10 % der Empfänger zufällig 8 Wochen von E-Mail ausnehmen und deren Anfragen und "
        "Aufträge mit den übrigen vergleichen.")
    assert plain(budget.holdout_test("email", "en")) == (
        "Control group: exclude a random 10 % of recipients from Email for 8 weeks and compare their inquiries "
        "and orders with the rest.")
    assert plain(budget.holdout_test("webinars", "de", weeks=4)) == (
        "Zeit-Split: Webinare im Wechsel vier Wochen an, vier Wochen aus (8 Wochen) und die Anfragen der An- und "
        "Aus-Wochen vergleichen.")
    assert plain(budget.holdout_test("webinars", "en")) == (
        "Time split: run Webinars four weeks on, four weeks off (16 weeks) and compare the inquiries of on and off weeks.")


def test_channel_history_by_hand():
    leads = pd.DataFrame({"channel": ["events", "events", "events", "email"],
                          "mql_date": pd.to_datetime(["2026-07-01", "2026-09-30 23:00", "2026-10-01", "2026-08-01"], format="ISO8601")})
    deals = pd.DataFrame({"channel": ["events", "events", "events", "events", "email"],
                          "status": ["won", "won", "lost", "won", "won"],
                          "deal_type": ["New Business", "Existing Business", "New Business", None, "New Business"],
                          "close_date": pd.to_datetime(["2026-08-15", "2026-08-16", "2026-08-17", "2026-10-02",
                                                        "2026-08-01"]),
                          "amount": [10_000.0, 99_000.0, 5_000.0, 7_000.0, 1.0]})
    spend = pd.DataFrame({"channel": ["events", "events", "email"],
                          "date": pd.to_datetime(["2026-07-01", "2026-10-01", "2026-07-01"]), "cost": [3_000.0, 4_000.0, 9.0]})
    h = budget.channel_history(leads, deals, spend, "events", [pd.Period("2026Q3", "Q"), pd.Period("2026Q4", "Q")])
    assert h.index.name == "quarter" and list(h.index) == ["2026Q3", "2026Q4"]
    # Q3: two MQLs (first and last day), one new-business win (the existing-business one does not count)
    assert h.to_dict("index") == {
        "2026Q3": {"spend": 3_000.0, "qualified_leads": 2.0, "won": 1.0, "won_value": 10_000.0},
        "2026Q4": {"spend": 4_000.0, "qualified_leads": 1.0, "won": 1.0, "won_value": 7_000.0},  # no deal type: new
    }
    no_type = budget.channel_history(leads, deals.drop(columns="deal_type"), spend, "events", [pd.Period("2026Q3", "Q")])
    assert no_type.loc["2026Q3", "won_value"] == 109_000.0


def test_project_errors_and_without_current_quarter():
    with pytest.raises(ValueError, match=r"amount -5 must be a positive amount of money"):
        budget.project(-5, _history(), 0.4)
    with pytest.raises(ValueError, match=r"history has no quarters; a business case needs the channel's past rates"):
        budget.project(1_000, _history().iloc[0:0], 0.4)
    p = budget.project(50_000, _history(), 0.4, n_boot=20, current_quarter=False)
    assert p.current is None and "cost_per_lead_current" not in p.rates
    assert p.rates == {"cost_per_lead": 500.0, "lead_to_won": 4 / 60, "avg_deal": 40_000.0, "gross_margin": 0.4}
    assert p.amount == 50_000.0 and isinstance(p.amount, float)
    # without leads in the history: no cost per lead, no leads bought
    dead = budget.project(1_000, _history(leads=(0.0, 0.0), won=(0.0, 0.0)), 0.4, n_boot=10)
    assert dead.point["leads"] == 0 and dead.point["revenue"] == 0 and math.isnan(dead.rates["cost_per_lead"])
    assert dead.point["romi"] == -1.0 and dead.current is None


def test_bootstrap_range_is_the_central_80_percent():
    p = budget.project(50_000, _history(), 0.4, n_boot=400, seed=3)
    # quarters alone: Q2 margin 50 000/500 × 2/20 × 50 000 × 0.4 ... both ends are single-quarter outcomes
    only_q2 = budget.project(50_000, _history().iloc[[0, 0]], 0.4, n_boot=5)
    only_q3 = budget.project(50_000, _history().iloc[[1, 1]], 0.4, n_boot=5)
    assert p.low["margin"] == pytest.approx(only_q3.point["margin"])
    assert p.high["margin"] == pytest.approx(only_q2.point["margin"])
    wide = budget.project(50_000, _history(), 0.4, n_boot=400, seed=3, ci=0.0)
    assert wide.low["margin"] == wide.high["margin"]


def _p(**kw):
    return budget.project(50_000, _history(), 0.4, channel="linkedin", n_boot=200, seed=1, **kw)


def test_business_case_table_cells():
    header, rows = budget.business_case_rows(_p(), "de", "EUR")
    assert [plain(h) for h in header] == [" ", "Qualif. Anfragen", "Aufträge", "Umsatz (Tsd. €)",
                                          "Deckungsbeitrag (Tsd. €)", "Amortisation (Monate)"]
    assert rows[0] == ["Erwartet", "100", "6,7", "267", "107", "6"]
    assert rows[1][0] == "Spanne" and all("…" in c for c in rows[1][1:])
    header, rows = budget.business_case_rows(_p(), "en", "EUR")
    assert header == [" ", "Qualified inquiries", "Deals", "Revenue (€k)", "Margin (€k)", "Payback (months)"]
    assert rows[0] == ["Expected", "100", "6.7", "267", "107", "6"] and rows[1][0] == "Range"
    never = budget.project(10_000, _history(won=(0.0, 0.0), value=(0.0, 0.0)), 0.4, n_boot=20)
    assert budget.business_case_rows(never, "de", "EUR")[1][0][-1] == "nie"


def test_basis_sentence():
    assert plain(budget.basis_text(_p(), "de", "EUR")) == (
        "Grundlage (letzte 2 Quartale): 500 € je qualifizierter Anfrage, 6,7 % davon werden Aufträge, 40 Tsd. € je "
        "Auftrag, 40 % Marge; Amortisation ab Auftragseingang.")
    assert plain(budget.basis_text(_p(), "en", "EUR")) == (
        "Basis (last 2 quarters): €500 per qualified inquiry, 6.7% of them become deals, €40k per deal, 40% margin; "
        "payback from the order.")


def test_business_case_verdicts():
    safe = _p()  # margin range 80 000 … 120 000 ≥ 50 000 and at current cost per lead 2 × 53 333
    assert plain(budget.business_case_text(safe, "de", "EUR")) == "50 Tsd. € für LinkedIn trägt sich sicher."
    assert plain(budget.business_case_text(safe, "en", "EUR")) == "€50k for LinkedIn pays for itself with confidence."
    on_average = budget.project(50_000, _history(value=(100_000.0, 20_000.0)), 0.4, channel="linkedin", n_boot=200, seed=1)
    # pooled margin 100 × 4/60 × 30 000 × 0.4 = 80 000 ≥ 50 000, but the Q3-only case gives 2/40 × 10 000 …
    assert on_average.point["margin"] >= 50_000 > on_average.low["margin"]
    assert plain(budget.business_case_text(on_average, "de", "EUR")).startswith(
        "50 Tsd. € für LinkedIn trägt sich im Mittel, aber nicht sicher.")
    assert plain(budget.business_case_text(on_average, "en", "EUR")).startswith(
        "€50k for LinkedIn pays for itself on average, but not with confidence.")
    never = budget.project(10_000, _history(won=(0.0, 0.0), value=(0.0, 0.0)), 0.4, n_boot=20)
    assert plain(budget.business_case_text(never, "de", "EUR")) == "10 Tsd. € für  trägt sich nach den bisherigen Quoten nicht."
    assert plain(budget.business_case_text(never, "en", "EUR")) == "€10k for  does not pay for itself at past rates."


def test_business_case_caveats_current_cost_and_better_channel():
    p = budget.project(50_000, _history(spend=(10_000.0, 40_000.0)), 0.4, channel="linkedin", n_boot=200, seed=1)
    # pooled 50 000 / 60 = 833 €, last quarter 1 000 € (> 1.1 × 833): 50 leads → margin 53 333
    de = plain(budget.business_case_text(p, "de", "EUR", alternative=("organic_search", 5.0)))
    assert " Zu den aktuellen Kosten je Anfrage (1 Tsd. €) nur 53,3 Tsd. €." in de
    assert de.endswith(" Organische Suche brachte bisher 500 % ROMI statt 28 %: dort ist das Geld besser eingesetzt.")
    en = plain(budget.business_case_text(p, "en", "EUR", alternative=("organic_search", 5.0)))
    assert " At the current cost per inquiry (€1k) only €53.3k." in en
    assert en.endswith(" Organic search has returned 500% ROMI instead of 28%: the money works harder there.")
    # an alternative that returns less is not mentioned; a current cost within 10 % is not either
    assert "ROMI" not in budget.business_case_text(p, "de", "EUR", alternative=("organic_search", 0.1))
    flat = budget.project(50_000, _history(spend=(10_000.0, 21_000.0)), 0.4, channel="linkedin", n_boot=50)
    assert "aktuellen" not in budget.business_case_text(flat, "de", "EUR")
