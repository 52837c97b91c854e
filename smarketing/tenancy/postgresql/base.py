"""Django's PostgreSQL backend, applying the tenant scope to the session only when it changes.

Row-level security reads `app.tenant_id` and `app.cross_tenant` from the session
(`smarketing.tenancy.scope`). Setting them on entering every scope and resetting them on
leaving it cost four statements per request. Instead, the connection remembers what its
session holds, and before each statement compares that with the scope the statement runs
in: only a difference costs one `set_config` (or `RESET`), sent ahead of the statement. So a
statement never runs under another scope than its own, and a worker serving one tenant after
another pays nothing for the scope.

The settings are sent in front of the statement, in the same message (a simple query of two
statements, which psycopg sends in one round trip): they cost no round trip of their own.

A rollback (of the transaction or of a savepoint) undoes a `set_config` made inside it, so
after one the session's settings count as unknown and are sent again before the next
statement. So does a new connection's start, where they are known to be unset.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.postgresql import base

from smarketing.tenancy import scope

# What the session holds is not known. Any value that is no scope tuple would do (None too),
# so the lines that set it are marked `pragma: no mutate`: swapping in None is equivalent.
UNKNOWN = object()

# Statements PostgreSQL runs only outside a transaction block, or only first in one: they go
# alone (a savepoint's are fine behind the settings, inside the transaction they need).
_ALONE = re.compile(
    r"\s*(VACUUM|ANALYZE|CLUSTER|REINDEX|CHECKPOINT|ALTER\s+SYSTEM|(CREATE|DROP)\s+"
    r"(DATABASE|TABLESPACE|SUBSCRIPTION)|(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY"
    r"|ALTER\s+TYPE|BEGIN|START|COMMIT|ROLLBACK|PREPARE|SET\s+TRANSACTION)",
    re.IGNORECASE,
)


def _alone(sql: str) -> bool:
    return _ALONE.match(sql[:80]) is not None  # pragma: no mutate  (the keyword is at the start)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_scope: Any = UNKNOWN  # pragma: no mutate
        self._applying_scope = False
        self.execute_wrappers.append(self._scope_statement)

    def init_connection_state(self) -> None:
        super().init_connection_state()
        # A new session starts with the settings unset, which is what RESET restores.
        self.session_scope = scope.UNSCOPED

    def _rollback(self) -> None:
        self.session_scope = UNKNOWN  # pragma: no mutate
        super()._rollback()

    def _savepoint_rollback(self, sid: str) -> None:
        # The statement that rolls back runs in a failed transaction: nothing may go first.
        self._applying_scope = True
        try:
            super()._savepoint_rollback(sid)
        finally:
            self._applying_scope = False
            self.session_scope = UNKNOWN  # pragma: no mutate

    def _close(self) -> None:
        self.session_scope = UNKNOWN  # pragma: no mutate
        super()._close()

    def apply_scope(self) -> None:
        """Bring the session's settings to the current scope now, if they differ (for work
        that sends statements past Django's cursors)."""
        wanted = scope.current_scope()
        if self.session_scope == wanted:
            return
        self._applying_scope = True
        try:
            with self.cursor() as cursor:
                self.session_scope = UNKNOWN  # pragma: no mutate  (in case the statement fails)
                cursor.execute(scope.scope_sql(wanted))
            self.session_scope = wanted
        finally:
            self._applying_scope = False

    def _scope_statement(self, execute, sql, params, many, context):
        wanted = scope.current_scope()
        if self.session_scope == wanted or self._applying_scope:
            return execute(sql, params, many, context)
        driver_cursor = getattr(context.get("cursor"), "cursor", None)
        if many or getattr(driver_cursor, "name", None) or _alone(sql):
            # A server-side cursor declares its one query; batches run it many times; and
            # two statements in one message share a transaction, which some refuse.
            self.apply_scope()
            return execute(sql, params, many, context)
        # The settings ride in front of the statement, in the same round trip. Should the
        # pair fail, what the session holds is not known.
        self.session_scope = UNKNOWN  # pragma: no mutate
        result = execute(f"{scope.scope_sql(wanted)}; {sql}", params, many, context)
        self.session_scope = wanted
        return result
