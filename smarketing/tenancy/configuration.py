"""Tenant configuration kept by each process, checked against a token in Redis per use.

Scoring a new lead reads the tenant's approved personas and scoring settings, and the
qualification after it reads the SLA version in force: two queries on every lead POST for
rows that change a few times a month. A process keeps what it read under a generation token
(`smarketing.tenancy.kept`: the mechanism, and why no answer read before a commit is filed
under the new token). Whatever writes one of the watched models (`WatchedQuerySet`, and the
models' `save()`/`delete()` through `configuration_changed`) replaces the token when its
transaction commits: an approved persona, a changed weight or a newly active SLA applies on
the very next request, whichever worker serves it.

Inside a transaction that changed a watched model nothing is read from or kept here (the
change is not committed, the token not yet replaced): that transaction reads the database
and sees its own change. `CONFIGURATION_KEPT_PER_WORKER` off (the test settings) keeps
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, models, transaction

from smarketing.tenancy.kept import MISSING, KeptPerProcess
from smarketing.tenancy.managers import TenantManager
from smarketing.tenancy.models import TenantScoped

_store = KeptPerProcess(
    token_key="configuration:generation",
    enabled_setting="CONFIGURATION_KEPT_PER_WORKER",
    what="Kept tenant configuration",
)

T = TypeVar("T")


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


def kept_for_tenant(what: str, *, tenant_id: int, load: Callable[[], T]) -> T:
    """`load()`'s answer for this tenant, kept by this process until the configuration
    changes. `load` must read only watched models (and the tenant), and its answer must
    pickle."""
    if _changed_here():
        return load()
    token = _store.current_token()
    answer = _store.get((what, tenant_id), token)
    if answer is MISSING:
        answer = load()
        _store.put((what, tenant_id), token, answer)
    return answer


def forget_all() -> None:
    """Drop this process's answers (the token change drops every other process's)."""
    _store.forget_all()


def _replace_token() -> None:
    _store.replace_token()


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
