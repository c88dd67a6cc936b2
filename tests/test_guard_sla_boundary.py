"""Guards the SLA boundaries (article 4.2): an answer exactly at "24 business hours" is within the SLA.

Mutation it catches: ``elapsed <= limit`` → ``elapsed < limit`` (or a tolerance that pushes the boundary),
both for answered leads and for open leads whose window has (not yet) passed at the cut-off.
Calendar 8-17 Mon-Fri, 9 business hours a day: an MQL on Monday 2026-10-05 09:00 reaches 24 business
hours on Wednesday 15:00 (Mon 8 h + Tue 9 h + Wed 7 h), 5 business days (45 h) on Monday 2026-10-12 09:00.
"""
import numpy as np
import pandas as pd
import pytest

from cmo_workbook.metrics import sla

CFG = sla.SlaConfig(response_hours=24, feedback_days=5)
T = pd.Timestamp
MQL = "2026-10-05 09:00"


def _lead(response=None, feedback=None, sql=None, reason=None, mql=MQL):
    df = pd.DataFrame({"lead_id": ["L"], "mql_date": [T(mql)], "first_response_date": [T(response) if response else pd.NaT],
                       "sales_feedback_date": [T(feedback) if feedback else pd.NaT], "sql_date": [T(sql) if sql else pd.NaT],
                       "rejection_reason": [reason]})
    return df


def _row(as_of="2026-11-01", **kw):
    return sla.lead_sla(_lead(**kw), CFG, T(as_of)).iloc[0]


@pytest.mark.parametrize("response,hours,status", [
    ("2026-10-07 15:00", 24.0, "met"),                # exactly 24 business hours
    ("2026-10-07 14:59", 24.0 - 1 / 60, "met"),
    ("2026-10-07 15:01", 24.0 + 1 / 60, "breach"),
    ("2026-10-07 18:00", 26.0, "breach"),             # after hours on Wednesday: clock stopped at 17:00
    ("2026-10-08 07:00", 26.0, "breach"),
])
def test_response_at_and_around_24_business_hours(response, hours, status):
    r = _row(response=response)
    assert r["response_hours"] == pytest.approx(hours)
    assert r["response_status"] == status


@pytest.mark.parametrize("as_of,status", [
    ("2026-10-07 15:00", "pending"),   # open exactly 24 h at the cut-off: not yet a breach
    ("2026-10-07 15:01", "breach"),
    ("2026-10-06 12:00", "pending"),
])
def test_open_lead_becomes_a_breach_only_after_the_window(as_of, status):
    r = _row(as_of=as_of)
    assert np.isnan(r["response_hours"])
    assert r["response_status"] == status


@pytest.mark.parametrize("feedback,status", [("2026-10-12 09:00", "met"), ("2026-10-12 09:01", "breach")])
def test_feedback_at_and_after_five_business_days(feedback, status):
    r = _row(response="2026-10-05 10:00", feedback=feedback, reason="Kein Bedarf")
    assert r["feedback_days"] == pytest.approx(5.0 if status == "met" else 5 + 1 / 60 / 9)
    assert r["feedback_status"] == status
    assert r["outcome"] == "rejected"


def test_limit_within_float_rounding_counts_as_met():
    # the SLA tolerance is 1e-9 h: an elapsed time computed as 24 + 1e-9 is "exactly 24"
    limit = 24.0
    out = sla._status(np.array([limit + 1e-9, limit + 1e-6, np.nan, np.nan]),
                      np.array([0.0, 0.0, limit + 1e-9, limit + 1e-6]), limit)
    assert out.tolist() == ["met", "breach", "pending", "breach"]


def test_rates_leave_pending_out_and_empty_cohorts_have_none():
    # issue 18 added response_unanswered (the median counts unanswered leads as censored); it does not enter the rates
    s = sla.SlaSummary(leads=5, response_met=3, response_breach=1, response_pending=1, median_response_hours=4.0,
                       response_unanswered=1, feedback_met=1, feedback_breach=3, feedback_pending=1, accepted=2,
                       rejected=6)
    assert (s.response_rate, s.feedback_rate, s.acceptance_rate) == (0.75, 0.25, 0.25)
    empty = sla.SlaSummary(0, 0, 0, 0, float("nan"), 0, 0, 0, 0, 0, 0)
    assert all(np.isnan(v) for v in (empty.response_rate, empty.feedback_rate, empty.acceptance_rate))


def test_summary_of_leads_at_the_boundary_counts_met_breach_and_pending():
    # one answered exactly at 24 h (met), one a minute later (breach), one open exactly 24 h at the cut-off
    # (MQL Tuesday 09:00, cut-off Thursday 15:00: pending)
    leads = pd.concat([_lead(response="2026-10-07 15:00"), _lead(response="2026-10-07 15:01"),
                       _lead(mql="2026-10-06 09:00")], ignore_index=True)
    s = sla.summarize(sla.lead_sla(leads, CFG, T("2026-10-08 15:00")))
    assert (s.response_met, s.response_breach, s.response_pending, s.response_unanswered) == (1, 1, 1, 1)
    assert s.response_rate == 0.5
