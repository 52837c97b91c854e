"""Sending: signed POSTs, retries with backoff, giving up after the retry window, leases."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from smarketing.events.models import OutboxEvent
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from smarketing.webhooks import sending
from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from smarketing.webhooks.sending import Attempt, Outgoing, attempt
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
from smarketing.webhooks.services.policy import LEASE, retry_delay
from smarketing.webhooks.signing import delivery_body, signature_header
from tests.row_locks import row_locked
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Receiver, verify_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def send_due():
    with cross_tenant_scope():
        return deliveries_send_due(budget_seconds=10)


def refreshed(delivery):
    return WebhookDelivery.all_tenants.get(pk=delivery.pk)


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


# --- The signature header and the body, byte for byte (contract.md) ------------------------


def test_the_header_is_the_time_then_one_hmac_per_signing_secret():
    body = b'{"id":"1"}'
    expected = [
        hmac.new(secret, b"1700000000." + body, hashlib.sha256).hexdigest()
        for secret in (b"whsec_new", b"whsec_old")
    ]
    header = signature_header(secrets=["whsec_new", "whsec_old"], timestamp=1700000000, body=body)
    assert header == f"t=1700000000,v1={expected[0]},v1={expected[1]}"


def test_the_body_is_compact_json_of_the_event():
    event = SimpleNamespace(
        pk=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        event_type="lead.created",
        created_at=datetime(2027, 3, 22, 10, 0, tzinfo=UTC),
        data={"id": 42, "tags": ["a", "b"]},
    )
    assert delivery_body(event=event, tenant_slug="acme") == (
        b'{"id":"12345678-1234-5678-1234-567812345678","type":"lead.created",'
        b'"created_at":"2027-03-22T10:00:00Z","tenant":"acme","data":{"id":42,"tags":["a","b"]}}'
    )


# --- One attempt ---------------------------------------------------------------------------


def test_an_unsafe_address_is_an_attempt_that_sent_nothing(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    outgoing = Outgoing(url="https://127.0.0.1/in", body=b"{}", headers={})
    assert attempt(outgoing) == Attempt(
        ok=False,
        status=None,
        excerpt="Not sent: The host 127.0.0.1 resolves to 127.0.0.1, a private or reserved "
        "address.",
    )


def test_a_refused_connection_is_an_attempt_that_failed_with_the_reason_cut_short():
    dead = Receiver().start()
    url = dead.url + "/" + "x" * 400  # the error repeats the URL: longer than an excerpt
    dead.stop()
    result = attempt(Outgoing(url=url, body=b"{}", headers={}))
    assert (result.ok, result.status) == (False, None)
    assert result.excerpt.startswith("ConnectionError: ") and len(result.excerpt) == 300


@pytest.mark.parametrize(
    ("status", "outcome"), [(200, "succeeded"), (299, "succeeded"), (300, "pending")]
)
def test_only_a_2xx_answer_is_a_success(tenant, receiver, status, outcome):
    receiver.status = status
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    send_due()
    assert (refreshed(delivery).status, refreshed(delivery).response_status) == (outcome, status)


def test_a_redirect_is_a_failure_and_its_target_gets_nothing(tenant, receiver):
    elsewhere = Receiver().start()
    try:
        receiver.status, receiver.headers = 307, {"Location": elsewhere.url}
        delivery = WebhookDeliveryFactory(
            tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
        )
        send_due()
        assert elsewhere.received == []
    finally:
        elsewhere.stop()
    assert (refreshed(delivery).status, refreshed(delivery).response_status) == ("pending", 307)


def test_the_excerpt_is_the_first_300_bytes_of_the_answer_as_text(tenant, receiver):
    # 1 + 2 * 200 bytes: the 300th byte is the first half of an "é".
    receiver.reply = ("a" + "é" * 200).encode()
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    send_due()
    assert refreshed(delivery).response_excerpt == "a" + "é" * 149 + "\ufffd"


class SlowServer:
    """Answers each request with `head` and then keeps the connection open, silent."""

    def __init__(self, head: bytes) -> None:
        self.head, self.done = head, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/in"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(self.head)
            self.done.wait(10)

    def stop(self) -> None:
        self.done.set()
        self.sock.close()


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setattr(sending, "TIMEOUT_SECONDS", 0.5)


def test_a_receiver_that_never_answers_is_given_up_on_after_the_timeout(short_timeout):
    silent = SlowServer(b"")
    try:
        result = attempt(Outgoing(url=silent.url, body=b"{}", headers={}))
    finally:
        silent.stop()
    assert (result.ok, result.status) == (False, None)
    assert "Read timed out" in result.excerpt


def test_an_answer_whose_body_never_ends_counts_by_its_status(short_timeout):
    # Only the excerpt is read: a receiver that streams forever does not hold the sender.
    endless = SlowServer(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"ok" * 200)
    try:
        result = attempt(Outgoing(url=endless.url, body=b"{}", headers={}))
    finally:
        endless.stop()
    assert result == Attempt(ok=True, status=200, excerpt="ok" * 150)


def test_proxies_from_the_environment_are_not_used(tenant, receiver, monkeypatch):
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    send_due()
    assert refreshed(delivery).status == "succeeded"


def test_a_request_without_a_checked_address_is_refused_by_the_sender(receiver):
    with pytest.raises(requests.ConnectionError, match=r"^Refused: no checked address for this"):
        sending._session().post(receiver.url, data=b"{}")
    assert receiver.received == []


def test_each_sender_thread_keeps_one_session():
    mine = sending._session()
    theirs = []
    other = threading.Thread(target=lambda: theirs.append(sending._session()))
    other.start()
    other.join()
    assert sending._session() is mine and theirs[0] is not mine


def test_an_answer_without_a_body_leaves_an_empty_excerpt(tenant, receiver):
    receiver.status, receiver.reply = 204, b""
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    )
    send_due()
    assert (refreshed(delivery).status, refreshed(delivery).response_excerpt) == ("succeeded", "")


# --- Recording outcomes, batches, claims ---------------------------------------------------


def fail(status=503, excerpt="receiver is down"):
    return Attempt(ok=False, status=status, excerpt=excerpt)


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
