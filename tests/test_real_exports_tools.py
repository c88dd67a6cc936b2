"""Ads, web-analytics, helpdesk, review, survey and journey exports written by hand in each tool's download shape.

The files under tests/fixtures/exports/{ads_web_en,helpdesk_reviews,surveys,journeys} follow the shapes in
../shared/reference/real-export-formats-and-style.md: Google Ads' title and date-range lines above the header,
``Total:`` rows below and `` --`` for empty metrics (English UI, so ``1,234.56``); LinkedIn's metadata lines above
the header and M/D/YYYY dates; Meta's currency in the header and empty cells; GA4's ``#`` comment block and
``YYYYMMDD`` dates; Zendesk's Good/Bad/Offered CSAT; Freshdesk's labelled survey results; Trustpilot's title and
multi-line content; Qualtrics' two extra header rows; SurveyMonkey's answer-option row; Typeform's question
texts as headers. Every expected figure below is derived by hand from those files.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook import cli
from cmo_workbook.voc.scores import csat, nps, nps_mask

from test_real_exports import OCT, SEP, cents, load  # one loader and one cent rounding for every fixture test

FIXTURES = Path(__file__).parent / "fixtures" / "exports"


@pytest.mark.parametrize("name", ["ads_web_en", "helpdesk_reviews", "surveys", "journeys", "datev_extf", "generic_en"])
def test_validate_passes_the_exports_as_downloaded(name, capsys):
    assert cli.main(["validate", "--params", str(FIXTURES / name / "params.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ok: all inputs valid"


def test_ad_platform_spend_by_month_and_channel():
    spend = load("ads_web_en").spend
    by = spend.groupby([spend["date"].dt.to_period("M"), "channel"])["cost"].sum()
    # Google Ads (English UI): Sep 1,234.56 + 987.65 + 100.00; Oct 2,000.00 + 450.50 + 1,500.05; "Total:" rows dropped
    assert cents(by[(SEP, "paid_search")]) == 232_221 and cents(by[(OCT, "paid_search")]) == 395_055
    # LinkedIn: Sep 412.35 + 388.00; Oct 1,250.10 + 0.00 (a day without delivery is a real zero)
    assert cents(by[(SEP, "linkedin")]) == 80_035 and cents(by[(OCT, "linkedin")]) == 125_010
    # Meta, currency from "Amount spent (EUR)": Sep 55.20 + 61.80; Oct 120.00
    assert cents(by[(SEP, "paid_social")]) == 11_700 and cents(by[(OCT, "paid_social")]) == 12_000
    assert [cents(v) for v in spend.groupby(spend["date"].dt.to_period("M"))["cost"].sum()] == [323_956, 532_065]
    assert set(spend["currency"]) == {"EUR"}
    assert (spend["platform"] == "Google Ads").sum() == 6  # six day rows, no totals


def test_empty_metrics_stay_unknown_instead_of_zero():
    spend = load("ads_web_en").spend
    google = spend[spend["platform"] == "Google Ads"]
    # " --" conversions on the two Brand days are unknown: 4 + 3 + 6.5 + 5 = 18.5 over four known days
    assert google["conversions"].isna().sum() == 2 and google["conversions"].sum() == 18.5
    meta = spend[spend["platform"] == "Meta Ads"]
    assert meta["clicks"].isna().sum() == 1 and meta["clicks"].sum() == 50  # 38 + (empty) + 12
    assert spend.loc[spend["platform"] == "LinkedIn Ads", "leads"].sum() == 3  # 2 + 1 form leads in September


def test_ga4_sessions_by_month_with_source_and_medium_split():
    web = load("ads_web_en").web_traffic
    months = web.groupby(web["date"].dt.to_period("M"))[["sessions", "key_events"]].sum()
    assert months.loc[SEP].tolist() == [225, 3]  # 120 + 45 + 60 sessions; 2 + 1 + 0 key events
    assert months.loc[OCT].tolist() == [225, 4]  # 140 + 70 + 15; 3 + 0 + 1
    assert web[["source", "medium"]].iloc[2].tolist() == ["(direct)", "(none)"]
    assert web["channel_group"].tolist()[-1] == "Referral" and len(web) == 6  # the "#" comment lines are not rows


def test_helpdesk_and_review_csat_by_month():
    fb = load("helpdesk_reviews").feedback
    month = fb["date"].dt.to_period("M")
    # September: Zendesk Bad (0) and Good (1), Freshdesk "Happy" (4), Trustpilot 5 stars -> 3 satisfied of 4
    sep = csat(fb[month == SEP])
    assert (sep["csat"], sep["n"]) == (0.75, 4)
    # October: Zendesk "Offered"/"Unoffered" are no answer; Freshdesk "Extremely Unhappy" (1) and one empty;
    # Trustpilot 2 and 3 stars (satisfied means 4 or 5) -> 0 of 3
    octo = csat(fb[month == OCT])
    assert (octo["csat"], octo["n"]) == (0.0, 3)
    assert fb.groupby("score_scale").size().to_dict() == {"csat_1_5": 3, "csat_good_bad": 4, "stars_1_5": 3}


def test_helpdesk_text_ids_and_companies_as_exported():
    fb = load("helpdesk_reviews").feedback.set_index("feedback_id")
    assert fb.loc["4713", "text"] == 'Frage zu "Servo" Anschluss <Pin 4>'  # kept verbatim; escaping is the memo's job
    assert fb.loc["64f0a1b2c3d4e5f6a7b8c9d1", "text"] == "Late delivery\nGear arrived three weeks late.\nNo notice from sales."
    assert fb.loc["1002", "title"] == "Angebot fehlt" and fb.loc["1002", "text"].startswith("Seit zwei Wochen")
    assert pd.isna(fb.loc["4713", "company"]) and fb.loc["4714", "company"] == "Kunde A GmbH"
    assert fb.loc["4711", "date"] == pd.Timestamp("2026-09-03 08:15:00")


def test_survey_nps_by_month_across_three_tools():
    fb = load("surveys").feedback
    month = fb["date"].dt.to_period("M")
    answers = fb[nps_mask(fb)]
    # September: Typeform 10 and 9, Qualtrics 8, SurveyMonkey 6 -> 2 promoters, 1 passive, 1 detractor: NPS +25
    sep = nps(answers.loc[month == SEP, "score"])
    assert (sep["nps"], sep["promoters"], sep["passives"], sep["detractors"]) == (25.0, 2, 1, 1)
    # October: Typeform 7 and 3, Qualtrics 0 and 10, SurveyMonkey 9 -> 2 promoters, 1 passive, 2 detractors: NPS 0
    octo = nps(answers.loc[month == OCT, "score"])
    assert (octo["nps"], octo["n"], octo["detractors"]) == (0.0, 5, 2)


def test_survey_header_rows_and_question_columns():
    fb = load("surveys").feedback
    # Qualtrics: the question-text row and the ImportId row are not answers; the first answer is file row 4
    q = fb[fb["_file"] == "qualtrics_export.csv"]
    assert q["feedback_id"].tolist() == ["R_1aBcD", "R_2eFgH", "R_3iJkL"] and q["_row"].tolist() == [4, 5, 6]
    sm = fb[fb["_file"] == "surveymonkey_export.csv"]
    assert sm["_row"].tolist() == [3, 4] and sm["date"].tolist()[0] == pd.Timestamp("2026-09-29 16:15:02")
    tf = fb[fb["_file"] == "typeform_nps.csv"].set_index("feedback_id")
    assert tf.loc["a1b2c6", "text"] == "Angebot kam zu spät" and pd.isna(tf.loc["a1b2c4", "text"])
    assert tf.loc["a1b2c3", "date"] == pd.Timestamp("2026-09-02 10:02:13")  # Submit Date, not Start Date


def test_journey_export_touches_in_order():
    tp = load("journeys").touchpoints
    assert tp.groupby("lead_id").size().to_dict() == {"101": 3, "102": 1, "103": 1}
    assert tp.loc[tp["lead_id"] == "101", "channel"].tolist() == ["paid_search", "email", "trade_fairs"]
    assert tp["timestamp"].is_monotonic_increasing and tp["timestamp"].iloc[-1] == pd.Timestamp("2026-10-15 08:00")


def test_datev_buchungsstapel_nets_credit_notes_and_takes_the_year_from_the_extf_line():
    spend = load("datev_extf").spend
    # Belegdatum 0610, 1510, 2010, 2810 (TTMM); the EXTF line says Datum vom 20261001 bis 20261031
    assert spend["date"].dt.strftime("%d.%m.%Y").tolist() == ["06.10.2026", "15.10.2026", "20.10.2026", "28.10.2026"]
    # the stand builder's credit note (H) lowers trade fairs: 4.000,00 - 600,00 = 3.400,00
    by = spend.groupby("channel")["cost"].sum()
    assert {k: cents(v) for k, v in by.items()} == {"email": 35_025, "paid_search": 150_000, "trade_fairs": 340_000}
    assert cents(spend["cost"].sum()) == 525_025  # 4.000 + 1.500 - 600 + 350,25
    assert spend.loc[spend["campaign"].str.startswith("Gutschrift"), "cost"].tolist() == [-600.0]


def test_a_day_month_date_without_the_extf_line_is_refused_not_read_as_1901(tmp_path, capsys):
    import shutil

    shutil.copytree(FIXTURES / "datev_extf", tmp_path / "datev")
    csv = tmp_path / "datev" / "buchungsstapel_oktober.csv"
    csv.write_bytes(b"\r\n".join(csv.read_bytes().split(b"\r\n")[1:]))  # the metadata line lost in a copy
    assert cli.main(["validate", "--params", str(tmp_path / "datev" / "params.yaml")]) == 2
    err = capsys.readouterr().err
    assert 'row 2, column "Belegdatum": "0610" is not a date' in err


def test_english_hand_kept_lists_count_status_qualified_leads_and_deal_values():
    from cmo_workbook.metrics.monthly import monthly

    ds = load("generic_en")
    assert [t for _, t in ds.files("deals")[0].dropped] == ["Total"]
    leads = ds.leads.set_index("lead_id")
    # the one "Status" column carries qualification: Qualified -> qualified, Converted -> opportunity
    assert leads["stage"].to_dict() == {"L-001": "qualified", "L-002": "qualified", "L-003": "lead",
                                        "L-004": "opportunity", "L-005": "disqualified", "L-006": "qualified"}
    m = monthly(ds)
    # Sep: L-001, L-002 qualified; Oct: L-004 (converted) and L-006
    assert (m.loc[SEP, "qualified_leads"], m.loc[OCT, "qualified_leads"]) == (2, 2)
    # pipeline by deal creation: Sep D-01 18,500.00 + D-02 7,250.50; Oct D-04 12,000.00 (D-03 has no amount)
    assert cents(m.loc[SEP, "marketing_pipeline_value"]) == 2_575_050 and cents(m.loc[OCT, "marketing_pipeline_value"]) == 1_200_000
    # won in October: D-01 18,500.00 closed 20.10.; D-03 won without amount is counted and said, not summed
    assert cents(m.loc[OCT, "marketing_won_revenue"]) == 1_850_000
    assert any(f.en == "1 won deal without amount, not in revenue" for f in ds.findings)
    assert any(f.text("de") == "1 gewonnener Deal ohne Betrag, nicht im Umsatz" for f in ds.findings)
