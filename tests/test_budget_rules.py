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


def test_project_errors_and_rates():
    with pytest.raises(ValueError, match=r"amount -5 must be a positive amount of money"):
        budget.project(-5, _history(), 0.4)
    with pytest.raises(ValueError, match=r"history has no quarters; a business case needs the channel's past rates"):
        budget.project(1_000, _history().iloc[0:0], 0.4)
    # issue 18 dropped the current-quarter cost per lead (and n_boot): the rates are the pooled quarters' only,
    # plus the inquiries the amount buys at the average cost (50 000 / 500 = 100)
    p = budget.project(50_000, _history(), 0.4, n_sim=20)
    assert "cost_per_lead_current" not in p.rates
    assert p.rates == {"cost_per_lead": 500.0, "lead_to_won": 4 / 60, "avg_deal": 40_000.0, "gross_margin": 0.4,
                       "average_leads": 100.0}
    assert p.amount == 50_000.0 and isinstance(p.amount, float)
    # without leads in the history: no cost per lead, no leads bought
    dead = budget.project(1_000, _history(leads=(0.0, 0.0), won=(0.0, 0.0)), 0.4, n_sim=10)
    assert dead.point["leads"] == 0 and dead.point["revenue"] == 0 and math.isnan(dead.rates["cost_per_lead"])
    assert dead.point["romi"] == -1.0


def _exact():
    # a long, exact history: 500 € per inquiry, p(won) = 0.1 with no doubt, 40 000 € per deal
    return _history(spend=(5e6, 5e6), leads=(1e4, 1e4), won=(1e3, 1e3), value=(4e7, 4e7))


def test_simulated_range_is_the_central_ci():
    # issue 18: the range simulates inquiries (Poisson 100) and deals (thinned by 0.1: Poisson 10) instead of
    # bootstrapping quarters. Central 80 %: the 10 % and 90 % quantiles of Poisson(10) = 6 and 14 deals,
    # × 40 000 € × 40 % margin = 96 000 … 224 000 €; central 50 %: 8 and 12 deals = 128 000 … 192 000 €
    p = budget.project(50_000, _exact(), 0.4, n_sim=20_000, seed=3)
    assert (p.low["conversions"], p.high["conversions"]) == (6, 14)
    assert (p.low["margin"], p.high["margin"]) == (pytest.approx(6 * 40_000 * 0.4), pytest.approx(14 * 40_000 * 0.4))
    half = budget.project(50_000, _exact(), 0.4, n_sim=20_000, seed=3, ci=0.5)
    assert (half.low["margin"], half.high["margin"]) == (pytest.approx(8 * 16_000), pytest.approx(12 * 16_000))
    wide = budget.project(50_000, _history(), 0.4, n_sim=400, seed=3, ci=0.0)
    assert wide.low["margin"] == wide.high["margin"]


def _p(**kw):
    return budget.project(50_000, _history(), 0.4, channel="linkedin", n_sim=2_000, seed=1, **kw)


def test_business_case_table_cells():
    header, rows = budget.business_case_rows(_p(), "de", "EUR")
    assert [plain(h) for h in header] == [" ", "Qualif. Anfragen", "Aufträge", "Umsatz (Tsd. €)",
                                          "Deckungsbeitrag (Tsd. €)", "Amortisation (Monate)"]
    assert rows[0] == ["Erwartet", "100", "6,7", "267", "107", "6"]
    assert rows[1][0] == "Spanne (80\u00a0% der Fälle)" and all("…" in c for c in rows[1][1:])
    header, rows = budget.business_case_rows(_p(), "en", "EUR")
    assert header == [" ", "Qualified inquiries", "Deals", "Revenue (€k)", "Margin (€k)", "Payback (months)"]
    assert rows[0] == ["Expected", "100", "6.7", "267", "107", "6"] and rows[1][0] == "Range (80% of cases)"
    never = budget.project(10_000, _history(won=(0.0, 0.0), value=(0.0, 0.0)), 0.4, n_sim=20)
    assert budget.business_case_rows(never, "de", "EUR")[1][0][-1] == "nie"
    # the exact history's range: 6 … 14 deals, margin 96 … 224 Tsd. €, payback 12 × 50 000 / 224 000 … / 96 000
    _, rows = budget.business_case_rows(budget.project(50_000, _exact(), 0.4, n_sim=20_000, seed=3), "de", "EUR")
    assert rows[1][2:5] == ["6,0…14,0", "240…560", "96…224"]
    assert rows[1][5] == "3…6"


