"""Business time across clock changes: wall-clock office hours, gaps, overlaps, skipped days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import (
    DAY_KEYS,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
)
from tests.sla.calendar_helpers import HOUR, MINUTE, ROME, rome_office

NEW_YORK = ZoneInfo("America/New_York")


def always_open(timezone: str) -> BusinessCalendar:
    week = {key: [["00:00", "24:00"]] for key in DAY_KEYS}
    return BusinessCalendar.from_dict({"timezone": timezone, "working_hours": week})


def sunday_only(timezone: str, *intervals: list[str]) -> BusinessCalendar:
    return BusinessCalendar.from_dict({"timezone": timezone, "working_hours": {"sun": intervals}})


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
