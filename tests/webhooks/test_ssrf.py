"""Webhooks cannot be aimed inside the network (SSRF), with the private-address switch OFF.

Every unsafe URL is tried twice, as an endpoint being registered through the API (refused
with the reason) and as a delivery to an endpoint stored before the rule (not sent), against
a real TCP listener on 127.0.0.1 that records every connection it accepts. The listener must
see nothing. Names resolve through a stand-in DNS (`dns`); IP literals resolve for real.
Connections to any address other than loopback are stopped before they leave the machine.
"""

from __future__ import annotations

import http.server
import ipaddress
import socket
import ssl
import threading

import pytest
import trustme
import urllib3.util.connection

from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.webhooks.models import WebhookDelivery
from smarketing.webhooks.services import deliveries_send_due
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.fake_dns import PUBLIC

pytestmark = pytest.mark.django_db

EVENTS = ["lead.created"]


class Listener:
    """Accepts TCP connections on 127.0.0.1 and records each one (then hangs up)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(peer)
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    running = Listener()
    yield running
    running.stop()


@pytest.fixture
def connections(monkeypatch):
    """Every address the HTTP client opens a connection to. Loopback connects for real;
    anything else is refused here, so no test traffic leaves the machine."""
    real = urllib3.util.connection.create_connection
    opened: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        host, port = address
        opened.append((host, port))
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return real(address, *args, **kwargs)  # a name: the client resolves it itself
        if not ip.is_loopback:
            raise ConnectionRefusedError(f"test stops the connection to {host}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return opened


def send_due():
    with cross_tenant_scope():
        return deliveries_send_due(budget_seconds=10)


def deliver(tenant, url) -> WebhookDelivery:
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant, url=url)
    )
    send_due()
    return WebhookDelivery.all_tenants.get(pk=delivery.pk)


UNSAFE_URLS = {
    # urlsplit sees hooks.example (public), urllib3 connects to 127.0.0.1.
    "backslash before @": "https://127.0.0.1:{port}\\@hooks.example/in",
    "user info": "https://hooks.example@127.0.0.1:{port}/in",
    "user info with a password": "https://a:b@hooks.example:{port}/in",
    "loopback literal": "https://127.0.0.1:{port}/in",
    "loopback in short form": "https://127.1:{port}/in",
    "loopback as a decimal number": "https://2130706433:{port}/in",
    "loopback in hex": "https://0x7f.0.0.1:{port}/in",
    "localhost": "https://localhost:{port}/in",
    "IPv4-compatible IPv6": "https://[::127.0.0.1]:{port}/in",
    "IPv4-mapped IPv6": "https://[::ffff:127.0.0.1]:{port}/in",
    "NAT64": "https://[64:ff9b::7f00:1]:{port}/in",
    "local-use NAT64": "https://[64:ff9b:1::7f00:1]:{port}/in",
    "6to4": "https://[2002:7f00:1::1]:{port}/in",
    "IPv6 loopback": "https://[::1]:{port}/in",
    "a name resolving to loopback": "https://inside.example:{port}/in",
    "a name resolving to loopback and a public address": "https://both.example:{port}/in",
    "cloud metadata": "https://169.254.169.254:{port}/latest/meta-data",
    "a tab inside the host": "https://hooks.example\t:{port}/in",
}


@pytest.fixture
def names(dns):
    dns.answers.update(
        {
            "hooks.example": [[PUBLIC]],
            "inside.example": [["127.0.0.1"]],
            "both.example": [[PUBLIC, "127.0.0.1"]],
        }
    )
    return dns


@pytest.mark.parametrize("url", UNSAFE_URLS.values(), ids=UNSAFE_URLS.keys())
def test_an_unsafe_url_is_refused_when_an_endpoint_is_registered(
    tenant, api_client_for, deployment, names, listener, connections, url
):
    admin = api_client_for(tenant, Role.ADMIN)
    response = admin.post(
        "/api/v1/webhooks/",
        {"url": url.format(port=listener.port), "events": EVENTS},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["url"][0]
    assert listener.accepted == [] and connections == []


@pytest.mark.parametrize("url", UNSAFE_URLS.values(), ids=UNSAFE_URLS.keys())
def test_a_delivery_to_an_unsafe_url_never_reaches_the_listener(
    tenant, deployment, names, listener, connections, url
):
    delivery = deliver(tenant, url.format(port=listener.port))
    assert (delivery.status, delivery.attempts) == ("pending", 1)  # a failure, retried later
    assert delivery.response_excerpt.startswith("Not sent: ")
    assert delivery.response_status is None
    assert listener.accepted == []
    assert connections == []


def test_the_listener_does_see_a_delivery_when_private_addresses_are_allowed(
    tenant, settings, listener, connections
):
    """The control for the tests above: the same listener, reached when nothing forbids it."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    delivery = deliver(tenant, f"http://127.0.0.1:{listener.port}/in")
    assert delivery.response_status is None  # the listener hangs up without answering
    assert len(listener.accepted) == 1
    assert connections == [("127.0.0.1", listener.port)]


def test_dns_rebinding_cannot_reach_loopback(tenant, deployment, dns, listener, connections):
    # Public for the check, loopback for every lookup after it.
    dns.answers["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
    delivery = deliver(tenant, f"https://rebind.example:{listener.port}/in")
    assert dns.asked == ["rebind.example"]  # resolved once
    assert connections == [(PUBLIC, listener.port)]  # to the checked address only
    assert listener.accepted == []
    assert "ConnectionError" in delivery.response_excerpt


def test_a_public_name_is_connected_to_at_its_checked_address(tenant, deployment, dns, connections):
    dns.answers["hooks.example"] = [[PUBLIC]]
    deliver(tenant, "https://hooks.example/in")
    assert connections == [(PUBLIC, 443)]


# --- TLS through the pinned connection -----------------------------------------------------


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS receiver on 127.0.0.1 whose certificate names only `hooks.example`, issued by
    a test CA; it records the SNI name and Host header of each request."""
    ca = trustme.CA()
    cert = ca.issue_cert("hooks.example")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append({"host": self.headers["Host"], "sni": self.server.sni[-1]})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.sni = []
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.ca_file, server.seen = str(ca_file), seen
    yield server
    server.shutdown()
    server.server_close()


def test_the_pinned_connection_sends_the_name_as_sni_and_host_and_checks_the_certificate(
    tenant, settings, dns, tls_receiver, connections
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver lives on loopback
    settings.WEBHOOKS_CA_BUNDLE = tls_receiver.ca_file
    port = tls_receiver.server_address[1]
    dns.answers["hooks.example"] = [["127.0.0.1"]]
    delivery = deliver(tenant, f"https://hooks.example:{port}/in")
    assert delivery.response_status == 204, delivery.response_excerpt
    assert tls_receiver.seen == [{"host": f"hooks.example:{port}", "sni": "hooks.example"}]
    assert connections == [("127.0.0.1", port)]


def test_a_certificate_for_another_name_fails_the_delivery(tenant, settings, dns, tls_receiver):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_CA_BUNDLE = tls_receiver.ca_file
    port = tls_receiver.server_address[1]
    dns.answers["other.example"] = [["127.0.0.1"]]
    delivery = deliver(tenant, f"https://other.example:{port}/in")
    assert delivery.response_status is None
    assert "SSLError" in delivery.response_excerpt
    assert tls_receiver.seen == []
