"""One response time: the controlling workbook's funnel sheet gives the sync memo's measure — business hours of the
params' SLA calendar, unanswered inquiries counted as still waiting (Kaplan–Meier) — and says its unit. Before, the
sheet's median was in calendar hours beside a memo in business hours. Hours derived by hand in the comments."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
from openpyxl import Workbook, load_workbook

from cmo_workbook.memos import controlling
from cmo_workbook.metrics import sla
from cmo_workbook.periods import Period

OCT = Period.parse("2026-10")
T = pd.Timestamp


def _leads() -> pd.DataFrame:
    # paid search, MQL -> first contact with business hours 8-17 Mon-Fri (2026: 3 Oct is a Saturday):
    #   A Fri 02.10. 16:00 -> Mon 05.10. 09:00: 1 h + 1 h = 2 h   (calendar 65 h)
    #   B Mon 05.10. 10:00 -> Tue 06.10. 12:00: 7 h + 4 h = 11 h  (calendar 26 h)
    #   C Tue 06.10. 09:00 -> Tue 06.10. 14:00: 5 h               (calendar 5 h)
    #   D Thu 29.10. 16:00, no contact by 01.11.: waited 1 h + 9 h (Fri) = 10 h (calendar 56 h)
    # linkedin: E answered after 1 h, F and G still waiting at the period end: more than half wait
    rows = [("A", "paid_search", "2026-10-02 16:00", "2026-10-05 09:00"),
            ("B", "paid_search", "2026-10-05 10:00", "2026-10-06 12:00"),
            ("C", "paid_search", "2026-10-06 09:00", "2026-10-06 14:00"),
            ("D", "paid_search", "2026-10-29 16:00", None),
            ("E", "linkedin", "2026-10-07 09:00", "2026-10-07 10:00"),
            ("F", "linkedin", "2026-10-07 09:00", None),
            ("G", "linkedin", "2026-10-08 09:00", "2026-11-02 09:00")]  # answered after the cut-off: still waiting
    df = pd.DataFrame(rows, columns=["lead_id", "channel", "mql_date", "first_response_date"])
    for col in ("mql_date", "first_response_date"):
        df[col] = pd.to_datetime(df[col])
    df["sql_date"] = pd.NaT
    df["sales_feedback_date"] = pd.NaT
    df["rejection_reason"] = pd.NA
    return df


def _params(language: str = "de"):
    return SimpleNamespace(raw={"sla": {"response_hours": 24, "business_hours": "8-17 Mon-Fri"}},
                           company={"state": "BW"}, marketing_channels=["paid_search", "linkedin"], language=language)


def test_the_workbooks_median_is_the_sync_memos_business_hours():
    leads, params = _leads(), _params()
    med = controlling.response_medians(leads, params, OCT.end)
    oct_ = pd.Period("2026-10", "M")
    # Kaplan–Meier over 2 (event), 5 (event), 10 (D still waiting), 11 (event): S = 3/4 after 2 h, 1/2 after 5 h
    # -> 5 business hours (in calendar hours the same curve gave 26 h: 5, 26, 56 waiting, 65)
    assert med[("paid_search", oct_)] == 5.0
    # linkedin: 1 of 3 answered by the cut-off -> no median yet (empty, not the answered one's 1 h)
    assert math.isnan(med[("linkedin", oct_)])
    # the sync memo's figure for the same cohort is the same number (one definition)
    cfg = sla.SlaConfig.from_params(params.raw["sla"], state="BW")
    frame = sla.lead_sla(leads, cfg, OCT.end)
    by_channel = sla.breaches_by(sla.cohort(frame, OCT.start, OCT.end), "channel")
    assert by_channel.loc["paid_search", "median_hours"] == 5.0
    assert by_channel.loc["linkedin", "median_hours"] == math.inf  # the memo's "not within the longest wait"


def test_the_funnel_sheet_labels_its_unit_and_writes_the_business_hours(tmp_path):
    ds = SimpleNamespace(params=_params(), leads=_leads(), has=lambda name: False)
    wb = Workbook(write_only=True)
    controlling._funnel(wb, ds, OCT, "de")
    wb.save(tmp_path / "f.xlsx")
    rows = list(load_workbook(tmp_path / "f.xlsx").active.iter_rows(values_only=True))
    header = rows[0]
    col = header.index("Antwortzeit Median (Arbeitsstd.)")
    by_month = {(r[0], r[1]): r[col] for r in rows[1:-1]}
    assert by_month[("Suchmaschinenwerbung", "2026-10")] == 5  # business hours, not the 26 calendar hours
    assert by_month[("LinkedIn", "2026-10")] is None  # more than half still wait: empty
    note = rows[-1][0]
    assert note.startswith("Antwortzeit in Arbeitsstunden (Mo–Fr 8–17 Uhr, ohne gesetzliche Feiertage und "
                           "Betriebsruhetage) von der Übergabe bis zum ersten Kontakt, wie die SLA-Auswertung im Sync-Memo")
    assert "Kalenderstunden" not in note
