"""Issue #11 (q12a): figures a reader can recompute from what the memo shows must come out as printed."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from cmo_workbook.memos import sales_marketing_sync as sync
from cmo_workbook.metrics.sla import SlaConfig, SlaSummary

NB = "\u00a0"


def _summary(met: int, breach: int, pending: int) -> SlaSummary:
    return SlaSummary(leads=met + breach + pending, response_met=met, response_breach=breach, response_pending=pending,
                      median_response_hours=8.0, response_unanswered=pending, feedback_met=0, feedback_breach=0,
                      feedback_pending=0, accepted=0, rejected=0)


def _sync_facts() -> SimpleNamespace:
    # fairs 64 = 22 on time + 42 late; search 29 = 23 + 2 + 4 still running; email 20 = 19 + 1; web 10 = 6 + 0 + 4
    by_channel = pd.DataFrame({"leads": [64, 29, 20, 10], "met": [22, 23, 19, 6], "breaches": [42, 2, 1, 0],
                               "pending": [0, 4, 0, 4], "median_hours": [36.0, 6.5, 3.9, 2.0]},
                              index=["trade_fairs", "paid_search", "email", "website"])
    by_channel["rate"] = by_channel["met"] / (by_channel["met"] + by_channel["breaches"])
    return SimpleNamespace(cfg=SlaConfig(), now=_summary(70, 45, 8), prev=_summary(90, 10, 0), by_channel=by_channel,
                           by_owner=by_channel.iloc[0:0], owner_label={}, response_dates=True, feedback_dates=True,
                           gaps=[])


def test_sync_table_shows_the_leads_the_rate_leaves_out():
    (header, rows), _ = sync.breach_tables(_sync_facts(), "de", max_rows=2)
    assert header == ["Quelle", "übergeben", "Frist läuft", "binnen 24 Std.", "verspätet", "Median"]
    # paid search: (29 − 4 − 2) / (29 − 4) = 23/25 = 92 %; without the 4 a reader gets 27/29 = 93 %
    assert rows[1][:5] == ["Suchmaschinenwerbung", "29", "4", f"92{NB}%", "2"]
    # the other two (email, website): on time 19 + 6 = 25 of decided 25 + 1 = 26 → 96.2 % → 96 %
    # (the old weighting by all handed-over leads gave (0.95·20 + 1.0·10)/30 = 96.7 % → 97 %)
    assert rows[2][:5] == ["übrige (2)", "30", "4", f"96{NB}%", "1"]


def test_sync_tile_says_which_leads_the_rate_leaves_out():
    f = _sync_facts()
    # 70 on time of 70 + 45 decided = 60.9 %, not 70 of 123 handed over: the 8 still running are named
    assert round(f.now.response_rate, 3) == 0.609
    assert sync.pending_note(f, "de") == "Ohne 8 Anfragen, deren 24-Stunden-Frist zum Stichtag noch lief."
    f.now = _summary(70, 45, 1)
    assert sync.pending_note(f, "en") == "Leaves out 1 inquiry whose 24-hour clock was still running at the cut-off."
    f.now = _summary(70, 45, 0)
    assert sync.pending_note(f, "de") == ""


def test_sync_table_without_pending_leads_keeps_its_columns():
    f = _sync_facts()
    f.by_channel["pending"] = 0
    (header, _), _ = sync.breach_tables(f, "de")
    assert header == ["Quelle", "übergeben", "binnen 24 Std.", "verspätet", "Median"]


def test_shown_rounds_half_up_like_the_printed_figure():
    from cmo_workbook.render import fmt
    # 27.7 inquiries print as "28", 693.6 € as "694 €": the product a reader checks is 28 × 694 = 19 432
    assert fmt.shown(27.7) * fmt.shown(693.6) == 19_432.0
    assert fmt.number(19_432.0, "de") == "19.432" and fmt.shown(2.5) == 3.0 and fmt.shown(0.125, 2) == 0.13
