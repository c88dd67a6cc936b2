"""Edges of periods.py found by mutation testing: the run date is the UTC day whatever the machine's time zone,
the bad-value messages in full, the last complete quarter is a quarter, and pandas periods of both kinds."""
from __future__ import annotations

import time
from datetime import date

import pandas as pd
import pytest

from cmo_workbook.periods import RUN_DATE_ENV, Period, run_date


@pytest.fixture
def los_angeles(monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_source_date_epoch_is_the_utc_day_on_a_machine_in_another_time_zone(monkeypatch, los_angeles):
    monkeypatch.delenv(RUN_DATE_ENV, raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764644400")  # 2025-12-02 03:00 UTC = 2025-12-01 19:00 in Los Angeles
    assert run_date() == date(2025, 12, 2)


@pytest.mark.parametrize("name,value,message", [
    (RUN_DATE_ENV, "1.12.2026", "environment variable CMO_WORKBOOK_RUN_DATE='1.12.2026' is not a date; use YYYY-MM-DD "
                                "(e.g. 2026-12-01) or unset it"),
    ("SOURCE_DATE_EPOCH", "gestern", "environment variable SOURCE_DATE_EPOCH='gestern' is not a whole number of seconds "
                                     "since 1970-01-01 UTC; use e.g. $(date +%s) or unset it"),
])
def test_bad_run_date_messages_in_full(monkeypatch, name, value, message):
    monkeypatch.delenv(RUN_DATE_ENV, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as e:
        run_date()
    assert str(e.value) == message


@pytest.mark.parametrize("today,expected", [(date(2026, 11, 15), Period(2026, 3, "quarter")),
                                            (date(2026, 2, 1), Period(2025, 4, "quarter"))])
def test_last_complete_quarter_is_a_quarter(today, expected):
    got = Period.last_complete("quarter", today)
    assert got == expected and got.kind == "quarter" and got.months == 3


def test_pandas_periods_of_both_kinds():
    assert Period.parse("2026-Q3").to_pandas() == pd.Period("2026Q3", freq="Q")
    assert Period.parse("2026-10").to_pandas() == pd.Period("2026-10", freq="M")
    assert Period.parse("2026-10").to_pandas().freqstr == "M"
