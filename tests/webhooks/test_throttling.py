"""Rate limits per API key and per tenant: 429 with Retry-After, and nothing else."""

import time
import uuid

import pytest
import redis
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st

from smarketing.api import throttling
from smarketing.api.throttling import LocalMeters, Meter, RedisMeters, meter_check, parse_rate
from smarketing.shared_redis import shared_redis
from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def _forget_meters():
    store = throttling.meter_store()
    if isinstance(store, LocalMeters):
        store.clear()
    else:
        for name in shared_redis().scan_iter(match="throttle:*"):
            shared_redis().delete(name)


@pytest.fixture
def rates(settings, monkeypatch):
    """rates(api_key=..., tenant=...): low limits for this test only."""
    cache.clear()
    _forget_meters()
    monkeypatch.setattr(throttling, "_store_down_until", 0.0)

    def set_rates(api_key="1000/min", tenant="1000/min"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api_key": api_key, "tenant": tenant},
        }

    yield set_rates
    cache.clear()
    _forget_meters()


def test_a_key_over_its_rate_gets_429_with_retry_after(tenant, api_client_for, rates):
    rates(api_key="30/min")  # one every 2 s, three at once
    client = api_client_for(tenant, Role.MARKETER)
    codes = [client.get("/api/v1/me/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = client.get("/api/v1/me/")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429 and refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 2


def test_another_key_of_the_same_tenant_keeps_its_own_rate(tenant, api_client_for, rates):
    rates(api_key="20/min")
    noisy, quiet = api_client_for(tenant, Role.MARKETER), api_client_for(tenant)
    for _ in range(4):
        noisy.get("/api/v1/me/")
    assert quiet.get("/api/v1/me/").status_code == 200


def test_the_keys_of_a_tenant_share_the_tenant_rate(tenant, other_tenant, api_client_for, rates):
    rates(api_key="1000/min", tenant="40/min")
    keys = [api_client_for(tenant, Role.MARKETER) for _ in range(3)]
    codes = [client.get("/api/v1/me/").status_code for client in keys for _ in range(2)]
    assert codes.count(200) == 4 and codes.count(429) == 2
    # Another tenant is not affected by the first one's traffic.
    assert api_client_for(other_tenant).get("/api/v1/me/").status_code == 200


def test_refused_requests_do_not_use_up_the_rate(tenant, api_client_for, rates):
    rates(api_key="20/min", tenant="30/min")
    noisy, quiet = api_client_for(tenant, Role.MARKETER), api_client_for(tenant)
    for _ in range(10):
        noisy.get("/api/v1/me/")
    # The noisy key's 8 refused calls did not count against the tenant: one call is left.
    assert quiet.get("/api/v1/me/").status_code == 200
    assert quiet.get("/api/v1/me/").status_code == 429


def test_an_unreachable_store_lets_requests_through(tenant, api_client_for, rates, monkeypatch):
    rates(api_key="10/min")

    def down(*args, **kwargs):
        raise redis.ConnectionError("Redis down")

    store = throttling.meter_store()
    monkeypatch.setattr(store, "check", down)
    client = api_client_for(tenant, Role.MARKETER)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    # The limits come back with the store (here: once the pause after the failure is over).
    monkeypatch.undo()
    monkeypatch.setattr(throttling, "_store_down_until", 0.0)
    rates(api_key="10/min")
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]


def test_the_default_rates_are_read_from_the_environment_format():
    assert parse_rate("1200/min") == (1200, 60)
    assert parse_rate("10/s") == (10, 1)
    assert parse_rate("5000/hour") == (5000, 3600)
    assert parse_rate(None) is None


def test_a_refused_key_is_answered_before_any_database_work(
    tenant, api_client_for, rates, django_assert_num_queries
):
    rates(api_key="10/min")
    client = api_client_for(tenant, Role.MARKETER)
    client.get("/api/v1/me/")
    assert client.get("/api/v1/me/").status_code == 429
    with django_assert_num_queries(0):
        again = client.get("/api/v1/leads/")
    assert again.status_code == 429
    assert int(again["Retry-After"]) >= 1
    assert again.json()["code"] == "throttled"


def test_a_burst_is_capped_then_the_rate_is_metered_evenly():
    meter = Meter.of("k", parse_rate("600/min"))  # one every 0.1 s, 60 at once
    store, now = LocalMeters(), 1000.0
    allowed = sum(store.check([meter], now) == 0 for _ in range(100))
    assert allowed == 60
    assert store.check([meter], now) == pytest.approx(0.1)
    # A second later, ten more (the average rate), not a fresh burst.
    assert sum(store.check([meter], now + 1.0) == 0 for _ in range(100)) == 10


def test_a_refused_request_uses_up_neither_limit():
    key, tenant_meter = Meter("key", 1.0, 5), Meter("tenant", 1.0, 2)
    store = LocalMeters()
    assert [store.check([key, tenant_meter], 0.0) for _ in range(3)] == [0, 0, pytest.approx(1)]
    # The key's own budget was not spent by the refusal: alone, it has three left.
    assert sum(store.check([key], 0.0) == 0 for _ in range(5)) == 3


@pytest.mark.redis
@settings(max_examples=25, deadline=None)
@given(
    rates=st.lists(st.sampled_from(["5/s", "30/min", "600/min", "7/h"]), min_size=1, max_size=2),
    steps=st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=40),
)
def test_redis_applies_the_same_rule_as_the_reference(rates, steps):
    """The Lua script and `meter_check` decide every request alike."""
    tag = uuid.uuid4().hex  # not `random`: hypothesis seeds it alike for every example
    meters = [Meter.of(f"prop:{tag}:{i}", parse_rate(rate)) for i, rate in enumerate(rates)]
    store = RedisMeters(shared_redis())
    stored: list[float | None] = [None] * len(meters)
    # Redis expires the keys in real time, a second after they stop mattering at the rate's
    # pace. The clock of the test never runs slower than the real one, so a slow machine
    # cannot expire a key the reference still holds.
    start, simulated = time.monotonic(), 1_800_000_000.0
    for step in steps:
        simulated += step
        now = simulated + (time.monotonic() - start)
        expected, stored = meter_check(meters, stored, now)
        assert store.check(meters, now) == pytest.approx(expected, abs=1e-3)
