"""Legal deadlines of data-subject requests, per regime. Pure functions of dates: tests pin them table-driven.

GDPR (art. 12(3), computed as Regulation 1182/71 says):
- answer within one month of receipt: the same date in the next month, or that month's last day when the
  date does not exist (31 Jan -> 28/29 Feb); a deadline on a Saturday, Sunday or holiday moves to the next
  working day;
- extendable once by two further months (three months from receipt, same rules), and only if the requester
  is told within the first month.
CCPA (Cal. Code Regs. tit. 11 par. 7021, 7026, 7027):
- confirm receipt within 10 business days; answer within 45 calendar days of receipt;
- one extension of 45 more calendar days (90 in total) with notice inside the first 45 days;
- opt-out of sale/sharing and limit-use requests: act within 15 business days, no extension.
Pauses (the clock stops while we wait for the requester) push the deadline by the paused days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

GDPR = "gdpr"
CCPA = "ccpa"
REGIMES = (GDPR, CCPA)
OPT_OUT_KINDS = ("opt_out_sale", "limit_sensitive")
RETENTION_MONTHS = 24  # CCPA par. 7101: keep records of requests and answers for at least 24 months


def add_months(day: date, months: int) -> date:
    """Same date ``months`` later, or the last day of that month when the date does not exist."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_business_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_business_day(day: date, holidays: frozenset[date]) -> date:
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int, holidays: frozenset[date]) -> date:
    """The ``count``-th business day after ``day`` (the day of receipt itself is not counted)."""
    added = 0
    while added < count:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            added += 1
    return day


@dataclass(frozen=True)
class Deadlines:
    due: date  # answer (or act) by the end of this day
    confirm_by: date | None  # CCPA: confirm receipt by this day
    extend_notice_by: date | None  # last day an extension may be announced; None when not extendable


def deadlines(regime: str, kind: str, received: date, *, extended: bool = False, paused_days: int = 0,
              holidays: Iterable[date] = ()) -> Deadlines:
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}")
    free = frozenset(holidays)
    if regime == CCPA:
        confirm = add_business_days(received, 10, free)
        if kind in OPT_OUT_KINDS:
            return Deadlines(add_business_days(received, 15, free) + timedelta(days=paused_days), None, None)
        first = received + timedelta(days=45)
        due = received + timedelta(days=90 if extended else 45)
        return Deadlines(due + timedelta(days=paused_days), confirm, first)
    first_month = next_business_day(add_months(received, 1), free)
    base = add_months(received, 3) if extended else add_months(received, 1)
    due = next_business_day(base + timedelta(days=paused_days), free)
    return Deadlines(due, None, first_month)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def retain_until(closed: datetime) -> datetime:
    day = add_months(closed.date(), RETENTION_MONTHS)
    return datetime.combine(day, closed.timetz())


def paused_days_between(start: datetime, end: datetime) -> int:
    """Whole days paused, rounded up: a pause of a few hours still moves the deadline a day."""
    seconds = max(0.0, (end - start).total_seconds())
    return int(-(-seconds // 86400))
