"""Guards period arithmetic: the last complete month/quarter before a date, shifts across years, bounds.

Mutation it catches: ``last_complete`` quarter off by one (``(month - 1) // 3`` → ``month // 3``): in
March, June, September and December the scheduled run picked the running quarter.
"""
from datetime import date

import pandas as pd
import pytest

from cmo_workbook.periods import Period


@pytest.mark.parametrize("today,expected", [
    (date(2026, 1, 1), "2025-Q4"), (date(2026, 3, 31), "2025-Q4"),
    (date(2026, 4, 1), "2026-Q1"), (date(2026, 6, 30), "2026-Q1"),
    (date(2026, 7, 1), "2026-Q2"), (date(2026, 9, 15), "2026-Q2"),
    (date(2026, 10, 1), "2026-Q3"), (date(2026, 12, 31), "2026-Q3"),
])
def test_last_complete_quarter_at_every_quarter_edge(today, expected):
    assert str(Period.last_complete("quarter", today)) == expected


@pytest.mark.parametrize("today,expected", [
    (date(2026, 1, 31), "2025-12"), (date(2026, 2, 1), "2026-01"), (date(2026, 12, 31), "2026-11"),
])
def test_last_complete_month(today, expected):
    assert str(Period.last_complete("month", today)) == expected


def test_last_complete_defaults_to_today_and_rejects_other_kinds():
    today = date.today()
    assert Period.last_complete("month").end <= pd.Timestamp(today)
    with pytest.raises(ValueError, match=r"kind must be 'month' or 'quarter' \(got 'year'\)"):
        Period.last_complete("year", today)


def test_shift_year_ago_and_months_across_year_ends():
    jan = Period.parse("2026-01")
    assert str(jan.shift(-1)) == "2025-12" and str(jan.shift(-12)) == "2025-01" and str(jan.shift(11)) == "2026-12"
    assert str(jan.shift(12)) == "2027-01" and str(jan.shift(-13)) == "2024-12"
    assert jan.year_ago() == Period(2025, 1, "month") == jan.shift(-12)
    q1 = Period.parse("2026-q1")
    assert str(q1.shift(-1)) == "2025-Q4" and str(q1.shift(4)) == "2027-Q1" and str(q1.year_ago()) == "2025-Q1"
    assert q1.months == 3 and jan.months == 1
    assert (q1.start, q1.end, q1.last_day) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-01"),
                                               pd.Timestamp("2026-03-31"))
    q4 = Period.parse("2026-Q4")
    assert (q4.start, q4.end) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2027-01-01"))
    assert [str(m) for m in q4.month_periods()] == ["2026-10", "2026-11", "2026-12"]
    assert Period.parse("2026-12").month_periods() == [Period(2026, 12, "month")]
    assert Period.parse("2026-02").last_day == pd.Timestamp("2026-02-28")


def test_parse_accepts_padding_and_month_edges():
    assert Period.parse(" 2026-01 ") == Period(2026, 1, "month")
    assert Period.parse("2026-12") == Period(2026, 12, "month")
    assert Period.parse("2026-Q4") == Period(2026, 4, "quarter")
    for bad in ("2026-00", "2026-Q0", "2026-1", "x2026-10", "2026-10x"):
        with pytest.raises(ValueError, match="is not a month or a quarter"):
            Period.parse(bad)


def test_to_pandas_and_contains():
    assert Period.parse("2026-10").to_pandas() == pd.Period("2026-10", freq="M")
    assert Period.parse("2026-Q3").to_pandas() == pd.Period("2026Q3", freq="Q")
    ts = pd.Series(pd.to_datetime(["2026-06-30 23:59", "2026-07-01 00:00", "2026-09-30 23:59", "2026-10-01 00:00"]))
    assert Period.parse("2026-Q3").contains(ts).tolist() == [False, True, True, False]
    assert str(Period(2026, 3, "month")) == "2026-03" and str(Period(2026, 3, "quarter")) == "2026-Q3"
