"""Due dates per regime across month ends, leap years, weekends, holidays, extensions and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hushdesk.dsr.clocks import (
    add_business_days,
    add_months,
    deadlines,
    end_of_day,
    paused_days_between,
    retain_until,
)

D = date

GDPR_CASES = [
    # received, extended, paused, expected due, why
    (D(2026, 4, 15), False, 0, D(2026, 5, 15), "same date next month (a Friday)"),
    (D(2026, 1, 31), False, 0, D(2026, 3, 2), "31 Jan -> 28 Feb (Saturday) -> Monday 2 Mar"),
    (D(2028, 1, 31), False, 0, D(2028, 2, 29), "leap year: 31 Jan -> 29 Feb (Tuesday)"),
    (D(2026, 8, 31), False, 0, D(2026, 9, 30), "31 Aug -> 30 Sep"),
    (D(2026, 12, 15), False, 0, D(2027, 1, 15), "across the year end"),
    (D(2026, 10, 3), False, 0, D(2026, 11, 3), "received on a Saturday: the period still starts that day"),
    (D(2026, 2, 7), False, 0, D(2026, 3, 9), "7 Mar is a Saturday -> Monday 9 Mar"),
    (D(2026, 4, 15), True, 0, D(2026, 7, 15), "extended: three months from receipt"),
    (D(2025, 11, 30), True, 0, D(2026, 3, 2), "extended: 28 Feb 2026 is a Saturday -> Monday 2 Mar"),
    (D(2026, 4, 15), False, 3, D(2026, 5, 18), "paused 3 days: 18 May"),
    (D(2026, 4, 15), False, 1, D(2026, 5, 18), "paused 1 day: 16 May is a Saturday -> Monday 18 May"),
]


@pytest.mark.parametrize(("received", "extended", "paused", "due", "why"), GDPR_CASES)
def test_gdpr_due_dates(received: date, extended: bool, paused: int, due: date, why: str) -> None:
    got = deadlines("gdpr", "access", received, extended=extended, paused_days=paused)
    assert got.due == due, why
    assert got.confirm_by is None


def test_gdpr_extension_notice_must_come_within_the_first_month() -> None:
    got = deadlines("gdpr", "erasure", D(2026, 1, 31))
    assert got.extend_notice_by == D(2026, 3, 2)


def test_gdpr_public_holidays_move_the_deadline() -> None:
    got = deadlines("gdpr", "access", D(2026, 11, 25), holidays=[D(2026, 12, 25)])
    assert got.due == D(2026, 12, 28)  # 25 Dec holiday (Friday) -> Monday 28


CCPA_CASES = [
    # kind, received, extended, expected due, expected confirm_by
    ("ccpa_know", D(2026, 1, 1), False, D(2026, 2, 15), D(2026, 1, 15)),  # due on a Sunday: calendar days
    ("erasure", D(2026, 12, 20), False, D(2027, 2, 3), D(2027, 1, 1)),
    ("ccpa_know", D(2026, 1, 1), True, D(2026, 4, 1), D(2026, 1, 15)),
    ("erasure", D(2028, 2, 1), True, D(2028, 5, 1), D(2028, 2, 15)),  # leap year has 29 Feb
]


@pytest.mark.parametrize(("kind", "received", "extended", "due", "confirm"), CCPA_CASES)
def test_ccpa_due_dates(kind: str, received: date, extended: bool, due: date, confirm: date) -> None:
    got = deadlines("ccpa", kind, received, extended=extended)
    assert (got.due, got.confirm_by) == (due, confirm)
    assert got.extend_notice_by == received + timedelta(days=45)


@pytest.mark.parametrize(("received", "due"), [
    (D(2026, 11, 2), D(2026, 11, 23)),  # Monday + 15 business days = three weeks later
    (D(2026, 11, 6), D(2026, 11, 27)),  # Friday
    (D(2026, 11, 7), D(2026, 11, 27)),  # Saturday: counting starts Monday
])
def test_ccpa_opt_outs_take_15_business_days_and_cannot_be_extended(received: date, due: date) -> None:
    got = deadlines("ccpa", "opt_out_sale", received)
    assert got.due == due
    assert got.extend_notice_by is None
    assert deadlines("ccpa", "limit_sensitive", received).due == due


def test_business_days_skip_holidays() -> None:
    assert add_business_days(D(2026, 12, 24), 1, frozenset({D(2026, 12, 25)})) == D(2026, 12, 28)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2026, 1, 31), 1, D(2026, 2, 28)), (D(2026, 3, 31), 1, D(2026, 4, 30)), (D(2026, 11, 30), 3, D(2027, 2, 28)),
    (D(2026, 5, 31), 24, D(2028, 5, 31)), (D(2028, 2, 29), 12, D(2029, 2, 28)),
])
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_unknown_regime_is_refused() -> None:
    with pytest.raises(ValueError):
        deadlines("lgpd", "access", D(2026, 1, 1))


def test_records_are_kept_24_months_and_pauses_round_up() -> None:
    closed = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert retain_until(closed) == datetime(2028, 2, 28, 10, 0, tzinfo=UTC)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert paused_days_between(start, start + timedelta(hours=3)) == 1
    assert paused_days_between(start, start + timedelta(days=2)) == 2
    assert end_of_day(D(2026, 1, 1)).hour == 23
