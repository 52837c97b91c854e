import uuid

import factory

from smarketing.notifications.models import Notification
from tests.factories import MembershipFactory, TenantFactory, TenantScopedFactory


class NotificationFactory(TenantScopedFactory):
    class Meta:
        model = Notification

    tenant = factory.SubFactory(TenantFactory)
    user = factory.LazyAttribute(
        lambda o: MembershipFactory(tenant=o.tenant, role="sales_rep").user
    )
    kind = "lead_assigned"
    title = factory.Sequence(lambda n: f"Lead routed to you: lead {n}")
    body = "Yours to accept."
    url = "/t/acme/leads/1/"
    event_id = factory.LazyFunction(uuid.uuid4)
