"""Everyday business time: deadlines and elapsed time across nights, breaks, holidays, closures."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from sla.calendar import DAY_KEYS, add_business_time, business_time_between, is_business_time
from tests.sla.calendar_helpers import HOUR, ROME, rome_office


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
