import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from smarketing.durability import require_durable_commit
from smarketing.events.models import OutboxEvent


def outbox_write_many(*, tenant: Any, event_type: str, items: list[dict[str, Any]]) -> list:
    """Write one outbox row per item; returns their ids.

    Dates and decimals are stored as the wire shows them (DjangoJSONEncoder). On PostgreSQL
    the rows go in as one JSON array in one statement: a bulk upsert of a thousand leads
    writes a thousand `lead.created` rows without a thousand model instances. Elsewhere
    (SQLite) plain rows go to one prepared INSERT, for the same reason.
    """
    # What the outbox announces must survive a crash, whatever the transaction wrote before.
    require_durable_commit()
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SQL keywords are case-blind: no mutation of their case can be caught.
            cursor.execute(
                f"INSERT INTO {OutboxEvent._meta.db_table} (id, tenant_id, event_type, data, "
                "created_at) SELECT gen_random_uuid(), %s, %s, item, now() "  # pragma: no mutate
                "FROM jsonb_array_elements(%s::jsonb) AS item RETURNING id",  # pragma: no mutate
                [tenant_id, event_type, json.dumps(items, cls=DjangoJSONEncoder)],
            )
            return [row[0] for row in cursor.fetchall()]
    ids = [uuid.uuid4() for _ in items]
    id_field = OutboxEvent._meta.pk
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {OutboxEvent._meta.db_table} (id, tenant_id, event_type, data, "
            "created_at) VALUES (%s, %s, %s, %s, %s)",
            [(id_field.get_db_prep_value(pk, connection), tenant_id, event_type,
              json.dumps(item, cls=DjangoJSONEncoder), at)
             for pk, item in zip(ids, items, strict=True)],
        )  # fmt: skip
    return ids
