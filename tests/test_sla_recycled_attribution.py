"""Recycled leads and attribution questions of the sales–marketing sync (metrics/sla.py), window
November 2026, on hand fixtures with every match rule and boundary written out."""
import pandas as pd

from cmo_workbook.metrics import sla

T = pd.Timestamp
NOV = (T("2026-11-01"), T("2026-12-01"))


def _leads():
    rows = [
        # id, created, mql, feedback, reason, e-mail, company
        ("R1", "2026-09-01", "2026-11-05", "2026-10-10", "Kein Bedarf", "a@x.de", "Alpha GmbH"),  # MQL again after rejection
        ("R2", "2026-10-01", "2026-10-02", "2026-10-20", "Budget", "B@Beta.de ", "Beta AG"),
        ("R3", "2026-10-01", "2026-10-03", "2026-10-25", "Timing", "b@beta.de", "Beta AG"),          # later rejection
        ("R4", "2026-10-01", "2026-10-04", "2026-11-20", "Budget", "d@d.de", "Delta"),               # rejected after N5
        ("N1", "2026-11-02", None, None, None, "b@beta.de", "Beta AG"),
        ("N2", "2026-11-03", None, None, None, "c@beta.de", "beta  ag"),
        ("N3", "2026-10-15", None, None, None, "b@beta.de", "Beta AG"),                             # before the window
        ("N4", "2026-11-04", None, None, None, "A@X.DE", "Other"),
        ("N5", "2026-11-10", None, None, None, "d@d.de", "Delta"),
        ("N6", "2026-12-01", None, None, None, "a@x.de", "Alpha GmbH"),                              # window end
        ("N7", "2026-11-01", None, None, None, "z@z.de", "Zeta"),                                    # window start
        ("R5", "2026-10-01", "2026-11-01", "2026-10-12", "Budget", "q@q.de", "Q GmbH"),               # MQL again at start
        ("R6", "2026-10-01", "2026-10-02", "2026-10-13", "Timing", "z@z.de", "Zeta"),
    ]
    df = pd.DataFrame(rows, columns=["lead_id", "created_date", "mql_date", "sales_feedback_date", "rejection_reason",
                                     "contact_email", "company"])
    for c in ("created_date", "mql_date", "sales_feedback_date"):
        df[c] = pd.to_datetime(df[c])
    return df


EXTRA = ["rejected_before", "earlier_reason", "matched_on"]


def test_recycled_leads_by_same_lead_and_email():
    r = sla.recycled_leads(_leads(), *NOV)
    assert list(r.columns) == list(_leads().columns) + EXTRA
    assert list(r.index) == [0, 1, 2, 3, 4]
    assert r[["lead_id", "matched_on", "rejected_before", "earlier_reason"]].values.tolist() == [
        ["N1", "e-mail", T("2026-10-25"), "Timing"],      # the latest earlier rejection of that address
        ["N4", "e-mail", T("2026-10-10"), "Kein Bedarf"],  # e-mail compared case-insensitively
        ["N7", "e-mail", T("2026-10-13"), "Timing"],
        ["R1", "same lead", T("2026-10-10"), "Kein Bedarf"],
        ["R5", "same lead", T("2026-10-12"), "Budget"],
    ]


def test_recycled_leads_by_company_adds_colleagues():
    r = sla.recycled_leads(_leads(), *NOV, by_company=True)
    assert r[["lead_id", "matched_on", "rejected_before", "earlier_reason"]].values.tolist() == [
        ["N1", "e-mail", T("2026-10-25"), "Timing"],       # e-mail wins over company
        ["N2", "company", T("2026-10-25"), "Timing"],      # "beta  ag" = "Beta AG"
        ["N4", "e-mail", T("2026-10-10"), "Kein Bedarf"],
        ["N7", "e-mail", T("2026-10-13"), "Timing"],
        ["R1", "same lead", T("2026-10-10"), "Kein Bedarf"],
        ["R5", "same lead", T("2026-10-12"), "Budget"],
    ]


