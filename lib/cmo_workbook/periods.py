"""Reporting periods: a calendar month (``2026-10``) or quarter (``2026-Q3``)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pandas as pd

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)

#: set by the runner for its kernels, so every memo of one run carries the same date even across midnight
RUN_DATE_ENV = "CMO_WORKBOOK_RUN_DATE"


def run_date() -> date:
    """The date a memo says it was made: the run's fixed date, else ``SOURCE_DATE_EPOCH``, else today.

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds convention (seconds since 1970, UTC); with it two runs
    on different days give byte-identical memos.
    """
    if value := os.environ.get(RUN_DATE_ENV, "").strip():
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"environment variable {RUN_DATE_ENV}={value!r} is not a date; "
                             "use YYYY-MM-DD (e.g. 2026-12-01) or unset it") from None
    if value := os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        try:
            return datetime.fromtimestamp(int(value), tz=timezone.utc).date()
        except (ValueError, OverflowError):
            raise ValueError(f"environment variable SOURCE_DATE_EPOCH={value!r} is not a whole number of "
                             "seconds since 1970-01-01 UTC; use e.g. $(date +%s) or unset it") from None
    return date.today()


@dataclass(frozen=True, order=True)
class Period:
    """A month or a quarter; ``start`` inclusive, ``end`` exclusive."""

    year: int
    index: int  # month 1-12 or quarter 1-4
    kind: str  # "month" | "quarter"

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse ``YYYY-MM`` or ``YYYY-QN``; raise ValueError naming the expected forms."""
        text = str(text).strip()
        if m := _MONTH.match(text):
            month = int(m.group(2))
            if 1 <= month <= 12:
                return cls(int(m.group(1)), month, "month")
        if m := _QUARTER.match(text):
            return cls(int(m.group(1)), int(m.group(2)), "quarter")
        raise ValueError(
            f"period {text!r} is not a month or a quarter (expected YYYY-MM like 2026-10 or YYYY-QN like 2026-Q3)"
        )

    @classmethod
    def last_complete(cls, kind: str, today: date | None = None) -> "Period":
        """The last month or quarter that ended before ``today``."""
        today = today or date.today()
        if kind == "month":
            y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
            return cls(y, m, "month")
        if kind == "quarter":
            q = (today.month - 1) // 3  # current quarter index - 1
            return cls(today.year, q, "quarter") if q else cls(today.year - 1, 4, "quarter")
        raise ValueError(f"kind must be 'month' or 'quarter' (got {kind!r})")

    def __str__(self) -> str:
        return f"{self.year}-{self.index:02d}" if self.kind == "month" else f"{self.year}-Q{self.index}"

    @property
    def months(self) -> int:
        return 1 if self.kind == "month" else 3

    @property
    def start(self) -> pd.Timestamp:
        month = self.index if self.kind == "month" else 3 * self.index - 2
        return pd.Timestamp(self.year, month, 1)

    @property
    def end(self) -> pd.Timestamp:
        """First instant after the period."""
        return self.start + pd.DateOffset(months=self.months)

    @property
    def last_day(self) -> pd.Timestamp:
        return self.end - pd.Timedelta(days=1)

    def shift(self, n: int) -> "Period":
        """The period ``n`` steps later (negative: earlier), same kind."""
        per_year = 12 if self.kind == "month" else 4
        k = self.year * per_year + (self.index - 1) + n
        return Period(k // per_year, k % per_year + 1, self.kind)

    def previous(self) -> "Period":
        return self.shift(-1)

    def year_ago(self) -> "Period":
        return Period(self.year - 1, self.index, self.kind)

    def contains(self, ts: pd.Series) -> pd.Series:
        """Boolean mask of timestamps inside the period."""
        return (ts >= self.start) & (ts < self.end)

    def month_periods(self) -> list["Period"]:
        """The months making up this period."""
        first = Period(self.start.year, self.start.month, "month")
        return [first.shift(i) for i in range(self.months)]

    def to_pandas(self) -> pd.Period:
        return pd.Period(str(self).replace("-Q", "Q"), freq="M" if self.kind == "month" else "Q")
