"""The tables of the sales–marketing sync (metrics/sla.py) on small hand fixtures: configuration from
params, breaches and lead quality per channel, rejection reasons, shared accounts, owner labels.
Each expected table is written out by hand (order, columns and values)."""
import math

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.metrics import sla

T = pd.Timestamp
NA = float("nan")


# ----------------------------------------------------------------- configuration

def test_from_params_reads_every_key():
    cfg = sla.SlaConfig.from_params({"response_hours": "8", "feedback_days": "3", "response_target": "0.95",
                                     "feedback_target": 0.7, "business_hours": "9-18 Mon-Thu",
                                     "holidays": ["2026-12-24", "2026-12-31 00:00"], "owner_labels": {"x": "y"}})
    assert cfg == sla.SlaConfig(response_hours=8.0, feedback_days=3.0, day_start=9.0, day_end=18.0,
                                weekmask="1111000", holidays=("2026-12-24", "2026-12-31"),
                                response_target=0.95, feedback_target=0.7)
    assert cfg.hours_per_day == 9.0


@pytest.mark.parametrize("raw,changed", [
    (None, {}), ({}, {}), ({"holidays": []}, {}),
    ({"response_hours": 12}, {"response_hours": 12.0}), ({"feedback_days": 2}, {"feedback_days": 2.0}),
    ({"response_target": 0.5}, {"response_target": 0.5}), ({"feedback_target": 0.6}, {"feedback_target": 0.6}),
    ({"business_hours": "7:30-16 Mon-Fri"}, {"day_start": 7.5, "day_end": 16.0}),
])
def test_from_params_keeps_defaults_for_missing_keys(raw, changed):
    assert sla.SlaConfig.from_params(raw) == sla.SlaConfig(**changed)


def test_from_params_names_unknown_keys_and_the_known_ones():
    with pytest.raises(ValueError) as e:
        sla.SlaConfig.from_params({"response_hour": 8, "a": 1})
    assert str(e.value) == ("unknown key(s) in sla: a, response_hour; expected business_hours, feedback_days, "
                            "feedback_target, holidays, owner_labels, response_hours, response_target, show_owner_names")


@pytest.mark.parametrize("text,expected", [
    ("8-17", (8.0, 17.0, "1111100")),
    ("08:30-17:15 Mon,Wed,Fri", (8.5, 17.25, "1010100")),
    ("7-19 Mon-Sat", (7.0, 19.0, "1111110")),
    ("0-24 Sun", (0.0, 24.0, "0000001")),
    (" 9 - 18  mon-fri", (9.0, 18.0, "1111100")),
    ("8-16 Tuesday-Thursday, Sat", (8.0, 16.0, "0111010")),
])
def test_parse_business_hours(text, expected):
    assert sla.parse_business_hours(text) == expected


@pytest.mark.parametrize("text,message", [
    ("17-8 Mon-Fri", "sla.business_hours '17-8 Mon-Fri': the day must start before it ends (0-24)"),
    ("8-8", "sla.business_hours '8-8': the day must start before it ends (0-24)"),
    ("8-25", "sla.business_hours '8-25': the day must start before it ends (0-24)"),
    ("office hours", "sla.business_hours 'office hours' is not like '8-17 Mon-Fri'"),
    ("8-17 Mon-Fry", "sla.business_hours '8-17 Mon-Fry': unknown weekday in 'Mon-Fry' (use Mon..Sun)"),
])
def test_parse_business_hours_errors(text, message):
    with pytest.raises(ValueError) as e:
        sla.parse_business_hours(text)
    assert str(e.value) == message


# ----------------------------------------------------------------- breaches and summary

