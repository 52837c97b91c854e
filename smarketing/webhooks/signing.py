"""The body and the `Smarketing-Signature` header of a delivery (contract.md).

`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, one `v1=` per secret that signs:
two while a rotation overlaps, so a receiver holding either secret accepts the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

HEADER = "Smarketing-Signature"


def delivery_body(*, event: Any, tenant_slug: str) -> bytes:
    """The exact bytes that are sent and signed; the same for every attempt of an event."""
    payload = {
        "id": str(event.pk),
        "type": event.event_type,
        "created_at": event.created_at,
        "tenant": tenant_slug,
        "data": event.data,
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    values = [f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets]
    return ",".join([f"t={timestamp}", *values])
