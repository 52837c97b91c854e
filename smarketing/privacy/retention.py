"""Retention: rows and files kept only for a while are pruned by one periodic sweep.

Each kind of data has a pruner `(now) -> rows pruned`; the core registers its own here and
apps register theirs (leads: import files) in their `handlers.register`. Deletes are
set-based, in batches of `BATCH_SIZE` rows, each batch one DELETE statement in its own
transaction, so a large backlog never holds locks for long and a sweep cut off halfway
keeps what it did. Periods come from settings (`RETENTION_*`, read from the environment).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000

Pruner = Callable[[datetime], int]
_pruners: dict[str, Pruner] = {}


def register_pruner(name: str, pruner: Pruner) -> None:
    _pruners[name] = pruner


def delete_in_batches(queryset: QuerySet, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the rows of `queryset`, `batch_size` at a time, one statement per batch.

    Only for tables that nothing references with a cascade (no per-row collection is done):
    the callers name such tables, or exclude the referenced rows first.
    """
    model = queryset.model
    deleted = 0
    while True:
        with transaction.atomic():
            batch = model.all_tenants.filter(pk__in=queryset.values("pk")[:batch_size])
            count = batch._raw_delete(batch.db)
        deleted += count
        if count < batch_size:
            return deleted


def prune_idempotency_records(now: datetime) -> int:
    from smarketing.api.models import IdempotencyRecord

    cutoff = now - timedelta(hours=settings.RETENTION_IDEMPOTENCY_HOURS)
    return delete_in_batches(IdempotencyRecord.all_tenants.filter(created_at__lt=cutoff))


def prune_webhook_deliveries(now: datetime) -> int:
    """Finished deliveries only: a pending one is still being retried."""
    from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery

    cutoff = now - timedelta(days=settings.RETENTION_WEBHOOK_DELIVERIES_DAYS)
    return delete_in_batches(
        WebhookDelivery.all_tenants.filter(created_at__lt=cutoff).exclude(
            status=DeliveryStatus.PENDING
        )
    )


def prune_outbox_events(now: datetime) -> int:
    """Relayed events nobody needs any more: an event stays while a delivery log entry
    refers to it (a redelivery sends its payload again)."""
    from smarketing.events.models import OutboxEvent
    from smarketing.webhooks.models import WebhookDelivery

    cutoff = now - timedelta(days=settings.RETENTION_OUTBOX_DAYS)
    return delete_in_batches(
        OutboxEvent.all_tenants.filter(relayed_at__lt=cutoff).exclude(
            Exists(WebhookDelivery.all_tenants.filter(event_id=OuterRef("pk")))
        )
    )


def register_core_pruners() -> None:
    # Deliveries before events: an event is pruned once its deliveries are gone.
    register_pruner("idempotency_records", prune_idempotency_records)
    register_pruner("webhook_deliveries", prune_webhook_deliveries)
    register_pruner("outbox_events", prune_outbox_events)


def retention_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run every pruner; returns rows pruned by name. The caller runs it across tenants.

    One failing pruner is logged and the others still run.
    """
    now = now or timezone.now()
    pruned = {}
    for name, pruner in list(_pruners.items()):
        try:
            pruned[name] = pruner(now)
        except Exception:
            logger.exception("Retention pruner %s failed", name)
            pruned[name] = -1
    return pruned
