"""Edges of metrics/sla.py found by mutation testing: a company's own business days count in the whole-day part
of business hours (not only Mon-Fri), and only rejected leads can come back as recycled ones."""
from __future__ import annotations

import pandas as pd

from cmo_workbook.metrics import sla


def test_a_saturday_counts_where_the_company_works_on_saturdays():
    # Fri 2026-10-09 16:00 to Mon 2026-10-12 09:00, 8-17 (9 h a day): Mon-Fri 1 + 1 = 2 h; Mon-Sat adds Saturday's
    # 9 h (not the weekend before: 3 October is a public holiday)
    start, end = [pd.Timestamp("2026-10-09 16:00")], [pd.Timestamp("2026-10-12 09:00")]
    five = sla.SlaConfig.from_params({"business_hours": "8-17 Mon-Fri"})
    six = sla.SlaConfig.from_params({"business_hours": "8-17 Mon-Sat"})
    assert sla.business_hours(start, end, five).tolist() == [2.0]
    assert sla.business_hours(start, end, six).tolist() == [11.0]
    # from a Saturday to the next Saturday: 6 business days of 9 h with Saturdays, 5 without
    sat = [pd.Timestamp("2026-10-17 12:00")]
    assert sla.business_hours([pd.Timestamp("2026-10-10 12:00")], sat, six).tolist() == [54.0]
    assert sla.business_hours([pd.Timestamp("2026-10-10 12:00")], sat, five).tolist() == [45.0]


def test_an_accepted_lead_is_no_earlier_rejection():
    leads = pd.DataFrame({
        "lead_id": ["L1", "L2", "L3", "L4"],
        "contact_email": ["a@kunde.example", "a@kunde.example", "b@kunde.example", "b@kunde.example"],
        "company": ["Kunde", "Kunde", "Kunde B", "Kunde B"],
        "created_date": pd.to_datetime(["2026-08-01", "2026-10-05", "2026-08-01", "2026-10-06"]),
        "mql_date": pd.to_datetime(["2026-08-02", "2026-10-05", "2026-08-02", "2026-10-06"]),
        # L1 was accepted (feedback, no reason), L3 rejected
        "sales_feedback_date": pd.to_datetime(["2026-08-03", None, "2026-08-03", None]),
        "rejection_reason": [None, None, "kein Bedarf", None],
    })
    got = sla.recycled_leads(leads, pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"))
    assert got["lead_id"].tolist() == ["L4"] and got["earlier_reason"].tolist() == ["kein Bedarf"]


def _rejected_and_new() -> pd.DataFrame:
    return pd.DataFrame({
        "lead_id": ["R1", "R2", "N1"],
        "company": ["Kunde", "Other", "kunde "],
        "created_date": pd.to_datetime(["2026-08-01", "2026-09-01", "2026-10-05"]),
        # R2 was rejected on the very day it became an MQL: that is no way back
        "mql_date": pd.to_datetime(["2026-08-02", "2026-10-07", None]),
        "sales_feedback_date": pd.to_datetime(["2026-08-03", "2026-10-07", None]),
        "rejection_reason": ["kein Bedarf", "Budget", None],
    })


def test_a_lead_rejected_on_its_mql_day_has_not_come_back_and_company_matching_needs_no_email():
    oct_ = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"))
    assert sla.recycled_leads(_rejected_and_new(), *oct_).empty  # no e-mail column, R2's MQL is not after its rejection
    # without an e-mail column the company still matches: N1 is a colleague of R1's company ("kunde " = "Kunde")
    by_co = sla.recycled_leads(_rejected_and_new(), *oct_, by_company=True)
    assert by_co[["lead_id", "matched_on", "earlier_reason"]].values.tolist() == [["N1", "company", "kein Bedarf"]]


def test_nothing_recycled_keeps_text_columns_as_text():
    empty = sla.recycled_leads(_rejected_and_new(), pd.Timestamp("2027-01-01"), pd.Timestamp("2027-02-01"))
    assert empty.empty and str(empty["earlier_reason"].dtype) == "string" and str(empty["matched_on"].dtype) == "string"


def test_a_deals_own_inquiry_is_no_second_channel_even_on_the_deals_day():
    # the deal was created from L1 the same day: L1 is where it came from; L2 a week later is a second inquiry
    deals = pd.DataFrame({"deal_id": ["D1"], "company": ["Kunde"], "status": ["open"], "amount": [10_000.0],
                          "stage": ["Angebot"], "lead_id": ["L1"], "created_date": pd.to_datetime(["2026-10-05"])})
    leads = pd.DataFrame({"lead_id": ["L1", "L2"], "company": ["Kunde", "Kunde"], "channel": ["webinars", "email"],
                          "created_date": pd.to_datetime(["2026-10-05", "2026-10-12"])})
    oct_ = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"))
    assert sla.shared_accounts(leads.iloc[:1], deals, *oct_, ["webinars", "email"]).empty
    both = sla.shared_accounts(leads, deals, *oct_, ["webinars", "email"])
    assert both[["company", "new_leads", "channels"]].values.tolist() == [["Kunde", 1, ["email"]]]


def test_attribution_questions_without_a_deal_in_the_window_are_empty():
    deals = pd.DataFrame({"deal_id": ["A"], "created_date": pd.to_datetime(["2026-09-30"]), "lead_id": ["L1"],
                          "channel": [None], "amount": [5_000.0], "deal_type": ["New Business"]})
    leads = pd.DataFrame({"lead_id": ["L1"], "channel": [None]})
    aq = sla.attribution_questions(deals, leads, None, pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"), ["email"])
    assert aq["no_source"].empty and aq["outbound_with_marketing"].empty


class _HeldTouches:
    """Stands in for touchpoints held in the engine (inputs.engine_table.EngineTable): the touches of a few leads."""

    def __init__(self, frame: pd.DataFrame):
        self.frame, self.asked = frame, []

    def touches_of(self, lead_ids, channels) -> pd.DataFrame:
        ids, chans = {str(i) for i in lead_ids}, list(channels)
        self.asked.append((sorted(ids), chans))
        return self.frame[self.frame["lead_id"].isin(ids) & self.frame["channel"].isin(chans)]


def test_outbound_deals_with_marketing_touches_held_in_the_engine():
    deals = pd.DataFrame({"deal_id": ["D1", "D2"], "created_date": pd.to_datetime(["2026-10-10", "2026-10-12"]),
                          "lead_id": ["L1", "L2"], "channel": [None, None], "amount": [5_000.0, 7_000.0],
                          "deal_type": ["New Business"] * 2})
    leads = pd.DataFrame({"lead_id": ["L1", "L2"], "channel": ["sales_outbound", "paid_search"]})
    touches = pd.DataFrame({"lead_id": ["L1", "L1", "L1"], "channel": ["webinars", "email", "sales_outbound"],
                            "timestamp": pd.to_datetime(["2026-09-01", "2026-10-20", "2026-09-02"])})
    held = _HeldTouches(touches)
    aq = sla.attribution_questions(deals, leads, held, pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"),
                                   ["webinars", "email"])
    # only the outbound deal's lead is asked for, in the marketing channels (sorted); the e-mail came after the deal
    assert held.asked == [(["L1"], ["email", "webinars"])]
    assert aq["outbound_with_marketing"][["deal_id", "touches", "touch_channels"]].values.tolist() == [
        ["D1", 1, ["webinars"]]]
