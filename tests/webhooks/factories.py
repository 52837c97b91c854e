import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from smarketing.events.models import OutboxEvent
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import TenantFactory, TenantScopedFactory


class OutboxEventFactory(TenantScopedFactory):
    class Meta:
        model = OutboxEvent

    id = factory.LazyFunction(uuid.uuid4)
    tenant = factory.SubFactory(TenantFactory)
    event_type = "lead.created"
    data = factory.Sequence(lambda n: {"id": n, "email": f"lead{n}@prospect.example"})


class WebhookEndpointFactory(TenantScopedFactory):
    class Meta:
        model = WebhookEndpoint

    tenant = factory.SubFactory(TenantFactory)
    # Loopback, port 9 (discard): a delivery a test forgets to stub fails fast and goes nowhere.
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/hooks/{n}")
    events = factory.LazyFunction(lambda: ["lead.created", "lead.stage_changed"])


class WebhookDeliveryFactory(TenantScopedFactory):
    class Meta:
        model = WebhookDelivery

    tenant = factory.SubFactory(TenantFactory)
    endpoint = factory.SubFactory(WebhookEndpointFactory, tenant=factory.SelfAttribute("..tenant"))
    event = factory.SubFactory(OutboxEventFactory, tenant=factory.SelfAttribute("..tenant"))
    event_type = factory.LazyAttribute(lambda o: o.event.event_type)
    next_attempt_at = factory.LazyFunction(timezone.now)
    give_up_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))
