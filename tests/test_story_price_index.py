"""Issue #11 (one story): a list-price cut on some products is not the gap to our price over all of them.

The headline and the chart title must both state the index over all comparable products, never the cut size
(or the gap on the cut products alone) as "below us".
"""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.memos import competitor_briefing as briefing
from cmo_workbook.periods import Period

from test_briefing import CFG, _tables


def _two_product_tables():
    """Hartmann sells two comparable products; only HS-60 is cut, by 12 %.

    HS-60 vs our KS-60 (1000 net): 1000 → 880, index 100 → 88.
    HS-90 vs our KP-120 (2000 net): 2040 throughout, index 102.
    Hartmann's index = mean: before (100 + 102) / 2 = 101, after (88 + 102) / 2 = 95 → 5 % below us, not 12 %.
    """
    tables = _tables()
    rows = []
    for day in ("2026-06-02", "2026-09-01", "2026-09-15"):
        cut = day == "2026-09-15"
        rows.append((day, "Hartmann", "HS-60", 880.0 if cut else 1000.0, "EUR", "net", "list", "KS-60"))
        rows.append((day, "Hartmann", "HS-90", 2040.0, "EUR", "net", "list", "KP-120"))
        rows.append((day, "Nord AG", "NP-120", 2000.0, "EUR", "net", "list", "KP-120"))
    prices = pd.DataFrame(rows, columns=["observed_date", "competitor", "product", "price", "currency", "price_basis",
                                         "price_type", "our_product"])
    prices["observed_date"] = pd.to_datetime(prices["observed_date"])
    tables.competitor_prices = prices
    return tables


@pytest.fixture(scope="module", params=["de", "en"])
def res(request):
    return briefing.analyse(_two_product_tables(), CFG, Period.parse("2026-Q3"), lang=request.param, vat=0.19)


def test_headline_states_cut_and_index_not_cut_as_gap(res):
    head = briefing.headline(res, briefing.main_blocks(res, limit=2))
    if res.lang == "de":
        assert head.startswith("Hartmann Antriebe senkt ab 15.09.2026 die Listenpreise von HS-60 um 12\u00a0%; über alle "
                               "2 vergleichbaren Produkte liegt Hartmann Antriebe damit im Mittel 5\u00a0% unter unserem "
                               "Preis (Preisindex 95)"), head
        assert "12\u00a0% unter" not in head
    else:
        assert "across all 2 comparable products Hartmann Antriebe is now on average 5% below our price " \
               "(price index 95)" in head, head
        assert "12% below" not in head


def test_chart_title_states_the_index_message(res):
    cats, values, title, _ = briefing.price_position(res)
    assert values == [95.0, 100.0] and cats[0] == "Hartmann Antriebe (2)"
    if res.lang == "de":
        assert title == "Hartmann Antriebe: Preisindex 101 → 95, im Mittel 5\u00a0% unter unserem Preis"
    else:
        assert title == "Hartmann Antriebe: price index 101 → 95, on average 5% below our price"


def test_position_wording_at_par_and_above():
    # 100 → level; 103,4 rounds to 3 % above; 99,6 rounds to level (the chart shows 100)
    assert briefing.index_position(100.0, "de") == "im Mittel auf unserem Preisniveau"
    assert briefing.index_position(103.4, "de") == "im Mittel 3\u00a0% über unserem Preis"
    assert briefing.index_position(99.6, "en") == "on average at our price level"
