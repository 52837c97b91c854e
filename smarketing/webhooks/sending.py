"""One HTTP attempt of a delivery: no database work here, so attempts can run in threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import requests

from smarketing.webhooks.addresses import UnsafeAddress, check_webhook_url
from smarketing.webhooks.services.policy import TIMEOUT_SECONDS

USER_AGENT = "Smarketing-Webhooks/1.0"
EXCERPT_BYTES = 300

_local = threading.local()


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status: int | None
    excerpt: str


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # Proxies and .netrc from the environment are not ours to send a tenant's data to.
        session.trust_env = False
        _local.session = session
    return session


def attempt(outgoing: Outgoing) -> Attempt:
    """POST once; 2xx is success, anything else (redirects too) a failure to retry."""
    try:
        # Again at delivery time: the name may resolve elsewhere since it was accepted.
        check_webhook_url(outgoing.url)
    except UnsafeAddress as exc:
        return Attempt(ok=False, status=None, excerpt=f"Not sent: {exc}")
    try:
        response = _session().post(
            outgoing.url,
            data=outgoing.body,
            headers=outgoing.headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        )
        try:
            head = next(response.iter_content(EXCERPT_BYTES), b"")
        finally:
            response.close()
    except requests.RequestException as exc:
        return Attempt(ok=False, status=None, excerpt=f"{type(exc).__name__}: {exc}"[:300])
    excerpt = head[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    return Attempt(
        ok=200 <= response.status_code < 300, status=response.status_code, excerpt=excerpt
    )
