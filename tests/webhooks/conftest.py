import socket

import pytest

from tests.webhooks.fake_dns import FakeDNS
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    """A receiver on loopback, answering 200 until told otherwise."""
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def deployment(settings):
    """Settings as in production: no private addresses, no plain http."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = False


@pytest.fixture
def dns(monkeypatch):
    """Names in `dns.answers` resolve as listed: one list of addresses per lookup, in turn,
    the last one repeating. Everything else (IP literals, localhost) resolves for real.
    `dns.asked` logs the names looked up."""
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake
