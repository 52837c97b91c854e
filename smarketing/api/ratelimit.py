"""Refuse a key that is over its rate before doing any other work for it.

The throttles (smarketing/api/throttling.py) run after authentication, which costs a
database lookup. Once a key has been refused, its requests until the end of the wait are
answered here from one cache read: a flooding client then costs a quiet tenant almost nothing.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from django.http import JsonResponse

from smarketing.tenancy.models import KEY_PREFIX


def refused_key_cache_key(prefix: str) -> str:
    return f"throttle:refused:{prefix}"


def remember_refused(prefix: str, wait_seconds: float) -> None:
    """Called by a throttle that refused the key `prefix` for `wait_seconds`."""
    try:
        cache.set(refused_key_cache_key(prefix), time.time() + wait_seconds,
                  timeout=max(1, math.ceil(wait_seconds)))  # fmt: skip
    except Exception:  # the cache is down: the throttles skip limits then anyway
        return


def _key_prefix(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw_key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    key_prefix, _, rest = raw_key.strip().partition("_")
    prefix = rest.partition("_")[0]  # the secret after it may contain "_" itself
    return prefix if key_prefix == KEY_PREFIX and prefix else None


class RefusedKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            prefix = _key_prefix(request)
            if prefix is not None:
                try:
                    until = cache.get(refused_key_cache_key(prefix))
                except Exception:
                    until = None
                wait = (until or 0) - time.time()
                if wait > 0:
                    return _too_many(math.ceil(wait))
        return self.get_response(request)


def _too_many(retry_after: int) -> JsonResponse:
    # Imported here: errors imports DRF, whose settings import the throttles, which import us.
    from smarketing.api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

    body = {"type": PROBLEM_BASE + "throttled", "title": "Too Many Requests", "status": 429,
            "detail": f"Request was throttled. Expected available in {retry_after} seconds.",
            "code": "throttled", "errors": {}}  # fmt: skip
    response = JsonResponse(body, status=429, content_type=PROBLEM_CONTENT_TYPE)
    response["Retry-After"] = str(retry_after)
    return response