def _statuses():
    # waited_hours (issue 18): the response hours, or for an unanswered (pending) lead the business hours it has
    # waited by the cut-off; the medians count unanswered leads as censored there (Kaplan–Meier)
    rows = [("a", "met", 2.0, 2.0), ("a", "breach", 30.0, 30.0), ("a", "breach", 40.0, 40.0),
            ("b", "met", 1.0, 1.0), ("b", "met", 3.0, 3.0), ("b", "pending", NA, 10.0),
            ("c", "breach", 50.0, 50.0), ("c", "pending", NA, 20.0),
            (None, "pending", NA, 4.0),
            ("d", "breach", 25.0, 25.0), ("d", "breach", 26.0, 26.0)]
    return pd.DataFrame(rows, columns=["channel", "response_status", "response_hours", "waited_hours"])


def test_breaches_by_channel_most_breaches_first_then_most_leads():
    by = sla.breaches_by(_statuses(), "channel")
    assert by.index.name == "channel"
    assert list(by.columns) == ["leads", "met", "breaches", "pending", "median_hours", "rate"]
    assert list(by.index) == ["a", "d", "c", "b", "–"]
    assert by[["leads", "met", "breaches", "pending"]].values.tolist() == [
        [3, 1, 2, 0], [2, 0, 2, 0], [2, 0, 1, 1], [3, 2, 0, 1], [1, 0, 0, 1]]
    # Kaplan–Meier medians (first time the share still unanswered is ≤ 1/2), issue 18:
    # a: 2 → 2/3, 30 → 1/3: 30; d: 25 → 1/2: 25 (no longer the mean 25,5 of the two);
    # c: 20 censored, 50 → 0: 50; b: 1 → 2/3, 3 → 1/3 (10 censored): 3 (the answered-only median was 2);
    # –: its one lead never answered: the median is not reached (inf)
    assert by["median_hours"].tolist() == [30.0, 25.0, 50.0, 3.0, math.inf]
    assert by["rate"].tolist()[:4] == [pytest.approx(1 / 3), 0.0, 0.0, 1.0]
    assert math.isnan(by["rate"].iloc[4])  # nothing decided yet: no rate


def test_summarize_counts_every_status():
    df = _statuses().assign(
        feedback_status=["met", "met", "breach", "pending", "met", "breach", "breach", "pending", "pending", "met", "met"],
        outcome=["accepted", "rejected", "open", "accepted", "accepted", "rejected", "open", "open", "open", "rejected",
                 "accepted"])
    s = sla.summarize(df)
    # median over all 11 (issue 18: unanswered censored at 4, 10, 20): S(1) = 10/11, S(2) = 9/11, S(3) = 8/11,
    # S(25) = 8/11 × 4/5 = 0,58, S(26) = 8/11 × 4/5 × 3/4 = 0,44 ≤ 1/2: 26
    assert s == sla.SlaSummary(leads=11, response_met=3, response_breach=5, response_pending=3,
                               median_response_hours=26.0, response_unanswered=3, feedback_met=5, feedback_breach=3,
                               feedback_pending=3, accepted=4, rejected=3)
    # nobody answered: more than half never got an answer, the median is not reached (inf; was NaN)
    assert sla.summarize(df.assign(response_hours=NA)).median_response_hours == math.inf
    assert math.isnan(sla.summarize(df.iloc[0:0]).median_response_hours)


# ----------------------------------------------------------------- decisions and quality

def _decisions():
    rows = [("x", "accepted", None, "2026-10-01 00:00"), ("x", "rejected", "Budget", "2026-10-02 00:00"),
            ("x", "rejected", "Budget", "2026-10-03 00:00"), ("x", "rejected", "Timing", "2026-10-04 00:00"),
            ("x", "rejected", None, "2026-10-05 00:00"),
            ("y", "accepted", None, "2026-10-06 00:00"), ("y", "accepted", None, "2026-10-07 00:00"),
            ("z", "rejected", "Zeit", "2026-10-08 00:00"), ("z", "rejected", "Anders", "2026-10-09 00:00"),
            ("z", "open", None, None),
            (None, "rejected", "Budget", "2026-10-31 23:59")]
    df = pd.DataFrame(rows, columns=["channel", "outcome", "rejection_reason", "sales_feedback_date"])
    df["sales_feedback_date"] = pd.to_datetime(df["sales_feedback_date"])
    return df


