"""Operators see SLA rows in the admin, across tenants, and cannot forge them there."""

import pytest

from tests.sla.factories import BreachFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "rows"),
    # Each tenant: its office hours, its default draft plus an active version, one breach.
    [("tenantcalendar", 2), ("slaversion", 4), ("obligation", 2), ("breach", 2)],
)
def test_the_admin_lists_sla_rows_of_every_tenant(admin_client, tenant, other_tenant, model, rows):
    BreachFactory(tenant=tenant)
    BreachFactory(tenant=other_tenant)
    response = admin_client.get(f"/admin/sla/{model}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("model", ["slaversion", "obligation", "breach"])
def test_records_cannot_be_added_by_hand(admin_client, model):
    assert admin_client.get(f"/admin/sla/{model}/add/").status_code == 403


def test_a_breach_opens_read_only(admin_client, tenant):
    breach = BreachFactory(tenant=tenant)
    response = admin_client.get(f"/admin/sla/breach/{breach.pk}/change/")
    assert response.status_code == 200
    assert 'name="escalated_to"' not in response.content.decode()
