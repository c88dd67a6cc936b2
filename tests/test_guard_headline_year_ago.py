"""Guards the headline of the KPI memo: qualified inquiries compared with the same month last year.

Mutation it catches: the headline comparing with ``previous`` instead of ``year_ago`` (it then
read "+21 % ggü. Vorjahr" for a change against last month).
"""
from cmo_workbook.memos.kpi_dashboard import compute, headline
from cmo_workbook.periods import Period
from kpi_fixtures import kpi_month_frame

NBSP = "\u00a0"


def _kpis():
    return compute(kpi_month_frame(), Period.parse("2026-10"), {}, 0.5)


def test_headline_change_is_against_last_year_not_last_month():
    text = headline(_kpis(), Period.parse("2026-10"), "de", "EUR", None)
    # 120 inquiries vs 80 a year ago = +50 %; vs 100 last month it would be +20 %
    assert f"120 qualifizierte Anfragen (+50{NBSP}% ggü. Vorjahr)" in text
    assert "+20" not in text
    # pipeline 300 000 € compact
    assert f"300{NBSP}Tsd.{NBSP}€ neue Pipeline" in text
    assert text.endswith("im Rahmen des Vorjahres.")


def test_english_headline_and_worst_channel_sentence():
    worst = {"label": "LinkedIn Ads", "cpl": 250.0, "delta": "+30 %"}
    text = headline(_kpis(), Period.parse("2026-10"), "en", "EUR", worst)
    assert "120 qualified inquiries (+50% vs last year) and €300k of new pipeline" in text
    assert "LinkedIn Ads's cost per inquiry rose to €250 (+30 % vs last year) – shift budget." in text.replace(NBSP, " ")
    de = headline(_kpis(), Period.parse("2026-10"), "de", "EUR", worst)
    assert "bei LinkedIn Ads steigen die Kosten je Anfrage auf 250 € (+30 % ggü. Vorjahr) – Budget umschichten." \
        in de.replace(NBSP, " ")
