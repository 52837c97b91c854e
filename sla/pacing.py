"""The one pace rule: how much of a period's target should be reached by now.

A target is prorated by *business time* elapsed in the period under the SLA's business
calendar (weekends, holidays and nights count for nothing), so a team is not behind on a
Monday morning for the weekend it did not work. Marketing's SLA pacing and the shared
goals' scoreboard both read this.
"""

from __future__ import annotations

from datetime import datetime

from sla.calendar import BusinessCalendar, business_time_between
from smarketing.periods import Period


def business_share_elapsed(period: Period, *, now: datetime, calendar: BusinessCalendar) -> float:
    """The share (0.0 to 1.0) of the period's business time that has passed at `now`."""
    total = business_time_between(period.start, period.end, calendar)
    if total.total_seconds() <= 0:
        return period.elapsed_share(now)  # a calendar with no business time: plain time
    clamped = min(max(now, period.start), period.end)
    return business_time_between(period.start, clamped, calendar) / total


def expected_by_now(
    target: float, period: Period, *, now: datetime, calendar: BusinessCalendar
) -> float:
    """The target prorated by business time elapsed."""
    return target * business_share_elapsed(period, now=now, calendar=calendar)
