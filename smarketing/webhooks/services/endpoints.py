"""Registering, changing, rotating and removing webhook endpoints (admins only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from smarketing.errors import Forbidden
from smarketing.events import PUBLIC_EVENT_TYPES, publish
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import REDACTED, audit_record, changes_between
from smarketing.tenancy.roles import has_capability
from smarketing.webhooks.addresses import UnsafeAddress, check_webhook_url
from smarketing.webhooks.errors import InvalidWebhook
from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, new_secret
from smarketing.webhooks.services.policy import RETRY_WINDOW

DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
MAX_ROTATION_OVERLAP = timedelta(days=7)
MAX_URL_LENGTH = 500


def _require_admin(actor: Actor) -> None:
    if not actor.is_system and not has_capability(actor.role, "webhooks.manage"):
        raise Forbidden(f"Your role ({actor.role}) may not manage webhooks.")


def _clean_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InvalidWebhook({"url": ["Give the URL that receives the events."]})
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhook({"url": [f"At most {MAX_URL_LENGTH} characters."]})
    try:
        check_webhook_url(url)
    except UnsafeAddress as exc:
        raise InvalidWebhook({"url": [str(exc)]}) from None
    return url


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list) or not events:
        raise InvalidWebhook({"events": ["Subscribe to at least one event type."]})
    unknown = [e for e in events if e not in PUBLIC_EVENT_TYPES]
    if unknown:
        raise InvalidWebhook(
            {"events": [f"Unknown event type {unknown[0]!r}; use {', '.join(PUBLIC_EVENT_TYPES)}."]}
        )
    return [e for e in PUBLIC_EVENT_TYPES if e in events]  # one order, no duplicates


@transaction.atomic
def endpoint_create(
    *, tenant, actor: Actor, url: str, events: list[str], enabled: bool = True
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows it once)."""
    _require_admin(actor)
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant, url=_clean_url(url), events=_clean_events(events), enabled=enabled
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="webhook.created",
        target=endpoint,
        changes={"url": endpoint.url, "events": endpoint.events, "enabled": enabled},
    )
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, actor: Actor, data: dict) -> WebhookEndpoint:
    """Change url, events or enabled. Re-enabling resumes the deliveries left pending."""
    _require_admin(actor)
    before = {"url": endpoint.url, "events": list(endpoint.events), "enabled": endpoint.enabled}
    fields: list[str] = []
    if "url" in data:
        endpoint.url = _clean_url(data["url"])
        fields.append("url")
    if "events" in data:
        endpoint.events = _clean_events(data["events"])
        fields.append("events")
    if "enabled" in data and bool(data["enabled"]) != endpoint.enabled:
        endpoint.enabled = bool(data["enabled"])
        endpoint.disabled_reason = "" if endpoint.enabled else f"Disabled by {actor.label}."
        fields += ["enabled", "disabled_reason"]
        if endpoint.enabled:
            _resume_pending(endpoint)
    if fields:
        endpoint.save(update_fields=fields)
        after = {"url": endpoint.url, "events": endpoint.events, "enabled": endpoint.enabled}
        audit_record(
            tenant=endpoint.tenant_id,
            actor=actor,
            action="webhook.changed",
            target=endpoint,
            changes=changes_between(before, after),
        )
    return endpoint


def _resume_pending(endpoint: WebhookEndpoint) -> None:
    now = timezone.now()
    resumed = WebhookDelivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING
    ).update(next_attempt_at=now, failures=0, give_up_at=now + RETRY_WINDOW)
    if resumed:
        from smarketing.webhooks.services.deliveries import send_on_commit

        send_on_commit()


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    """Remove the endpoint and its delivery log; pending deliveries are dropped with it."""
    _require_admin(actor)
    audit_record(
        tenant=endpoint.tenant_id,
        actor=actor,
        action="webhook.deleted",
        target=endpoint,
        changes={"url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: Actor, overlap: timedelta = DEFAULT_ROTATION_OVERLAP
) -> WebhookEndpoint:
    """A new secret signs from now on; the old one signs too until the overlap ends."""
    _require_admin(actor)
    if overlap < timedelta(0) or overlap > MAX_ROTATION_OVERLAP:
        raise InvalidWebhook({"overlap_hours": ["Between 0 and 168 hours."]})
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret if overlap else ""
    endpoint.previous_secret_expires_at = timezone.now() + overlap if overlap else None
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    # The log says the secret changed; the values never reach it.
    audit_record(
        tenant=endpoint.tenant_id,
        actor=actor,
        action="webhook.secret_rotated",
        target=endpoint,
        changes={"secret": [REDACTED, REDACTED], "overlap_hours": overlap.total_seconds() / 3600},
    )
    return endpoint


def endpoint_disable_failing(*, endpoint_id: int, reason: str) -> bool:
    """Disable an endpoint that kept failing and tell its admins; once, whoever calls."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return False
    # Only the caller whose update turns it off goes on: concurrent callers tell admins once.
    if not WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).update(
        enabled=False, disabled_reason=reason[:300]
    ):
        return False
    publish(
        "webhook.endpoint_disabled",
        tenant=endpoint.tenant_id,
        data={"id": endpoint.pk, "url": endpoint.url, "reason": reason},
    )
    return True
