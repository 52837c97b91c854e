"""Every write about webhooks: endpoints (admins) and deliveries (the sender)."""

from smarketing.webhooks.services.deliveries import (
    claim_due,
    deliveries_send_due,
    deliveries_stop_erased,
    delivery_may_be_sent,
    delivery_redeliver,
    record_attempt,
    send_batch,
    send_on_commit,
)
from smarketing.webhooks.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_disable_failing,
    endpoint_rotate_secret,
    endpoint_update,
)

__all__ = [
    "claim_due",
    "deliveries_send_due",
    "deliveries_stop_erased",
    "delivery_may_be_sent",
    "delivery_redeliver",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_disable_failing",
    "endpoint_rotate_secret",
    "endpoint_update",
    "record_attempt",
    "send_batch",
    "send_on_commit",
]
