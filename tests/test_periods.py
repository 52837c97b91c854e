"""The one period type: calendar months and quarters in the tenant's zone, strict parsing."""

from datetime import UTC, date, datetime

import pytest

from smarketing.periods import InvalidPeriod, month_of, parse_named, parse_range


def test_a_month_begins_at_local_midnight_far_ahead_and_far_behind():
    auckland = parse_named("2027-01", tz_name="Pacific/Auckland")
    los_angeles = parse_named("2027-01", tz_name="America/Los_Angeles")
    assert auckland.start.astimezone(UTC) == datetime(2026, 12, 31, 11, tzinfo=UTC)
    assert los_angeles.start.astimezone(UTC) == datetime(2027, 1, 1, 8, tzinfo=UTC)
    assert los_angeles.end.astimezone(UTC) == datetime(2027, 2, 1, 8, tzinfo=UTC)
    instant = datetime(2027, 1, 31, 12, tzinfo=UTC)  # 1 February in Auckland already
    assert not auckland.contains(instant)
    assert los_angeles.contains(instant)


def test_a_quarter_spans_its_three_months_and_names_itself():
    quarter = parse_named("2027-q4", tz_name="UTC")
    assert (quarter.first_day, quarter.last_day) == (date(2027, 10, 1), date(2027, 12, 31))
    assert quarter.label == "2027-Q4"
    assert quarter.previous().label == "2027-Q3"
    assert month_of(date(2028, 2, 10), "UTC").label == "2028-02"
    assert month_of(date(2028, 2, 10), "UTC").last_day == date(2028, 2, 29)


@pytest.mark.parametrize(
    "text", ["2027-13", "2027-Q5", "27-01", "", None, 202701, "0000-01", "9999-12", "9999-Q4"]
)
def test_a_named_period_that_is_neither_month_nor_quarter_names_the_field(text):
    with pytest.raises(InvalidPeriod) as caught:
        parse_named(text, tz_name="UTC", field="period")
    assert "period" in caught.value.errors


def test_elapsed_share_runs_from_zero_to_one():
    april = parse_named("2027-04", tz_name="UTC")
    assert april.elapsed_share(datetime(2027, 3, 1, tzinfo=UTC)) == 0
    assert april.elapsed_share(datetime(2027, 4, 16, tzinfo=UTC)) == pytest.approx(0.5)
    assert april.elapsed_share(datetime(2027, 6, 1, tzinfo=UTC)) == 1
    assert april.has_ended(datetime(2027, 5, 1, tzinfo=UTC))


def test_a_range_refuses_reversed_overlong_and_malformed_dates():
    now = datetime(2027, 3, 10, tzinfo=UTC)
    default = parse_range({}, tz_name="UTC", default_days=30, now=now)
    assert (default.first_day, default.last_day) == (date(2027, 2, 9), date(2027, 3, 10))
    for params, field in (
        ({"from": "2027-03-02", "to": "2027-03-01"}, "from"),
        ({"from": "2020-01-01", "to": "2027-03-01"}, "from"),
        ({"to": "March"}, "to"),
    ):
        with pytest.raises(InvalidPeriod) as caught:
            parse_range(params, tz_name="UTC", default_days=30, max_days=366, now=now)
        assert field in caught.value.errors
