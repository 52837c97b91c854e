"""Building a business calendar from settings: defaults, round trip, clear errors."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from sla.calendar import (
    DAY_KEYS,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
)
from tests.sla.calendar_helpers import HOUR, MINUTE, ROME, rome_office


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


PAIR = 'mon: each interval must be a pair like ["09:00", "18:00"]'


def not_a_time(text: str) -> str:
    return f'"{text}" is not a time of day in the form "HH:MM" (00:00 to 24:00)'


# The messages are shown beside the calendar fields of the SLA settings: each is pinned whole.
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, 'unknown timezone "Mars/Olympus_Mons"'),
        ({"holiday_country": "XX"}, 'no public holidays are known for country "XX"'),
        (
            {"working_hours": {"monday": [["09:00", "18:00"]], "tues": []}},
            "unknown weekday(s) monday, tues; use mon, tue, wed, thu, fri, sat, sun",
        ),
        ({"working_hours": {"mon": [["9am", "18:00"]]}}, not_a_time("9am")),
        ({"working_hours": {"mon": [["09:00", "24:30"]]}}, not_a_time("24:30")),
        ({"working_hours": {"mon": [["09:00", "24:01"]]}}, not_a_time("24:01")),
        ({"working_hours": {"mon": [["09:60", "18:00"]]}}, not_a_time("09:60")),
        ({"working_hours": {"mon": [[900, "18:00"]]}}, not_a_time("900")),
        (
            {"working_hours": {"mon": [["18:00", "09:00"]]}},
            "mon 18:00-09:00: the end must be after the start, within 00:00-24:00",
        ),
        (
            {"working_hours": {"mon": [["09:00", "09:00"]]}},
            "mon 09:00-09:00: the end must be after the start, within 00:00-24:00",
        ),
        (
            {"working_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
            "mon 12:00-18:00: overlaps the interval before it",
        ),
        ({"working_hours": {"mon": [["09:00"]]}}, PAIR),
        ({"working_hours": {"mon": ["ab"]}}, PAIR),  # a string is not a pair of its letters
        ({"working_hours": {"mon": [9]}}, PAIR),
        (
            {"working_hours": {"sat": [], "sun": []}},
            "the calendar has no working hours at all, so no deadline could be met",
        ),
        (
            {"working_hours": []},
            '"working_hours" must map weekdays ("mon".."sun") to lists of intervals',
        ),
        (
            {"closed_days": ["2027-02-30"]},
            'closed day "2027-02-30" is not a date in the form "YYYY-MM-DD"',
        ),
        ({"closed_days": "2027-02-03"}, '"closed_days" must be a list of "YYYY-MM-DD" dates'),
        ({"timezon": "UTC", "zone": "UTC"}, "unknown calendar setting(s): timezon, zone"),
        (["timezone"], "a business calendar must be a JSON object"),
    ],
)
def test_invalid_calendars_are_rejected_with_a_clear_message(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        BusinessCalendar.from_dict(data)


@pytest.mark.parametrize(
    "week",
    [((((540, 1080),),) * 6), ((("09:00", "18:00"),),) * 7, (None,) * 7],
    ids=["six days", "text minutes", "no intervals"],
)
def test_a_week_that_is_not_seven_lists_of_minutes_is_refused(week: tuple) -> None:
    message = "working hours must be seven lists of (start, end) minutes, Monday first"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        BusinessCalendar(working_hours=week)


def test_the_last_minute_of_an_hour_and_midnight_are_times_of_day() -> None:
    calendar = BusinessCalendar.from_dict({"working_hours": {"mon": [["17:59", "24:00"]]}})
    assert calendar.working_hours[0] == ((17 * 60 + 59, 24 * 60),)


def test_naive_datetimes_and_negative_durations_are_rejected() -> None:
    naive = datetime(2027, 3, 24, 10, 0)
    aware = naive.replace(tzinfo=ROME)

    def naming(argument: str) -> str:
        text = f"{argument} must be a timezone-aware datetime, got naive 2027-03-24 10:00:00"
        return f"^{re.escape(text)}$"

    with pytest.raises(ValueError, match=naming("start")):
        add_business_time(naive, HOUR, rome_office())
    with pytest.raises(ValueError, match=naming("b")):
        business_time_between(aware, naive, rome_office())
    with pytest.raises(ValueError, match=naming("a")):
        business_time_between(naive, aware, rome_office())
    with pytest.raises(ValueError, match=naming("instant")):
        is_business_time(naive, rome_office())
    with pytest.raises(ValueError, match="negative"):
        add_business_time(aware, -MINUTE, rome_office())
