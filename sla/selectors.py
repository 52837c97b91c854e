"""Reads of the SLA that are more than a one-line queryset."""

from __future__ import annotations

from django.db.models import QuerySet

from sla.models import Obligation, Shortfall, SlaStatus, SlaVersion, TenantCalendar
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import LEADERSHIP_ROLES, MARKETING_ROLES


def active_version() -> SlaVersion | None:
    """The active SLA version of the current tenant scope, if any."""
    return SlaVersion.objects.filter(status=SlaStatus.ACTIVE).first()


def hot_score_in_force() -> int | None:
    """The current tenant's hot score under the SLA in force (None: no lead is hot)."""
    version = active_version()
    return version.hot_score if version else None


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
