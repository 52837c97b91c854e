"""When the demo's things happen: in the tenant's business hours, relative to now.

The demo is built through the real services, which stamp rows with `timezone.now()`. To
give a lead a believable past (flagged on a Tuesday morning, accepted two business hours
later), the seed runs each step `at(moment)`: the services see that moment as now, so
obligations, response times and history are computed by the same code as in real use.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone

from sla.calendar import BusinessCalendar, add_business_time, business_time_between


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    with mock.patch.object(timezone, "now", return_value=moment):
        yield moment


def after(start: datetime, hours: float, calendar: BusinessCalendar) -> datetime:
    """`hours` of business time after `start`."""
    return add_business_time(start, timedelta(hours=hours), calendar)


def before(end: datetime, hours: float, calendar: BusinessCalendar) -> datetime:
    """The latest instant that is `hours` of business time before `end` (by bisection:
    business time between two instants grows with their distance)."""
    wanted = timedelta(hours=hours)
    low, high = end - timedelta(days=14 + hours), end
    for _ in range(40):
        middle = low + (high - low) / 2
        if business_time_between(middle, end, calendar) > wanted:
            low = middle
        else:
            high = middle
    return high


def business_moment(
    calendar: BusinessCalendar, now: datetime, days_back: int, rng: random.Random
) -> datetime:
    """A moment on a working morning or afternoon about `days_back` days ago (never later
    than a business hour before now)."""
    day_start = before(now, 9 * days_back + 1, calendar)
    return min(after(day_start, rng.uniform(0, 6), calendar), before(now, 1, calendar))
