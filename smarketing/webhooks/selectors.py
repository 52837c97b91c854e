"""Reads about webhooks, in the current tenant scope."""

from datetime import datetime, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, QuerySet

from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

# How far back a failed delivery makes its endpoint "failing".
FAILING_WINDOW = timedelta(hours=24)


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


def endpoints_failing(*, now: datetime) -> QuerySet[WebhookEndpoint]:
    """Endpoints whose deliveries fail: given up on, or retrying after a failed attempt,
    within `FAILING_WINDOW`; each with its `failed` count and `last_failure_at`, the most
    recently failing first. One query, however many deliveries."""
    recent = Q(
        deliveries__last_attempt_at__gte=now - FAILING_WINDOW,
    ) & (
        # A delivery that succeeded has no failures (they reset), so `failures > 0` is one
        # that is retrying, or was given up on after failing.
        Q(deliveries__status=DeliveryStatus.FAILED) | Q(deliveries__failures__gt=0)
    )
    return (
        WebhookEndpoint.objects.annotate(
            failed=Count("deliveries", filter=recent),
            last_failure_at=Max("deliveries__last_attempt_at", filter=recent),
        )
        .filter(failed__gt=0)
        .order_by("-last_failure_at", "-id")
    )
