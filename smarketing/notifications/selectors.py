"""Reads of notifications: always one person's, in one tenant."""

from __future__ import annotations

from django.db.models import BigIntegerField, Case, F, QuerySet, Value, When

from smarketing.notifications.kinds import channel_for, registered_kinds
from smarketing.notifications.models import Notification

# Unread rows sort above read ones; within each, newest first. One integer key keeps cursor
# pages exact (ids are unique and grow with time).
UNREAD_OFFSET = 10**15


def notifications_for(*, user) -> QuerySet[Notification]:
    """The person's in-app notifications of the current tenant, unread first."""
    return (
        Notification.objects.filter(user=user, in_app=True)
        .annotate(
            position=Case(
                When(read_at__isnull=True, then=F("id") + Value(UNREAD_OFFSET)),
                default=F("id"),
                output_field=BigIntegerField(),
            )
        )
        .order_by("-position")
    )


def unread_count(*, tenant_id: int, user_id: int) -> int:
    """The bell's number (explicit tenant: the bell renders in every page's top bar)."""
    return Notification.all_tenants.filter(
        tenant_id=tenant_id, user_id=user_id, in_app=True, read_at__isnull=True
    ).count()


def preferences_of(*, user) -> list[dict]:
    chosen = user.notification_preferences
    return [
        {"kind": kind.code, "label": kind.label, "channel": channel_for(chosen, kind.code)}
        for kind in registered_kinds()
    ]
