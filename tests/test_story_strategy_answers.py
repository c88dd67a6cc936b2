"""Issue #11: the strategy memo gives one answer per question.

"Wert statt Rabatt" in the headline and a decision asking to approve discounts contradict each other unless the
memo says its answer (no blanket discount); the channel recommendation must not postpone what the decision list
asks now; the holdout's weekly figure is labelled as the test's weekly spend.
"""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from cmo_workbook.memos import holdout, strategy_memo as strategy
from cmo_workbook.render.i18n import t


def plain(s: object) -> str:
    return str(s).replace("\u00a0", " ")


def test_price_headline_and_decision_carry_the_same_answer():
    cost = plain(t("strat_cost_price_no", "de", pct="12 %", cost="901 Tsd. €"))
    rec = strategy.StrategyRec("price_pressure", "Mit Wert statt Rabatt antworten.", "", "", stake=7.5e6,
                               stake_text="7,5 Mio. € Auftragseingang", cost_text=cost,
                               decision=t("strat_dec_price_no", "de", products="KS-60", competitor="Hartmann",
                                          pct="12 %", cost="901 Tsd. €", intake="7,5 Mio. €", window="Okt – Sep",
                                          share="32 %"))
    head = plain(strategy.headline(SimpleNamespace(lang="de"), [rec]))
    [decision] = [plain(d) for d in strategy.decisions([rec])]
    assert "Wert statt Rabatt" in head and "Empfehlung: nein" in head
    assert "Empfehlung: nein" in decision and "bis 12 % Rabatt selbst freigeben" in decision
    # never the old "zu entscheiden: Rabatt bis 12 % freigeben, kostet …" that read as a request to approve
    assert "freigeben, kostet" not in head
    en = plain(t("strat_dec_price_no", "en", products="KS-60", competitor="H", pct="12%", cost="€901k",
                 intake="€7.5m", window="Oct – Sep", share="32%"))
    assert "Recommendation: no" in en


def test_channel_next_step_does_not_postpone_the_decision_asked_now():
    for lang in ("de", "en"):
        text = t("strat_rec_channel_next_now", lang)
        assert ("Jetzt entscheiden" in text) if lang == "de" else ("Decide now" in text)


def test_holdout_no_effect_names_the_weekly_figure_as_the_test_spend():
    # a test with an interval around 0 (no cost per added inquiry) and 2 700 € a week of LinkedIn spend
    h = SimpleNamespace(channel="linkedin", test_regions=["Nord", "Ost"], weeks=12, start=pd.Timestamp("2026-04-06"))
    r = SimpleNamespace(effect=-0.6, low=-2.5, high=1.3)
    res = SimpleNamespace(holdout=h, readout=r, channel=None, cost_per_added=float("nan"), spend_per_week=2700.0)
    last = plain(holdout.sentences(res, "de", "EUR", 500.0)[-1])
    assert last == ("Damit ist kein zusätzlicher Beitrag von LinkedIn messbar: die LinkedIn-Kosten von 2,7 Tsd. € je "
                    "Woche im Testzeitraum (alle Gebiete) lassen sich schrittweise umschichten.")
