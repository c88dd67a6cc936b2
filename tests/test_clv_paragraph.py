"""The KPI memo's CLV paragraph (memos/kpi_dashboard.clv_paragraph) from a hand-written store for 2026-10:
CLV 114 000 € per customer at period end, CAC 7 000 € (12 months), ratio 114 000 / 7 000 = 16.29 → "16,3 : 1".
Good payback when the ratio reaches the target ratio (exactly at target counts as reached)."""
from __future__ import annotations

import math

from cmo_workbook.memos import kpi_dashboard

from kpi_fixtures import table_store


def plain(s: str) -> str:
    return str(s).replace("\u00a0", " ").replace("\u202f", " ")


def clv_store(clv: float = 114_000.0, cac: float = 7_000.0, raw: dict | None = None):
    ratio = clv / cac if cac == cac and cac else math.nan
    return table_store([{"metric": "clv", "kind": "asof", "value": clv},
                        {"metric": "cac", "kind": "t12m", "value": cac},
                        {"metric": "clv_to_cac", "kind": "t12m", "value": ratio}], raw=raw)


HEAD_DE = ("Kundenwert, Stand Periodenende (Deckungsbeitrag über 5 Jahre, abgezinst): 114 Tsd. € je Kunde; "
           "Akquisekosten je Neukunde (CAC), 12 Monate rollierend: 7.000 €")


def test_ratio_above_the_target_pays_back():
    text = kpi_dashboard.clv_paragraph(clv_store(), "de", "EUR", 3)
    assert plain(text) == (f"{HEAD_DE} – Verhältnis 16,3 : 1 ggü. Zielwert 3 : 1 – jeder Neukunde verdient seine "
                           "Akquisekosten mehrfach zurück.")
    html = plain(text.__html__())
    assert '<span data-metric="clv" data-window="2026-10/END" data-value="114000">114 Tsd. €</span>' in html
    assert '<span data-metric="cac" data-window="2026-10/T12M" data-value="7000">7.000 €</span>' in html
    # 114 000 / 7 000 = 16.285714285714…, to 10 significant digits
    assert '<span data-metric="clv_to_cac" data-window="2026-10/T12M" data-value="16.28571429">16,3 : 1</span>' in html


def test_ratio_exactly_at_the_target_is_good_and_below_is_slow():
    # 21 000 / 7 000 = 3.0 = the target: reached
    at = kpi_dashboard.clv_paragraph(clv_store(clv=21_000.0), "de", "EUR", 3)
    assert plain(at).endswith("Verhältnis 3,0 : 1 ggü. Zielwert 3 : 1 – jeder Neukunde verdient seine Akquisekosten "
                              "mehrfach zurück.")
    # 20 300 / 7 000 = 2.9 < 3; the target as written ("3,5") with its decimal
    slow = kpi_dashboard.clv_paragraph(clv_store(clv=20_300.0), "de", "EUR", 3.5)
    assert plain(slow) == ("Kundenwert, Stand Periodenende (Deckungsbeitrag über 5 Jahre, abgezinst): 20,3 Tsd. € "
                           "je Kunde; Akquisekosten je Neukunde (CAC), 12 Monate rollierend: 7.000 € – Verhältnis "
                           "2,9 : 1 ggü. Zielwert 3,5 : 1 – Neukunden verdienen ihre Akquisekosten zu langsam zurück: "
                           "Kanäle mit hohem CAC prüfen.")


def test_no_ratio_no_verdict_and_the_horizon_and_currency_as_configured():
    text = kpi_dashboard.clv_paragraph(clv_store(cac=math.nan), "de", "EUR", 3)
    assert plain(text) == ("Kundenwert, Stand Periodenende (Deckungsbeitrag über 5 Jahre, abgezinst): 114 Tsd. € "
                           "je Kunde; Akquisekosten je Neukunde (CAC), 12 Monate rollierend: – – noch kein Verhältnis "
                           "berechenbar (zu wenige gewonnene Neukunden); kein Urteil.")
    # kpis.params.clv_horizon_years: 3 → "über 3 Jahre"; dollars in an English memo
    three = kpi_dashboard.clv_paragraph(clv_store(raw={"kpis": {"params": {"clv_horizon_years": 3}}}), "en", "USD", 3)
    assert "3 years" in plain(three) and "$114k" in plain(three) and "$7,000" in plain(three)
    assert "16.3 : 1" in plain(three)
