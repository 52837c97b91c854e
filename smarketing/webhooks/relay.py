"""The webhooks' share of the outbox relay: one delivery per (event, subscribed endpoint)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from smarketing.events import PUBLIC_EVENT_TYPES
from smarketing.events.models import OutboxEvent
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint
from smarketing.webhooks.services.deliveries import send_on_commit
from smarketing.webhooks.services.policy import RETRY_WINDOW


def webhook_deliveries_create(*, events: list[OutboxEvent]) -> None:
    """Create the deliveries of `events` (an outbox consumer) and kick the sender on commit.

    Events whose personal data was erased get none. The unique (tenant, event, endpoint)
    constraint makes a second relay of the same event, or a relay racing another, add nothing.
    """
    # An event erased before it was relayed held personal data: it is never sent.
    public = [
        event
        for event in events
        if event.event_type in PUBLIC_EVENT_TYPES and event.erased_at is None
    ]
    if not public:
        return
    endpoints = defaultdict(list)
    for endpoint in WebhookEndpoint.all_tenants.filter(
        tenant_id__in={event.tenant_id for event in public}, enabled=True
    ).only("tenant_id", "events"):  # (and the pk, always)
        endpoints[endpoint.tenant_id].append(endpoint)
    now = timezone.now()
    rows = [
        WebhookDelivery(
            tenant_id=event.tenant_id,
            endpoint=endpoint,
            event=event,
            event_type=event.event_type,
            next_attempt_at=now,
            give_up_at=now + RETRY_WINDOW,
        )
        for event in public
        for endpoint in endpoints[event.tenant_id]
        if endpoint.subscribes_to(event.event_type)
    ]
    if rows:
        WebhookDelivery.all_tenants.bulk_create(rows, ignore_conflicts=True)
        send_on_commit()
