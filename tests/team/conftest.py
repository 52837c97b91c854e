import pytest
from django.test import Client

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.invitations.services import invitation_create
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.team.inviting import last_link_token


@pytest.fixture
def admin(tenant, member):
    return member(tenant, Role.ADMIN, email="admin@acme.example")


@pytest.fixture
def actor(admin):
    """The admin, as the invitation and team services record them."""
    return Actor(user=admin, role=Role.ADMIN, label=admin.email, ip="10.9.8.7")


@pytest.fixture
def send(tenant, actor, django_capture_on_commit_callbacks):
    """send(email, role) -> (invitation, token of the link e-mailed)."""

    def go(email, role=Role.SALES_REP):
        with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_create(tenant=tenant, actor=actor, email=email, role=role)
        return invitation, last_link_token()

    return go


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
