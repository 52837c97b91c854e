"""One attempt: the signature header and the body byte for byte, what counts as a success,
timeouts, redirects, and the sender's connections."""

import hashlib
import hmac
import socket
import threading
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import requests

from smarketing.webhooks import sending
from smarketing.webhooks.sending import Attempt, Outgoing, attempt
from smarketing.webhooks.signing import delivery_body, signature_header
from tests.webhooks.delivering import refreshed, send_due
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

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
