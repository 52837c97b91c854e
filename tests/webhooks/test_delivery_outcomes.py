"""Recording outcomes, sending in batches, claiming what is due."""

import base64
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint
from smarketing.webhooks.sending import Attempt
from smarketing.webhooks.services import (
    claim_due,
    deliveries,
    deliveries_send_due,
    deliveries_stop_erased,
    policy,
    record_attempt,
    send_batch,
    send_on_commit,
)
from smarketing.webhooks.services.policy import retry_delay
from tests.row_locks import row_locked
from tests.webhooks.delivering import fail, refreshed, send_due
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

# --- Recording outcomes, batches, claims ---------------------------------------------------


def test_a_failure_at_the_close_of_the_window_fails_for_good_one_before_is_retried(tenant):
    closes = timezone.now()
    retried = WebhookDeliveryFactory(tenant=tenant, give_up_at=closes, attempts=4, failures=4)
    final = WebhookDeliveryFactory(tenant=tenant, give_up_at=closes, attempts=4, failures=4)
    with cross_tenant_scope():
        assert (
            record_attempt(delivery=retried, result=fail(), at=closes - timedelta(microseconds=1))
            == "pending"
        )
        assert record_attempt(delivery=final, result=fail(), at=closes) == "failed"
    retried, final = refreshed(retried), refreshed(final)
    assert (retried.attempts, retried.failures, retried.next_attempt_at > closes) == (5, 5, True)
    assert (final.status, final.attempts, final.failures, final.next_attempt_at) == (
        "failed",
        5,
        5,
        None,
    )
    assert (final.response_status, final.response_excerpt) == (503, "receiver is down")
    final.endpoint.refresh_from_db()
    assert final.endpoint.enabled is False
    assert final.endpoint.disabled_reason == "Deliveries failed for 24 hours; last answer: 503."


def test_without_an_answer_the_reason_quotes_the_start_of_the_error(tenant):
    delivery = WebhookDeliveryFactory(tenant=tenant, give_up_at=timezone.now())
    error = "ConnectionError: " + "x" * 200
    with cross_tenant_scope():
        record_attempt(delivery=delivery, result=fail(None, error), at=timezone.now())
    delivery.endpoint.refresh_from_db()
    assert delivery.endpoint.disabled_reason == (
        f"Deliveries failed for 24 hours; last answer: {error[:120]}."
    )


def test_a_success_after_failures_starts_the_count_again(tenant):
    delivery = WebhookDeliveryFactory(tenant=tenant, attempts=3, failures=3)
    at = timezone.now()
    with cross_tenant_scope():
        outcome = record_attempt(delivery=delivery, result=Attempt(True, 200, "ok"), at=at)
    done = refreshed(delivery)
    assert (outcome, done.status, done.attempts, done.failures) == ("succeeded", "succeeded", 4, 0)
    assert (done.delivered_at, done.last_attempt_at, done.next_attempt_at) == (at, at, None)


def test_each_delivery_of_a_batch_records_its_own_outcome(tenant, receiver):
    down = Receiver(status=500).start()
    try:
        ok = WebhookDeliveryFactory(
            tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
        )
        failing = WebhookDeliveryFactory(
            tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=down.url)
        )
        assert send_due() == {"pending": 1, "succeeded": 1, "failed": 0}
    finally:
        down.stop()
    assert (refreshed(ok).status, refreshed(failing).status) == ("succeeded", "pending")


def test_full_batches_bring_another_sender_in_until_a_batch_comes_back_short(tenant, receiver):
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    WebhookDeliveryFactory.create_batch(5, tenant=tenant, endpoint=endpoint)
    calls = []
    with cross_tenant_scope():
        totals = deliveries_send_due(batch_size=2, on_full_batch=lambda: calls.append(1))
    assert totals == {"pending": 0, "succeeded": 5, "failed": 0}
    assert calls == [1, 1]  # batches of 2, 2, then 1
    assert len(receiver.received) == 5


def test_only_pending_deliveries_are_claimed_the_longest_waiting_first(tenant):
    past = timezone.now() - timedelta(minutes=5)
    WebhookDeliveryFactory(tenant=tenant, status="failed", next_attempt_at=past)
    WebhookDeliveryFactory(tenant=tenant, status="succeeded", next_attempt_at=past)
    later = WebhookDeliveryFactory(tenant=tenant, next_attempt_at=past + timedelta(minutes=1))
    first = WebhookDeliveryFactory(tenant=tenant, next_attempt_at=past)
    with cross_tenant_scope():
        assert claim_due(limit=1) == [first.pk]
        assert claim_due(limit=5) == [later.pk]


