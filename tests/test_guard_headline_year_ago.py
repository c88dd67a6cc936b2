"""Guards the headline of the KPI memo: qualified inquiries compared with the same month last year.

Mutation it catches: the headline comparing with ``previous`` instead of ``year_ago`` (it then
read "+21 % ggü. Vorjahr" for a change against last month). Since issue 17 the headline is built
from the KPIs the memo reads out of the period store (``compute(store)``), and names the comparison
"ggü. Vorjahresmonat" / "vs same month last year".
"""
import pandas as pd

from cmo_workbook.memos.kpi_dashboard import compute, headline, worst_channel
from cmo_workbook.metrics.channel_stake import ChannelStake
from cmo_workbook.periods import Period
from kpi_fixtures import kpi_month_frame, kpi_store

NBSP = "\u00a0"


def _kpis():
    return compute(kpi_store(kpi_month_frame(), margin=0.5))


def _worst(lang):
    # LinkedIn Ads 250 € per inquiry over the last 3 months vs 192,31 € a year earlier (+30 %)
    cpl = pd.DataFrame({"cpl": [250.0], "cpl_ref": [250.0 / 1.3], "leads": [12], "spend": [3_000.0],
                        "change": [0.3], "excess_cost": [(250.0 - 250.0 / 1.3) * 12], "label": ["LinkedIn Ads"],
                        "window": ["2026-10/T3M"], "segment": ["channel=linkedin_ads"]}, index=["linkedin_ads"])
    return worst_channel(cpl, lang)


def test_headline_change_is_against_last_year_not_last_month():
    text = str(headline(_kpis(), Period.parse("2026-10"), "de", "EUR", None))
    # 120 inquiries vs 80 a year ago = +50 %; vs 100 last month it would be +20 %
    assert f"120 qualifizierte Anfragen (+50{NBSP}% ggü. Vorjahresmonat)" in text
    assert "+20" not in text
    # pipeline 300 000 € compact
    assert f"300{NBSP}Tsd.{NBSP}€ neue Pipeline" in text
    assert text.endswith("im Rahmen des Vorjahres.")


def test_english_headline_and_worst_channel_sentence():
    text = str(headline(_kpis(), Period.parse("2026-10"), "en", "EUR", _worst("en"))).replace(NBSP, " ")
    assert "120 qualified inquiries (+50% vs same month last year) and €300k of new pipeline" in text
    assert "+20" not in text
    # the quarter's channel-shift decision on the first line when it is about the same channel: 20 % of LinkedIn
    # Ads' 4 000 € in Q3 2026 (250 € vs 192.31 € a year earlier, 16 inquiries) = 800 €; without it no amount
    q3 = ChannelStake("linkedin_ads", "quarter", "2026-Q3", 4_000.0, 16, 250.0, 250.0 / 1.3)
    assert ("LinkedIn Ads's cost per inquiry (last 3 months) rose to €250 (+30% vs last year) – to decide: move €800 "
            "out of LinkedIn Ads (basis Q3 2026).") in str(headline(_kpis(), Period.parse("2026-10"), "en", "EUR",
                                                                   _worst("en"), q3)).replace(NBSP, " ")
    assert text.endswith("(+30% vs last year) – shift budget.")  # no decision: no amount
    de = str(headline(_kpis(), Period.parse("2026-10"), "de", "EUR", _worst("de"), q3)).replace(NBSP, " ")
    assert ("bei LinkedIn Ads steigen die Kosten je Anfrage (letzte 3 Monate) auf 250 € (+30 % ggü. Vorjahr) – "
            "zu entscheiden: 800 € Umschichtung aus LinkedIn Ads (Grundlage Q3 2026).") in de
    # a decision about another channel is not this headline's amount
    other = ChannelStake("email", "quarter", "2026-Q3", 4_000.0, 16, 250.0, 250.0 / 1.3)
    assert "800" not in str(headline(_kpis(), Period.parse("2026-10"), "de", "EUR", _worst("de"), other))
