"""Domain events: the one way an app reacts to what happened in another.

`publish` runs every handler subscribed to the event type inside the caller's transaction,
then writes the event to the outbox (same transaction) when it must reach the outside:
webhooks for integrations, notifications for people. Handlers are subscribed in each app's
`handlers.py`, so searching an event's name finds every reaction to it. No Django signals
carry business rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    "lead.merged",
    "sla.marketing_at_risk",
    "sla.marketing_missed",
)
# Events that reach people (notifications) but not integrations.
NOTIFYING_EVENT_TYPES = (
    "lead.assigned",
    "sla.warning",
    "sla.review_due",
    "webhook.endpoint_disabled",
    "lead.rejected",
    "lead.rejections_digest",
)
OUTBOX_EVENT_TYPES = frozenset(PUBLIC_EVENT_TYPES + NOTIFYING_EVENT_TYPES)

_handlers: dict[str, list[Handler]] = defaultdict(list)
_outbox_consumers: list[Callable[..., None]] = []
_recorders: ContextVar[tuple[set[str], ...]] = ContextVar("smarketing_event_recorders", default=())


def subscribe(event_type: str, handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def handlers_for(event_type: str) -> list[Handler]:
    return list(_handlers[event_type])


def register_outbox_consumer(consumer: Callable[..., None]) -> None:
    """Subscribe `consumer(*, events)` to the outbox relay (webhooks, notifications).

    The relay calls it with a batch of `OutboxEvent` rows, of any type and any tenant, inside
    the transaction that marks them relayed: what the consumer writes commits exactly once
    with them. A consumer that raises leaves its rows pending for the next relay.
    """
    if consumer not in _outbox_consumers:
        _outbox_consumers.append(consumer)


def outbox_consumers() -> list[Callable[..., None]]:
    return list(_outbox_consumers)


def publish_many(event_type: str, *, tenant: Any, items: list[dict[str, Any]], **context: Any):
    """Publish one event per item. Handlers get the whole batch at once (`items=`), so a
    bulk upsert of a thousand leads costs each handler one call, not a thousand.

    `items` are the JSON payloads the outside sees; `context` passes live objects (leads,
    the actor) to in-process handlers without putting them on the wire.
    """
    if not items:
        return []
    for seen in _recorders.get():
        seen.add(event_type)
    for handler in handlers_for(event_type):
        handler(tenant=tenant, items=items, **context)
    if event_type not in OUTBOX_EVENT_TYPES:
        return []
    from smarketing.events.outbox import outbox_write_many
    from smarketing.events.relay import relay_on_commit

    rows = outbox_write_many(tenant=tenant, event_type=event_type, items=items)
    relay_on_commit()
    return rows


def publish(event_type: str, *, tenant: Any, data: dict[str, Any], **context: Any):
    rows = publish_many(event_type, tenant=tenant, items=[data], **context)
    return rows[0] if rows else None


@contextmanager
def recording() -> Iterator[set[str]]:
    """The types of the events published inside the block, by anyone (handlers included):
    a service can tell whether anything beyond its own events reacted to its change."""
    seen: set[str] = set()
    reset = _recorders.set((*_recorders.get(), seen))
    try:
        yield seen
    finally:
        _recorders.reset(reset)
