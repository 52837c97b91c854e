"""Pages show times in the tenant's timezone, not the server's."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from smarketing.tenancy.roles import Role
from tests.factories import TenantFactory
from tests.leads.factories import LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Europe/Rome", "3 Mar 2026, 00:30"), ("America/New_York", "2 Mar 2026, 18:30")],
)
def test_the_lead_timeline_shows_the_tenants_local_time(member, zone, shown):
    tenant = TenantFactory(slug="local", timezone=zone)
    lead = LeadFactory(tenant=tenant)
    StageTransitionFactory(
        tenant=tenant, lead=lead, from_stage="lead", to_stage="mql",
        at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
    )  # fmt: skip
    client = Client()
    client.force_login(member(tenant, Role.MARKETER))
    page = client.get(f"/t/{tenant.slug}/leads/{lead.pk}/").content.decode()
    assert shown in page
    assert "2 Mar 2026, 23:30" not in page
