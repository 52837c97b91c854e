"""How hard and how long a delivery is tried.

Exponential backoff with jitter, 30 s doubling up to 6 h between attempts, for at least 24 h:
a delivery only fails for good on an attempt made after its retry window has closed.
"""

from __future__ import annotations

import random
from datetime import timedelta

TIMEOUT_SECONDS = 10
RETRY_WINDOW = timedelta(hours=24)
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
# A claimed delivery is not due again for this long. It outlasts Celery's hard time limit of
# the sending task, so a delivery claimed by a live task is never claimed twice.
LEASE = timedelta(seconds=420)


def retry_delay(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt in a row (1, 2, …)."""
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(failures - 1, 0))
    # "Equal jitter": at least half the delay, so retries spread out but never bunch up early.
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))
