"""What an API key stands for, kept by each web worker and checked against Redis per request.

Resolving a key reads the key, its tenant, its user and (for a user key) the membership: a
query or two on every request. A worker keeps the answer under a generation token
(`smarketing.tenancy.kept`: the mechanism, and why no request can file a stale answer under a
new token). Whatever changes a key, a membership, a user or a tenant replaces the token when
its transaction commits (`credentials_changed`), so a revoked key or a deactivated member is
refused on the very next request, whichever worker serves it.

`API_KEYS_KEPT_PER_WORKER` off (the test settings: query counts there must not depend on
what an earlier step left kept) keeps nothing. What is kept is the key's row with its tenant
and user, and the role the key acts with.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from smarketing.tenancy.kept import MISSING, KeptPerProcess

_store = KeptPerProcess(
    token_key="credentials:generation",
    enabled_setting="API_KEYS_KEPT_PER_WORKER",
    what="Credential caches",
)


def current_token() -> str | None:
    """The generation token now, or None when answers must not be kept (no Redis)."""
    return _store.current_token()


def kept(prefix: str, token: str | None) -> Any | None:
    """The answer kept for this key under `token`, as a fresh copy, or None."""
    answer = _store.get(prefix, token)
    return None if answer is MISSING else answer


def keep(prefix: str, token: str | None, answer: Any) -> None:
    """Keep a key's answer: (the key, the role it acts with). A key whose user is no longer
    a member (role None) is not kept: a new membership must reach it at once."""
    if answer[1] is not None:
        _store.put(prefix, token, answer)


def forget_all() -> None:
    """Drop this process's answers (the token change drops every other process's)."""
    _store.forget_all()


def _replace_token() -> None:
    _store.replace_token()


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
