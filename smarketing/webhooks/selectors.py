"""Reads about webhooks, in the current tenant scope."""

from django.db.models import QuerySet

from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("-id")


def endpoint_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The delivery log of one endpoint, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-id")
