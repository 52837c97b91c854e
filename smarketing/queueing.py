"""Kicking background work from a request without making the request depend on the broker.

Work that must not be lost is written to the database first (the outbox, pending deliveries);
a task only says "look now". When the broker is down the kick is dropped and the periodic
sweeps find the work later, so a broker outage delays side effects but never fails a request
that has already committed.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import suppress
from typing import Any

from smarketing.shared_redis import shared_redis

logger = logging.getLogger(__name__)

# After a failed publish, skip further attempts for a while: every request would otherwise
# pay the broker's connection error again, and the sweeps cover the gap anyway.
PAUSE_AFTER_FAILURE_SECONDS = 5.0

_paused_until = 0.0
_lock = threading.Lock()


def kick(task: Any, *args: Any) -> bool:
    """Enqueue `task(*args)` if the broker answers; returns whether it was sent."""
    global _paused_until
    if task.app.conf.task_always_eager:
        # Tests run tasks in-process: their errors must surface, not pass for a broker outage.
        task.apply_async(args=args)
        return True
    if time.monotonic() < _paused_until:
        return False
    try:
        # No publish retries: a retry loop would hold the request while the broker is down.
        task.apply_async(args=args, retry=False)
    except Exception as exc:  # any broker or connection error: the sweep delivers later
        with _lock:
            _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_SECONDS
        logger.warning("Broker unavailable, %s left to the sweep: %s", task.name, exc)
        return False
    return True


def kick_unless_waiting(task: Any, *, flag: str, hold_seconds: int = 10) -> bool:
    """Kick `task` unless a kick of it still waits for a worker: one task serves a burst.

    The task must call `taken(flag)` before it looks for work, so that whatever is written
    after that point kicks a new run. Without Redis (one machine, no shared flag) every
    call kicks. `hold_seconds` bounds how long a lost kick can hold others back; the sweep
    covers that gap as it covers a broker outage.
    """
    client = shared_redis()
    if client is not None and not task.app.conf.task_always_eager:
        try:
            if not client.set(f"kick:{flag}", 1, nx=True, ex=hold_seconds):
                return False
        except Exception:  # Redis is away: kick, the broker (on Redis too) decides
            pass
    return kick(task)


def taken(flag: str) -> None:
    """A task kicked by `kick_unless_waiting` has started: later writes need a new kick."""
    client = shared_redis()
    if client is not None:
        with suppress(Exception):
            client.delete(f"kick:{flag}")


def resume() -> None:
    """Forget a recorded broker failure (tests restart brokers)."""
    global _paused_until
    _paused_until = 0.0