def test_a_batch_sends_only_the_claimed_deliveries_still_pending(tenant, receiver):
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    claimed, done, other = WebhookDeliveryFactory.create_batch(3, tenant=tenant, endpoint=endpoint)
    WebhookDelivery.all_tenants.filter(pk=done.pk).update(status="succeeded")
    with cross_tenant_scope():
        assert send_batch([claimed.pk, done.pk]) == {"pending": 0, "succeeded": 1, "failed": 0}
    assert receiver.ids() == [str(claimed.event_id)]
    assert refreshed(other).attempts == 0


def test_a_batch_is_read_in_one_query_whatever_its_size(
    tenant, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(deliveries, "attempt", lambda outgoing: Attempt(True, 200, "ok"))
    ids = [d.pk for d in WebhookDeliveryFactory.create_batch(3, tenant=tenant)]
    with cross_tenant_scope(), django_assert_num_queries(1 + 3):  # and one write each
        send_batch(ids)


def test_changes_to_many_deliveries_in_one_transaction_kick_one_sweep(
    tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        send_on_commit()
        send_on_commit()
    assert [c for c in callbacks if c is deliveries._kick_sweep] == [deliveries._kick_sweep]


def test_jitter_spans_half_the_delay_to_the_whole_delay(monkeypatch):
    monkeypatch.setattr(policy.random, "uniform", lambda low, high: low)
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 11)] == [15, 30, 60, 3 * 3600]
    monkeypatch.setattr(policy.random, "uniform", lambda low, high: high)
    assert [retry_delay(n).total_seconds() for n in (0, 1, 2, 3, 11)] == [30, 30, 60, 120, 6 * 3600]


def test_at_the_end_of_the_overlap_only_the_new_secret_signs():
    ends = timezone.now()
    endpoint = WebhookEndpoint(secret="whsec_new", previous_secret="whsec_old",
                               previous_secret_expires_at=ends)  # fmt: skip
    assert endpoint.signing_secrets(ends - timedelta(microseconds=1)) == ["whsec_new", "whsec_old"]
    assert endpoint.signing_secrets(ends) == ["whsec_new"]


def test_a_secret_carries_32_random_bytes():
    secret = WebhookEndpoint().secret
    assert secret.startswith("whsec_")
    assert len(base64.urlsafe_b64decode(secret.removeprefix("whsec_") + "=")) == 32


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_another_sender_holds_is_skipped_not_waited_for(tenant):
    held, free = WebhookDeliveryFactory.create_batch(2, tenant=tenant)
    with row_locked(WebhookDelivery, held.pk), cross_tenant_scope():
        assert claim_due(limit=10) == [free.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_admin_editing_the_endpoint_does_not_hold_up_its_deliveries(tenant):
    delivery = WebhookDeliveryFactory(tenant=tenant)
    with row_locked(WebhookEndpoint, delivery.endpoint_id), cross_tenant_scope():
        assert claim_due(limit=10) == [delivery.pk]


def test_erasing_an_event_stops_its_deliveries_and_forgets_the_answers(tenant):
    pending = WebhookDeliveryFactory(tenant=tenant, response_excerpt="echo: ada@example.com")
    event = pending.event
    done = WebhookDeliveryFactory(tenant=tenant, event=event, status="succeeded",
                                  next_attempt_at=None, response_excerpt="thanks, ada")  # fmt: skip
    quiet = WebhookDeliveryFactory(tenant=tenant, event=event, status="failed",
                                   next_attempt_at=None, response_excerpt="")  # fmt: skip
    other = WebhookDeliveryFactory(tenant=tenant, response_excerpt="kept")
    with tenant_scope(tenant):
        assert deliveries_stop_erased(event_ids=[event.pk]) == 3  # 1 stopped, 2 forgotten
    pending, done = refreshed(pending), refreshed(done)
    assert (pending.status, pending.next_attempt_at, pending.response_excerpt) == (
        "failed",
        None,
        "",
    )
    assert (done.status, done.response_excerpt) == ("succeeded", "")
    assert refreshed(quiet).response_excerpt == ""
    assert (refreshed(other).status, refreshed(other).response_excerpt) == ("pending", "kept")
