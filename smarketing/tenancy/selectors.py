"""Reads about tenants and memberships. Lookups that span tenants say so."""

from django.db.models import QuerySet

from smarketing.tenancy.models import Membership, Tenant
from smarketing.tenancy.scope import cross_tenant_scope


def memberships_of(*, user) -> list[Membership]:
    """All of a user's memberships, across tenants (for the switcher and the landing page)."""
    if not user.is_authenticated or user.pk is None:
        return []
    with cross_tenant_scope():
        return list(
            Membership.all_tenants.filter(user=user, is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )


def membership_in(*, user, tenant: Tenant) -> Membership | None:
    """The user's active membership: a deactivated member is refused like a stranger."""
    if not user.is_authenticated or user.pk is None:
        return None
    with cross_tenant_scope():
        return Membership.all_tenants.filter(user=user, tenant=tenant, is_active=True).first()


def tenant_by_slug(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def members_of(*, tenant: Tenant, roles=None) -> QuerySet[Membership]:
    """Active memberships of the current tenant scope, optionally of some roles."""
    queryset = Membership.objects.filter(tenant=tenant, is_active=True).select_related("user")
    if roles:
        queryset = queryset.filter(role__in=list(roles))
    return queryset.order_by("user__email")


def member_list(*, tenant: Tenant) -> QuerySet[Membership]:
    """Every membership of the tenant, deactivated ones too (the team settings page)."""
    return (
        Membership.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )
