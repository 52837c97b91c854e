"""Units and the Rome office calendar shared by the business-time tests."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sla.calendar import DAY_KEYS, BusinessCalendar

ROME = ZoneInfo("Europe/Rome")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
WEEKDAYS_9_TO_18 = {key: [["09:00", "18:00"]] for key in DAY_KEYS[:5]}


def rome_office(**overrides: object) -> BusinessCalendar:
    data = {"timezone": "Europe/Rome", "holiday_country": "IT", "working_hours": WEEKDAYS_9_TO_18}
    return BusinessCalendar.from_dict({**data, **overrides})
