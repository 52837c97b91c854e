"""Parsing the parts of an SLA version that are more than a number: calendar, cold days.

Pure functions shared by the API's input serializer and the services.
"""

from __future__ import annotations

from typing import Any

from leads.models import OPEN_STAGES
from sla.calendar import BusinessCalendar

COLD_STAGES = tuple(sorted(OPEN_STAGES))
MAX_COLD_DAYS = 3650


def clean_calendar(raw: Any) -> dict[str, Any]:
    """The canonical JSON of a business calendar, or ValueError saying what is wrong."""
    return BusinessCalendar.from_dict(raw).to_dict()


def clean_cold_after_days(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ValueError('Must map open stages to days, e.g. {"sql": 3, "mql": 14}.')
    clean: dict[str, int] = {}
    for stage, days in raw.items():
        if stage not in COLD_STAGES:
            raise ValueError(f"{stage!r} is not an open stage; use {', '.join(COLD_STAGES)}.")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_COLD_DAYS:
            raise ValueError(f"{stage}: days must be a whole number from 1 to {MAX_COLD_DAYS}.")
        clean[stage] = days
    return clean


def default_calendar_for(*, timezone: str, country: str) -> dict[str, Any]:
    """Monday to Friday 09:00-18:00 in the tenant's timezone, closed on its country's holidays.

    A country the holiday tables do not know yields a calendar without public holidays
    rather than no calendar at all.
    """
    try:
        calendar = BusinessCalendar.default(timezone=timezone or "UTC", country=country or None)
    except ValueError:
        calendar = BusinessCalendar.default(timezone=timezone or "UTC")
    return calendar.to_dict()
