"""The one Redis client of a process for what needs Redis itself rather than the cache API
(atomic scripts, flags): None without REDIS_URL (development on one machine)."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def shared_redis() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    # Short timeouts: callers fall back to something slower but safe when Redis is away.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)
