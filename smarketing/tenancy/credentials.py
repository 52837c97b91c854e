"""What an API key stands for, kept by each web worker and checked against Redis per request.

Resolving a key reads the key, its tenant, its user and (for a user key) the membership: a
query or two on every request. A worker now keeps the answer, filed under a generation token
that lives in Redis, and reads the token first on every request. Whatever changes a key, a
membership, a user or a tenant replaces the token when its transaction commits
(`credentials_changed`), so every worker's answers are stale at once: a revoked key or a
deactivated member is refused on the very next request, whichever worker serves it.

Why no request can file a stale answer under the new token: a request reads the token
*before* it reads the database, and the token is replaced only *after* the change commits.
A request that read the database before the commit therefore read the old token too, and
its answer is filed under a token nobody will ask for again.

The token is random, not a counter, so a Redis that lost its data (a restart) gives a new
token instead of an old one again. Without Redis, while it does not answer, or with
`API_KEYS_KEPT_PER_WORKER` off (the test settings: query counts there must not depend on
what an earlier step left kept), nothing is kept and every request asks the database, as
before. Answers also expire after `MAX_AGE_SECONDS`: should a token replacement be lost
(Redis unreachable at that moment from the process that made the change), that bounds how
long a worker trusts its answer.

What is kept is the key's row with its tenant and user as pickled bytes: each request gets
its own copies, so nothing one request sets on them reaches another.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from smarketing.shared_redis import shared_redis

logger = logging.getLogger(__name__)

TOKEN_KEY = "credentials:generation"
MAX_AGE_SECONDS = 300.0
MAX_ENTRIES = 10_000

_lock = threading.Lock()
_entries: dict[str, tuple[str, float, bytes]] = {}  # prefix -> (token, kept at, answer)


def current_token() -> str | None:
    """The generation token now, or None when answers must not be kept (no Redis)."""
    client = shared_redis()
    if client is None or not settings.API_KEYS_KEPT_PER_WORKER:
        return None
    try:
        token = client.get(TOKEN_KEY)
        if token is None:
            # First use, or Redis lost its data: a new token, so no older answer matches.
            client.set(TOKEN_KEY, uuid.uuid4().hex, nx=True)
            token = client.get(TOKEN_KEY)
    except Exception:  # Redis away: ask the database
        return None
    return token.decode() if isinstance(token, bytes) else token


def kept(prefix: str, token: str | None) -> Any | None:
    """The answer kept for this key under `token`, as a fresh copy, or None."""
    if token is None:
        return None
    entry = _entries.get(prefix)
    if entry is None or entry[0] != token or time.monotonic() - entry[1] > MAX_AGE_SECONDS:
        return None
    return pickle.loads(entry[2])


def keep(prefix: str, token: str | None, answer: Any) -> None:
    """Keep a key's answer: (the key, the role it acts with). A key whose user is no longer
    a member (role None) is not kept: a new membership must reach it at once."""
    if token is None or answer[1] is None:
        return
    blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[prefix] = (token, time.monotonic(), blob)


def forget_all() -> None:
    """Drop this process's answers (the token change drops every other process's)."""
    with _lock:
        _entries.clear()


def _replace_token() -> None:
    forget_all()
    client = shared_redis()
    if client is None:
        return
    try:
        client.set(TOKEN_KEY, uuid.uuid4().hex)
    except Exception as exc:
        logger.warning("Credential caches not invalidated, Redis unavailable: %s", exc)


def credentials_changed() -> None:
    """Keys, memberships, users or tenants changed: every kept answer is stale once the
    current transaction commits (at once outside a transaction). One token per transaction.

    This process forgets its own answers at once as well: what it asks next inside the
    same transaction must see the change too."""
    forget_all()
    if any(callback is _replace_token for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_replace_token)


def saved(
    instance: Any, adding: bool, update_fields: Any, *, free: frozenset[str] = frozenset()
) -> None:
    """For the `save()` of a model that credentials depend on. A new row changes no kept
    answer (answers are kept only for keys that resolved to a member or an integration,
    so nothing kept can be waiting for it); writes of only `free` fields (bookkeeping such
    as the last use) leave kept answers valid too."""
    if adding:
        return
    if update_fields is None or not set(update_fields) <= free:
        credentials_changed()