def test_nothing_recycled_is_an_empty_table_with_the_columns():
    r = sla.recycled_leads(_leads(), T("2027-01-01"), T("2027-02-01"), by_company=True)
    assert r.empty and list(r.columns) == list(_leads().columns) + EXTRA
    no_mail = sla.recycled_leads(_leads().drop(columns="contact_email"), *NOV)
    assert no_mail["lead_id"].tolist() == ["R1", "R5"]


def _deals():
    rows = [
        # id, created, lead, channel, amount, type
        ("A", "2026-10-01 00:00", None, None, 5_000.0, "New Business"),
        ("B", "2026-10-31 23:59", "L9", None, 9_000.0, None),
        ("C", "2026-10-10 00:00", "LO1", None, 20_000.0, "New Business"),
        ("D", "2026-10-12 00:00", "LO2", "sales_outbound", 20_000.0, "New Business"),
        ("E", "2026-10-13 00:00", "LO3", None, 30_000.0, "New Business"),
        ("F", "2026-10-14 00:00", None, None, 70_000.0, "Existing Business"),
        ("G", "2026-11-01 00:00", None, None, 80_000.0, "New Business"),
        ("H", "2026-10-15 00:00", "LP", None, 1_000.0, "New Business"),
        ("I", "2026-10-02 00:00", None, None, 5_000.0, "New Business"),
    ]
    df = pd.DataFrame(rows, columns=["deal_id", "created_date", "lead_id", "channel", "amount", "deal_type"])
    df["created_date"] = pd.to_datetime(df["created_date"])
    return df


def _crm_leads():
    return pd.DataFrame({"lead_id": ["L9", "LO1", "LO2", "LO3", "LP"],
                         "channel": [None, "sales_outbound", "sales_outbound", "sales_outbound", "paid_search"]})


def _touches():
    return pd.DataFrame({
        "lead_id": ["LO1", "LO1", "LO1", "LO1", "LO1", "LO2", "LP", "LO3"],
        "timestamp": pd.to_datetime(["2026-09-15", "2026-10-20", "2026-10-09", "2026-09-01", "2026-10-10", "2026-10-01",
                                     "2026-10-01", "2026-10-12"]),
        "channel": ["webinars", "email", "events", "sales_outbound", "newsletter", "newsletter", "webinars", "email"],
    })


def test_attribution_questions_no_source_and_outbound_with_marketing():
    aq = sla.attribution_questions(_deals(), _crm_leads(), _touches(), T("2026-10-01"), T("2026-11-01"),
                                   ["webinars", "email", "events", "newsletter"])
    # no lead, or a lead without channel; existing business and deals after the window are not questions
    assert aq["no_source"]["deal_id"].tolist() == ["B", "A", "I"]
    owm = aq["outbound_with_marketing"]
    assert list(owm.columns) == list(_deals().columns) + ["touches", "touch_channels"]
    assert owm[["deal_id", "touches", "touch_channels"]].values.tolist() == [
        # the e-mail came after the deal, the newsletter at the very moment it was created, the call is not marketing
        ["E", 1, ["email"]],                # largest amount first
        ["C", 2, ["events", "webinars"]],
        ["D", 1, ["newsletter"]],
    ]
    assert list(owm.index) == [0, 1, 2]


def test_attribution_questions_without_touchpoints():
    aq = sla.attribution_questions(_deals(), _crm_leads(), None, T("2026-10-01"), T("2026-11-01"), ["webinars"])
    assert aq["outbound_with_marketing"].empty
    assert list(aq["outbound_with_marketing"].columns) == list(_deals().columns) + ["touches", "touch_channels"]
    no_type = sla.attribution_questions(_deals().drop(columns="deal_type"), _crm_leads(), None, T("2026-10-01"),
                                        T("2026-11-01"), ["webinars"])
    assert no_type["no_source"]["deal_id"].tolist() == ["F", "B", "A", "I"]
