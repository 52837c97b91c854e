"""Holding a row lock from another connection, as a concurrent transaction would (PostgreSQL).

`with row_locked(Model, pk):` returns once another connection holds `SELECT … FOR UPDATE` on
the row, and releases it on exit. Inside, this connection waits at most `lock_timeout` for
any lock, so code that waits instead of skipping the row fails the test rather than hangs.
`no_key=True` holds `FOR NO KEY UPDATE` instead: rows that only refer to the held row (a
foreign key) can still be written; what waits is another lock of the row itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction

from smarketing.tenancy.scope import cross_tenant_scope


@contextmanager
def row_locked(
    model: type[models.Model], pk, lock_timeout: str = "5s", no_key: bool = False
) -> Iterator[None]:
    locked, release = threading.Event(), threading.Event()
    rows = getattr(model, "all_tenants", model._default_manager)  # tenants are not scoped

    def hold() -> None:
        try:
            with cross_tenant_scope(), transaction.atomic():
                rows.select_for_update(no_key=no_key).get(pk=pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30), "the other connection never got the row lock"
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = %s", [lock_timeout])
        yield
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
