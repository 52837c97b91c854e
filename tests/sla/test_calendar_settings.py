"""Building a business calendar from settings: defaults, round trip, clear errors."""

from __future__ import annotations

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
