"""Faults on the real stack: Redis stopped under load, a receiver that fails for a while.

A gunicorn server and a Celery worker (with beat) run as subprocesses against the test
database and a Redis of this module's own; webhooks go to a receiver on loopback. Every
received delivery is checked with a signature verifier written here from the contract.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from smarketing.events.models import OutboxEvent
from smarketing.tenancy.roles import Role
from smarketing.webhooks.models import WebhookDelivery
from tests.factories import ApiKeyFactory, MembershipFactory, TenantFactory
from tests.webhooks.factories import WebhookEndpointFactory
from tests.webhooks.receiver import Receiver, verify_signature
from tests.webhooks.stack import Stack, url_for_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

LEADS_DURING_OUTAGE = int(os.environ.get("FAULT_TEST_LEADS", "2000"))
POSTING_THREADS = 8


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    running = Stack(url_for_database(os.environ["DATABASE_URL"], name)).start()
    yield running
    running.stop()


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def integration(receiver):
    tenant = TenantFactory(slug="faults", name="Faults")
    admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
    key = ApiKeyFactory.issue(tenant=tenant, user=admin).raw_key
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url, events=["lead.created"])
    return tenant, key, endpoint


def post_leads(base_url: str, key: str, count: int, tag: str) -> Counter:
    """POST `count` new leads one by one from a few threads; returns the status codes."""
    local = threading.local()

    def post(number: int) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        response = session.post(
            f"{base_url}/api/v1/leads/",
            json={"email": f"{tag}-{number}@faults.example", "company": "Faults Ltd"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(POSTING_THREADS) as pool:
        return Counter(pool.map(post, range(count)))


def wait_for(condition, *, timeout: float, what: str, stack: Stack) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n--- stack log ---\n{stack.log_tail()}")


def event_ids(tenant) -> set[str]:
    return {
        str(pk)
        for pk in OutboxEvent.all_tenants.filter(
            tenant=tenant, event_type="lead.created"
        ).values_list("pk", flat=True)
    }


def drained(tenant, expected: set[str]) -> bool:
    deliveries = WebhookDelivery.all_tenants.filter(tenant=tenant)
    return (
        not OutboxEvent.all_tenants.filter(tenant=tenant, relayed_at__isnull=True).exists()
        and deliveries.filter(status="succeeded").count() >= len(expected)
        and not deliveries.filter(status="pending").exists()
    )


def assert_signed(receiver: Receiver, secret: str) -> None:
    """Every request carries a signature that the independent verifier accepts."""
    now = int(time.time())
    for request in receiver.received:
        header = request.headers["Smarketing-Signature"]
        assert verify_signature(header, request.body, secret, now=now, tolerance=900), header


def test_with_redis_down_every_post_succeeds_and_every_webhook_arrives_once(stack, receiver):
    tenant, key, endpoint = integration(receiver)

    stack.redis.stop()
    started = time.monotonic()
    codes = post_leads(stack.base_url, key, LEADS_DURING_OUTAGE, "outage")
    posting_seconds = time.monotonic() - started
    assert codes == Counter({201: LEADS_DURING_OUTAGE})
    expected = event_ids(tenant)
    assert len(expected) == LEADS_DURING_OUTAGE
    assert receiver.received == []  # nothing could be relayed without the broker

    stack.redis.start()
    wait_for(
        lambda: set(receiver.ids()) >= expected,
        timeout=240,
        what="every webhook after Redis came back",
        stack=stack,
    )
    # Drained: every event relayed and every delivery recorded as sent, so nothing is left
    # in flight that could still arrive as a duplicate.
    wait_for(
        lambda: drained(tenant, expected),
        timeout=60,
        what="the outbox and the deliveries to drain",
        stack=stack,
    )

    received = Counter(receiver.ids())
    assert set(received) == expected
    duplicates = sum(count - 1 for count in received.values())
    print(
        f"\n{LEADS_DURING_OUTAGE} POSTs with Redis down in {posting_seconds:.1f}s, all 201; "
        f"{len(received)} webhooks after it returned, {duplicates} duplicates"
    )
    assert duplicates == 0
    assert_signed(receiver, endpoint.secret)
    bodies = {request.payload["id"]: request.payload for request in receiver.received}
    assert {body["tenant"] for body in bodies.values()} == {"faults"}
    assert {body["type"] for body in bodies.values()} == {"lead.created"}


def test_a_receiver_that_fails_for_a_while_gets_everything_once_it_recovers(stack, receiver):
    tenant, key, endpoint = integration(receiver)
    receiver.status = 500

    assert post_leads(stack.base_url, key, 50, "flaky") == Counter({201: 50})
    expected = event_ids(tenant)
    wait_for(
        lambda: set(receiver.ids()) >= expected,
        timeout=90,
        what="a first (failing) attempt of every delivery",
        stack=stack,
    )
    failed_attempts = len(receiver.received)

    receiver.status = 200
    recovered_at = len(receiver.received)
    wait_for(
        lambda: set(receiver.ids()[recovered_at:]) >= expected,
        timeout=150,
        what="every delivery after the receiver recovered",
        stack=stack,
    )

    assert failed_attempts >= 50
    assert_signed(receiver, endpoint.secret)
    deliveries = WebhookDelivery.all_tenants.filter(endpoint=endpoint)
    wait_for(
        lambda: not deliveries.exclude(status="succeeded").exists(),
        timeout=30,
        what="every delivery recorded as succeeded",
        stack=stack,
    )
    assert deliveries.count() == 50
    assert min(deliveries.values_list("attempts", flat=True)) >= 2