def test_basis_sentence():
    # issue 18: the basis names average vs curve and the spend-to-order lag
    assert plain(budget.basis_text(_p(), "de", "EUR")) == (
        "Grundlage (letzte 2 Quartale): durchschnittlich 500 € je qualifizierter Anfrage – die Daten tragen keine "
        "Sättigungskurve, daher Annahme: der nächste Euro wirkt wie der Durchschnitt (Obergrenze). 6,7 % der Anfragen "
        "werden Aufträge, 40 Tsd. € je Auftrag, 40 % Marge; Spanne simuliert (Zahl der Anfragen und Aufträge, "
        "Auftragswerte); Amortisation einschließlich 0 Monaten von der Anfrage bis zum Auftrag.")
    assert plain(budget.basis_text(_p(lag_days=365.25 / 4), "en", "EUR")) == (
        "Basis (last 2 quarters): on average €500 per qualified inquiry – the data support no saturation curve, so "
        "this assumes the next euro works like the average (an upper bound). 6.7% of inquiries become deals, €40k per "
        "deal, 40% margin; range simulated (number of inquiries and deals, deal values); payback includes 3 months "
        "from inquiry to order.")


def test_business_case_verdicts():
    # safe: the exact history's low margin 6 × 16 000 = 96 000 ≥ 50 000
    safe = budget.project(50_000, _exact(), 0.4, channel="linkedin", n_sim=20_000, seed=3)
    assert plain(budget.business_case_text(safe, "de", "EUR")) == "50 Tsd. € für LinkedIn trägt sich sicher."
    assert plain(budget.business_case_text(safe, "en", "EUR")) == "€50k for LinkedIn pays for itself with confidence."
    on_average = budget.project(50_000, _history(value=(100_000.0, 20_000.0)), 0.4, channel="linkedin", n_sim=2_000,
                                seed=1)
    # pooled margin 100 × 4/60 × 30 000 × 0.4 = 80 000 ≥ 50 000, but 4 wins in 60 inquiries leave the deal count
    # uncertain (issue 18 simulates it): the low end is a handful of deals
    assert on_average.point["margin"] == pytest.approx(80_000)
    assert on_average.point["margin"] >= 50_000 > on_average.low["margin"]
    assert plain(budget.business_case_text(on_average, "de", "EUR")).startswith(
        "50 Tsd. € für LinkedIn trägt sich im Mittel, aber nicht sicher.")
    assert plain(budget.business_case_text(on_average, "en", "EUR")).startswith(
        "€50k for LinkedIn pays for itself on average, but not with confidence.")
    never = budget.project(10_000, _history(won=(0.0, 0.0), value=(0.0, 0.0)), 0.4, n_sim=20)
    assert plain(budget.business_case_text(never, "de", "EUR")) == "10 Tsd. € für  trägt sich nach den bisherigen Zahlen nicht."
    assert plain(budget.business_case_text(never, "en", "EUR")) == "€10k for  does not pay for itself on past figures."


def _curve(beta):
    return pd.Series({"supported": True, "beta": beta, "beta_se": 0.0, "last_spend": 50_000.0, "last_leads": 100.0,
                      "marginal_cost": 50_000.0 / 100.0 / beta, "quarters": 8})


