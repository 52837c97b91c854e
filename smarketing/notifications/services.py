"""Writes of notifications: made from outbox events, read, e-mailed once; preferences."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from smarketing.errors import DomainError
from smarketing.events.models import OutboxEvent
from smarketing.notifications import builders
from smarketing.notifications.builders import Batch, Draft
from smarketing.notifications.kinds import (
    Channel,
    channel_for,
    kind_codes,
    wants_email,
    wants_in_app,
)
from smarketing.notifications.models import Notification
from smarketing.tenancy.models import Membership, Tenant
from smarketing.tenancy.roles import Role

logger = logging.getLogger(__name__)


class InvalidPreferences(DomainError):
    code = "invalid"
    title = "Invalid input"


def _batch(events: list[OutboxEvent]) -> Batch:
    tenant_ids = {event.tenant_id for event in events}
    wanted: dict[str, set[int]] = {}
    for event in events:
        named = builders.ids_to_label(event.event_type, _data(event))
        if named is not None:
            wanted.setdefault(named[0], set()).add(named[1])
    admins: dict[int, list[int]] = {}
    if any(builders.needs_admins(event.event_type) for event in events):
        for tenant_id, user_id in Membership.all_tenants.filter(
            tenant_id__in=tenant_ids, role=Role.ADMIN, is_active=True
        ).values_list("tenant_id", "user_id"):
            admins.setdefault(tenant_id, []).append(user_id)
    slugs, zones = {}, {}
    for pk, slug, zone in Tenant.objects.filter(pk__in=tenant_ids).values_list(
        "pk", "slug", "timezone"
    ):
        slugs[pk], zones[pk] = slug, zone
    return Batch(slugs=slugs, labels=builders.load_labels(wanted), admins=admins, zones=zones)


def _data(event: OutboxEvent) -> dict:
    return event.data if isinstance(event.data, dict) else {}


def _drafts(events: list[OutboxEvent]) -> list[tuple[OutboxEvent, Draft]]:
    batch = _batch(events)
    drafts = []
    for event in events:
        build = builders.builder_for(event.event_type)
        drafts.extend((event, d) for d in build(event.tenant_id, _data(event), batch))
    return drafts


def notifications_from_events(*, events: list[OutboxEvent]) -> int:
    """The outbox consumer: one notification per (event, person, kind), by each person's
    chosen channels, and an e-mail task per notification to e-mail (kicked on commit).

    Recipients must be members of the event's tenant. The unique constraint makes a second
    relay of an event, or two relays racing, add nothing; what was not e-mailed yet is
    found again by the e-mail sweep, so a broker outage delays e-mails but never drops one.
    """
    notifying = builders.notifying_event_types()
    wanted = [event for event in events if event.event_type in notifying]
    if not wanted:
        return 0
    drafts = _drafts(wanted)
    if not drafts:
        return 0
    members = set(
        Membership.all_tenants.filter(
            tenant_id__in={event.tenant_id for event, _ in drafts},
            user_id__in={draft.user_id for _, draft in drafts},
            is_active=True,
        ).values_list("tenant_id", "user_id")
    )
    preferences = dict(
        get_user_model()
        .objects.filter(pk__in={draft.user_id for _, draft in drafts})
        .values_list("pk", "notification_preferences")
    )
    rows = []
    for event, draft in drafts:
        if (event.tenant_id, draft.user_id) not in members:
            continue
        channel = channel_for(preferences.get(draft.user_id), draft.kind)
        if channel == Channel.NONE:
            continue
        rows.append(
            Notification(
                tenant_id=event.tenant_id, user_id=draft.user_id, kind=draft.kind,
                title=draft.title[:200], body=draft.body, url=draft.url[:500],
                event_id=event.pk, in_app=wants_in_app(channel), email=wants_email(channel),
            )
        )  # fmt: skip
    Notification.all_tenants.bulk_create(rows, ignore_conflicts=True)
    to_email = list(
        Notification.all_tenants.filter(
            event_id__in=[event.pk for event in wanted], email=True, emailed_at__isnull=True
        ).values_list("pk", "tenant_id")
    )
    if to_email:
        transaction.on_commit(lambda: _kick_emails(to_email))
    return len(rows)


def _kick_emails(ids: list[tuple[int, int]]) -> None:
    from smarketing.notifications.tasks import notification_email_task
    from smarketing.queueing import kick

    for notification_id, tenant_id in ids:
        kick(notification_email_task, notification_id, tenant_id)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path else settings.SITE_URL


def email_subject(*, tenant_name: str, title: str) -> str:
    """One line: a line break in a header is refused by the mail library (header injection),
    and titles come from what people typed (an action item, a lead's name)."""
    return " ".join(f"[{tenant_name}] {title}".split())


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification, exactly once: the conditional update that sets `emailed_at`
    and the sending share one transaction. A second sender waits on the row and then finds
    it sent; a failed send (`OSError`: the mail server is away) rolls the mark back, so the
    sweep tries again later. A message that cannot be sent as it stands is marked failed with
    its reason and not tried again: it must not hold up the e-mails after it."""
    try:
        with transaction.atomic():
            claimed = Notification.objects.filter(
                pk=notification_id, email=True, emailed_at__isnull=True, email_failed_at=None
            ).update(emailed_at=timezone.now())
            if not claimed:
                return False
            _send(Notification.objects.select_related("user", "tenant").get(pk=notification_id))
        return True
    except OSError:
        raise
    except Exception as exc:  # any other failure belongs to this message alone
        logger.exception("notification %s cannot be e-mailed", notification_id)
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            email_failed_at=timezone.now(), email_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        return False


def _send(notification: Notification) -> None:
    context = {
        "notification": notification,
        "user": notification.user,
        "tenant": notification.tenant,
        "link": absolute_url(notification.url),
        "preferences_link": absolute_url(f"/t/{notification.tenant.slug}/notifications/"),
    }
    message = EmailMultiAlternatives(
        subject=email_subject(tenant_name=notification.tenant.name, title=notification.title),
        body=render_to_string("notifications/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> Notification:
    if notification.user_id != user.pk:
        raise Notification.DoesNotExist  # someone else's: as if it did not exist
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user, preferences: dict[str, Any]) -> dict[str, str]:
    """Each kind: in_app, email, both or none. Kinds left out keep their current choice."""
    errors = {}
    for kind, channel in preferences.items():
        if kind not in kind_codes():
            errors[kind] = ["Unknown kind of notification."]
        elif channel not in Channel.values:
            errors[kind] = [f"Use one of {', '.join(Channel.values)}."]
    if errors:
        raise InvalidPreferences("Invalid preferences.", extra={"errors": errors})
    current = (
        user.notification_preferences if isinstance(user.notification_preferences, dict) else {}
    )
    user.notification_preferences = {**current, **preferences}
    user.save(update_fields=["notification_preferences"])
    return {kind: channel_for(user.notification_preferences, kind) for kind in kind_codes()}
