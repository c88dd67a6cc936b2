"""The impulse deck's competitor slide says its message in the title (IBCS, #11): the cut, what matching costs on
the order intake it touches, and the answer the briefing and the strategy memo give."""
from __future__ import annotations

import pytest

from cmo_workbook.memos import impulse_deck as deck
from cmo_workbook.memos.context import open_workbook

from conftest import ROOT


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_competitor_title_states_the_cut_the_euros_and_the_answer(sample_dir, lang):
    wb = open_workbook(ROOT / "params" / "example.yaml", "2026-Q3", lang, kind="quarter", tables=deck.TABLES)
    ev = deck.gather(wb)
    d = deck.compose(wb, deck.deck_figures(wb), ev)
    title = d["competitor"].title.replace("\xa0", " ")
    p = ev.strategy.stakes.price
    # the sample: Hartmann's 12 % cut of KS-60/KS-90; won Oct 2025 – Sep 2026 7,509,500 € (test_stake), 12 % of it
    # 901,140 € of margin; the losses since the cut did not rise (briefing verdict "nein")
    assert p.order_intake == pytest.approx(7_509_500) and not p.match_pays
    if lang == "de":
        assert title == ("Hartmann Antriebe senkt um 12 %: Mitziehen kostet bis 901 Tsd. € Marge auf 7,5 Mio. €"
                         " Auftragseingang – wir halten den Preis.")
    else:
        assert title == ("Hartmann Antriebe cuts prices by 12%: matching costs up to €901k of margin on €7.5m of order"
                         " intake – we hold our price.")
    # the decisions slide gives the same answer
    discount = d["decisions"].table[1][0]  # the largest euro amount first (7.5 Mio. € orders)
    assert discount.endswith("Empfehlung nein" if lang == "de" else "recommend no")
