"""Rate limits per API key and per tenant, counted in the shared cache (Redis in deployment).

A sliding window approximated from two fixed windows: this window's count plus the previous
window's, weighted by how much of it still overlaps. Each check is a few atomic cache
operations on one counter (never a list of timestamps), so a throttled request stays cheap
and a noisy tenant cannot slow the others down. Rejected requests are not counted, so a
client that keeps calling still gets its full rate. If the cache is unreachable the limits
are skipped: an outage of the cache must not take the API down with it.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (`api_key`, `tenant`), e.g.
"1200/min"; `None` switches a limit off.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import suppress

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from smarketing.api.ratelimit import remember_refused
from smarketing.tenancy.models import ApiKey

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_THROTTLED = "_smarketing_throttled"


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "1200/min" -> (1200, 60); None -> None (no limit)."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


# After a cache failure the limits are skipped for a few seconds without asking the cache
# again: each failed connection costs tens of milliseconds, which every request would pay.
PAUSE_AFTER_CACHE_FAILURE_SECONDS = 5.0
_cache_down_until = 0.0
_last_warning = 0.0


def _cache_failed(exc: Exception) -> None:
    global _cache_down_until, _last_warning
    now = time.monotonic()
    _cache_down_until = now + PAUSE_AFTER_CACHE_FAILURE_SECONDS
    if now - _last_warning > 60:  # one line a minute, not one a request
        _last_warning = now
        logger.warning("Rate limits skipped, cache unavailable: %s", exc)


class WindowThrottle(BaseThrottle):
    scope = ""

    def __init__(self):
        self._wait: float | None = None

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if getattr(request, _THROTTLED, False):
            return True  # refused by an earlier limit already: not counted against this one
        rate = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))
        ident = self.ident(request)
        if rate is None or ident is None or time.monotonic() < _cache_down_until:
            return True
        limit, period = rate
        now = time.time()
        window = int(now // period)
        elapsed = now - window * period
        current = f"throttle:{self.scope}:{ident}:{window}"
        try:
            cache.add(current, 0, timeout=period * 2)
            count = cache.incr(current)
            previous = cache.get(f"throttle:{self.scope}:{ident}:{window - 1}", 0)
        except Exception as exc:  # the cache is down: serve unthrottled rather than fail
            _cache_failed(exc)
            return True
        overlap = previous * (1 - elapsed / period)
        if count + overlap <= limit:
            return True
        with suppress(Exception):  # the count may stay one too high; harmless
            cache.decr(current)
        setattr(request, _THROTTLED, True)
        if count > limit or previous == 0:
            self._wait = period - elapsed
        else:
            # The previous window's weight fades linearly: wait until it has faded enough.
            self._wait = (count + overlap - limit) * period / previous
        if isinstance(request.auth, ApiKey):
            remember_refused(request.auth.prefix, self._wait)
        return False

    def wait(self) -> float | None:
        return None if self._wait is None else max(1.0, math.ceil(self._wait))


class ApiKeyThrottle(WindowThrottle):
    """Per API key; a browser session counts per user."""

    scope = "api_key"

    def ident(self, request) -> str | None:
        if isinstance(request.auth, ApiKey):
            return f"key:{request.auth.pk}"
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "pk", None) is not None:
            return f"user:{user.pk}"
        return None


class TenantThrottle(WindowThrottle):
    """Per tenant, over all of its API keys: one tenant's integrations share one budget."""

    scope = "tenant"

    def ident(self, request) -> str | None:
        if isinstance(request.auth, ApiKey):
            return f"tenant:{request.auth.tenant_id}"
        return None
