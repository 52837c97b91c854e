"""Fixtures of the SLA tests: an active SLA, people of each role, a clock to set."""

import pytest

from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from tests.sla.factories import SlaVersionFactory


@pytest.fixture
def active_sla(tenant):
    """active_sla(**terms) -> the tenant's SLA in force (always-open UTC calendar unless given)."""

    def make(**terms):
        return SlaVersionFactory(tenant=tenant, active=True, **terms)

    return make


@pytest.fixture
def people(tenant, member):
    """One member of each role in the tenant, by role name."""
    return {role: member(tenant, role) for role in Role.values}


@pytest.fixture
def utc_tenant(tenant):
    """The tenant, its months in UTC (the shortfall tests' March 2027 is UTC's)."""
    Tenant.objects.filter(pk=tenant.pk).update(timezone="UTC")
    tenant.refresh_from_db()
    return tenant
