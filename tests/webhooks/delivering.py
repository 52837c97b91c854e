"""What the delivery tests share: a sweep of what is due, a fresh read of a delivery, a failed
attempt (the receiver on loopback is a fixture of `conftest.py`)."""

from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.webhooks.models import WebhookDelivery
from smarketing.webhooks.sending import Attempt
from smarketing.webhooks.services import deliveries_send_due


def send_due():
    with cross_tenant_scope():
        return deliveries_send_due(budget_seconds=10)


def refreshed(delivery):
    return WebhookDelivery.all_tenants.get(pk=delivery.pk)


def fail(status=503, excerpt="receiver is down"):
    return Attempt(ok=False, status=status, excerpt=excerpt)
