"""E-mail of notifications: one task per notification, and a sweep for kicks that were lost."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from smarketing.notifications.models import Notification
from smarketing.notifications.services import notification_email_send
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# A fresh notification's own task is usually on its way: the sweep leaves it a minute.
SWEEP_GRACE = timedelta(minutes=1)


@shared_task(name="notifications.email", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)  # fmt: skip
def notification_email_task(notification_id: int, tenant_id: int) -> bool:
    """Send one notification's e-mail; a second run (or a racing one) sends nothing."""
    with tenant_scope(tenant_id):
        return notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.email_sweep")
def notification_email_sweep(grace_seconds: float = SWEEP_GRACE.total_seconds()) -> int:
    """Send what is still unsent (the broker was down, a worker died, SMTP failed)."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    with cross_tenant_scope():
        due = list(
            Notification.all_tenants.filter(
                email=True,
                emailed_at__isnull=True,
                email_failed_at=None,
                created_at__lte=cutoff,
            )
            .order_by("created_at")
            .values_list("pk", "tenant_id")[:SWEEP_BATCH]
        )
    sent = 0
    for notification_id, tenant_id in due:
        try:
            with tenant_scope(tenant_id):
                sent += notification_email_send(notification_id=notification_id)
        except OSError:
            # The mail server is away: the next sweep tries again. (A message that cannot be
            # sent at all is marked failed by the service and does not come back.)
            logger.warning("notification %s: mail server unavailable", notification_id)
            continue
    return sent
