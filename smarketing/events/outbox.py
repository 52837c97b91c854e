import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from smarketing.events.models import OutboxEvent


def outbox_write_many(*, tenant: Any, event_type: str, items: list[dict[str, Any]]) -> list:
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    # Round-trip through the encoder so dates and decimals are stored as the wire shows them.
    rows = [
        OutboxEvent(
            tenant_id=tenant_id,
            event_type=event_type,
            data=json.loads(json.dumps(item, cls=DjangoJSONEncoder)),
        )
        for item in items
    ]
    return OutboxEvent.all_tenants.bulk_create(rows)
