"""Holding a row lock from another connection, as a concurrent transaction would (PostgreSQL).

`with row_locked(Model, pk):` returns once another connection holds `SELECT … FOR UPDATE` on
the row, and releases it on exit. Inside, this connection waits at most `lock_timeout` for
any lock, so code that waits instead of skipping the row fails the test rather than hangs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction

from smarketing.tenancy.scope import cross_tenant_scope


@contextmanager
def row_locked(model: type[models.Model], pk, lock_timeout: str = "5s") -> Iterator[None]:
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with cross_tenant_scope(), transaction.atomic():
                model.all_tenants.select_for_update().get(pk=pk)
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
