import pytest
from rest_framework.test import APIClient

from smarketing.tenancy.roles import Role
from smarketing.tenancy.services import api_key_revoke

pytestmark = pytest.mark.django_db


def test_a_request_without_credentials_gets_401_problem_json():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["type"].endswith("not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_refused(tenant, api_client_for):
    client = api_client_for(tenant)
    good = client._credentials["HTTP_AUTHORIZATION"]
    client.credentials(HTTP_AUTHORIZATION=good[:-4] + "abcd")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_revoked_key_is_refused(tenant, api_client_for):
    client = api_client_for(tenant, Role.MANAGER)
    assert client.get("/api/v1/me/").status_code == 200
    api_key_revoke(api_key=client.api_key)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_browser_session_uses_the_tenant_the_user_opened(tenant, other_tenant, member, client):
    user = member(tenant, Role.MARKETER)
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 404
    client.get(f"/t/{tenant.slug}/")
    assert client.get("/api/v1/me/").json()["tenant"] == tenant.slug
    # A tenant named in the header needs a membership there too.
    assert client.get("/api/v1/me/", HTTP_X_TENANT=other_tenant.slug).status_code == 404


def test_api_key_use_is_recorded_at_most_once_a_minute(
    tenant, api_client_for, django_assert_max_num_queries
):
    client = api_client_for(tenant, Role.MARKETER)
    client.get("/api/v1/me/")
    client.api_key.refresh_from_db()
    first_use = client.api_key.last_used_at
    assert first_use is not None
    client.get("/api/v1/me/")
    client.api_key.refresh_from_db()
    assert client.api_key.last_used_at == first_use
