"""What an admin reads when a webhook URL is refused, how a URL is read, and which address a
delivery connects to (smarketing/webhooks/addresses.py). The traffic side: test_ssrf.py."""

from __future__ import annotations

import socket

import pytest

from smarketing.webhooks.addresses import (
    CheckedTarget,
    UnsafeAddress,
    WebhookURL,
    check_webhook_url,
    parse_webhook_url,
    resolve_webhook_target,
)
from tests.webhooks.fake_dns import PUBLIC

LONG_LABEL = "a" * 64  # a DNS label holds at most 63 characters

CONTROL = "The URL contains spaces or control characters."
USER_INFO = "The URL must not contain a user name or password (user@host)."
PRIVATE = "a private or reserved address"
REFUSALS = {
    "a space": ("https://hooks.example/a b", CONTROL),
    "a control character": ("https://hooks.example/\x1fin", CONTROL),
    "DEL": ("https://hooks.example/a\x7fb", CONTROL),
    "a backslash": (
        "https://hooks.example\\x/in",
        "The URL contains a backslash (\\); write it with / only.",
    ),
    "another scheme": ("ftp://hooks.example/in", "Use an https:// URL."),
    "plain http": ("http://hooks.example/in", "Use an https:// URL."),
    "user info": ("https://ada@hooks.example/in", USER_INFO),
    "empty user info": ("https://@hooks.example/in", USER_INFO),
    "no host": ("https:///in", "The URL has no host."),
    "a port out of range": (
        "https://hooks.example:99999/in",
        "Not a valid URL: Port out of range 0-65535.",
    ),
    "a label too long": (
        f"https://{LONG_LABEL}.example/in",
        f"The host {LONG_LABEL}.example is not a valid name.",
    ),
    "a scope only one parser decodes": (
        "https://[fe80::1%25eth0]/in",
        "The URL is ambiguous: its host reads differently to different parsers.",
    ),
    "a private address": (
        "https://10.1.2.3/in",
        f"The host 10.1.2.3 resolves to 10.1.2.3, {PRIVATE}.",
    ),
    "multicast": ("https://224.0.0.1/in", f"The host 224.0.0.1 resolves to 224.0.0.1, {PRIVATE}."),
    "6to4": (
        "https://[2002:7f00:1::1]/in",
        f"The host 2002:7f00:1::1 resolves to 2002:7f00:1::1, {PRIVATE} "
        "(or one that tunnels to IPv4).",
    ),
    "a name with a scoped link-local address": (
        "https://scoped.example/in",
        f"The host scoped.example resolves to fe80::1%eth0, {PRIVATE}.",
    ),
    "a name with no address": (
        "https://empty.example/in",
        "The host empty.example does not resolve.",
    ),
}


@pytest.mark.parametrize(("url", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
def test_each_refusal_says_why_in_words_an_admin_can_act_on(deployment, dns, url, reason):
    dns.answers.update({"hooks.example": [[PUBLIC]], "scoped.example": [["fe80::1%eth0"]],
                        "empty.example": [[]]})  # fmt: skip
    with pytest.raises(UnsafeAddress) as refused:
        check_webhook_url(url)
    assert str(refused.value) == reason


def test_a_name_that_does_not_resolve_is_refused(deployment, monkeypatch):
    def nowhere(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nowhere)
    with pytest.raises(UnsafeAddress, match=r"^The host nowhere\.example does not resolve\.$"):
        check_webhook_url("https://nowhere.example/in")


@pytest.mark.parametrize(
    ("debug", "allow_private"), [(True, False), (False, True)], ids=["DEBUG", "private allowed"]
)
def test_plain_http_is_accepted_in_development(settings, dns, debug, allow_private):
    settings.DEBUG, settings.WEBHOOKS_ALLOW_PRIVATE = debug, allow_private
    dns.answers["hooks.example"] = [[PUBLIC]]
    check_webhook_url("http://hooks.example/in")  # no refusal


PARSED = {
    "https, default port": ("https://Hooks.Example/in!", "https", "hooks.example", 443),
    "http, default port": ("http://hooks.example/in", "http", "hooks.example", 80),
    "a port": ("http://hooks.example:8080/in", "http", "hooks.example", 8080),
    "an international name": ("https://bücher.example/in", "https", "xn--bcher-kva.example", 443),
    "IPv6": ("https://[2606:4700::1111]:8443/in", "https", "2606:4700::1111", 8443),
}


@pytest.mark.parametrize(("url", "scheme", "host", "port"), PARSED.values(), ids=PARSED.keys())
def test_a_url_is_read_as_its_scheme_host_and_port(settings, url, scheme, host, port):
    settings.DEBUG = True
    assert parse_webhook_url(url) == WebhookURL(url=url, scheme=scheme, host=host, port=port)


def test_a_delivery_connects_to_the_first_address_the_name_had(deployment, dns):
    dns.answers["hooks.example"] = [[PUBLIC, "93.184.216.35"]]
    assert resolve_webhook_target("https://hooks.example/in") == CheckedTarget(
        url=WebhookURL(url="https://hooks.example/in", scheme="https", host="hooks.example",
                       port=443),
        address=PUBLIC,
    )  # fmt: skip


def test_with_private_addresses_allowed_the_connection_is_pinned_all_the_same(settings, dns):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    dns.answers["inside.example"] = [["10.0.0.7", "10.0.0.8"]]
    assert resolve_webhook_target("https://inside.example/in").address == "10.0.0.7"
