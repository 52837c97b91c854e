"""Sending webhooks: a sweep that beat runs every 15 s and that new deliveries kick."""

from celery import shared_task

from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.webhooks.services import deliveries_send_due


@shared_task(name="webhooks.delivery_sweep")
def delivery_sweep_task() -> dict:
    """Send every due delivery of every tenant. Any number may run at once: claims are leased."""
    from smarketing.queueing import kick

    with cross_tenant_scope():
        return deliveries_send_due(on_full_batch=lambda: kick(delivery_sweep_task))
