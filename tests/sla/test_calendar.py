"""Business-time arithmetic for SLA deadlines (no database, no Django settings needed)."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.calendar import (
    DAY_KEYS,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
)

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
WEEKDAYS_9_TO_18 = {key: [["09:00", "18:00"]] for key in DAY_KEYS[:5]}


def rome_office(**overrides: object) -> BusinessCalendar:
    data = {"timezone": "Europe/Rome", "holiday_country": "IT", "working_hours": WEEKDAYS_9_TO_18}
    return BusinessCalendar.from_dict({**data, **overrides})


def always_open(timezone: str) -> BusinessCalendar:
    week = {key: [["00:00", "24:00"]] for key in DAY_KEYS}
    return BusinessCalendar.from_dict({"timezone": timezone, "working_hours": week})


def sunday_only(timezone: str, *intervals: list[str]) -> BusinessCalendar:
    return BusinessCalendar.from_dict({"timezone": timezone, "working_hours": {"sun": intervals}})


# --- the user scenario and everyday behaviour ----------------------------------------------


def test_easter_weekend_dates_are_what_the_scenario_assumes() -> None:
    italy = holidays.country_holidays("IT", years=2027)
    assert date(2027, 3, 26).strftime("%A") == "Friday"
    assert date(2027, 3, 29) in italy
    assert date(2027, 3, 30) not in italy


def test_friday_evening_deadline_skips_weekend_and_italian_easter_monday() -> None:
    start = datetime(2027, 3, 26, 17, 30, tzinfo=ROME)
    due = add_business_time(start, HOUR, rome_office())
    assert due == datetime(2027, 3, 30, 9, 30, tzinfo=ROME)
    assert due.tzinfo is UTC
    assert business_time_between(start, due, rome_office()) == HOUR


def test_same_day_deadline_stays_within_office_hours() -> None:
    start = datetime(2027, 3, 24, 10, 15, tzinfo=ROME)
    assert add_business_time(start, 4 * HOUR, rome_office()) == start + 4 * HOUR


def test_request_arriving_at_night_starts_counting_at_next_opening() -> None:
    start = datetime(2027, 3, 24, 22, 0, tzinfo=ROME)
    due = add_business_time(start, 2 * HOUR, rome_office())
    assert due == datetime(2027, 3, 25, 11, 0, tzinfo=ROME)


def test_deadline_landing_on_closing_time_is_closing_time_not_next_opening() -> None:
    start = datetime(2027, 3, 24, 17, 0, tzinfo=ROME)
    assert add_business_time(start, HOUR, rome_office()) == datetime(2027, 3, 24, 18, tzinfo=ROME)


def test_lunch_break_is_not_business_time() -> None:
    split = {key: [["09:00", "13:00"], ["14:00", "18:00"]] for key in DAY_KEYS[:5]}
    calendar = rome_office(working_hours=split)
    start = datetime(2027, 3, 24, 12, 30, tzinfo=ROME)
    assert add_business_time(start, HOUR, calendar) == datetime(2027, 3, 24, 14, 30, tzinfo=ROME)
    assert not is_business_time(datetime(2027, 3, 24, 13, 30, tzinfo=ROME), calendar)
    assert business_time_between(start, start + 2 * HOUR, calendar) == HOUR


def test_zero_duration_returns_the_start_even_outside_business_hours() -> None:
    saturday = datetime(2027, 3, 27, 3, 0, tzinfo=ROME)
    assert add_business_time(saturday, timedelta(0), rome_office()) == saturday


def test_long_durations_span_many_weeks_and_holidays() -> None:
    start = datetime(2027, 3, 1, 9, 0, tzinfo=ROME)  # a Monday
    due = add_business_time(start, 500 * HOUR, rome_office())
    assert business_time_between(start, due, rome_office()) == 500 * HOUR
    # 500h = 55 working days + 5h; Easter Monday, 25 April (a Sunday) and 1 May (a Saturday).
    assert due == datetime(2027, 5, 18, 14, 0, tzinfo=ROME)


def test_five_hundred_business_hours_take_well_under_five_milliseconds() -> None:
    calendar = rome_office(closed_days=["2027-08-16"])
    start = datetime(2027, 6, 1, 10, 0, tzinfo=ROME)
    timings = []
    for _ in range(5):
        begin = clock.perf_counter()
        add_business_time(start, 500 * HOUR, calendar)
        timings.append(clock.perf_counter() - begin)
    assert min(timings) < 0.005


def test_elapsed_business_time_is_negative_when_the_end_is_before_the_start() -> None:
    a = datetime(2027, 3, 24, 10, 0, tzinfo=ROME)
    b = datetime(2027, 3, 26, 10, 0, tzinfo=ROME)
    assert business_time_between(a, b, rome_office()) == 18 * HOUR
    assert business_time_between(b, a, rome_office()) == -18 * HOUR
    assert business_time_between(a, a, rome_office()) == timedelta(0)


def test_business_time_boundaries_are_half_open() -> None:
    calendar = rome_office()
    assert is_business_time(datetime(2027, 3, 24, 9, 0, tzinfo=ROME), calendar)
    assert not is_business_time(datetime(2027, 3, 24, 18, 0, tzinfo=ROME), calendar)
    assert not is_business_time(datetime(2027, 3, 29, 10, 0, tzinfo=ROME), calendar)  # Pasquetta
    assert not is_business_time(datetime(2027, 3, 27, 10, 0, tzinfo=ROME), calendar)  # Saturday


def test_closed_days_accept_strings_and_dates_and_are_skipped() -> None:
    by_string = rome_office(closed_days=["2027-03-25"])
    by_date = rome_office(closed_days=[date(2027, 3, 25)])
    assert by_string == by_date
    start = datetime(2027, 3, 24, 17, 0, tzinfo=ROME)
    due = add_business_time(start, 2 * HOUR, by_string)
    assert due == datetime(2027, 3, 26, 10, 0, tzinfo=ROME)


def test_calendar_without_holiday_country_works_on_public_holidays() -> None:
    calendar = rome_office(holiday_country=None)
    assert is_business_time(datetime(2027, 3, 29, 10, 0, tzinfo=ROME), calendar)


def test_results_do_not_depend_on_the_timezone_of_the_inputs() -> None:
    start = datetime(2027, 3, 26, 17, 30, tzinfo=ROME)
    same_instant = start.astimezone(ZoneInfo("Asia/Tokyo"))
    calendar = rome_office()
    assert add_business_time(start, HOUR, calendar) == add_business_time(
        same_instant, HOUR, calendar
    )


def test_sub_minute_precision_is_kept() -> None:
    start = datetime(2027, 3, 24, 17, 59, 59, 500_000, tzinfo=ROME)
    due = add_business_time(start, timedelta(seconds=1), rome_office())
    assert due == datetime(2027, 3, 25, 9, 0, 0, 500_000, tzinfo=ROME)


# --- DST ---------------------------------------------------------------------------------


def test_office_hours_keep_their_wall_clock_across_rome_spring_forward() -> None:
    friday = datetime(2027, 3, 26, 17, 0, tzinfo=ROME)  # CET, +01:00
    due = add_business_time(friday, 2 * HOUR, rome_office(holiday_country=None))
    assert due == datetime(2027, 3, 29, 10, 0, tzinfo=ROME)  # CEST, +02:00
    assert due == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)


def test_office_hours_keep_their_wall_clock_across_rome_fall_back() -> None:
    friday = datetime(2027, 10, 29, 17, 0, tzinfo=ROME)  # CEST
    due = add_business_time(friday, 2 * HOUR, rome_office())
    assert due == datetime(2027, 11, 2, 10, 0, tzinfo=ROME)  # 1 Nov is All Saints' Day
    assert due == datetime(2027, 11, 2, 9, 0, tzinfo=UTC)


def test_round_the_clock_calendar_has_23_and_25_hour_days_in_rome() -> None:
    calendar = always_open("Europe/Rome")
    march_28 = datetime(2027, 3, 28, tzinfo=ROME)
    october_31 = datetime(2027, 10, 31, tzinfo=ROME)
    next_day = timedelta(days=1)
    assert business_time_between(march_28, march_28 + next_day, calendar) == 23 * HOUR
    assert business_time_between(october_31, october_31 + next_day, calendar) == 25 * HOUR


@pytest.mark.parametrize("timezone", ["Europe/Rome", "America/New_York"])
@pytest.mark.parametrize(
    "start_utc",
    [
        datetime(2027, 3, 13, 22, tzinfo=UTC),
        datetime(2027, 10, 30, 23, 30, tzinfo=UTC),
        datetime(2027, 11, 6, 20, 15, tzinfo=UTC),
    ],
)
def test_round_the_clock_calendar_measures_real_elapsed_time_across_dst(
    timezone: str, start_utc: datetime
) -> None:
    calendar = always_open(timezone)
    for hours in (1, 5, 24, 49):
        due = add_business_time(start_utc, hours * HOUR, calendar)
        assert due == start_utc + hours * HOUR
        assert business_time_between(start_utc, due, calendar) == hours * HOUR


def test_interval_across_the_spring_forward_gap_lasts_one_hour_less() -> None:
    calendar = sunday_only("Europe/Rome", ["00:00", "06:00"])
    day = datetime(2027, 3, 28, tzinfo=ROME)
    assert business_time_between(day, day + timedelta(days=1), calendar) == 5 * HOUR


def test_interval_inside_the_spring_forward_gap_contributes_nothing() -> None:
    calendar = sunday_only("Europe/Rome", ["02:00", "03:00"])
    day = datetime(2027, 3, 28, tzinfo=ROME)
    assert business_time_between(day, day + timedelta(days=1), calendar) == timedelta(0)
    # The next Sunday is an ordinary one, so the deadline moves there.
    due = add_business_time(day, HOUR, calendar)
    assert due == datetime(2027, 4, 4, 3, 0, tzinfo=ROME)


def test_boundary_in_the_spring_forward_gap_resolves_with_the_old_offset() -> None:
    calendar = sunday_only("Europe/Rome", ["02:30", "04:00"])
    day = datetime(2027, 3, 28, tzinfo=ROME)
    # 02:30 does not exist; fold=0 reads it as 02:30 CET = 03:30 CEST.
    assert business_time_between(day, day + timedelta(days=1), calendar) == 30 * MINUTE
    assert add_business_time(day, 10 * MINUTE, calendar) == datetime(2027, 3, 28, 1, 40, tzinfo=UTC)


def test_boundaries_in_the_fall_back_overlap_mean_the_first_occurrence() -> None:
    night = sunday_only("Europe/Rome", ["00:00", "02:30"])
    dawn = sunday_only("Europe/Rome", ["02:30", "04:00"])
    day = datetime(2027, 10, 31, tzinfo=ROME)
    end = day + timedelta(days=1)
    assert business_time_between(day, end, night) == 150 * MINUTE
    assert business_time_between(day, end, dawn) == 150 * MINUTE
    first_0230 = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert not is_business_time(first_0230, night)
    assert is_business_time(first_0230, dawn)


def test_a_local_day_that_never_happened_has_no_working_time() -> None:
    # Apia jumped from 2011-12-29 24:00 (-10:00) straight to 2011-12-31 00:00 (+14:00); read
    # with fold=0, 30 December's 09:00-18:00 would coincide with 31 December's.
    calendar = BusinessCalendar.from_dict(
        {
            "timezone": "Pacific/Apia",
            "working_hours": {key: [["09:00", "18:00"]] for key in DAY_KEYS},
        }
    )
    start = datetime(2011, 12, 28, tzinfo=UTC)
    end = start + timedelta(days=5)
    # 4h of 27 Dec, 9h each of 28, 29, 31 Dec and 1 Jan, 5h of 2 Jan (local dates).
    assert business_time_between(start, end, calendar) == 45 * HOUR
    assert add_business_time(start, 45 * HOUR, calendar) == end
    always = always_open("Pacific/Apia")
    assert business_time_between(start, end, always) == end - start


def test_intervals_pushed_together_by_the_gap_are_counted_once() -> None:
    # 01:00-02:45 maps to 00:00-01:45 UTC and swallows 03:00-03:15 CEST (01:00-01:15 UTC).
    calendar = sunday_only("Europe/Rome", ["01:00", "02:45"], ["03:00", "03:15"])
    day = datetime(2027, 3, 28, tzinfo=ROME)
    assert business_time_between(day, day + timedelta(days=1), calendar) == 105 * MINUTE


def test_new_york_friday_request_due_monday_after_spring_forward() -> None:
    calendar = BusinessCalendar.default("America/New_York", "US")
    friday = datetime(2027, 3, 12, 16, 0, tzinfo=NEW_YORK)  # EST, -05:00
    due = add_business_time(friday, 3 * HOUR, calendar)
    assert due == datetime(2027, 3, 15, 10, 0, tzinfo=NEW_YORK)  # EDT, -04:00
    assert due == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)


def test_new_york_round_the_clock_day_of_fall_back_has_25_hours() -> None:
    calendar = always_open("America/New_York")
    day = datetime(2027, 11, 7, tzinfo=NEW_YORK)
    assert business_time_between(day, day + timedelta(days=1), calendar) == 25 * HOUR


# --- construction and validation ---------------------------------------------------------


def test_missing_keys_fall_back_to_weekday_office_hours_in_utc() -> None:
    calendar = BusinessCalendar.from_dict({})
    assert calendar == BusinessCalendar.default()
    assert calendar.timezone == "UTC"
    assert calendar.holiday_country is None
    assert calendar.closed_days == frozenset()
    assert calendar.to_dict()["working_hours"] == {
        **{key: [["09:00", "18:00"]] for key in DAY_KEYS[:5]},
        "sat": [],
        "sun": [],
    }


def test_dict_round_trip_and_hashability() -> None:
    data = {
        "timezone": "Europe/Rome",
        "holiday_country": "IT",
        "closed_days": ["2027-08-16", "2027-01-02"],
        "working_hours": {
            "mon": [["14:00", "18:00"], ["09:00", "13:00"]],
            "tue": [["00:00", "24:00"]],
            "wed": [],
            "thu": [["09:00", "13:00"], ["13:00", "18:00"]],
            "fri": [["09:00", "18:00"]],
            "sat": [],
            "sun": [],
        },
    }
    calendar = BusinessCalendar.from_dict(data)
    assert BusinessCalendar.from_dict(calendar.to_dict()) == calendar
    assert calendar.to_dict()["closed_days"] == ["2027-01-02", "2027-08-16"]
    assert calendar.to_dict()["working_hours"]["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert hash(calendar) == hash(BusinessCalendar.from_dict(data))
    with pytest.raises(AttributeError):
        calendar.timezone = "UTC"  # type: ignore[misc]


def test_country_code_is_case_insensitive() -> None:
    assert BusinessCalendar.default("Europe/Rome", "it").holiday_country == "IT"
    assert BusinessCalendar.from_dict({"holiday_country": ""}).holiday_country is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown timezone"),
        ({"holiday_country": "XX"}, "no public holidays are known"),
        ({"working_hours": {"monday": [["09:00", "18:00"]]}}, "unknown weekday"),
        ({"working_hours": {"mon": [["9am", "18:00"]]}}, "HH:MM"),
        ({"working_hours": {"mon": [["09:00", "24:30"]]}}, "HH:MM"),
        ({"working_hours": {"mon": [["09:60", "18:00"]]}}, "HH:MM"),
        ({"working_hours": {"mon": [["18:00", "09:00"]]}}, "end must be after the start"),
        ({"working_hours": {"mon": [["09:00", "09:00"]]}}, "end must be after the start"),
        ({"working_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "overlaps"),
        ({"working_hours": {"mon": [["09:00"]]}}, "pair"),
        ({"working_hours": {"sat": [], "sun": []}}, "no working hours at all"),
        ({"working_hours": []}, "must map weekdays"),
        ({"closed_days": ["2027-02-30"]}, "YYYY-MM-DD"),
        ({"closed_days": "2027-02-03"}, "list"),
        ({"timezon": "UTC"}, "unknown calendar setting"),
    ],
)
def test_invalid_calendars_are_rejected_with_a_clear_message(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_dict(data)


def test_naive_datetimes_and_negative_durations_are_rejected() -> None:
    naive = datetime(2027, 3, 24, 10, 0)
    aware = naive.replace(tzinfo=ROME)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(naive, HOUR, rome_office())
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(aware, naive, rome_office())
    with pytest.raises(ValueError, match="timezone-aware"):
        is_business_time(naive, rome_office())
    with pytest.raises(ValueError, match="negative"):
        add_business_time(aware, -MINUTE, rome_office())


# --- properties against a minute-by-minute reference --------------------------------------

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
