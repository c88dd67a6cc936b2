"""The attribution review's holdout proposal (metrics/budget.holdout_test) for each kind of design, on hand-made
HoldoutDesign values (no leads needed): which sentence, with which channel, weeks, share and power.
Channel linkedin (label "LinkedIn"), 8 weeks unless stated."""
from __future__ import annotations

from dataclasses import replace

from cmo_workbook.metrics import budget
from cmo_workbook.metrics.experiments import HoldoutDesign

BASE = HoldoutDesign(channel="linkedin", kind="geo", readable=True, missing="", effect_per_week=2.5, sigma2=40.0,
                     pre_weeks=52, share=1 / 3, weeks=8, power=0.42, weeks_for_power=20, share_for_power=None,
                     power_one_year=0.6)
GEO_THIRD = ("Test regions without ads (control group): pause LinkedIn for 8 weeks in a third of the sales regions "
             "(e.g. postcode areas 0–3) and compare qualified inquiries and pipeline there with the other regions.")


def text(design: HoldoutDesign) -> str:
    return budget.holdout_test("linkedin", "en", design=design).replace("\u00a0", " ")


def test_not_readable_without_region_or_email():
    # no region: 80 % within two years (20 weeks ≤ 104) names the weeks, beyond it says "more than two years"
    no_region = replace(BASE, readable=False, missing="region", weeks_for_power=20)
    assert "pause LinkedIn" not in text(no_region)
    assert text(no_region).startswith("Test regions without LinkedIn ads cannot be read out yet")
    assert "for 8 weeks detects the effect with only 42% probability (80 % would take 20 weeks)" in text(no_region)
    years = replace(no_region, weeks_for_power=105)
    assert text(years).startswith("Test regions without LinkedIn ads cannot be read out yet")
    assert "only 42% probability (80 % would take more than two years)" in text(years)
    assert text(replace(BASE, readable=False, missing="email")) == (
        "A control group for LinkedIn cannot be read out: inquiries lack the e-mail address; record it first.")


def test_a_third_of_the_regions_or_another_share_with_the_weeks_power_needs():
    # a third (within 1e-9) is worded as "a third"; 20 weeks ≤ 26 for 80 %: the weeks it needs
    assert text(BASE) == GEO_THIRD + " But after 8 weeks only a 42% chance of detecting the effect; 80 % needs 20 weeks."
    half = replace(BASE, share=0.5, weeks=10)
    assert text(half).startswith("Test regions without ads (control group): pause LinkedIn for 10 weeks in 50% of the "
                                 "sales regions")
    assert text(replace(BASE, power=0.85, weeks_for_power=8)) == GEO_THIRD + " Power 85% (target 80 %)."
    # no test within 26 weeks or a larger share: not worth it, with the effect per week and a year's power
    assert text(replace(BASE, weeks_for_power=40)) == (
        "A test of LinkedIn does not pay as designed: with 2.5 inquiries a week from LinkedIn and the usual weekly "
        "swings, a 8-week test detects the effect with only 42% probability, even a year with only 60%. Shift in "
        "small steps instead and track the cost per inquiry.")
