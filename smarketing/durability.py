"""How durably a transaction commits (PostgreSQL): relaxed only while it writes derived data.

A transaction that writes only scores may commit without waiting for the WAL flush: a crash
can lose its last commits, and the job that wrote them (a re-score, the decay sweep) redoes
them from its cursor. As soon as the same transaction writes anything else (a stage move, an
outbox row that a webhook or a notification will announce), it must commit durably again,
or a crash could lose a change the outside world was told about. `require_durable_commit`
is called where such writes happen; it costs nothing in a transaction that was not relaxed.
"""

from __future__ import annotations

from django.db import connection

# On the connection: the setting to restore, while the current transaction is relaxed.
_RELAXED_FROM = "_smarketing_relaxed_from"


def relax_commit_durability() -> None:
    """For the current transaction only: commit without waiting for the WAL flush."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        (before,) = cursor.fetchone()
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
    setattr(connection, _RELAXED_FROM, before)


def require_durable_commit() -> None:
    """The current transaction writes more than derived data: undo `relax_commit_durability`."""
    before = getattr(connection, _RELAXED_FROM, None)
    if before is None:
        return
    # Cleared first: after a rolled-back transaction the mark may be stale, and restoring the
    # setting in another transaction once is harmless.
    setattr(connection, _RELAXED_FROM, None)
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('synchronous_commit', %s, true)", [before])


def commit_is_relaxed() -> bool:
    """Whether the current transaction commits without waiting for the WAL flush."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0] == "off"
