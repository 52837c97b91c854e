"""The one period type every report, goal and SLA term reads: whole days of a tenant's
calendar, from `first_day` to `last_day` inclusive, in the tenant's timezone.

A period names its instants (`start` inclusive, `end` exclusive) in its own zone, so a day
begins at local midnight wherever the tenant is (Pacific/Auckland's January starts on
31 December in UTC). Parsing is strict and answers with field errors a user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smarketing.errors import InvalidInput

MAX_DAYS = 3660  # ten years: the longest range any report reads at once
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class InvalidPeriod(InvalidInput):
    code = "invalid_period"
    title = "Invalid period"


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    tz_name: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name or "UTC")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period (local midnight after `last_day`)."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, self.zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.first_day + timedelta(days=offset)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def has_ended(self, now: datetime) -> bool:
        return now >= self.end

    def elapsed_share(self, now: datetime) -> float:
        """How much of the period's time has passed at `now`, from 0.0 to 1.0."""
        total = (self.end - self.start).total_seconds()
        passed = (min(max(now, self.start), self.end) - self.start).total_seconds()
        return passed / total

    @property
    def label(self) -> str:
        """`2027-01` for a calendar month, `2027-Q1` for a quarter, else `from..to`."""
        first, last = self.first_day, self.last_day
        if first.day == 1 and last == _month_end(first):
            return f"{first.year}-{first.month:02d}"
        if first.day == 1 and first.month % 3 == 1 and last == _month_end(_add_months(first, 2)):
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        return f"{first.isoformat()}..{last.isoformat()}"

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts; a calendar
        month's or quarter's previous period is the previous month or quarter."""
        label = self.label
        if _MONTH.match(label):
            return month_of(self.first_day - timedelta(days=1), self.tz_name)
        if _QUARTER.match(label):
            return quarter_of(self.first_day - timedelta(days=1), self.tz_name)
        last = self.first_day - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, self.tz_name)


def _month_end(day: date) -> date:
    return _add_months(day.replace(day=1), 1) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date, tz_name: str) -> Period:
    first = day.replace(day=1)
    return Period(first, _month_end(first), tz_name)


def quarter_of(day: date, tz_name: str) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, _month_end(_add_months(first, 2)), tz_name)


def local_today(tz_name: str, now: datetime | None = None) -> date:
    from django.utils import timezone

    return (now or timezone.now()).astimezone(ZoneInfo(tz_name or "UTC")).date()


def current_month(tz_name: str, now: datetime | None = None) -> Period:
    return month_of(local_today(tz_name, now), tz_name)


def parse_named(text: object, *, tz_name: str, field: str = "period") -> Period:
    """A calendar month `YYYY-MM` or quarter `YYYY-Qn` of the tenant's calendar."""
    raw = text.strip() if isinstance(text, str) else ""
    try:
        if match := _MONTH.match(raw):
            return _bounded(month_of(date(int(match[1]), int(match[2]), 1), tz_name))
        if match := _QUARTER.match(raw.upper()):
            return _bounded(
                quarter_of(date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1), tz_name)
            )
    except (ValueError, OverflowError):
        # Year 0000, or a period whose end falls past 9999-12-31: no calendar holds them.
        raise InvalidPeriod({field: ["A period from 0001-01 to 9999-11."]}) from None
    raise InvalidPeriod({field: ["A month as YYYY-MM or a quarter as YYYY-Qn, e.g. 2027-01."]})


def _bounded(period: Period) -> Period:
    period.end  # noqa: B018  (raises when the instant after the last day does not exist)
    return period


def parse_range(
    params: Mapping[str, str],
    *,
    tz_name: str,
    default_days: int,
    max_days: int = MAX_DAYS,
    blank_is_default: bool = True,
    now: datetime | None = None,
) -> Period:
    """`from`/`to` (YYYY-MM-DD, both inclusive) of a query string; by default the last
    `default_days` days up to today in the tenant's calendar.

    A form leaves a date it does not set blank; the API, whose schema calls both dates,
    refuses a blank one (`blank_is_default=False`) and takes only an absent one as default.
    """
    today = local_today(tz_name, now)
    defaults = {"from": today - timedelta(days=default_days - 1), "to": today}
    values: dict[str, date] = {}
    for name, fallback in defaults.items():
        raw = params.get(name)
        if raw is None or (blank_is_default and not str(raw).strip()):
            values[name] = fallback
            continue
        try:
            values[name] = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise InvalidPeriod({name: ["A date as YYYY-MM-DD."]}) from None
    if values["from"] > values["to"]:
        raise InvalidPeriod({"from": ["The first day is after the last."]})
    if (values["to"] - values["from"]).days >= max_days:
        raise InvalidPeriod({"from": [f"At most {max_days} days at once."]})
    return Period(values["from"], values["to"], tz_name)


def parse_optional_range(
    params: Mapping[str, str],
    *,
    tz_name: str,
    default_days: int,
    max_days: int = MAX_DAYS,
    blank_is_default: bool = True,
    now: datetime | None = None,
) -> Period | None:
    """For a report whose default is all time: None when the request names neither `from`
    nor `to` (on a page, blank fields name nothing); else `parse_range`, whose defaults fill
    the one left out, with the same refusals."""
    named = [
        name
        for name in ("from", "to")
        if params.get(name) is not None and not (blank_is_default and not str(params[name]).strip())
    ]
    if not named:
        return None
    return parse_range(
        params, tz_name=tz_name, default_days=default_days, max_days=max_days,
        blank_is_default=blank_is_default, now=now,
    )  # fmt: skip
