"""Rate limits per API key and per tenant: 429 with Retry-After, and nothing else."""

import pytest
from django.core.cache import cache

from smarketing.api import throttling
from smarketing.api.throttling import parse_rate
from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings, monkeypatch):
    """rates(api_key=..., tenant=...): low limits for this test only."""
    cache.clear()
    monkeypatch.setattr(throttling, "_cache_down_until", 0.0)

    def set_rates(api_key="1000/min", tenant="1000/min"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api_key": api_key, "tenant": tenant},
        }

    yield set_rates
    cache.clear()


def test_a_key_over_its_rate_gets_429_with_retry_after(tenant, api_client_for, rates):
    rates(api_key="3/min")
    client = api_client_for(tenant, Role.MARKETER)
    codes = [client.get("/api/v1/me/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = client.get("/api/v1/me/")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429 and refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_another_key_of_the_same_tenant_keeps_its_own_rate(tenant, api_client_for, rates):
    rates(api_key="2/min")
    noisy, quiet = api_client_for(tenant, Role.MARKETER), api_client_for(tenant)
    for _ in range(4):
        noisy.get("/api/v1/me/")
    assert quiet.get("/api/v1/me/").status_code == 200


def test_the_keys_of_a_tenant_share_the_tenant_rate(tenant, other_tenant, api_client_for, rates):
    rates(api_key="100/min", tenant="4/min")
    keys = [api_client_for(tenant, Role.MARKETER) for _ in range(3)]
    codes = [client.get("/api/v1/me/").status_code for client in keys for _ in range(2)]
    assert codes.count(200) == 4 and codes.count(429) == 2
    # Another tenant is not affected by the first one's traffic.
    assert api_client_for(other_tenant).get("/api/v1/me/").status_code == 200


def test_refused_requests_do_not_use_up_the_rate(tenant, api_client_for, rates):
    rates(api_key="2/min", tenant="3/min")
    noisy, quiet = api_client_for(tenant, Role.MARKETER), api_client_for(tenant)
    for _ in range(10):
        noisy.get("/api/v1/me/")
    # The noisy key's 8 refused calls did not count against the tenant: one call is left.
    assert quiet.get("/api/v1/me/").status_code == 200
    assert quiet.get("/api/v1/me/").status_code == 429


def test_an_unreachable_cache_lets_requests_through(tenant, api_client_for, rates, monkeypatch):
    rates(api_key="1/min")

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", down)
    client = api_client_for(tenant, Role.MARKETER)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    # The limits come back with the cache (here: once the pause after the failure is over).
    monkeypatch.undo()
    monkeypatch.setattr(throttling, "_cache_down_until", 0.0)
    rates(api_key="1/min")
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]


def test_the_default_rates_are_read_from_the_environment_format():
    assert parse_rate("1200/min") == (1200, 60)
    assert parse_rate("10/s") == (10, 1)
    assert parse_rate("5000/hour") == (5000, 3600)
    assert parse_rate(None) is None


def test_a_refused_key_is_answered_before_any_database_work(
    tenant, api_client_for, rates, django_assert_num_queries
):
    rates(api_key="1/min")
    client = api_client_for(tenant, Role.MARKETER)
    client.get("/api/v1/me/")
    assert client.get("/api/v1/me/").status_code == 429
    with django_assert_num_queries(0):
        again = client.get("/api/v1/leads/")
    assert again.status_code == 429
    assert int(again["Retry-After"]) >= 1
    assert again.json()["code"] == "throttled"
