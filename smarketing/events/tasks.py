"""The outbox relay task: kicked on commit after outbox writes, and run by beat as a sweep."""

import time

from celery import shared_task
from django.conf import settings

from smarketing.events.relay import RELAY_FLAG, outbox_relay
from smarketing.queueing import kick, taken
from smarketing.tenancy.scope import cross_tenant_scope


@shared_task(name="events.outbox_relay")
def outbox_relay_task() -> dict:
    """Relay pending outbox rows of every tenant. Safe to run any number of times at once."""
    linger = settings.OUTBOX_RELAY_LINGER_SECONDS
    if linger and not outbox_relay_task.app.conf.task_always_eager:
        # Rows committed meanwhile kick nothing (the flag is still set) and join this run:
        # a run's cost is mostly its own, so under steady traffic each event costs a share
        # of one. Webhooks leave up to this much later.
        time.sleep(linger)
    taken(RELAY_FLAG)  # rows committed from here on kick a new run
    with cross_tenant_scope():
        outcome = outbox_relay()
    if outcome.more:
        # Hand the rest to a fresh task: no single run comes near Celery's time limit.
        kick(outbox_relay_task)
    return outcome.as_dict()
