"""Service-level computation on hand-made timestamps (weekends, holidays, missing responses)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.metrics import sla

CFG = sla.SlaConfig(response_hours=24, feedback_days=5)  # 8-17 Mon-Fri: 9 business hours a day
T = pd.Timestamp


def hours(a: str, b: str, cfg: sla.SlaConfig = CFG) -> float:
    return float(sla.business_hours([T(a)], [T(b)], cfg)[0])


@pytest.mark.parametrize("start, end, expected", [
    ("2026-10-02 16:00", "2026-10-05 09:00", 2.0),   # Fri 16:00 -> Mon 09:00 across the weekend
    ("2026-10-02 16:00", "2026-10-02 16:30", 0.5),   # same day
    ("2026-10-03 10:00", "2026-10-05 10:00", 2.0),   # handed over on Saturday: clock starts Mon 08:00
    ("2026-10-01 18:00", "2026-10-02 08:00", 0.0),   # overnight outside office hours
    ("2026-10-05 08:00", "2026-10-12 08:00", 45.0),  # one full week = 5 x 9 h
    ("2026-10-05 12:00", "2026-10-05 11:00", 0.0),   # answer before hand-over counts as 0, never negative
])
def test_business_hours(start, end, expected):
    assert hours(start, end) == pytest.approx(expected)


def test_business_hours_skip_holidays_and_missing():
    cfg = sla.SlaConfig(holidays=("2026-10-05",))  # Monday off
    assert hours("2026-10-02 16:00", "2026-10-06 09:00", cfg) == pytest.approx(2.0)
    out = sla.business_hours([T("2026-10-02 16:00")], [pd.NaT], CFG)
    assert np.isnan(out[0])


def test_parse_business_hours_and_params():
    assert sla.parse_business_hours("8-17 Mon-Fri") == (8.0, 17.0, "1111100")
    assert sla.parse_business_hours("08:30-17:00 Mon-Thu") == (8.5, 17.0, "1111000")
    cfg = sla.SlaConfig.from_params({"response_hours": 8, "business_hours": "9-18 Mon-Fri", "holidays": ["2026-12-24"]})
    assert (cfg.response_hours, cfg.day_start, cfg.day_end, cfg.holidays) == (8.0, 9.0, 18.0, ("2026-12-24",))
    with pytest.raises(ValueError, match="unknown key"):
        sla.SlaConfig.from_params({"response_hour": 8})
    with pytest.raises(ValueError, match="weekday"):
        sla.parse_business_hours("8-17 Mon-Fry")


def _leads() -> pd.DataFrame:
    rows = [
        # id, channel, owner, mql, first response, feedback, sql, reason
        ("A", "trade_fairs", "Eva", "2026-10-02 16:00", "2026-10-05 09:00", "2026-10-06 10:00", "2026-10-06 10:00", None),
        ("B", "trade_fairs", "Max", "2026-10-05 08:00", "2026-10-08 09:00", "2026-10-20 09:00", None, "Kein Bedarf"),
        ("C", "organic_search", "Eva", "2026-10-29 10:00", None, None, None, None),   # 16 h open at cut-off: pending
        ("D", "organic_search", "Max", "2026-10-26 08:00", None, None, None, None),   # 45 h open: breach
        ("E", "email", "Eva", "2026-09-30 09:00", "2026-09-30 10:00", None, None, None),  # previous month
    ]
    df = pd.DataFrame(rows, columns=["lead_id", "channel", "owner", "mql_date", "first_response_date",
                                     "sales_feedback_date", "sql_date", "rejection_reason"])
    for c in ("mql_date", "first_response_date", "sales_feedback_date", "sql_date"):
        df[c] = pd.to_datetime(df[c])
    df["created_date"] = df["mql_date"]
    df["company"] = ["Alpha GmbH", "Beta AG", "Gamma KG", "Delta SE", "Alpha GmbH"]
    df["contact_email"] = ["a@alpha.example", "b@beta.example", "c@gamma.example", "d@delta.example", "e@alpha.example"]
    return df


def test_lead_sla_statuses_and_summary():
    frame = sla.lead_sla(_leads(), CFG, T("2026-11-01"))
    oct_ = sla.cohort(frame, T("2026-10-01"), T("2026-11-01")).set_index("lead_id")
    assert oct_.loc["A", "response_hours"] == pytest.approx(2.0)
    assert oct_.loc["B", "response_hours"] == pytest.approx(28.0)  # Mon 08:00 -> Thu 09:00 = 3 x 9 + 1
    assert list(oct_["response_status"]) == ["met", "breach", "pending", "breach"]
    # feedback: A after Fri 1 h + Mon 9 h + Tue 2 h = 12 h (met); B after 11 business days (breach); C pending; D open 5 days exactly -> pending
    assert oct_.loc["A", "feedback_days"] == pytest.approx(12 / 9)
    assert list(oct_["feedback_status"]) == ["met", "breach", "pending", "pending"]
    assert list(oct_["outcome"]) == ["accepted", "rejected", "open", "open"]
    s = sla.summarize(oct_)
    assert (s.response_met, s.response_breach, s.response_pending) == (1, 2, 1)
    assert s.response_rate == pytest.approx(1 / 3)
    # median counts the unanswered: 2 answered, 16 waiting (C), 28 answered, 45 waiting (D). Kaplan-Meier:
    # t=2: 4 at risk, S = 3/4; C censored at 16; t=28: 2 at risk, S = 3/8 <= 1/2 -> 28 h (answered-only median: 15 h)
    assert s.median_response_hours == pytest.approx(28.0)
    assert s.response_unanswered == 2
    assert s.acceptance_rate == pytest.approx(0.5)


def test_response_after_cutoff_counts_as_missing():
    # judged at 2026-10-06 00:00, B's Thursday answer has not happened yet: 18 h open -> pending
    frame = sla.lead_sla(_leads(), CFG, T("2026-10-06")).set_index("lead_id")
    assert frame.loc["B", "response_status"] == "pending"
    assert "C" not in frame.index  # MQL after the cut-off


def test_breaches_by_channel_sorted_by_breaches():
    frame = sla.cohort(sla.lead_sla(_leads(), CFG, T("2026-11-01")), T("2026-10-01"), T("2026-11-01"))
    by = sla.breaches_by(frame, "channel")
    # equal breaches and leads: alphabetical
    assert list(by.index) == ["organic_search", "trade_fairs"]
    assert by[["leads", "met", "breaches", "pending"]].values.tolist() == [[2, 0, 1, 1], [2, 1, 1, 0]]
    assert by["rate"].tolist() == [0.0, 0.5]  # pending left out of the rate
    # both answered (2 h, 28 h): the survival median is the first time half are answered -> 2 h
    assert by.loc["trade_fairs", "median_hours"] == pytest.approx(2.0)
    # organic search: nobody answered -> no median within the wait so far
    assert by.loc["organic_search", "median_hours"] == float("inf")


def test_quality_and_reasons():
    frame = sla.lead_sla(_leads(), CFG, T("2026-11-01"))
    dec = sla.decided_in(frame, T("2026-10-01"), T("2026-11-01"))
    q = sla.quality_by(dec)
    assert q.loc["trade_fairs", ["decided", "accepted", "rejected"]].tolist() == [2, 1, 1]
    assert q.loc["trade_fairs", "top_reasons"] == [("Kein Bedarf", 1)]
    assert sla.rejection_reasons(dec).to_dict() == {"Kein Bedarf": 1}


def test_recycled_leads_by_email_and_company():
    leads = _leads()
    back = pd.DataFrame({"lead_id": ["F", "G"], "created_date": pd.to_datetime(["2026-11-03 10:00", "2026-11-04 10:00"]),
                         "mql_date": pd.NaT, "sales_feedback_date": pd.NaT, "rejection_reason": None,
                         "company": ["Beta AG", "beta ag"], "contact_email": ["b@beta.example", "x@beta.example"],
                         "channel": "email"})
    all_ = pd.concat([leads, back], ignore_index=True)
    nov = (T("2026-11-01"), T("2026-12-01"))
    r = sla.recycled_leads(all_, *nov)
    assert list(r["lead_id"]) == ["F"] and r["matched_on"].iloc[0] == "e-mail"
    assert r["earlier_reason"].iloc[0] == "Kein Bedarf"
    r2 = sla.recycled_leads(all_, *nov, by_company=True)
    assert list(r2["lead_id"]) == ["F", "G"] and list(r2["matched_on"]) == ["e-mail", "company"]
    # nothing came back in October: a rejection only counts if it happened before the new lead
    assert sla.recycled_leads(all_, T("2026-10-01"), T("2026-11-01")).empty


def test_shared_accounts_and_attribution_questions():
    leads = _leads()
    deals = pd.DataFrame({
        "deal_id": ["1", "2", "3", "4"], "created_date": pd.to_datetime(["2026-09-01", "2026-08-01", "2026-10-10", "2026-10-12"]),
        "status": ["open", "won", "open", "open"], "stage": ["Contract Sent", "Closed Won", "Qualified To Buy", "Qualified To Buy"],
        "amount": [50000.0, 10000.0, 20000.0, 7000.0], "company": ["ALPHA  GmbH", "Beta AG", "Zeta AG", "Eta AG"],
        "account_id": [None, None, None, None], "lead_id": [None, "B", "Z", None], "channel": [None, None, None, None],
        "deal_type": ["Existing Business", "New Business", "New Business", "New Business"],
    })
    shared = sla.shared_accounts(leads, deals, T("2026-10-01"), T("2026-11-01"), ["trade_fairs", "organic_search", "email"])
    # Alpha (case/blanks ignored) has an open deal and a new October trade-fair lead; Beta's deal is won
    assert shared[["company", "open_deals", "open_value", "new_leads"]].values.tolist() == [["ALPHA  GmbH", 1, 50000.0, 1]]
    assert shared["channels"].iloc[0] == ["trade_fairs"]
    z = pd.DataFrame({"lead_id": ["Z"], "channel": ["sales_outbound"], "created_date": [T("2026-09-01")]})
    tps = pd.DataFrame({"lead_id": ["Z", "Z", "Z"], "timestamp": pd.to_datetime(["2026-09-15", "2026-10-20", "2026-09-20"]),
                        "channel": ["webinars", "email", "sales_outbound"]})
    aq = sla.attribution_questions(deals, pd.concat([leads, z], ignore_index=True), tps, T("2026-10-01"), T("2026-11-01"),
                                   ["webinars", "email"])
    assert list(aq["no_source"]["deal_id"]) == ["4"]  # new business without lead; the existing-business deal is fine
    owm = aq["outbound_with_marketing"]
    assert list(owm["deal_id"]) == ["3"] and owm["touches"].iloc[0] == 1  # the e-mail click came after the deal
    assert owm["touch_channels"].iloc[0] == ["webinars"]


def test_owner_labels_are_the_names_or_the_params_team_and_neutral_only_on_request():
    labels = sla.owner_labels(["Max", "Eva", None, "Max"], "de", {"Max": "Team Süd"})
    assert labels == {"Eva": "Eva", "Max": "Team Süd"}  # a reader acts on names or roles, not on "Vertrieb 2"
    # sla.show_owner_names: false (e.g. a works agreement): neutral labels, the params' team names still win
    labels = sla.owner_labels(["Max", "Eva", None, "Max"], "de", {"Max": "Team Süd"}, names=False)
    assert labels == {"Eva": "Vertrieb 1", "Max": "Team Süd"}
    assert sla.owner_labels(["Max", "Eva"], "en", names=False) == {"Eva": "Sales rep 1", "Max": "Sales rep 2"}


@pytest.mark.parametrize("state, day, off", [
    ("BY", "2025-06-19", True),    # Fronleichnam in Bayern
    ("BE", "2025-06-19", False),   # ... not in Berlin
    ("BY", "2025-04-21", True),    # Ostermontag, nationwide, a year params never listed
    ("BY", "2027-05-17", True),    # Pfingstmontag 2027: every year, not a list
    ("SN", "2026-11-18", True),    # Buß- und Bettag only in Sachsen
    ("BY", "2026-11-18", False),
    (None, "2026-10-03", True),    # without a state: the nationwide holidays
    (None, "2026-01-06", False),   # Heilige Drei Könige is regional
])
def test_public_holidays_per_bundesland(state, day, off):
    cfg = sla.SlaConfig(state=state)
    # 08:00 to 17:00 on that day: 0 business hours on a holiday, 9 on a working day
    assert hours(f"{day} 08:00", f"{day} 17:00", cfg) == (0.0 if off else 9.0)


def test_company_days_off_add_to_public_holidays_and_state_is_checked():
    cfg = sla.SlaConfig.from_params({"holidays": ["2026-12-24"]}, state="by")
    assert cfg.state == "BY"
    # Thu 24 Dec (company day off), Fri 25 and Sat/Sun: Wed 17:00 -> Mon 28 Dec 09:00 = 1 h
    assert hours("2026-12-23 17:00", "2026-12-28 09:00", cfg) == 1.0
    with pytest.raises(ValueError, match="not a German Bundesland code; use one of BB, BE, BW, BY"):
        sla.SlaConfig.from_params({}, state="Bayern")


def test_median_response_not_reached_when_most_are_unanswered():
    frame = sla.lead_sla(_leads(), CFG, T("2026-11-01"))
    oct_ = sla.cohort(frame, T("2026-10-01"), T("2026-11-01"))
    # B, C, D: C censored at 16, B answered at 28 with B and D at risk -> S = 1/2: median 28 h
    assert sla.median_response(oct_[oct_["lead_id"] != "A"]) == pytest.approx(28.0)
    # C and D only: nobody answered yet -> the median is "not within" their wait
    assert sla.median_response(oct_[oct_["lead_id"].isin(["C", "D"])]) == float("inf")
