"""Everything held about one lead's person, found the way erasure finds it (one place).

`lead_outbox_events` and `lead_page_path` say where copies of the person live outside the
lead's own rows; erasure rewrites exactly what the subject access export shows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from leads.imports.models import LeadImport
from leads.imports.privacy import import_rows_of
from leads.models import Lead
from smarketing.events.models import OutboxEvent
from smarketing.notifications.models import Notification


def lead_page_path(lead: Lead) -> str:
    """The lead's page, as notifications link to it (`leads.notifications.lead_url`)."""
    return f"/t/{lead.tenant.slug}/leads/{lead.pk}/"


def lead_outbox_events_filter(lead: Lead) -> Q:
    """Outbox events about the lead: every `lead.*` event carries it as `id`, SLA events as
    `lead`."""
    return Q(event_type__startswith="lead.", data__id=lead.pk) | Q(data__lead=lead.pk)


def lead_outbox_events(lead: Lead) -> list:
    return list(
        OutboxEvent.objects.filter(lead_outbox_events_filter(lead)).values_list("pk", flat=True)
    )


def lead_personal_data(*, lead: Lead) -> dict[str, Any]:
    """The subject access export: the lead, its custom fields, events, transitions and notes,
    notifications about it, the webhook events that carried it, the import rows that held
    its address, the campaigns it came through. No consent records are kept, so `consent`
    is always null."""
    transitions = list(lead.transitions.select_related("actor").order_by("at", "id"))
    events = OutboxEvent.objects.filter(
        lead_outbox_events_filter(lead) | Q(data__icontains=lead.email)
    ).order_by("created_at")
    event_ids = [event.pk for event in events]
    notifications = Notification.objects.filter(
        Q(event_id__in=event_ids) | Q(url=lead_page_path(lead))
    ).order_by("created_at", "id")
    return {
        "exported_at": timezone.now(),
        "lead": lead,
        "custom_fields": lead.custom_fields,
        "events": list(lead.events.order_by("occurred_at", "id")),
        "transitions": transitions,
        "notes": [t for t in transitions if t.note],
        "notifications": list(notifications),
        "webhook_events": list(events),
        "import_rows": _import_rows(lead),
        "campaign_history": list(
            lead.campaign_touches.select_related("campaign").order_by("at", "id")
        ),
        "consent": None,
    }


def _import_rows(lead: Lead) -> list[dict[str, Any]]:
    needle = lead.email.casefold()
    found = []
    for lead_import in LeadImport.objects.order_by("created_at", "id"):
        rows = import_rows_of(lead_import=lead_import, email=lead.email)
        failures = [
            entry
            for entry in lead_import.failure_sample or []
            if str(entry.get("email", "")).strip().casefold() == needle
        ]
        if rows or failures:
            found.append({
                "import": lead_import.pk, "original_filename": lead_import.original_filename,
                "created_at": lead_import.created_at, "rows": rows, "failures": failures,
            })  # fmt: skip
    return found
