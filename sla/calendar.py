"""Business time for SLA deadlines.

A :class:`BusinessCalendar` says when a team is at work: weekly wall-clock intervals in an IANA
timezone, minus the public holidays of a country and a list of extra closed dates. The functions
below measure time on that calendar; they depend on no database and no Django settings.

Mapping wall clock to real time (the DST rule)
    Every interval boundary ``HH:MM`` of a local date ``D`` (``24:00`` meaning ``00:00`` of
    ``D + 1``) becomes an instant by attaching the calendar's ``ZoneInfo`` with ``fold=0`` and
    converting to UTC. Consequences:

    * a whole-day interval lasts 23 or 25 real hours on DST days;
    * a boundary in a *gap* (spring forward) resolves with the offset in force before the jump,
      i.e. it lands as far past the jump as it was past the old clock's transition time: in
      Rome ``02:30`` on the spring-forward day means ``03:30 CEST``; an interval lying wholly
      inside the gap (``02:00``-``03:00``) contributes nothing;
    * a boundary in an *overlap* (fall back) means its first occurrence, so ``00:00``-``02:30``
      ends at the first ``02:30`` and ``02:30``-``04:00`` lasts 2.5 real hours;
    * each day's converted intervals are clipped to the day's own real span (from its
      ``00:00`` to the next ``00:00``) and merged, so days never overlap in real time and
      every instant belongs to at most one interval.

All intervals are half-open: an interval ``09:00``-``18:00`` contains 09:00 but not 18:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "DAY_KEYS",
    "BusinessCalendar",
    "add_business_time",
    "business_time_between",
    "is_business_time",
]

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_HHMM = re.compile(r"^(\d{2}):(\d{2})$")
# A valid calendar works every week, so only a decade of closed days could starve a deadline.
_MAX_IDLE_DAYS = 3660

Interval = tuple[int, int]  # minutes after local midnight, start < end <= 1440
Span = tuple[datetime, datetime]  # aware UTC, start < end


def _parse_hhmm(text: Any) -> int:
    match = _HHMM.match(text) if isinstance(text, str) else None
    if match and int(match[2]) <= 59:
        minutes = int(match[1]) * 60 + int(match[2])
        if minutes <= _MINUTES_PER_DAY:
            return minutes
    raise ValueError(f'"{text}" is not a time of day in the form "HH:MM" (00:00 to 24:00)')


def _format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f'closed day "{value}" is not a date in the form "YYYY-MM-DD"') from None


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=512)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team is at work. Immutable and hashable; every instance is valid.

    ``working_hours`` holds seven tuples (Monday first) of ``(start, end)`` minutes after local
    midnight, sorted and non-overlapping (touching is allowed), ``0 <= start < end <= 1440``.
    At least one weekday has working time. Construct from JSON with :meth:`from_dict`.
    """

    timezone: str = "UTC"
    working_hours: tuple[tuple[Interval, ...], ...] = field(
        default_factory=lambda: (((9 * 60, 18 * 60),),) * 5 + ((), ())
    )
    holiday_country: str | None = None
    closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f'unknown timezone "{self.timezone}"') from None
        country = self.holiday_country or None
        if country is not None and (
            not isinstance(country, str) or country.strip().upper() not in _supported_countries()
        ):
            raise ValueError(f'no public holidays are known for country "{self.holiday_country}"')
        # Normalising lists into tuples/frozensets keeps the calendar hashable for the caches.
        object.__setattr__(self, "holiday_country", country and country.strip().upper())
        object.__setattr__(self, "working_hours", _check_week(self.working_hours))
        object.__setattr__(self, "closed_days", frozenset(map(_parse_date, self.closed_days)))

    @classmethod
    def default(cls, timezone: str = "UTC", country: str | None = None) -> BusinessCalendar:
        """Monday to Friday, 09:00-18:00 in ``timezone``, closed on ``country``'s holidays."""
        return cls(timezone=timezone, holiday_country=country)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build from the JSON shape that :meth:`to_dict` produces.

        Missing top-level keys take the defaults of :meth:`default`; when ``working_hours`` is
        given it is taken literally, so a weekday it leaves out is closed.
        """
        if not isinstance(data, Mapping):
            raise ValueError("a business calendar must be a JSON object")
        unknown = set(data) - {"timezone", "working_hours", "holiday_country", "closed_days"}
        if unknown:
            raise ValueError(f"unknown calendar setting(s): {', '.join(sorted(map(str, unknown)))}")
        kwargs: dict[str, Any] = {
            "timezone": data.get("timezone") or "UTC",
            "holiday_country": data.get("holiday_country"),
        }
        closed = data.get("closed_days") or ()
        if isinstance(closed, str) or not isinstance(closed, Iterable):
            raise ValueError('"closed_days" must be a list of "YYYY-MM-DD" dates')
        kwargs["closed_days"] = closed
        if "working_hours" in data:
            kwargs["working_hours"] = _parse_week(data["working_hours"])
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``BusinessCalendar.from_dict(c.to_dict()) == c``."""
        days = zip(DAY_KEYS, self.working_hours, strict=True)  # pragma: no mutate (seven each)
        return {
            "timezone": self.timezone,
            "holiday_country": self.holiday_country,
            "closed_days": sorted(day.isoformat() for day in self.closed_days),
            "working_hours": {
                key: [[_format_hhmm(s), _format_hhmm(e)] for s, e in intervals]
                for key, intervals in days
            },
        }