def test_quality_by_channel_with_top_reasons():
    q = sla.quality_by(_decisions())
    assert q.index.name == "channel"
    assert list(q.columns) == ["decided", "accepted", "rejected", "rate", "top_reasons"]
    assert q.reset_index().values.tolist() == [
        ["x", 5, 1, 4, 0.2, [("Budget", 2), ("Timing", 1)]],   # "–" (no reason) ties with Timing, sorts after it
        ["z", 2, 0, 2, 0.0, [("Anders", 1), ("Zeit", 1)]],     # ties alphabetical
        ["–", 1, 0, 1, 0.0, [("Budget", 1)]],
        ["y", 2, 2, 0, 1.0, []],
    ]


def test_quality_by_without_decisions_is_an_empty_table():
    q = sla.quality_by(_decisions()[lambda d: d["outcome"] == "open"], key="channel")
    assert q.empty and q.index.name == "channel"
    assert list(q.columns) == ["decided", "accepted", "rejected", "rate", "top_reasons"]


def test_rejection_reasons_most_first_ties_alphabetical():
    r = sla.rejection_reasons(_decisions())
    assert list(r.items()) == [("Budget", 3), ("Anders", 1), ("Timing", 1), ("Zeit", 1), ("–", 1)]


def test_decided_in_is_half_open():
    d = sla.decided_in(_decisions(), T("2026-10-02"), T("2026-10-31 23:59"))
    assert d["sales_feedback_date"].min() == T("2026-10-02") and len(d) == 8


# ----------------------------------------------------------------- shared accounts

MKT = ["events", "paid_search", "newsletter"]


def _leads():
    return pd.DataFrame({
        "lead_id": ["N1", "N2", "N3", "N4", "N5", "N6"],
        "created_date": pd.to_datetime(["2026-10-01", "2026-10-31", "2026-11-01", "2026-10-15", "2026-10-20",
                                        "2026-10-21"]),
        "channel": ["events", "paid_search", "events", "sales_outbound", "events", "newsletter"],
        "company": ["Alpha GmbH", "alpha  gmbh ", "Beta AG", "Beta AG", "Gamma Ltd", "Delta"],
        "account_id": ["A1", None, None, None, "G9", None],
    })


def _deals():
    return pd.DataFrame({
        "deal_id": ["D1", "D2", "D3", "D4", "D5", "D6"],
        "created_date": pd.to_datetime(["2026-09-01", "2026-10-05", "2026-11-01", "2026-10-01", "2026-09-01",
                                        "2026-09-15"]),
        "status": ["open", "open", "open", "open", "won", "open"],
        "company": ["Alpha GmbH", "ALPHA GMBH", "Delta", "GAMMA Limited", "Beta AG", "Beta AG"],
        "account_id": ["A1", "A1", None, "G9", None, None],
        "amount": [30_000.0, 50_000.0, 99_000.0, 10_000.0, 5_000.0, 8_000.0],
        "stage": ["Proposal", "Negotiation", "Qualified", "Qualified", "Closed Won", "Proposal"],
    })


def test_shared_accounts_by_name_and_account_id():
    s = sla.shared_accounts(_leads(), _deals(), T("2026-10-01"), T("2026-11-01"), MKT)
    assert list(s.columns) == ["company", "open_deals", "open_value", "new_leads", "channels", "stage"]
    # Alpha: two open deals (80 000), two new marketing leads (one by account id, one by name);
    # Gamma: the lead's account id joins the deal although the names differ; Delta's deal opens at the
    # window's end, Beta's only October lead is sales outbound and its November lead is outside
    assert s.values.tolist() == [
        ["ALPHA GMBH", 2, 80_000.0, 2, ["events", "paid_search"], "Negotiation"],
        ["GAMMA Limited", 1, 10_000.0, 1, ["events"], "Qualified"],
    ]
    by_name = sla.shared_accounts(_leads().drop(columns="account_id"), _deals().drop(columns="account_id"),
                                  T("2026-10-01"), T("2026-11-01"), MKT)
    assert by_name["company"].tolist() == ["ALPHA GMBH"]


