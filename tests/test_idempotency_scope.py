"""Idempotency keys belong to the caller (API key or signed-in user), not the whole tenant."""

import pytest
from rest_framework.test import APIClient

from leads.models import Lead
from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def test_two_api_keys_of_one_tenant_with_the_same_key_get_independent_answers(
    tenant, api_client_for
):
    mine = api_client_for(tenant, Role.MARKETER)
    theirs = api_client_for(tenant, Role.MARKETER)
    first = mine.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="order-1")
    other = theirs.post("/api/v1/leads/", {"email": "b@x.com"}, HTTP_IDEMPOTENCY_KEY="order-1")
    # Neither a 422 (another body) nor a replay of the first caller's lead.
    assert (first.status_code, other.status_code) == (201, 201)
    assert other.json()["email"] == "b@x.com"
    assert "Idempotent-Replayed" not in other
    assert Lead.all_tenants.filter(tenant=tenant).count() == 2


def test_a_key_replays_only_for_the_caller_that_used_it(tenant, api_client_for):
    mine = api_client_for(tenant, Role.MARKETER)
    theirs = api_client_for(tenant)  # an integration key of the same tenant
    mine.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k")
    again = theirs.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k")
    assert "Idempotent-Replayed" not in again
    assert again.status_code == 200  # merged into the existing lead: the work ran again
    replay = mine.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")


def test_two_signed_in_users_with_the_same_key_get_independent_answers(tenant, member):
    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_login(member(tenant, Role.MARKETER))
        clients.append(client)
    headers = {"HTTP_IDEMPOTENCY_KEY": "same", "HTTP_X_TENANT": tenant.slug}
    first = clients[0].post("/api/v1/leads/", {"email": "a@x.com"}, **headers)
    second = clients[1].post("/api/v1/leads/", {"email": "b@x.com"}, **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["email"] == "b@x.com"
