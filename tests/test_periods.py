from datetime import date

import pandas as pd
import pytest

from cmo_workbook.periods import Period


def test_month_bounds_and_neighbours():
    p = Period.parse("2026-10")
    assert (p.start, p.end, p.last_day) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01"), pd.Timestamp("2026-10-31"))
    assert str(p.previous()) == "2026-09"
    assert str(p.year_ago()) == "2025-10"
    assert str(Period.parse("2026-01").previous()) == "2025-12"


def test_quarter_bounds_and_months():
    q = Period.parse("2026-q3")
    assert str(q) == "2026-Q3"
    assert (q.start, q.end) == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-10-01"))
    assert [str(m) for m in q.month_periods()] == ["2026-07", "2026-08", "2026-09"]
    assert str(Period.parse("2026-Q1").previous()) == "2025-Q4"


@pytest.mark.parametrize("today,kind,expected", [
    (date(2026, 11, 25), "month", "2026-10"),
    (date(2026, 1, 3), "month", "2025-12"),
    (date(2026, 11, 25), "quarter", "2026-Q3"),
    (date(2026, 2, 1), "quarter", "2025-Q4"),
    (date(2026, 10, 1), "quarter", "2026-Q3"),
])
def test_last_complete(today, kind, expected):
    assert str(Period.last_complete(kind, today)) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "10/2026", "2026"])
def test_bad_period_message(text):
    with pytest.raises(ValueError, match=r"is not a month or a quarter \(expected YYYY-MM like 2026-10 or YYYY-QN like 2026-Q3\)"):
        Period.parse(text)


def test_contains_mask():
    s = pd.Series(pd.to_datetime(["2026-09-30 23:59", "2026-10-01", "2026-10-31 23:00", "2026-11-01"], format="ISO8601"))
    assert Period.parse("2026-10").contains(s).tolist() == [False, True, True, False]
