"""Tenant configuration kept by each process, checked against a token in Redis per use.

Scoring a new lead reads the tenant's approved personas and scoring settings, and the
qualification after it reads the SLA version in force: two queries on every lead POST for
rows that change a few times a month. A process now keeps what it read, filed under the
tenant and a generation token that lives in Redis, and reads the token (one `GET`) each
time it asks. Whatever writes one of the watched models (`WatchedQuerySet`, and the models'
`save()`/`delete()` through `configuration_changed`) replaces the token when its transaction
commits, so every process's kept answers are stale at once: an approved persona, a changed
weight or a newly active SLA applies on the very next request, whichever worker serves it.

The argument is the one of `smarketing.tenancy.credentials`: the token is read *before*
the database and replaced only *after* the change commits, so an answer read before the
commit is filed under a token nobody asks for again. Inside a transaction that changed a
watched model nothing is read from or kept here (the change is not committed, the token
not yet replaced): that transaction reads the database and sees its own change.

Without Redis, while it does not answer, or with `CONFIGURATION_KEPT_PER_WORKER` off (the
test settings), nothing is kept. Answers expire after `MAX_AGE_SECONDS` as well, bounding a
token replacement lost while Redis was away. Answers are kept as pickled bytes, so a caller
gets its own copy and nothing it sets reaches another request.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction

from smarketing.shared_redis import shared_redis
from smarketing.tenancy.managers import TenantManager
from smarketing.tenancy.models import TenantScoped

logger = logging.getLogger(__name__)

TOKEN_KEY = "configuration:generation"
MAX_AGE_SECONDS = 300.0
MAX_ENTRIES = 10_000

T = TypeVar("T")

_lock = threading.Lock()
# (what, tenant id) -> (token, kept at, pickled answer)
_entries: dict[tuple[str, int], tuple[str, float, bytes]] = {}


class TokenReplacement:
    """The on-commit replacement of the token. While one is registered and has not run, the
    transaction holds an uncommitted change: `_changed_here` tells."""

    done = False

    def __call__(self) -> None:
        self.done = True
        _replace_token()


def _changed_here() -> bool:
    return any(
        isinstance(callback, TokenReplacement) and not callback.done
        for _, callback, _ in connection.run_on_commit
    )


def _current_token() -> str | None:
    client = shared_redis()
    if client is None or not settings.CONFIGURATION_KEPT_PER_WORKER:
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


def kept_for_tenant(what: str, *, tenant_id: int, load: Callable[[], T]) -> T:
    """`load()`'s answer for this tenant, kept by this process until the configuration
    changes. `load` must read only watched models (and the tenant), and its answer must
    pickle."""
    if _changed_here():
        return load()
    token = _current_token()
    if token is None:
        return load()
    entry = _entries.get((what, tenant_id))
    if entry is not None and entry[0] == token and time.monotonic() - entry[1] <= MAX_AGE_SECONDS:
        return pickle.loads(entry[2])
    answer = load()
    blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[(what, tenant_id)] = (token, time.monotonic(), blob)
    return answer


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
        logger.warning("Kept tenant configuration not invalidated, Redis unavailable: %s", exc)


def configuration_changed() -> None:
    """A watched model changed: every kept answer is stale once the current transaction
    commits (at once outside a transaction). One replacement per transaction."""
    if _changed_here():
        return
    transaction.on_commit(TokenReplacement())


class WatchedQuerySet(models.QuerySet):
    """The queryset of a model that kept configuration is read from: its set-based writes
    (`update`, `delete`, bulk inserts and updates) count as changes too. Writes through an
    instance go by the model's `save()` and `delete()` (see `WatchedModel`)."""

    def update(self, **kwargs: Any) -> int:
        configuration_changed()
        return super().update(**kwargs)

    def delete(self):
        configuration_changed()
        return super().delete()

    def _raw_delete(self, using):
        configuration_changed()
        return super()._raw_delete(using)

    def bulk_create(self, objs, *args, **kwargs):
        configuration_changed()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        configuration_changed()
        return super().bulk_update(objs, fields, *args, **kwargs)


class WatchedTenantScoped(TenantScoped):
    """Base of a tenant model that kept configuration is read from: any save or delete of
    a row is a change (new rows too: a newly approved persona changes what a tenant scores
    with), and so is any set-based write through its managers (`WatchedQuerySet`)."""

    objects = TenantManager.from_queryset(WatchedQuerySet)()
    all_tenants = models.Manager.from_queryset(WatchedQuerySet)()

    class Meta(TenantScoped.Meta):
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        configuration_changed()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        configuration_changed()
        return super().delete(*args, **kwargs)
