import pytest
from django.test import Client

from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope


@pytest.fixture
def admin(tenant, member):
    return member(tenant, Role.ADMIN, email="admin@acme.example")


@pytest.fixture
def admin_api(tenant, admin, api_client_for):
    return api_client_for(tenant, user=admin)


@pytest.fixture
def page_client():
    """page_client(user) -> a browser-like client logged in as `user` (CSRF enforced)."""

    def make(user):
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def audit_actions(tenant):
    def read() -> list[str]:
        with tenant_scope(tenant):
            return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))

    return read
