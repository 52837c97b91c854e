"""Erasing one person from the core's copies of their data, inside the caller's transaction.

The app that owns the person knows which outbox events are about them (it published them)
and which page is theirs; the core finds the rest by the e-mail address, which is unique per
person in a tenant. What is rewritten (never deleted, so counts and history stay):

- outbox events: the payload is redacted and the event marked erased; its webhook deliveries
  stop and are never sent or redelivered (the receivers already hold what was sent);
- idempotency records: a replay answers the redacted body, never the personal one;
- notifications about the person: titles and bodies redacted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smarketing.api.models import IdempotencyRecord
from smarketing.events.models import OutboxEvent
from smarketing.notifications.models import Notification
from smarketing.privacy.redaction import Redaction
from smarketing.webhooks.services import deliveries_stop_erased


@dataclass(frozen=True)
class ErasedPerson:
    """Who is erased, as the core can find them."""

    email: str  # the address before erasure: outbox payloads and API answers hold it
    redaction: Redaction
    event_ids: tuple[UUID, ...] = ()  # outbox events the owning app knows are about them
    page_path: str = ""  # the person's page: notifications about them link there


@transaction.atomic
def person_erase(*, person: ErasedPerson) -> dict[str, int]:
    """Redact the person's data in the core's tables of the current tenant; returns counts
    of rows changed by table (no personal data), for the erasure's audit record."""
    events = _outbox_erase(person)
    counts = {
        "outbox_events": len(events),
        "webhook_deliveries": deliveries_stop_erased(event_ids=events) if events else 0,
        "idempotency_records": _idempotency_erase(person),
        "notifications": _notifications_erase(person, events),
    }
    return counts


def _save_redacted(rows: Iterable[Any], field: str, person: ErasedPerson, **extra: Any) -> int:
    changed = 0
    for row in rows:
        value = getattr(row, field)
        redacted = person.redaction.json(value)
        if redacted != value or extra:
            type(row).objects.filter(pk=row.pk).update(**{field: redacted}, **extra)
            changed += 1
    return changed


def _outbox_erase(person: ErasedPerson) -> list[UUID]:
    found = Q(pk__in=person.event_ids)
    if person.email:
        found |= Q(data__icontains=person.email)
    rows = list(OutboxEvent.objects.filter(found).only("pk", "data"))
    _save_redacted(rows, "data", person, erased_at=timezone.now())
    return [row.pk for row in rows]


def _idempotency_erase(person: ErasedPerson) -> int:
    if not person.email:
        return 0
    rows = IdempotencyRecord.objects.filter(response_body__icontains=person.email).only(
        "pk", "response_body"
    )
    return _save_redacted(rows, "response_body", person)


def _notifications_erase(person: ErasedPerson, event_ids: list[UUID]) -> int:
    found = Q(event_id__in=event_ids)
    if person.page_path:
        found |= Q(url=person.page_path)
    # The e-mail error quotes what failed to send (the subject, so the person's name).
    fields = ("title", "body", "email_error")
    changed = 0
    for row in Notification.objects.filter(found).only("pk", *fields):
        redacted = {name: person.redaction.text(getattr(row, name)) for name in fields}
        if any(redacted[name] != getattr(row, name) for name in fields):
            Notification.objects.filter(pk=row.pk).update(**redacted)
            changed += 1
    return changed