def test_business_case_caveats_saturation_and_better_channel():
    # issue 18 replaced the current-cost caveat with the saturation curve: extra inquiries
    # L·((S + a)/S)^β − L = 100 · (2^0.25 − 1) = 18,92 for 50 000 € more on 50 000 €; margin 18,92 × 4/60 × 40 000 × 0.4
    p = budget.project(50_000, _history(), 0.4, channel="linkedin", curve=_curve(0.25), n_sim=200, seed=1)
    assert p.basis == "curve" and p.point["leads"] == pytest.approx(100 * (2 ** 0.25 - 1))
    assert p.point["margin"] == pytest.approx(100 * (2 ** 0.25 - 1) * 4 / 60 * 16_000)
    romi = 100 * (2 ** 0.25 - 1) * 4 / 60 * 16_000 / 50_000 - 1  # −59,6 %
    de = plain(budget.business_case_text(p, "de", "EUR", alternative=("organic_search", 5.0)))
    assert de.startswith("50 Tsd. € für LinkedIn trägt sich nach den bisherigen Zahlen nicht.")
    # the basis sentence already names the next inquiry's cost on the curve: the verdict needs no repeat
    assert " Der Kanal ist gesättigt." in de
    assert de.endswith(f" Organische Suche brachte bisher 500 % Rendite der Erstaufträge ggü. {round(romi * 100)} % hier: "
                       "dort wirkt das Geld mehr.".replace("-", "−"))
    en = plain(budget.business_case_text(p, "en", "EUR", alternative=("organic_search", 5.0)))
    assert " The channel is saturated." in en
    assert en.endswith(f" Organic search has returned 500% on first orders vs {round(romi * 100)}% here: the money "
                       "works harder there.".replace("-", "−"))
    # an alternative that returns less is not mentioned; β = 0.5 is not saturated
    assert "Organische Suche" not in budget.business_case_text(p, "de", "EUR", alternative=("organic_search", -0.9))
    flat = budget.project(50_000, _history(), 0.4, channel="linkedin", curve=_curve(0.5), n_sim=50)
    assert "gesättigt" not in budget.business_case_text(flat, "de", "EUR")


def test_business_case_names_the_channels_average_beside_the_extra_amounts_return():
    # #11: the review's table shows LinkedIn's attributed return so far (here 81 %), the business case the return of
    # 50 000 € more on the saturation curve: 100 · (2^0.25 − 1) × 4/60 × 16 000 / 50 000 − 1 = −59.6 % -> "−60 %".
    # Two different quantities, so the sentence names both and why the second is lower.
    p = budget.project(50_000, _history(), 0.4, channel="linkedin", curve=_curve(0.25), n_sim=200, seed=1)
    romi = 100 * (2 ** 0.25 - 1) * 4 / 60 * 16_000 / 50_000 - 1
    assert round(romi * 100) == -60
    de = plain(budget.business_case_text(p, "de", "EUR", alternative=("organic_search", 5.0), average=0.81))
    assert de.endswith(" Der Kanal ist gesättigt. Zusätzliche 50 Tsd. € für LinkedIn brächten −60 % Rendite ggü. bisher "
                       "81 % im Schnitt (Tabelle); Organische Suche brachte bisher 500 %: dort wirkt das Geld mehr.")
    en = plain(budget.business_case_text(p, "en", "EUR", alternative=("organic_search", 5.0), average=0.81))
    assert en.endswith(" The channel is saturated. Another €50k for LinkedIn would return −60% vs 81% on average so "
                       "far (table); Organic search has returned 500%: the money works harder there.")
    # not saturated (β = 0.5): the extra euros earn like the average, so the average is not set against them
    flat = budget.project(50_000, _history(), 0.4, channel="linkedin", curve=_curve(0.5), n_sim=50)
    assert "im Schnitt (Tabelle)" not in budget.business_case_text(flat, "de", "EUR", alternative=("organic_search", 5.0),
                                                               average=0.81)
