"""The competitor briefing recommends on the discount decision (#11), with its reason from the CRM: the touched lines'
value lost on price or to a competitor since the cut against the 12 months before, beside the break-even share.
Figures derived by hand in the comments."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.competitors.implications import price_losses, price_move_stake
from cmo_workbook.memos import competitor_briefing as briefing

T = pd.Timestamp
CUT = {"competitor": "Hartmann Antriebe", "our_product": "Servogetriebe KS-60", "change_pct": -12.0,
       "first_seen": T("2026-09-15")}


def _deals(since: list[tuple[str, str | None]]) -> pd.DataFrame:
    """The 12 months before the cut: won 100k, lost 50k on price, lost 50k for lack of budget (price share 25 %);
    ``since``: (status, lost reason) deals of 10k each closed on 20.09.2026."""
    rows = [("won", None, 100_000.0, "2026-03-01"), ("lost", "Preis zu hoch", 50_000.0, "2026-01-10"),
            ("lost", "Kein Budget", 50_000.0, "2026-02-01"),
            ("lost", "Preis zu hoch", 80_000.0, "2025-08-01")]  # before the 12 months: never counts
    rows += [(status, reason, 10_000.0, "2026-09-20") for status, reason in since]
    df = pd.DataFrame(rows, columns=["status", "lost_reason", "amount", "close_date"])
    df["deal_name"] = "Kunde - Servogetriebe KS-60"
    df.loc[len(df)] = ["lost", "Wettbewerber gewählt", 500_000.0, "2026-09-20", "Kunde - Kupplung KC-Flex"]  # other line
    df["close_date"] = pd.to_datetime(df["close_date"])
    return df


def test_price_losses_count_the_lines_closed_deals_and_the_value_lost_on_price_or_to_a_competitor():
    deals = _deals([("won", None)] * 8 + [("lost", "Wettbewerber gewählt")] * 2)
    assert price_losses(deals, ["Servogetriebe KS-60"], start=T("2025-09-15"), end=T("2026-09-15")) == (3, 1, 0.25)
    # since the cut: 10 closed, 2 lost to a competitor = 20k of 100k; the KC-Flex loss is another line
    assert price_losses(deals, ["Servogetriebe KS-60"], start=T("2026-09-15"), end=T("2026-10-01")) == (10, 2, 0.2)


def test_no_when_the_losses_since_the_cut_did_not_rise_by_the_break_even_share():
    st = price_move_stake(CUT, _deals([("won", None)] * 8 + [("lost", "Wettbewerber gewählt")] * 2), gross_margin=0.38,
                          end=T("2026-10-01"))
    # won Oct 2025 – Sep 2026: 100k + 8 × 10k = 180k; matching 12 % costs 21.6k; break-even 0.12 / 0.38 = 31.6 %
    assert st.order_intake == 180_000 and st.match_cost == pytest.approx(21_600)
    assert (st.closed_since, st.lost_since) == (10, 2)
    assert st.loss_share_since == pytest.approx(0.2) and st.loss_share_before == pytest.approx(0.25)
    assert st.loss_rise == pytest.approx(-0.05) and not st.match_pays
    text = briefing.decision_text(st, "de").replace("\xa0", " ")
    assert text == ("Entscheidung: darf der Vertrieb bis 12 % Rabatt auf Servogetriebe KS-60 selbst freigeben (kostet"
                    " bis 21,6 Tsd. € Marge im Jahr) – ja/nein? Empfehlung: nein – seit der Senkung am 15.09.2026"
                    " gingen 20 % des Angebotswerts dieser Linien über Preis oder an Wettbewerber verloren (2 von 10"
                    " Abschlüssen; 12 Monate davor 25 %): kein Anstieg – Mitziehen lohnt erst ab 32 % zusätzlichem"
                    " Verlust; Rabatt nur im Einzelfall nach Freigaberegel.")
    assert "Recommendation: no – since the cut on" in briefing.decision_text(st, "en")


def test_yes_when_the_losses_since_the_cut_rose_beyond_the_break_even_share():
    # 3 won, 7 lost on price since the cut: 70 % against 25 % before, +45 Pp. > 31.6 %
    st = price_move_stake(CUT, _deals([("won", None)] * 3 + [("lost", "Preis zu hoch")] * 7), gross_margin=0.38,
                          end=T("2026-10-01"))
    assert st.loss_rise == pytest.approx(0.45) and st.match_pays
    assert "Empfehlung: ja – seit der Senkung am 15.09.2026 gingen 70 %" in briefing.decision_text(st, "de").replace("\xa0", " ")
    assert "+45,0 Prozentpunkte mehr – mehr als die 32 % zusätzlicher Verlust" in briefing.decision_text(st, "de").replace("\xa0", " ")


def test_too_few_deals_since_the_cut_are_no_evidence_for_matching():
    # 9 closed, all lost on price: a rise of 75 Pp., but 9 < 10 deals
    st = price_move_stake(CUT, _deals([("lost", "Preis zu hoch")] * 9), gross_margin=0.38, end=T("2026-10-01"))
    assert st.closed_since == 9 and not st.match_pays
    text = briefing.decision_text(st, "de").replace("\xa0", " ")
    assert "Empfehlung: nein – seit der Senkung am 15.09.2026 erst 9 Abschlüsse zu diesen Linien (9 über Preis" in text
    assert "kein Beleg für Verluste über den 32 %" in text
