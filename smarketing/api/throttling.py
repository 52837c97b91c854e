"""Rate limits per API key and per tenant, kept in Redis (in this process without it).

Each limit is a cell rate (GCRA, the "leaky bucket as a meter"): a quota of "1200/min" lets
a client send one request every 50 ms on average, and up to a tenth of the quota at once
after a quiet spell. A quota that could be spent in one burst would let a noisy tenant
saturate the servers for seconds at the start of each window, and the other tenants would
wait behind it; metered, its excess is refused as it arrives.

Both limits of a request are checked and updated in one atomic Redis call (one round trip,
one key per limit), and only when both allow it: refused requests use up nothing, so a
client that keeps calling still gets its full rate. If Redis is unreachable the limits are
skipped: an outage of the cache must not take the API down with it.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (`api_key`, `tenant`), e.g.
"1200/min"; `None` switches a limit off.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import cache as memoize

import redis
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from smarketing.api.ratelimit import remember_refused
from smarketing.shared_redis import shared_redis
from smarketing.tenancy.models import ApiKey

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
BURST_SHARE = 0.1  # of the quota, that may come at once
# Sums of intervals drift by float rounding; a wait shorter than this is no wait.
SLACK = 1e-6


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "1200/min" -> (1200, 60); None -> None (no limit)."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


@dataclass(frozen=True)
class Meter:
    """One limit: a request every `interval` seconds, `burst` of them at once at most."""

    name: str
    interval: float
    burst: int

    @classmethod
    def of(cls, name: str, rate: tuple[int, int]) -> Meter:
        limit, period = rate
        return cls(name, period / limit, max(1, math.ceil(limit * BURST_SHARE)))

    @property
    def tolerance(self) -> float:
        return (self.burst - 1) * self.interval


def meter_check(
    meters: list[Meter], stored: list[float | None], now: float
) -> tuple[float, list[float | None]]:
    """The rule, for the in-process store and as the reference for the Redis script.

    `stored` holds each meter's theoretical arrival time (None: never used). Returns
    (wait, new times): wait 0 means allowed and the new times are to be stored.
    """
    arrivals = [now if at is None else max(at, now) for at in stored]
    wait = max(at - meter.tolerance - now for meter, at in zip(meters, arrivals, strict=True))
    if wait > SLACK:
        return wait, stored
    return 0.0, [at + meter.interval for meter, at in zip(meters, arrivals, strict=True)]


# The same rule as `meter_check` (1e-6 is SLACK), atomically in Redis. KEYS: one per meter;
# ARGV: now, then interval and tolerance per meter. Returns the wait in microseconds (0:
# allowed, and stored).
_SCRIPT = """
local now = tonumber(ARGV[1])
local arrivals, wait = {}, 0
for i, key in ipairs(KEYS) do
  local at = tonumber(redis.call('GET', key) or now)
  if at < now then at = now end
  arrivals[i] = at
  local over = at - tonumber(ARGV[2 * i + 1]) - now
  if over > wait then wait = over end
end
if wait > 1e-6 then return math.ceil(wait * 1000000) end
for i, key in ipairs(KEYS) do
  local at = arrivals[i] + tonumber(ARGV[2 * i])
  redis.call('SET', key, tostring(at), 'PX', math.ceil((at - now) * 1000) + 1000)
end
return 0
"""


class RedisMeters:
    def __init__(self, client: redis.Redis):
        self._script = client.register_script(_SCRIPT)

    def check(self, meters: list[Meter], now: float) -> float:
        args = [repr(now)]
        for meter in meters:
            args += [repr(meter.interval), repr(meter.tolerance)]
        keys = [f"throttle:{meter.name}" for meter in meters]
        return self._script(keys=keys, args=args) / 1_000_000


class LocalMeters:
    """Without Redis (development, the demo): the same rule, per process."""

    def __init__(self):
        self._times: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, meters: list[Meter], now: float) -> float:
        with self._lock:
            stored = [self._times.get(meter.name) for meter in meters]
            wait, times = meter_check(meters, stored, now)
            if not wait:
                self._times.update((m.name, at) for m, at in zip(meters, times, strict=True))
            return wait

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


@memoize
def meter_store() -> RedisMeters | LocalMeters:
    client = shared_redis()
    return RedisMeters(client) if client is not None else LocalMeters()


# After a failure the limits are skipped for a few seconds without asking Redis again: each
# failed connection costs up to its timeout, which every request would pay.
PAUSE_AFTER_STORE_FAILURE_SECONDS = 5.0
_store_down_until = 0.0
_last_warning = 0.0


def _store_failed(exc: Exception) -> None:
    global _store_down_until, _last_warning
    now = time.monotonic()
    _store_down_until = now + PAUSE_AFTER_STORE_FAILURE_SECONDS
    if now - _last_warning > 60:  # one line a minute, not one a request
        _last_warning = now
        logger.warning("Rate limits skipped, Redis unavailable: %s", exc)


def request_meters(request) -> list[Meter]:
    """The limits that apply to `request`: its key (or user), and its key's tenant."""
    rates = api_settings.DEFAULT_THROTTLE_RATES
    per_key, per_tenant = parse_rate(rates.get("api_key")), parse_rate(rates.get("tenant"))
    meters = []
    if isinstance(request.auth, ApiKey):
        if per_key:
            meters.append(Meter.of(f"api_key:{request.auth.pk}", per_key))
        if per_tenant:
            meters.append(Meter.of(f"tenant:{request.auth.tenant_id}", per_tenant))
    elif per_key and getattr(getattr(request, "user", None), "pk", None) is not None:
        meters.append(Meter.of(f"user:{request.user.pk}", per_key))
    return meters


def meters_wait(meters: list[Meter]) -> float:
    """Seconds to wait before these limits allow one more request; 0 uses one up now.

    The one entry to the meters, for the API and for public forms alike.
    """
    if not meters or time.monotonic() < _store_down_until:
        return 0.0
    try:
        return meter_store().check(meters, time.time())
    except (redis.RedisError, OSError) as exc:  # serve unthrottled rather than fail
        _store_failed(exc)
        return 0.0


class ApiRateThrottle(BaseThrottle):
    """Both limits of the request, in one check."""

    def __init__(self):
        self._wait: float | None = None

    def allow_request(self, request, view) -> bool:
        wait = meters_wait(request_meters(request))
        if not wait:
            return True
        self._wait = wait
        if isinstance(request.auth, ApiKey):
            remember_refused(request.auth.prefix, wait)
        return False

    def wait(self) -> float | None:
        return None if self._wait is None else max(1.0, math.ceil(self._wait))
