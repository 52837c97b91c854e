"""Reads of the SLA that are more than a one-line queryset."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from sla.calendar import add_business_time
from sla.models import (
    Breach,
    Obligation,
    ObligationKind,
    ObligationStatus,
    Shortfall,
    ShortfallStatus,
    SlaStatus,
    SlaVersion,
    TenantCalendar,
)
from sla.payloads import shortfall_payload
from smarketing.tenancy.configuration import kept_for_tenant
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import LEADERSHIP_ROLES, MARKETING_ROLES
from smarketing.tenancy.scope import require_tenant_id


def active_version() -> SlaVersion | None:
    """The active SLA version of the current tenant scope, if any."""
    return SlaVersion.objects.filter(status=SlaStatus.ACTIVE).first()


def thresholds_in_force() -> tuple[int | None, int | None]:
    """(mql_threshold, sql_threshold) of the current tenant's SLA in force; (None, None)
    without one. Read after every score change, so kept per process until an SLA version
    changes (`smarketing.tenancy.configuration`)."""

    def load() -> tuple[int | None, int | None]:
        version = active_version()
        return (version.mql_threshold, version.sql_threshold) if version else (None, None)

    return kept_for_tenant("sla_thresholds", tenant_id=require_tenant_id(), load=load)


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


def marketing_and_managers(*, tenant_id: int) -> list[dict]:
    """Marketers, managers and admins of the tenant: who hears of marketing's shortfalls."""
    return [
        {"id": user_id, "email": email}
        for user_id, email in Membership.objects.filter(
            tenant_id=tenant_id,
            role__in=list(MARKETING_ROLES | LEADERSHIP_ROLES),
            is_active=True,
        )
        .order_by("user__email")
        .values_list("user_id", "user__email")
    ]


def shortfall_list() -> QuerySet[Shortfall]:
    """Marketing's shortfalls, newest period first, with their version (one query a page)."""
    return Shortfall.objects.select_related("version").order_by("-period_start", "-id")


def shortfalls_overlapping(*, first_day: date, last_day: date) -> QuerySet[Shortfall]:
    """Shortfalls of the months that overlap the days `first_day`..`last_day`."""
    return shortfall_list().filter(
        period_start__gte=first_day.replace(day=1), period_start__lte=last_day
    )


def breaches_side_by_side(
    *, first_day: date, last_day: date, tz_name: str, tenant_tz: str
) -> dict[str, Any]:
    """Both teams' broken promises of a range, side by side: sales' breaches recorded in
    the range (deadlines that passed in it, in `tz_name`'s days) and marketing's shortfalls
    of the months that overlap it (months of the tenant's calendar, `tenant_tz`). Two
    queries whatever the numbers."""
    zone = ZoneInfo(tz_name or "UTC")
    start = datetime.combine(first_day, time.min, zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone)
    sales = Breach.objects.filter(breached_at__gte=start, breached_at__lt=end).aggregate(
        total=Count("id"),
        accept=Count("id", filter=Q(kind=ObligationKind.ACCEPT)),
        first_touch=Count("id", filter=Q(kind=ObligationKind.FIRST_TOUCH)),
    )
    shortfalls = list(shortfalls_overlapping(first_day=first_day, last_day=last_day))
    return {
        "sales": {"breaches": sales["total"], "accept": sales["accept"],
                  "first_touch": sales["first_touch"]},
        "marketing": {
            "at_risk": sum(s.status == ShortfallStatus.AT_RISK for s in shortfalls),
            "missed": sum(s.status == ShortfallStatus.MISSED for s in shortfalls),
            "shortfalls": [shortfall_payload(s, tz_name=tenant_tz) for s in shortfalls],
        },
    }  # fmt: skip
