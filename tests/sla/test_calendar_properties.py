"""Property: business-time arithmetic agrees with a naive minute-by-minute reference."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.calendar import (
    DAY_KEYS,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
)
from tests.sla.calendar_helpers import MINUTE

PROPERTY_ZONES = [
    "UTC",
    "Europe/Rome",
    "America/New_York",
    "America/Santiago",  # DST changes at midnight
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kolkata",  # +05:30, no DST
]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 3 * 365 * 24 * 60


def _transitions(zone: str) -> list[int]:
    """Minutes after EPOCH of the UTC-offset changes of ``zone`` in 2026-2028."""
    tz, found = ZoneInfo(zone), []
    for hour in range(0, SPAN_MINUTES // 60):
        before, after = EPOCH + timedelta(hours=hour), EPOCH + timedelta(hours=hour + 1)
        if before.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            found.append(hour * 60 + 60)
    return found


TRANSITIONS = {zone: _transitions(zone) for zone in PROPERTY_ZONES}


def _wall_minute(day: date, minutes: int, tz: ZoneInfo) -> int:
    """Minutes after EPOCH of local ``day`` + ``minutes``, read with fold=0 (the spec)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return int((wall.replace(tzinfo=tz) - EPOCH).total_seconds()) // 60


class Reference:
    """Deliberately naive model: classify every minute of every day one at a time."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self.tz = ZoneInfo(calendar.timezone)

    @cache  # noqa: B019 - a handful of short-lived instances per test
    def is_open(self, day: date) -> bool:
        country = self.calendar.holiday_country
        return day not in self.calendar.closed_days and not (
            country and day in holidays.country_holidays(country, years=day.year)
        )

    def minutes_from(self, start: int) -> Iterator[tuple[int, bool]]:
        """(minute, is business) for every minute from ``start`` on."""
        day = (EPOCH + start * MINUTE).astimezone(self.tz).date() - timedelta(days=1)
        while True:
            lo = _wall_minute(day, 0, self.tz)
            hi = _wall_minute(day + timedelta(days=1), 0, self.tz)
            bounds = [
                (_wall_minute(day, s, self.tz), _wall_minute(day, e, self.tz))
                for s, e in self.calendar.working_hours[day.weekday()]
            ]
            is_open = self.is_open(day)
            for minute in range(max(lo, start), hi):
                yield minute, is_open and any(s <= minute < e for s, e in bounds)
            day += timedelta(days=1)

    def add(self, start: int, duration: int) -> int:
        if duration == 0:
            return start
        counted = 0
        for minute, busy in self.minutes_from(start):
            counted += busy
            if counted == duration:
                return minute + 1
        raise AssertionError("unreachable")

    def between(self, a: int, b: int) -> int:
        counted = 0
        for minute, busy in self.minutes_from(a):
            if minute >= b:
                return counted
            counted += busy
        raise AssertionError("unreachable")


def _at(minute: int) -> datetime:
    return EPOCH + minute * MINUTE


def _minute_of(instant: datetime) -> int:
    seconds = (instant - EPOCH).total_seconds()
    assert seconds % 60 == 0
    return int(seconds) // 60


# Boundaries favour the wall-clock times at which the property zones change offset (00:00,
# 01:30-03:00) and whole/half hours, so that intervals often start or end in a gap or overlap.
_DST_PRONE = [0, 60, 90, 105, 120, 135, 150, 165, 180, 210, 1440]
_boundary = st.one_of(
    st.sampled_from(_DST_PRONE),
    st.integers(0, 48).map(lambda half_hours: half_hours * 30),
    st.integers(0, 1440),
)


@st.composite
def _day_intervals(draw: st.DrawFn) -> list[tuple[int, int]]:
    points = sorted(draw(st.sets(_boundary, max_size=6)))
    return list(zip(points[::2], points[1::2], strict=False))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    week = [draw(_day_intervals()) for _ in DAY_KEYS]
    assume(any(week))
    return BusinessCalendar(
        timezone=draw(st.sampled_from(PROPERTY_ZONES)),
        working_hours=week,
        holiday_country=draw(st.sampled_from([None, "IT", "US"])),
        closed_days=draw(st.frozensets(st.dates(date(2025, 12, 1), date(2029, 1, 31)), max_size=8)),
    )


def weekly_minutes(calendar: BusinessCalendar) -> int:
    return sum(e - s for day in calendar.working_hours for s, e in day)


@st.composite
def start_minutes(draw: st.DrawFn, zone: str) -> int:
    near = TRANSITIONS[zone]
    if near and draw(st.booleans()):
        return draw(st.sampled_from(near)) + draw(st.integers(-3 * 1440, 3 * 1440))
    return draw(st.integers(7 * 1440, SPAN_MINUTES - 60 * 1440))


def durations(calendar: BusinessCalendar) -> st.SearchStrategy[int]:
    # At most ~3 weeks of the calendar's working time keeps the brute force bounded.
    return st.integers(0, min(60 * 60, 3 * weekly_minutes(calendar)))


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars())
def test_add_business_time_matches_minute_by_minute_reference(
    data: st.DataObject, calendar: BusinessCalendar
) -> None:
    start = data.draw(start_minutes(calendar.timezone))
    duration = data.draw(durations(calendar))
    expected = Reference(calendar).add(start, duration)
    assert _minute_of(add_business_time(_at(start), duration * MINUTE, calendar)) == expected


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars())
def test_business_time_between_matches_minute_by_minute_reference(
    data: st.DataObject, calendar: BusinessCalendar
) -> None:
    a = data.draw(start_minutes(calendar.timezone))
    b = a + data.draw(st.integers(-10 * 1440, 10 * 1440))
    reference = Reference(calendar)
    expected = reference.between(a, b) if a <= b else -reference.between(b, a)
    assert business_time_between(_at(a), _at(b), calendar) == expected * MINUTE
    assert is_business_time(_at(a), calendar) == (reference.between(a, a + 1) == 1)


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    calendar=calendars(),
    offset=st.timedeltas(timedelta(days=7), timedelta(days=1000)),
)
def test_business_time_between_inverts_add_business_time_at_any_precision(
    data: st.DataObject, calendar: BusinessCalendar, offset: timedelta
) -> None:
    start = EPOCH + offset
    limit = timedelta(minutes=max(1, min(60 * 60, 3 * weekly_minutes(calendar))))
    duration = data.draw(st.timedeltas(timedelta(microseconds=1), limit))
    due = add_business_time(start, duration, calendar)
    assert due >= start
    assert business_time_between(start, due, calendar) == duration


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars())
def test_later_durations_never_give_earlier_deadlines(
    data: st.DataObject, calendar: BusinessCalendar
) -> None:
    start = _at(data.draw(start_minutes(calendar.timezone)))
    short, long = sorted(data.draw(st.lists(durations(calendar), min_size=2, max_size=2)))
    assert add_business_time(start, short * MINUTE, calendar) <= add_business_time(
        start, long * MINUTE, calendar
    )
