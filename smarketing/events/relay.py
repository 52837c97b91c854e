"""The outbox relay: pending outbox rows are handed to the registered consumers, then marked.

A transaction that wrote outbox rows kicks a relay task when it commits, unless one is already
waiting for a worker (that one will see the rows: a burst of requests costs one task); beat
runs the same relay every 30 seconds in case a kick was lost (broker down, worker killed). Rows are
claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so several workers split the pending rows
instead of waiting on each other. Consumers run in the claiming transaction: their writes and
the `relayed_at` mark commit together, so a row is relayed once however many relays run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from smarketing.events import outbox_consumers
from smarketing.events.models import OutboxEvent

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class RelayOutcome:
    relayed: int = 0
    failed: list[UUID] = field(default_factory=list)
    more: bool = False  # stopped at the batch limit with rows left

    def as_dict(self) -> dict[str, int | bool]:
        return {"relayed": self.relayed, "failed": len(self.failed), "more": self.more}


def relay_on_commit() -> None:
    """Kick one relay when the current transaction commits (one per transaction)."""
    if any(callback is _kick_relay for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick_relay)


RELAY_FLAG = "outbox_relay"


def _kick_relay() -> None:
    from smarketing.events.tasks import outbox_relay_task
    from smarketing.queueing import kick_unless_waiting

    kick_unless_waiting(outbox_relay_task, flag=RELAY_FLAG)


def _claim(batch_size: int, exclude: list[UUID]) -> list[OutboxEvent]:
    pending = OutboxEvent.all_tenants.filter(relayed_at__isnull=True)
    if exclude:
        pending = pending.exclude(pk__in=exclude)
    pending = pending.order_by("created_at")
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    # SQLite has no row locks: its writers are serialised by the database lock instead.
    return list(pending[:batch_size])


def _hand_over(events: list[OutboxEvent]) -> None:
    for consumer in outbox_consumers():
        consumer(events=events)


def outbox_relay_batch(*, batch_size: int = BATCH_SIZE, exclude: list[UUID] | None = None):
    """Relay one claimed batch; returns (claimed, relayed, failed ids).

    The batch goes to the consumers in one piece; if that fails, row by row, each in its own
    savepoint, so one bad row is left pending (and logged) while the others are relayed.
    """
    with transaction.atomic():
        events = _claim(batch_size, exclude or [])
        if not events:
            return 0, 0, []
        good, bad = events, []
        try:
            with transaction.atomic():
                _hand_over(events)
        except Exception:
            good = []
            for event in events:
                try:
                    with transaction.atomic():
                        _hand_over([event])
                    good.append(event)
                except Exception:
                    logger.exception(
                        "Outbox event %s (%s) was not relayed", event.pk, event.event_type
                    )
                    bad.append(event.pk)
        if good:
            OutboxEvent.all_tenants.filter(pk__in=[e.pk for e in good]).update(
                relayed_at=timezone.now()
            )
    return len(events), len(good), bad


def outbox_relay(*, max_batches: int = 20, batch_size: int = BATCH_SIZE) -> RelayOutcome:
    """Relay pending rows until none is left or `max_batches` were claimed.

    The caller runs it in `cross_tenant_scope()`: one relay serves every tenant.
    """
    outcome = RelayOutcome()
    for _ in range(max_batches):
        claimed, relayed, failed = outbox_relay_batch(batch_size=batch_size, exclude=outcome.failed)
        outcome.relayed += relayed
        outcome.failed.extend(failed)
        if claimed < batch_size:
            return outcome
    outcome.more = True
    return outcome
