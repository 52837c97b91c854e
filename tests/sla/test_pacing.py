"""The pace rule: a target prorated by the business time elapsed in the period."""

from datetime import UTC, datetime

import pytest

from sla.calendar import BusinessCalendar
from sla.pacing import business_share_elapsed, expected_by_now
from smarketing.periods import parse_named

# February 2027: 20 weekdays (Mon 1st .. Fri 26th), no holidays without a country.
FEBRUARY = parse_named("2027-02", tz_name="UTC")
WEEKDAYS = BusinessCalendar.default("UTC")


def test_a_weekend_adds_nothing_to_the_pace():
    friday_evening = datetime(2027, 2, 5, 23, tzinfo=UTC)
    monday_morning = datetime(2027, 2, 8, 6, tzinfo=UTC)
    share = business_share_elapsed(FEBRUARY, now=friday_evening, calendar=WEEKDAYS)
    assert share == pytest.approx(5 / 20)
    assert business_share_elapsed(FEBRUARY, now=monday_morning, calendar=WEEKDAYS) == share


def test_the_expected_figure_runs_from_nothing_to_the_target():
    assert expected_by_now(100, FEBRUARY, now=datetime(2027, 1, 20, tzinfo=UTC),
                           calendar=WEEKDAYS) == 0  # fmt: skip
    assert expected_by_now(100, FEBRUARY, now=datetime(2027, 2, 15, tzinfo=UTC),
                           calendar=WEEKDAYS) == pytest.approx(50)  # fmt: skip
    assert expected_by_now(100, FEBRUARY, now=datetime(2027, 3, 2, tzinfo=UTC),
                           calendar=WEEKDAYS) == pytest.approx(100)  # fmt: skip
