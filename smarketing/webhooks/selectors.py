"""Reads about webhooks, in the current tenant scope."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("-id")


def endpoint_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The delivery log of one endpoint, newest first; `payload_erased` marks deliveries
    whose event held personal data that was erased (they are never sent again)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .annotate(
            payload_erased=ExpressionWrapper(
                Q(event__erased_at__isnull=False), output_field=BooleanField()
            )
        )
        .order_by("-id")
    )
