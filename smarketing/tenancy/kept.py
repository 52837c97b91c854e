"""Answers a process keeps, filed under a generation token that lives in Redis.

Two things are read on nearly every request and change a few times a month: what an API key
stands for (`credentials`) and what a tenant scores and qualifies leads with
(`configuration`). Each process keeps what it read under the token it read *before* the
database, and reads the token again (one `GET`) each time it asks. Whoever changes what an
answer was read from replaces the token *after* the change commits, so every process's
answers are stale at once, and an answer read before the commit is filed under a token
nobody asks for again.

The token is random, not a counter: a Redis that lost its data gives a new token, never an
old one again. Without Redis, while it does not answer, or with the store's setting off,
nothing is kept and every caller asks the database. Answers expire after `max_age_seconds`
too, bounding how long a token replacement lost while Redis was away can leave one stale.
Answers are kept as pickled bytes, so each caller gets its own copy and nothing it sets on
it reaches another request.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import uuid
from collections.abc import Hashable
from typing import Any

from django.conf import settings

from smarketing.shared_redis import shared_redis

logger = logging.getLogger(__name__)

MISSING: Any = object()  # what `get` answers when nothing is kept (None is an answer)


class KeptPerProcess:
    """One store of kept answers: its token's Redis key, the setting that turns it on, and
    what it keeps (for the log line when a change cannot reach Redis)."""

    def __init__(
        self,
        *,
        token_key: str,
        enabled_setting: str,
        what: str,
        max_age_seconds: float = 300.0,
        max_entries: int = 10_000,
    ) -> None:
        self.token_key = token_key
        self.enabled_setting = enabled_setting
        self.what = what
        self.max_age_seconds = max_age_seconds
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[str, float, bytes]] = {}  # (token, kept at, answer)

    def current_token(self) -> str | None:
        """The generation token now, or None when nothing may be kept."""
        client = shared_redis()
        if client is None or not getattr(settings, self.enabled_setting):
            return None
        try:
            token = client.get(self.token_key)
            if token is None:
                # First use, or Redis lost its data: a new token, so no older answer matches.
                client.set(self.token_key, uuid.uuid4().hex, nx=True)
                token = client.get(self.token_key)
        except Exception:  # Redis away: ask the database
            return None
        return token.decode()  # the shared client answers bytes

    def get(self, key: Hashable, token: str | None) -> Any:
        """A fresh copy of the answer kept for `key` under `token`, else `MISSING`."""
        if token is None:
            return MISSING
        entry = self._entries.get(key)
        if entry is None or entry[0] != token:
            return MISSING
        if time.monotonic() - entry[1] > self.max_age_seconds:
            return MISSING
        return pickle.loads(entry[2])

    def put(self, key: Hashable, token: str | None, answer: Any) -> None:
        if token is None:
            return
        # Any protocol reads back the same answer; the highest is the fastest.
        blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)  # pragma: no mutate
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (token, time.monotonic(), blob)

    def forget_all(self) -> None:
        """Drop this process's answers (a new token drops every other process's)."""
        with self._lock:
            self._entries.clear()

    def replace_token(self) -> None:
        """Make every process's answers stale: call it once the change has committed."""
        self.forget_all()
        client = shared_redis()
        if client is None:
            return
        try:
            client.set(self.token_key, uuid.uuid4().hex)
        except Exception as exc:
            logger.warning("%s not invalidated, Redis unavailable: %s", self.what, exc)
