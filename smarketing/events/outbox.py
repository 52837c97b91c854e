import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from smarketing.events.models import OutboxEvent


def outbox_write(*, tenant: Any, event_type: str, data: dict[str, Any]) -> OutboxEvent:
    # Round-trip through the encoder so dates and decimals are stored as the wire shows them.
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return OutboxEvent.all_tenants.create(
        tenant_id=_id(tenant), event_type=event_type, data=payload
    )


def _id(tenant: Any) -> int:
    return tenant if isinstance(tenant, int) else tenant.pk
