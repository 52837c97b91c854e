"""Sending: signed POSTs, retries with backoff, giving up after the retry window, leases."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from smarketing.events.models import OutboxEvent
from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery
from smarketing.webhooks.services import (
    claim_due,
)
from smarketing.webhooks.services.policy import LEASE, retry_delay
from tests.webhooks.delivering import refreshed, send_due
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Receiver, verify_signature

pytestmark = pytest.mark.django_db


def test_a_delivery_is_a_signed_json_post_of_the_event(tenant, receiver):
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, event__data={"id": 42, "email": "ada@example.com"}
    )

    assert send_due()["succeeded"] == 1

    (request,) = receiver.received
    assert request.payload == {
        "id": str(delivery.event_id),
        "type": "lead.created",
        "created_at": request.payload["created_at"],
        "tenant": "acme",
        "data": {"id": 42, "email": "ada@example.com"},
    }
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Smarketing-Webhooks/1.0"
    header = request.headers["Smarketing-Signature"]
    assert verify_signature(
        header, request.body, endpoint.secret, now=int(timezone.now().timestamp())
    )
    assert not verify_signature(header, request.body, "whsec_wrong")
    assert not verify_signature(header, request.body + b" ", endpoint.secret)
    done = refreshed(delivery)
    assert (done.status, done.attempts, done.response_status) == ("succeeded", 1, 200)
    assert done.next_attempt_at is None and done.response_excerpt == '{"ok": true}'


def test_during_a_rotation_both_secrets_sign(tenant, receiver):
    endpoint = WebhookEndpointFactory(
        tenant=tenant,
        url=receiver.url,
        secret="whsec_new",
        previous_secret="whsec_old",
        previous_secret_expires_at=timezone.now() + timedelta(hours=1),
    )
    WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint)
    send_due()
    (request,) = receiver.received
    header = request.headers["Smarketing-Signature"]
    assert header.count("v1=") == 2
    assert verify_signature(header, request.body, "whsec_new")
    assert verify_signature(header, request.body, "whsec_old")


def test_after_the_overlap_only_the_new_secret_signs(tenant, receiver):
    endpoint = WebhookEndpointFactory(
        tenant=tenant,
        url=receiver.url,
        secret="whsec_new",
        previous_secret="whsec_old",
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1),
    )
    WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint)
    send_due()
    header = receiver.received[0].headers["Smarketing-Signature"]
    assert header.count("v1=") == 1
    assert not verify_signature(header, receiver.received[0].body, "whsec_old")


def test_a_failed_attempt_is_retried_later_with_backoff(tenant, receiver):
    receiver.status = 500
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    before = timezone.now()
    assert send_due()["pending"] == 1
    failed_once = refreshed(delivery)
    assert failed_once.status == "pending"
    assert (failed_once.attempts, failed_once.failures, failed_once.response_status) == (1, 1, 500)
    assert failed_once.response_excerpt == "receiver is down"
    wait = failed_once.next_attempt_at - before
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=31)
    assert send_due()["pending"] == 0  # not due yet: nothing is sent early
    assert len(receiver.received) == 1


def test_backoff_doubles_with_jitter_up_to_six_hours():
    for failures, ceiling in [(1, 30), (2, 60), (5, 480), (11, 6 * 3600), (40, 6 * 3600)]:
        delays = {retry_delay(failures).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_retries_span_at_least_a_day_before_giving_up():
    elapsed, failures = timedelta(0), 0
    while elapsed < timedelta(hours=24):
        failures += 1
        elapsed += retry_delay(failures)
    # Attempts continue until the window closes; that takes a bounded number of attempts.
    assert 10 <= failures <= 20


def test_the_last_failure_after_the_window_fails_for_good_and_disables_the_endpoint(
    tenant, receiver
):
    receiver.status = 503
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, give_up_at=timezone.now() - timedelta(seconds=1)
    )
    assert send_due()["failed"] == 1

    assert refreshed(delivery).status == DeliveryStatus.FAILED
    endpoint.refresh_from_db()
    assert endpoint.enabled is False
    assert "503" in endpoint.disabled_reason
    notice = OutboxEvent.all_tenants.get(event_type="webhook.endpoint_disabled")
    assert notice.tenant_id == tenant.pk and notice.data["id"] == endpoint.pk


def test_a_disabled_endpoint_gets_nothing(tenant, receiver):
    WebhookDeliveryFactory(
        tenant=tenant,
        endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url, enabled=False),
    )
    send_due()
    assert receiver.received == []


def test_redirects_are_not_followed_and_count_as_failures(tenant, receiver):
    receiver.status = 302
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    send_due()
    assert len(receiver.received) == 1
    assert refreshed(delivery).response_status == 302
    assert refreshed(delivery).status == "pending"


def test_an_address_that_turned_private_is_not_sent_to(tenant, receiver, settings):
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = True  # plain http is fine here; the address is the problem
    send_due()
    assert receiver.received == []
    assert "private or reserved" in refreshed(delivery).response_excerpt


def test_a_claimed_delivery_is_leased_and_not_claimed_again(tenant):
    delivery = WebhookDeliveryFactory(tenant=tenant)
    with cross_tenant_scope():
        assert claim_due(limit=10) == [delivery.pk]
        assert claim_due(limit=10) == []
    leased_until = refreshed(delivery).next_attempt_at
    assert leased_until - timezone.now() > LEASE - timedelta(seconds=5)


def test_an_unreachable_receiver_is_a_failed_attempt(tenant):
    dead = Receiver().start()
    url = dead.url
    dead.stop()
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=url)
    )
    send_due()
    failed = refreshed(delivery)
    assert failed.attempts == 1 and failed.response_status is None
    assert "ConnectionError" in failed.response_excerpt


def test_the_body_is_the_same_bytes_on_every_attempt(tenant, receiver):
    receiver.status = 500
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    send_due()
    WebhookDelivery.all_tenants.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    receiver.status = 200
    send_due()
    first, second = receiver.received
    assert first.body == second.body
    assert json.loads(first.body)["id"] == str(delivery.event_id)


def test_the_verification_snippet_of_the_docs_accepts_a_real_delivery(tenant, receiver):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "integrations.md").read_text()
    snippet = docs.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)  # the code an integration copies, as printed
    verify = namespace["verify_smarketing_signature"]
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint)
    send_due()
    (request,) = receiver.received
    header = request.headers["Smarketing-Signature"]
    assert verify(header, request.body, endpoint.secret)
    assert not verify(header, request.body.replace(b"acme", b"acmf"), endpoint.secret)
    assert not verify(header, request.body, "whsec_someone-else")
