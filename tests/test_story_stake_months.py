"""Issue #11: "2 Mio. € von 46 Kunden" (VoC, October) vs "1,5 Mio. € von 29 Kunden" (strategy, September) read as
one figure twice; each label must say which month's feedback its customers come from."""
from __future__ import annotations

import dataclasses

from cmo_workbook.memos import voice_of_customer as vm
from cmo_workbook.periods import Period
from cmo_workbook.render.i18n import t
from cmo_workbook.voc.recommend import account_stake, link_accounts

from test_stake import DEALS, FEEDBACK, ITEMS, LEADS


def _stake():
    links = link_accounts(FEEDBACK, DEALS, LEADS)
    return account_stake(ITEMS, links, DEALS, theme="delivery_delay", end=Period.parse("2026-10").end)


def plain(s: object) -> str:
    return str(s).replace("\u00a0", " ")


def test_every_stake_label_names_the_feedback_month():
    st = _stake()   # October items only: 2 linked customers, 120 Tsd. € (see test_stake)
    assert vm.feedback_months(st, "de") == "Okt 2026"
    assert "2 Kunden, die sich im Okt 2026 dazu meldeten" in plain(vm.stake_message(st, "de"))
    assert "2 customers who raised it in Oct 2026" in plain(vm.stake_message(st, "en"))
    # a stake over a quarter's feedback says the range, so the two memos' customer counts are told apart
    q = dataclasses.replace(st, months=("2026-07", "2026-09"))
    months = vm.feedback_months(q, "de")
    assert months.startswith("Jul") and months.endswith("Sep 2026"), months
    text = plain(t("strat_stake_delivery_months", "de", intake="1,5 Mio. €", accounts="29", months=months,
                   window="gewonnene Aufträge Okt 2025 – Sep 2026"))
    assert text.startswith(f"1,5 Mio. € Auftragseingang von 29 Kunden, die im {months} über Lieferverzug klagten")
    # no months recorded: the window's last month (the feedback month by construction)
    assert vm.feedback_months(dataclasses.replace(st, months=()), "de") == "Okt 2026"
