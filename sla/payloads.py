"""The JSON shapes of the SLA's records in events and in the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sla.models import Shortfall
from smarketing.periods import month_of


def _number(value: Decimal | None) -> int | float | None:
    """A figure on the wire: whole numbers as integers, others as JSON numbers."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def shortfall_payload(shortfall: Shortfall, *, tz_name: str) -> dict[str, Any]:
    """The shortfall as the API lists it and its events carry (these add `notify`)."""
    version = shortfall.version
    period = month_of(shortfall.period_start, tz_name)
    return {
        "id": shortfall.pk,
        "version": version.pk,
        "version_number": version.number,
        "version_name": version.name,
        "period": shortfall.period,
        "period_start": period.first_day,
        "period_end": period.last_day,
        "timezone": period.tz_name,
        "term": shortfall.term,
        "status": shortfall.status,
        "target": _number(shortfall.target),
        "actual": _number(shortfall.actual),
        "expected": _number(shortfall.expected),
        "decided": shortfall.decided,
        "elapsed_share": _number(shortfall.elapsed_share),
        "recorded_at": shortfall.recorded_at,
    }
