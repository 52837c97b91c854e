"""Where a webhook may point: HTTPS on the public internet (SSRF protection).

Three walls, each closing a way the probe got through:

1. The URL must mean one thing. URL parsers disagree on odd spellings: for
   `https://127.0.0.1:8443\\@public.example/` Python's `urlsplit` sees the host
   `public.example` while urllib3 (which requests connects with) sees `127.0.0.1`. So a
   backslash, user info (`user@`), control characters and white space are refused outright,
   and the host must read the same through both parsers.
2. Every address the name resolves to must be public: not loopback, private, link-local,
   shared (CGNAT), multicast, reserved or documentation space, and not an IPv6 form that
   carries an IPv4 address to somewhere else (IPv4-compatible `::a.b.c.d`, IPv4-mapped,
   NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`, Teredo `2001::/32`).
3. The name is resolved once per delivery, and the connection goes to exactly the address
   that was checked (`resolve_webhook_target`, used by `sending`), while the Host header,
   TLS SNI and certificate check still use the name. A second lookup by the HTTP client
   could answer differently (DNS rebinding) and is never made.

Checked when an endpoint is saved and again before every delivery, because what a name
resolves to can change after it was accepted. `WEBHOOKS_ALLOW_PRIVATE` (development and
tests) lifts wall 2 and allows plain HTTP; so does DEBUG for the scheme. Walls 1 and 3 hold
in every configuration.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url


class UnsafeAddress(ValueError):
    """The URL is malformed, not HTTPS, or reaches a non-public address."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# On top of what `is_global` already excludes: ranges Python counts as global that still
# lead somewhere a webhook must not go, or that no web server answers on.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # shared address space (CGNAT)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/96",  # IPv4-compatible (::127.0.0.1), and :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64: reaches the embedded IPv4 address
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/32",  # Teredo: tunnels to an embedded IPv4 address
        "2002::/16",  # 6to4: tunnels to an embedded IPv4 address
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)


def refused_reason(ip: IPAddress) -> str | None:
    """Why `ip` is no place for a webhook, or None when it is a public unicast address."""
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return "a private or reserved address"
    # (An address is never `in` a network of the other IP version.)
    if any(ip in network for network in _REFUSED_NETWORKS):
        return "a private or reserved address (or one that tunnels to IPv4)"
    return None


@dataclass(frozen=True)
class WebhookURL:
    """A URL that reads the same to every parser involved."""

    url: str
    scheme: str
    host: str  # lower-case, without brackets; what Host, SNI and the certificate check use
    port: int

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class CheckedTarget:
    """Where one delivery goes: the URL, and the one address that was checked for it."""

    url: WebhookURL
    address: str


def parse_webhook_url(url: str) -> WebhookURL:
    """Wall 1 (and the scheme): raise `UnsafeAddress` unless the URL is unambiguous."""
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        raise UnsafeAddress("The URL contains spaces or control characters.")
    if "\\" in url:
        raise UnsafeAddress("The URL contains a backslash (\\); write it with / only.")
    try:
        parts = urlsplit(url)
        port = parts.port
        other = parse_url(url)
    except (ValueError, LocationParseError) as exc:
        raise UnsafeAddress(f"Not a valid URL: {exc}.") from None
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    allowed_schemes = {"https", "http"} if (allow_private or settings.DEBUG) else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UnsafeAddress("Use an https:// URL.")
    if "@" in parts.netloc or other.auth:
        raise UnsafeAddress("The URL must not contain a user name or password (user@host).")
    host = parts.hostname
    if not host:
        raise UnsafeAddress("The URL has no host.")
    try:
        idna = host.encode("idna")  # pragma: no mutate (codec names ignore case: "IDNA" is it)
        ascii_host = idna.decode().lower()
    except UnicodeError:
        raise UnsafeAddress(f"The host {host} is not a valid name.") from None
    other_host = (other.host or "").strip("[]").lower()
    if ascii_host != other_host or (other.port or None) != port:
        raise UnsafeAddress(
            "The URL is ambiguous: its host reads differently to different parsers."
        )
    return WebhookURL(
        url=url, scheme=parts.scheme, host=ascii_host, port=port or _default_port(parts.scheme)
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _resolve(target: WebhookURL) -> list[str]:
    try:
        # Only the addresses are used (the port is the URL's), one per address whatever the
        # socket type. A scoped IPv6 address (`fe80::1%eth0`) keeps its scope: it is
        # link-local, refused unless private addresses are allowed, and reachable only with it.
        infos = socket.getaddrinfo(target.host, None)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeAddress(f"The host {target.host} does not resolve.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeAddress(f"The host {target.host} does not resolve.")
    return addresses


def _check_addresses(target: WebhookURL, addresses: list[str]) -> None:
    """Wall 2: every address must be public (a name answering one public and one private
    address would otherwise reach the private one on some attempts)."""
    for address in addresses:
        reason = refused_reason(ipaddress.ip_address(address))
        if reason:
            raise UnsafeAddress(f"The host {target.host} resolves to {address}, {reason}.")


def check_webhook_url(url: str) -> None:
    """Raise `UnsafeAddress` with a reason a person can act on, or return (when saving)."""
    target = parse_webhook_url(url)
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    _check_addresses(target, _resolve(target))


def resolve_webhook_target(url: str) -> CheckedTarget:
    """Parse, resolve once and check: the returned address is the only one a delivery may
    connect to (wall 3). With `WEBHOOKS_ALLOW_PRIVATE` the address may be private, but the
    connection is pinned all the same."""
    target = parse_webhook_url(url)
    addresses = _resolve(target)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        _check_addresses(target, addresses)
    return CheckedTarget(url=target, address=addresses[0])
