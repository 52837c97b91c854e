"""One HTTP attempt of a delivery: no database work here, so attempts can run in threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from smarketing.webhooks.addresses import CheckedTarget, UnsafeAddress, resolve_webhook_target
from smarketing.webhooks.services.policy import TIMEOUT_SECONDS

USER_AGENT = "Smarketing-Webhooks/1.0"
EXCERPT_BYTES = 300

_local = threading.local()


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status: int | None
    excerpt: str


class PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked for this request, and nowhere else.

    The urllib3 pool is keyed by that address (so a kept-alive connection is reused only for
    the same address), while TLS sends the name as SNI and verifies the certificate against
    the name. A request that carries no checked address is refused: this adapter never
    resolves a name itself.
    """

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        target: CheckedTarget | None = getattr(request, "checked_target", None)
        if target is None:
            raise requests.ConnectionError("Refused: no checked address for this request.")
        host_params["host"] = target.address
        host_params["port"] = target.url.port
        if host_params["scheme"] == "https":
            # SNI, and the name the certificate is checked against.
            pool_kwargs["server_hostname"] = target.url.host
        return host_params, pool_kwargs


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # Proxies and .netrc from the environment are not ours to send a tenant's data to.
        session.trust_env = False
        adapter = PinnedAdapter(max_retries=0)
        session.mount("https://", adapter)  # pragma: no mutate (prefixes match in any case)
        session.mount("http://", adapter)  # pragma: no mutate (prefixes match in any case)
        _local.session = session
    return session


def _post(target: CheckedTarget, outgoing: Outgoing) -> requests.Response:
    session = _session()
    prepared = session.prepare_request(
        requests.Request("POST", outgoing.url, data=outgoing.body, headers=outgoing.headers)
    )
    prepared.checked_target = target
    # The pool connects to an address, so the name goes in Host explicitly.
    prepared.headers["Host"] = target.url.host_header  # pragma: no mutate (names ignore case)
    return session.send(
        prepared,
        timeout=TIMEOUT_SECONDS,
        allow_redirects=False,
        stream=True,
        verify=settings.WEBHOOKS_CA_BUNDLE or True,
    )


def attempt(outgoing: Outgoing) -> Attempt:
    """POST once; 2xx is success, anything else (redirects too) a failure to retry."""
    try:
        # Again at delivery time: the name may resolve elsewhere since it was accepted.
        # The address checked here is the one the request connects to.
        target = resolve_webhook_target(outgoing.url)
    except UnsafeAddress as exc:
        return Attempt(ok=False, status=None, excerpt=f"Not sent: {exc}")
    try:
        response = _post(target, outgoing)
        try:
            head = next(response.iter_content(EXCERPT_BYTES), b"")
        finally:
            response.close()
    except requests.RequestException as exc:
        return Attempt(ok=False, status=None, excerpt=f"{type(exc).__name__}: {exc}"[:300])
    excerpt = head[:EXCERPT_BYTES].decode(errors="replace")  # UTF-8; a cut character is replaced
    return Attempt(
        ok=200 <= response.status_code < 300, status=response.status_code, excerpt=excerpt
    )
