"""Domain events: the one way an app reacts to what happened in another.

`publish` runs every handler subscribed to the event type inside the caller's transaction,
then writes the event to the outbox (same transaction) for webhooks and notifications.
Handlers are subscribed in each app's `handlers.py`, so searching an event's name finds
every reaction to it. No Django signals carry business rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]

# The events integrations may subscribe to with webhooks (contract.md).
PUBLIC_EVENT_TYPES = (
    "lead.created",
    "lead.stage_changed",
    "lead.accepted",
    "lead.cold",
    "sla.breached",
    "meeting.action_item_due",
)

_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event_type: str, handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def handlers_for(event_type: str) -> list[Handler]:
    return list(_handlers[event_type])


def publish(
    event_type: str, *, tenant: Any, data: dict[str, Any], outbox: bool = True, **context: Any
):
    """Run the handlers of `event_type`, then record it in the outbox.

    `data` is the JSON payload integrations see; `context` passes live objects (the lead, the
    actor) to in-process handlers without putting them on the wire. Returns the outbox row.
    """
    for handler in handlers_for(event_type):
        handler(tenant=tenant, data=data, **context)
    if not outbox:
        return None
    from smarketing.events.outbox import outbox_write

    return outbox_write(tenant=tenant, event_type=event_type, data=data)
