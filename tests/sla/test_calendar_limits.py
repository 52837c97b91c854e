"""The calendar's edges: what counts as aware, what comes back, and how long a closure may be.

A calendar closed for more than `_MAX_IDLE_DAYS` days in a row could never meet a deadline, so
adding business time refuses it; measuring between two instants never needs to look past the
later one, so it answers however long the closure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

import pytest

from sla.calendar import _MAX_IDLE_DAYS as LIMIT
from sla.calendar import (
    DAY_KEYS,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
)
from tests.sla.calendar_helpers import HOUR, ROME, rome_office

EVERY_DAY = {key: [["09:00", "18:00"]] for key in DAY_KEYS}
NOON = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)  # a Wednesday


class NoOffset(tzinfo):
    """A tzinfo that does not know its offset: such a datetime is naive by Python's rules."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


def closed_from(first: date, days: int) -> BusinessCalendar:
    closed = [(first + timedelta(days=n)).isoformat() for n in range(days)]
    return BusinessCalendar.from_dict({"working_hours": EVERY_DAY, "closed_days": closed})


def test_a_datetime_whose_tzinfo_has_no_offset_counts_as_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_business_time(datetime(2027, 3, 24, 10, tzinfo=NoOffset()), rome_office())


def test_instants_come_back_in_utc_whatever_zone_they_went_in() -> None:
    start = datetime(2027, 3, 24, 10, 0, tzinfo=ROME)
    unchanged = add_business_time(start, timedelta(0), rome_office())
    later = add_business_time(start, HOUR, rome_office())
    assert unchanged.tzinfo is UTC and unchanged == start
    assert later.tzinfo is UTC and later == datetime(2027, 3, 24, 10, 0, tzinfo=UTC)


def test_a_closure_right_at_the_limit_still_meets_a_deadline() -> None:
    # Closed from the start's own day: the count starts there, at one.
    calendar = closed_from(NOON.date(), LIMIT)
    reopening = NOON.date() + timedelta(days=LIMIT)
    assert add_business_time(NOON, HOUR, calendar) == datetime.combine(
        reopening, datetime.min.time(), UTC
    ) + timedelta(hours=10)


def test_a_worked_day_resets_the_count_of_closed_days() -> None:
    calendar = closed_from(NOON.date() + timedelta(days=1), LIMIT)
    after_closing = add_business_time(NOON, timedelta(hours=7), calendar)
    assert after_closing == datetime.combine(
        NOON.date() + timedelta(days=LIMIT + 1), datetime.min.time(), UTC
    ) + timedelta(hours=10)


def test_one_closed_day_past_the_limit_is_refused_as_a_calendar_without_working_time() -> None:
    calendar = closed_from(NOON.date() + timedelta(days=1), LIMIT + 1)
    with pytest.raises(ValueError, match=r"^the calendar has no working time for years after "):
        add_business_time(NOON, timedelta(hours=7), calendar)


def test_time_between_two_instants_inside_a_long_closure_is_zero_not_an_error() -> None:
    calendar = closed_from(NOON.date() + timedelta(days=1), LIMIT + 400)
    inside = NOON + timedelta(days=LIMIT + 200)
    assert business_time_between(NOON + timedelta(days=1), inside, calendar) == timedelta(0)
    assert business_time_between(NOON, inside, calendar) == timedelta(hours=6)
