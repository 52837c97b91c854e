"""Sending due deliveries: claim with a lease, POST outside any transaction, record.

Claims use `SELECT … FOR UPDATE SKIP LOCKED` and move `next_attempt_at` forward by a lease
in the same short transaction, so two senders never hold the same delivery: the second one
skips the locked row, or sees it no longer due. Long waits between retries are rows with a
future `next_attempt_at`, picked up by the periodic sweep, never long Celery countdowns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from smarketing.webhooks.errors import EndpointDisabled, PayloadErased
from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery
from smarketing.webhooks.sending import USER_AGENT, Attempt, Outgoing, attempt
from smarketing.webhooks.services.endpoints import _require_admin, endpoint_disable_failing
from smarketing.webhooks.services.policy import LEASE, RETRY_WINDOW, retry_delay
from smarketing.webhooks.signing import HEADER, delivery_body, signature_header

BATCH_SIZE = 40
SENDER_THREADS = 8
# How long one sweep keeps claiming; well inside the sending task's time limit.
SWEEP_BUDGET_SECONDS = 60.0


def send_on_commit() -> None:
    """Kick one sending sweep when the current transaction commits."""
    if any(callback is _kick_sweep for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick_sweep)


def _kick_sweep() -> None:
    from smarketing.queueing import kick
    from smarketing.webhooks.tasks import delivery_sweep_task

    kick(delivery_sweep_task)


def claim_due(*, limit: int = BATCH_SIZE) -> list[int]:
    """Take up to `limit` due deliveries of enabled endpoints; they are leased to the caller."""
    with transaction.atomic():
        now = timezone.now()
        due = WebhookDelivery.all_tenants.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__enabled=True,
            # An erasure stops its deliveries; this catches one claimed in the same instant.
            event__erased_at__isnull=True,
        ).order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            WebhookDelivery.all_tenants.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return ids


def _outgoing(delivery: WebhookDelivery, now: datetime) -> Outgoing:
    body = delivery_body(event=delivery.event, tenant_slug=delivery.tenant.slug)
    secrets = delivery.endpoint.signing_secrets(now)
    return Outgoing(
        url=delivery.endpoint.url,
        body=body,
        headers={
            "Content-Type": "application/json",  # pragma: no mutate (names ignore case)
            "User-Agent": USER_AGENT,  # pragma: no mutate (names ignore case)
            HEADER: signature_header(secrets=secrets, timestamp=int(now.timestamp()), body=body),
        },
    )


def record_attempt(*, delivery: WebhookDelivery, result: Attempt, at: datetime) -> str:
    """Write one attempt's outcome; on the last failure disable the endpoint. Returns status."""
    common = {
        "attempts": delivery.attempts + 1,
        "last_attempt_at": at,
        "response_status": result.status,
        "response_excerpt": result.excerpt,
    }
    mine = WebhookDelivery.all_tenants.filter(pk=delivery.pk, status=DeliveryStatus.PENDING)
    if result.ok:
        mine.update(
            status=DeliveryStatus.SUCCEEDED,
            next_attempt_at=None,
            delivered_at=at,
            failures=0,
            **common,
        )
        return DeliveryStatus.SUCCEEDED
    failures = delivery.failures + 1
    if at < delivery.give_up_at:
        mine.update(failures=failures, next_attempt_at=at + retry_delay(failures), **common)
        return DeliveryStatus.PENDING
    with tenant_scope(delivery.tenant_id), transaction.atomic():
        if mine.update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, failures=failures, **common
        ):
            reason = (
                f"Deliveries failed for {RETRY_WINDOW // timedelta(hours=1)} hours; "
                f"last answer: {result.status or result.excerpt[:120]}."
            )
            endpoint_disable_failing(endpoint_id=delivery.endpoint_id, reason=reason)
    return DeliveryStatus.FAILED


def delivery_may_be_sent(*, delivery: WebhookDelivery) -> bool:
    """Deliveries of an event whose personal data was erased are never sent again."""
    return delivery.event.erased_at is None


def deliveries_stop_erased(*, event_ids: list) -> int:
    """Stop every delivery of the erased events: pending ones fail now, and the receivers'
    answers (which may echo the payload) are forgotten. Returns how many rows changed."""
    deliveries = WebhookDelivery.objects.filter(event_id__in=event_ids)
    stopped = deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )
    return stopped + deliveries.exclude(response_excerpt="").update(response_excerpt="")


def send_batch(ids: list[int]) -> dict[str, int]:
    """Send the claimed deliveries `ids` (concurrently) and record every outcome."""
    deliveries = list(
        WebhookDelivery.all_tenants.filter(
            pk__in=ids, status=DeliveryStatus.PENDING, event__erased_at__isnull=True
        )
        .select_related("endpoint", "event", "tenant")
        .order_by("pk")
    )
    now = timezone.now()
    outgoing = [_outgoing(delivery, now) for delivery in deliveries]
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    # The pool starts a thread per request up to its size, never more than are waiting.
    with ThreadPoolExecutor(max_workers=SENDER_THREADS) as pool:
        results = list(pool.map(attempt, outgoing))
    for delivery, result in zip(deliveries, results, strict=True):  # pragma: no mutate (one each)
        counts[record_attempt(delivery=delivery, result=result, at=timezone.now())] += 1
    return counts


def deliveries_send_due(
    *,
    batch_size: int = BATCH_SIZE,
    budget_seconds: float = SWEEP_BUDGET_SECONDS,
    on_full_batch: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Claim and send due deliveries until none is due or the time budget is spent.

    The caller runs it in `cross_tenant_scope()`. `on_full_batch` is called when a claim came
    back full (more is probably due): the task uses it to bring another worker in.
    """
    deadline = time.monotonic() + budget_seconds
    totals = dict.fromkeys(DeliveryStatus.values, 0)
    while time.monotonic() < deadline:  # pragma: no mutate (< and <= differ at one instant)
        ids = claim_due(limit=batch_size)
        if not ids:
            break
        if len(ids) == batch_size and on_full_batch is not None:
            on_full_batch()
        for status, count in send_batch(ids).items():
            totals[status] += count
    return totals


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: Actor) -> WebhookDelivery:
    """Send the event again now, with a fresh retry window; attempts keep counting."""
    _require_admin(actor)
    if not delivery.endpoint.enabled:
        raise EndpointDisabled("Enable the endpoint first: a disabled endpoint receives nothing.")
    if not delivery_may_be_sent(delivery=delivery):
        raise PayloadErased(
            "This event held personal data that was erased on request, so it is never sent "
            "again. Receivers were told what changed by later events."
        )
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        failures=0,
        give_up_at=now + RETRY_WINDOW,
        delivered_at=None,
    )
    delivery.refresh_from_db()
    send_on_commit()
    return delivery
