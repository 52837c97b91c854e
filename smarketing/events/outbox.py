import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from smarketing.durability import require_durable_commit
from smarketing.events.models import OutboxEvent


def outbox_write_many(*, tenant: Any, event_type: str, items: list[dict[str, Any]]) -> list:
    """Write one outbox row per item; returns their ids.

    Dates and decimals are stored as the wire shows them (DjangoJSONEncoder). On PostgreSQL
    the rows go in as one JSON array in one statement: a bulk upsert of a thousand leads
    writes a thousand `lead.created` rows without a thousand model instances.
    """
    # What the outbox announces must survive a crash, whatever the transaction wrote before.
    require_durable_commit()
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    payload = json.dumps(items, cls=DjangoJSONEncoder)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SQL keywords are case-blind: no mutation of their case can be caught.
            cursor.execute(
                f"INSERT INTO {OutboxEvent._meta.db_table} (id, tenant_id, event_type, data, "
                "created_at) SELECT gen_random_uuid(), %s, %s, item, now() "  # pragma: no mutate
                "FROM jsonb_array_elements(%s::jsonb) AS item RETURNING id",  # pragma: no mutate
                [tenant_id, event_type, payload],
            )
            return [row[0] for row in cursor.fetchall()]
    rows = [
        OutboxEvent(tenant_id=tenant_id, event_type=event_type, data=item)
        for item in json.loads(payload)
    ]
    return [row.pk for row in OutboxEvent.all_tenants.bulk_create(rows)]
