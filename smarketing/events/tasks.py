"""The outbox relay task: kicked on commit after outbox writes, and run by beat as a sweep."""

from celery import shared_task

from smarketing.events.relay import RELAY_FLAG, outbox_relay
from smarketing.queueing import kick, taken
from smarketing.tenancy.scope import cross_tenant_scope


@shared_task(name="events.outbox_relay")
def outbox_relay_task() -> dict:
    """Relay pending outbox rows of every tenant. Safe to run any number of times at once."""
    taken(RELAY_FLAG)  # rows committed from here on kick a new run
    with cross_tenant_scope():
        outcome = outbox_relay()
    if outcome.more:
        # Hand the rest to a fresh task: no single run comes near Celery's time limit.
        kick(outbox_relay_task)
    return outcome.as_dict()
