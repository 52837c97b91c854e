import pytest

from smarketing.tenancy.models import ApiKey, AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def test_admin_creates_an_integration_key_shown_once_that_authenticates(tenant, admin_api):
    response = admin_api.post(
        "/api/v1/api-keys/", {"name": "CRM sync", "kind": "integration"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "integration" and body["key"].startswith("smk_")
    listed = admin_api.get("/api/v1/api-keys/").json()["results"]
    assert all("key" not in item for item in listed)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['key']}")
    assert client.get("/api/v1/me/").json()["role"] == "integration"


def test_a_user_key_needs_a_member_and_a_revoked_key_answers_401_at_once(tenant, admin_api, member):
    rep = member(tenant, Role.SALES_REP)
    refused = admin_api.post(
        "/api/v1/api-keys/",
        {"name": "x", "kind": "user", "user": "nobody@example.com"},
        format="json",
    )
    assert refused.status_code == 400 and "user" in refused.json()["errors"]
    created = admin_api.post(
        "/api/v1/api-keys/",
        {"name": "rep script", "kind": "user", "user": rep.email},
        format="json",
    ).json()
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created['key']}")
    assert client.get("/api/v1/me/").json()["email"] == rep.email
    assert admin_api.delete(f"/api/v1/api-keys/{created['id']}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_key_changes_are_audited_without_the_secret(tenant, admin_api):
    created = admin_api.post(
        "/api/v1/api-keys/", {"name": "CRM", "kind": "integration"}, format="json"
    ).json()
    admin_api.delete(f"/api/v1/api-keys/{created['id']}/")
    with tenant_scope(tenant):
        entries = list(
            AuditEntry.objects.filter(
                action__startswith="api_key.", target_label__startswith="CRM"
            ).order_by("id")
        )
    assert [e.action for e in entries] == ["api_key.created", "api_key.revoked"]
    assert entries[0].ip == "127.0.0.1"
    stored = str([e.changes for e in entries])
    assert created["key"] not in stored
    with tenant_scope(tenant):
        hashed = ApiKey.objects.get(pk=created["id"]).hashed_key
    assert hashed not in stored


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP])
def test_only_admins_manage_keys(tenant, api_client_for, role):
    client = api_client_for(tenant, role)
    assert client.get("/api/v1/api-keys/").status_code == 403
    response = client.post("/api/v1/api-keys/", {"name": "x", "kind": "integration"}, format="json")
    assert response.status_code == 403


def test_api_keys_page_shows_the_new_secret_once_with_a_copy_button(tenant, admin, page_client):
    client = page_client(admin)
    page = client.post(
        f"/t/{tenant.slug}/settings/api-keys/", {"name": "Zapier", "kind": "integration"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-copy-target="new-key"' in html and "/api/docs/" in html
    secret = html.split('data-testid="new-key"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert secret.startswith("smk_")
    assert secret not in client.get(f"/t/{tenant.slug}/settings/api-keys/").content.decode()