def _parse_week(raw: Any) -> tuple[tuple[Interval, ...], ...]:
    if not isinstance(raw, Mapping):
        raise ValueError('"working_hours" must map weekdays ("mon".."sun") to lists of intervals')
    unknown = [str(key) for key in raw if key not in DAY_KEYS]
    if unknown:
        raise ValueError(f"unknown weekday(s) {', '.join(unknown)}; use {', '.join(DAY_KEYS)}")
    week = []
    for key in DAY_KEYS:
        day = []
        for pair in raw.get(key) or ():
            pair = [] if isinstance(pair, str) or not isinstance(pair, Iterable) else list(pair)
            if len(pair) != 2:
                raise ValueError(f'{key}: each interval must be a pair like ["09:00", "18:00"]')
            day.append((_parse_hhmm(pair[0]), _parse_hhmm(pair[1])))
        week.append(tuple(day))
    return tuple(week)


def _check_week(raw: Iterable[Iterable[Iterable[int]]]) -> tuple[tuple[Interval, ...], ...]:
    try:
        week = tuple(tuple(sorted((int(s), int(e)) for s, e in day)) for day in raw)
    except (TypeError, ValueError):
        week = ()
    if len(week) != 7:
        raise ValueError("working hours must be seven lists of (start, end) minutes, Monday first")
    for key, day in zip(DAY_KEYS, week, strict=True):  # pragma: no mutate (seven, checked above)
        for index, (start, end) in enumerate(day):
            label = f"{key} {_format_hhmm(start)}-{_format_hhmm(end)}"
            if not 0 <= start < end <= _MINUTES_PER_DAY:
                raise ValueError(f"{label}: the end must be after the start, within 00:00-24:00")
            if index and start < day[index - 1][1]:
                raise ValueError(f"{label}: overlaps the interval before it")
    if not any(week):
        raise ValueError("the calendar has no working hours at all, so no deadline could be met")
    return week


def _wall_to_utc(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    # Adding a timedelta to a naive datetime lets 24:00 roll over to the next date; fold=0 is
    # the datetime default and is the DST rule documented in the module docstring.
    naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=tz).astimezone(UTC)


@lru_cache(maxsize=8192)
def _day_spans(calendar: BusinessCalendar, day: date) -> tuple[Span, ...]:
    """Working time of local date ``day`` as sorted, disjoint, non-empty UTC spans."""
    intervals = calendar.working_hours[day.weekday()]
    country = calendar.holiday_country
    if (
        not intervals
        or day in calendar.closed_days
        or (country and day in _public_holidays(country, day.year))
    ):
        return ()
    tz = ZoneInfo(calendar.timezone)
    lo, hi = _wall_to_utc(day, 0, tz), _wall_to_utc(day, _MINUTES_PER_DAY, tz)
    clipped = sorted(
        (max(_wall_to_utc(day, s, tz), lo), min(_wall_to_utc(day, e, tz), hi)) for s, e in intervals
    )
    spans: list[Span] = []
    for start, end in clipped:
        if start >= end:
            continue  # swallowed by a DST gap, or clipped away
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return tuple(spans)


def _spans_from(
    instant: datetime, calendar: BusinessCalendar, until: datetime | None = None
) -> Iterator[Span]:
    """Spans in chronological order, from the first that ends after ``instant``.

    With ``until`` it stops once past that instant's local date; without, it is endless but
    raises ValueError after ``_MAX_IDLE_DAYS`` days in a row without working time.
    """
    tz = ZoneInfo(calendar.timezone)
    # A day's spans lie within its own midnights (see `_day_spans`), so the local dates of
    # `instant` and `until` bound exactly the days that can matter.
    day = instant.astimezone(tz).date()
    last = until.astimezone(tz).date() if until else None
    idle = 0
    while last is None or day <= last:
        spans = _day_spans(calendar, day)
        idle = 0 if spans else idle + 1
        if idle > _MAX_IDLE_DAYS and last is None:
            raise ValueError(f"the calendar has no working time for years after {instant}")
        yield from (span for span in spans if span[1] > instant)
        day += timedelta(days=1)


def _require_aware(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {instant}")
    return instant.astimezone(UTC)


def is_business_time(instant: datetime, calendar: BusinessCalendar) -> bool:
    """Whether the aware ``instant`` lies inside a working interval (half-open)."""
    instant = _require_aware(instant, "instant")
    start, _ = next(_spans_from(instant, calendar))
    return start <= instant


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The earliest instant at which ``duration`` of business time has elapsed since ``start``.

    Returns an aware UTC datetime. A zero duration returns ``start`` itself (as UTC), even
    outside working hours; a positive one may end exactly at a closing time (17:00 + 1h on a
    09:00-18:00 day is 18:00, not the next opening). For ``d > 0``,
    ``business_time_between(start, add_business_time(start, d, cal), cal) == d``, and the
    result never decreases as ``duration`` grows. Raises ValueError for a naive ``start`` or
    a negative ``duration``.
    """
    start = _require_aware(start, "start")
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    if not duration:
        return start
    remaining = duration
    for span_start, span_end in _spans_from(start, calendar):
        begin = max(span_start, start)
        if remaining <= span_end - begin:
            return begin + remaining
        remaining -= span_end - begin
    raise AssertionError("unreachable: _spans_from raises instead of ending")  # pragma: no mutate


def business_time_between(a: datetime, b: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time elapsed from ``a`` to ``b``; ``-business_time_between(b, a)`` when b < a.

    Additive: ``between(a, b) + between(b, c) == between(a, c)`` for any aware a, b, c.
    """
    a, b = _require_aware(a, "a"), _require_aware(b, "b")
    if b < a:
        return -business_time_between(b, a, calendar)
    total = timedelta(0)
    for span_start, span_end in _spans_from(a, calendar, until=b):
        # A span starting exactly at b adds nothing, so `>` would do the same as `>=` here.
        if span_start >= b:  # pragma: no mutate
            break
        total += min(span_end, b) - max(span_start, a)
    return total
