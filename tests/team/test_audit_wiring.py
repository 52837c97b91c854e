"""Each configuration change writes its audit row, with the actor and the address."""

import pytest

from leads.models import Stage
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

PERSONA = {
    "name": "Ops lead",
    "criteria": [{"field": "industry", "operator": "in", "value": ["logistics"], "weight": 40}],
}


def _last(tenant) -> AuditEntry:
    with tenant_scope(tenant):
        return AuditEntry.objects.order_by("-id").first()


@pytest.mark.parametrize(
    ("role", "method", "url", "body", "action"),
    [
        (
            Role.MANAGER,
            "post",
            "/api/v1/campaigns/",
            {"name": "Fair", "channel": "event"},
            "campaign.created",
        ),
        (
            Role.MANAGER,
            "post",
            "/api/v1/sla/",
            {"name": "2027 H1", "accept_within_hours": 4},
            "sla.version_created",
        ),
        (Role.MARKETER, "post", "/api/v1/personas/", PERSONA, "persona.created"),
        (
            Role.MANAGER,
            "put",
            "/api/v1/routing/",
            {"mode": "round_robin", "default_capacity": 7},
            "routing.settings_changed",
        ),
        (
            Role.ADMIN,
            "post",
            "/api/v1/webhooks/",
            {"url": "http://127.0.0.1:9/h", "events": ["lead.created"]},
            "webhook.created",
        ),
    ],
)
def test_configuration_changes_through_the_api_are_audited(
    tenant, api_client_for, role, method, url, body, action
):
    client = api_client_for(tenant, role)
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code in (200, 201), response.json()
    entry = _last(tenant)
    assert entry.action == action
    assert entry.actor_id == client.user.pk and entry.actor_role == role
    assert entry.ip == "127.0.0.1"


def test_an_erasure_is_audited_without_the_erased_address(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, email="private@person.example", stage=Stage.LEAD)
    api_client_for(tenant, Role.ADMIN).post(f"/api/v1/leads/{lead.pk}/erase/")
    entry = _last(tenant)
    assert entry.action == "lead.erased"
    assert "private@person.example" not in f"{entry.target_label} {entry.changes}"
