"""When the meetings of a series fall: pure date arithmetic, no database.

A series meets on a weekday at a wall-clock time in its own timezone, so a 10:00 meeting
stays at 10:00 local time across a change of daylight saving time (its UTC instant moves).
A wall-clock time that does not exist on a day (the hour skipped when clocks go forward)
is refused when the series is written, not discovered by the planner months later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"
# How far ahead a new series is checked for a time that a clock change skips.
GAP_CHECK_DAYS = 400


def zone_of(name: str) -> ZoneInfo | None:
    """The IANA zone `name`, or None when there is none by that name."""
    if not name or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_ZONES: set[str] = set()


def zone_names() -> set[str]:
    """Every IANA zone name the server's zone database knows."""
    return set(_zone_names())


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`day` at wall-clock `at` in `zone`. Of a time that occurs twice (clocks go back) the
    first is meant; a time that does not occur raises `NonexistentTime`."""
    candidate = datetime.combine(day, at, zone)
    back = candidate.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        raise NonexistentTime(day, at, zone)
    return candidate


class NonexistentTime(ValueError):
    def __init__(self, day: date, at: time, zone: ZoneInfo):
        self.day, self.at, self.zone = day, at, zone
        super().__init__(
            f"{at:%H:%M} does not exist on {day.isoformat()} in {zone.key}: the clocks skip "
            "that hour when daylight saving time starts. Choose another time."
        )


def first_day(*, cadence: str, weekday: int, on_or_after: date) -> date:
    """The series' first meeting day on or after `on_or_after`."""
    if cadence == MONTHLY:
        month = on_or_after.replace(day=1)
        while True:
            day = _first_weekday_of(month, weekday)
            if day >= on_or_after:
                return day
            month = _next_month(month)
    return on_or_after + timedelta(days=(weekday - on_or_after.weekday()) % 7)


def days(*, cadence: str, weekday: int, anchor: date, start: date) -> Iterator[date]:
    """Meeting days of the series from `start` on, without end (the caller stops)."""
    if cadence == MONTHLY:
        day = first_day(cadence=cadence, weekday=weekday, on_or_after=max(start, anchor))
        while True:
            yield day
            day = _first_weekday_of(_next_month(day.replace(day=1)), weekday)
    step = 14 if cadence == FORTNIGHTLY else 7
    if start <= anchor:
        day = anchor
    else:
        # The first day on the anchor's rhythm on or after `start`.
        day = anchor + timedelta(days=-(-(start - anchor).days // step) * step)
    while True:
        yield day
        day += timedelta(days=step)


def previous_day(*, cadence: str, weekday: int, before: date) -> date:
    """The day one cadence before the meeting day `before` (what its numbers start from)."""
    if cadence == MONTHLY:
        month = before.replace(day=1) - timedelta(days=1)
        return _first_weekday_of(month.replace(day=1), weekday)
    return before - timedelta(days=14 if cadence == FORTNIGHTLY else 7)


def first_gap(
    *, cadence: str, weekday: int, at: time, zone: ZoneInfo, anchor: date, within_days: int
) -> NonexistentTime | None:
    """The first meeting of the series in `within_days` whose time a clock change skips."""
    end = anchor + timedelta(days=within_days)
    for day in days(cadence=cadence, weekday=weekday, anchor=anchor, start=anchor):
        if day > end:
            return None
        try:
            local_instant(day, at, zone)
        except NonexistentTime as gap:
            return gap
    return None  # pragma: no cover  (the generator never ends)


def _first_weekday_of(month: date, weekday: int) -> date:
    return month + timedelta(days=(weekday - month.weekday()) % 7)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)
