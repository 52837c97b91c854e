"""Reads of the SLA that are more than a one-line queryset."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from sla.calendar import add_business_time
from sla.models import (
    Obligation,
    ObligationKind,
    ObligationStatus,
    SlaStatus,
    SlaVersion,
    TenantCalendar,
)
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import LEADERSHIP_ROLES


def active_version() -> SlaVersion | None:
    """The active SLA version of the current tenant scope, if any."""
    return SlaVersion.objects.filter(status=SlaStatus.ACTIVE).first()


def hot_score_in_force() -> int | None:
    """The current tenant's hot score under the SLA in force (None: no lead is hot)."""
    version = active_version()
    return version.hot_score if version else None


# A deadline is "due soon" when it falls within this much business time from now.
DUE_SOON = timedelta(hours=2)


def due_soon_until(*, now: datetime, version: SlaVersion | None) -> datetime | None:
    """The end of the "due soon" window: `DUE_SOON` of business time from `now` on the
    calendar of `version` (the SLA in force). No SLA in force: no deadline, none due soon."""
    if version is None:
        return None
    return add_business_time(now, DUE_SOON, version.business_calendar())


def first_touch_owed() -> Q:
    """Leads with a pending `first_touch` obligation: accepted, and no sales touch yet."""
    return Q(
        pk__in=Obligation.objects.filter(
            kind=ObligationKind.FIRST_TOUCH, status=ObligationStatus.PENDING
        ).values("lead_id")
    )


def default_calendar() -> TenantCalendar | None:
    return TenantCalendar.objects.filter(is_default=True).first()


def version_list() -> QuerySet[SlaVersion]:
    return SlaVersion.objects.select_related(
        "marketing_signed_by", "sales_signed_by", "created_by", "activated_by"
    )


def obligation_list() -> QuerySet[Obligation]:
    """Obligations with what the API shows, in a fixed number of queries for any page."""
    return Obligation.objects.select_related("owner", "version")


def managers_of_tenant(*, tenant_id: int) -> list[dict]:
    """Managers and admins of the current scope: who hears of every breach."""
    return [
        {"id": user_id, "email": email}
        for user_id, email in Membership.objects.filter(
            tenant_id=tenant_id, role__in=list(LEADERSHIP_ROLES), is_active=True
        )
        .order_by("user__email")
        .values_list("user_id", "user__email")
    ]