def test_shared_accounts_empty_cases_have_the_columns():
    cols = ["company", "open_deals", "open_value", "new_leads", "channels", "stage"]
    for leads, deals in ((_leads(), _deals().assign(status="won")), (_leads().assign(channel="sales_outbound"), _deals())):
        s = sla.shared_accounts(leads, deals, T("2026-10-01"), T("2026-11-01"), MKT)
        assert s.empty and list(s.columns) == cols


def test_owner_labels_skip_missing_and_number_the_rest_alphabetically():
    owners = ["Zoe", "Eva", np.nan, "<NA>", "–", None, "Max", "Eva", 7]
    assert sla.owner_labels(owners, "de", {"Max": "Team Süd"}, names=False) == {
        "7": "Vertrieb 1", "Eva": "Vertrieb 2", "Max": "Team Süd", "Zoe": "Vertrieb 3"}
    assert sla.owner_labels(["b", "a"], "en", names=False) == {"a": "Sales rep 1", "b": "Sales rep 2"}
    assert sla.owner_labels(owners, "de", {"Max": "Team Süd"}) == {"7": "7", "Eva": "Eva", "Max": "Team Süd",
                                                                  "Zoe": "Zoe"}
    assert sla.owner_labels([], "de") == {}


def test_shared_accounts_without_a_common_company_has_the_columns():
    deals = _deals().assign(company="Nobody KG", account_id=None)
    s = sla.shared_accounts(_leads(), deals, T("2026-10-01"), T("2026-11-01"), MKT)
    assert s.empty and list(s.columns) == ["company", "open_deals", "open_value", "new_leads", "channels", "stage"]


def test_missing_reason_shows_as_dash_in_top_reasons():
    d = pd.DataFrame({"channel": ["w", "w"], "outcome": ["rejected", "accepted"], "rejection_reason": [None, None]})
    assert sla.quality_by(d).loc["w", "top_reasons"] == [("–", 1)]


def test_lead_sla_cut_off_is_exclusive_and_holidays_stop_the_clock():
    leads = pd.DataFrame({"lead_id": ["A", "B", "C"],
                          "mql_date": [T("2026-10-02 16:00"), T("2026-10-06 12:00"), T("2026-10-05 09:00")],
                          "first_response_date": [T("2026-10-06 12:00"), pd.NaT, T("2026-10-05 10:00")],
                          "sales_feedback_date": [pd.NaT, pd.NaT, T("2026-10-06 12:00")],
                          "sql_date": [pd.NaT, pd.NaT, pd.NaT], "rejection_reason": [None, None, "Budget"]})
    cfg = sla.SlaConfig(holidays=("2026-10-05",))  # Monday off
    f = sla.lead_sla(leads, cfg, T("2026-10-06 12:00")).set_index("lead_id")
    # B's MQL is at the cut-off: not yet in the report; A's answer and C's feedback at the cut-off are not yet known
    assert list(f.index) == ["A", "C"]
    assert f.loc["A", "response_status"] == "pending" and f.loc["C", "outcome"] == "open"
    # C: MQL on the holiday at 09:00 answered at 10:00 the same day: no business hour passed
    assert f.loc["C", "response_hours"] == 0.0
    g = sla.lead_sla(leads, cfg, T("2026-10-06 12:01")).set_index("lead_id")
    # A: Fri 16:00-17:00 = 1 h, Monday is a holiday, Tue 08:00-12:00 = 4 h
    assert g.loc["A", "response_hours"] == pytest.approx(5.0)
    assert g.loc["C", "outcome"] == "rejected"
