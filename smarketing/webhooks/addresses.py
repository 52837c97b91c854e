"""Where a webhook may point: HTTPS on the public internet (SSRF protection).

Checked when an endpoint is saved and again before every delivery, because what a name
resolves to can change after it was accepted. `WEBHOOKS_ALLOW_PRIVATE` (development and
tests) lifts the address check and allows plain HTTP; so does DEBUG for the scheme.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeAddress(ValueError):
    """The URL is malformed, not HTTPS, or reaches a non-public address."""


def _refused(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # `is_global` is false for loopback, private, link-local, shared (CGNAT), reserved,
    # unspecified and documentation ranges; multicast is never a web server.
    if not ip.is_global or ip.is_multicast:
        return str(ip)
    return None


def check_webhook_url(url: str) -> None:
    """Raise `UnsafeAddress` with a reason a person can act on, or return."""
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeAddress(f"Not a valid URL: {exc}.") from None
    allowed_schemes = {"https", "http"} if (allow_private or settings.DEBUG) else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UnsafeAddress("Use an https:// URL.")
    host = parts.hostname
    if not host:
        raise UnsafeAddress("The URL has no host.")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeAddress(f"The host {host} does not resolve.") from None
    for info in infos:
        refused = _refused(info[4][0])
        if refused:
            raise UnsafeAddress(
                f"The host {host} resolves to {refused}, a private or reserved address."
            )
