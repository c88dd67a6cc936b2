"""Every agenda item of the sales–marketing sync says the euros at stake and the decision (issue 11, c11a).

Hand-made month: 70 of 100 inquiries answered in time (target 90 %), 25 of the 30 late ones from trade fairs; 40 of
100 got feedback in time (target 80 %, 60 late); paid search had 20 decided inquiries, 5 accepted, 15 rejected.
Costs per inquiry from the store (last 3 months): trade fairs 1 200 €, paid search 400 €, all channels 500 €.
"""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from cmo_workbook.memos import sales_marketing_sync as sync
from cmo_workbook.metrics import store
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics.sla import SlaConfig, SlaSummary
from cmo_workbook.periods import Period


def plain(text: object) -> str:
    return str(text).replace("\u00a0", " ").replace("\u202f", " ")


def _store() -> store.KpiStore:
    nan = float("nan")
    rows = [["cost_per_qualified_lead", "2026-10/T3M", "t3m", seg, v, "eur", True, "", nan, "", nan, nan]
            for seg, v in (("", 500.0), ("channel=trade_fairs", 1_200.0), ("channel=paid_search", 400.0))]
    return store.KpiStore(pd.DataFrame(rows, columns=list(store.COLUMNS)), Period.parse("2026-10"), catalogue())


def _facts() -> SimpleNamespace:
    now = SlaSummary(leads=100, response_met=70, response_breach=30, response_pending=0, median_response_hours=8.0,
                     response_unanswered=0, feedback_met=40, feedback_breach=60, feedback_pending=0, accepted=5,
                     rejected=15)
    by_channel = pd.DataFrame({"leads": [50, 50], "rate": [0.5, 0.9], "breaches": [25, 5], "median_hours": [40.0, 3.0]},
                              index=["trade_fairs", "email"])
    quality = pd.DataFrame({"decided": [20], "accepted": [5], "rejected": [15], "rate": [0.25],
                            "top_reasons": [[("Budget fehlt", 9)]]}, index=["paid_search"])
    deal = pd.DataFrame({"amount": [80_000.0]})
    shared = pd.DataFrame({"company": ["A", "B"], "open_value": [300_000.0, 200_000.0]})
    return SimpleNamespace(cfg=SlaConfig(), now=now, prev=now, by_channel=by_channel, quality=quality,
                           response_dates=True, feedback_dates=True, gaps=[],
                           acceptance_now=0.25, acceptance_target=0.5, shared=shared,
                           attribution={"outbound_with_marketing": deal, "no_source": deal.iloc[0:0]}, store=_store())


def test_each_agenda_item_carries_euros_and_a_decision():
    items = sync.agenda(_facts(), "de", "EUR", "nächster Sync, Dezember 2026")
    assert len(items) == 5
    assert all(plain(i.action).endswith("Beschluss im Sync: ja / nein.") for i in items)
    fair, feedback, handover, credit, shared = (plain(i.effect) for i in items)
    # 25 late fair inquiries × 1 200 € (the fairs' own cost per inquiry) = 30 000 €
    assert "Die 25 verspäteten Anfragen aus Messen kosteten rund 30 Tsd. € Marketingbudget (1.200 € je Anfrage" in fair
    # 60 without feedback × 500 € (all channels) = 30 000 €
    assert feedback.startswith("Zu 60 Anfragen fehlt die Rückmeldung: rund 30 Tsd. € Marketingbudget (500 € je Anfrage")
    # 15 rejected paid-search inquiries × 400 € (its own cost) = 6 000 €
    assert handover.startswith("Der Vertrieb lehnte 15 Anfragen aus Suchmaschinenwerbung ab: rund 6.000 € Marketingbudget "
                               "(400 € je Anfrage, eigener Wert des Kanals")
    assert credit == "Es geht um 80 Tsd. € Pipeline-Wert, dessen Zuordnung offen ist; die Regel kostet nichts."
    assert shared.startswith("Es geht um 500 Tsd. € offene Pipeline bei diesen Firmen")  # 300 000 + 200 000


def test_without_a_store_the_items_stay_and_say_no_made_up_amount():
    f = _facts()
    f.store = None
    items = sync.agenda(f, "en", "EUR", "next sync, December 2026")
    assert "€" not in plain(items[0].effect)
    assert "€" not in plain(items[1].effect) and "€" not in plain(items[2].effect)


def test_deals_without_any_source_ask_for_the_source_not_for_a_credit_rule():
    f = _facts()
    f.attribution = {"outbound_with_marketing": pd.DataFrame({"amount": []}), "no_source": pd.DataFrame({"amount": [9_500.0, 72_000.0]})}
    credit = [i for i in sync.agenda(f, "de", "EUR", "nächster Sync") if "Quelle" in plain(i.action)]
    assert len(credit) == 1 and "Kaltakquise" not in plain(credit[0].action)
    assert plain(credit[0].action).startswith("Quelle der neuen Verkaufschancen ohne Quelle im CRM nachtragen")
    assert plain(credit[0].evidence) == "2 neue Verkaufschancen im Monat ohne Quelle und ohne verknüpften Kontakt mit Quelle."
    # 9 500 + 72 000 = 81 500 €
    assert plain(credit[0].effect).startswith("Es geht um 81,5 Tsd. € Pipeline-Wert, der keinem Kanal gutgeschrieben ist")
