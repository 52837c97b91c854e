import json
from functools import lru_cache
from typing import Any

from django.db import models

from sla.calendar import BusinessCalendar
from smarketing.tenancy.models import TenantScoped


@lru_cache(maxsize=256)
def _calendar_from_json(text: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict(json.loads(text))


def business_calendar_of(definition: dict[str, Any]) -> BusinessCalendar:
    """The pure calendar of a stored JSON definition (cached: the holiday tables are costly)."""
    return _calendar_from_json(json.dumps(definition, sort_keys=True))


class TenantCalendar(TenantScoped):
    """The tenant's office hours: the calendar a new SLA draft starts from.

    Each SLA version keeps its own copy of the calendar among its terms, so editing the
    office hours never moves a deadline that was already promised.
    """

    name = models.CharField(max_length=100, default="Office hours")
    # The JSON shape of `sla.calendar.BusinessCalendar.to_dict()`.
    definition = models.JSONField()
    is_default = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_default=True),
                name="tenantcalendar_one_default",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.definition.get('timezone')})"

    def business_calendar(self) -> BusinessCalendar:
        return business_calendar_of(self.definition)
