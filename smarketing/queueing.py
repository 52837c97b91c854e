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
from typing import Any

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


def resume() -> None:
    """Forget a recorded broker failure (tests restart brokers)."""
    global _paused_until
    _paused_until = 0.0
