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
