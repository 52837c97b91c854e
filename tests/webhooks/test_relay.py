"""The outbox relay: events become one delivery per subscribed endpoint, exactly once."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smarketing.events import _outbox_consumers, publish, publish_many, register_outbox_consumer
from smarketing.events.models import OutboxEvent
from smarketing.events.relay import outbox_relay
from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.webhooks.models import WebhookDelivery
from tests.webhooks.factories import OutboxEventFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def relay(**kwargs):
    with cross_tenant_scope():
        return outbox_relay(**kwargs)


@pytest.fixture
def extra_consumer():
    """Register a consumer for one test only."""
    added = []

    def add(consumer):
        register_outbox_consumer(consumer)
        added.append(consumer)

    yield add
    for consumer in added:
        _outbox_consumers.remove(consumer)


def test_relay_creates_one_delivery_per_subscribed_enabled_endpoint(tenant, other_tenant):
    subscribed = WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    WebhookEndpointFactory(tenant=tenant, events=["sla.breached"])
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"], enabled=False)
    foreign = WebhookEndpointFactory(tenant=other_tenant, events=["lead.created"])
    event = OutboxEventFactory(tenant=tenant, event_type="lead.created")

    outcome = relay()

    assert outcome.relayed >= 1
    deliveries = list(WebhookDelivery.all_tenants.filter(event=event))
    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    assert deliveries[0].tenant_id == tenant.pk
    assert not WebhookDelivery.all_tenants.filter(endpoint=foreign).exists()
    event.refresh_from_db()
    assert event.relayed_at is not None


def test_relaying_an_event_twice_never_multiplies_its_deliveries(tenant):
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    event = OutboxEventFactory(tenant=tenant)
    relay()
    OutboxEvent.all_tenants.filter(pk=event.pk).update(relayed_at=None)  # a duplicate relay
    relay()
    assert WebhookDelivery.all_tenants.filter(event=event).count() == 1


def test_events_only_for_people_reach_consumers_but_no_webhook(tenant, extra_consumer):
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    seen = []
    extra_consumer(lambda *, events: seen.extend(e.event_type for e in events))
    OutboxEventFactory(tenant=tenant, event_type="lead.assigned")
    relay()
    assert seen == ["lead.assigned"]
    assert not WebhookDelivery.all_tenants.exists()


def test_one_bad_event_does_not_block_the_others(tenant, extra_consumer):
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    bad = OutboxEventFactory(tenant=tenant, data={"id": -1})
    good = [OutboxEventFactory(tenant=tenant) for _ in range(3)]

    def picky(*, events):
        if any(e.data.get("id") == -1 for e in events):
            raise RuntimeError("cannot handle this one")

    extra_consumer(picky)
    outcome = relay(batch_size=2)

    assert outcome.failed == [bad.pk]
    assert outcome.relayed == 3
    assert WebhookDelivery.all_tenants.filter(event__in=good).count() == 3
    # The bad row stays pending (with no half-made deliveries) for the next relay.
    assert not WebhookDelivery.all_tenants.filter(event=bad).exists()
    bad.refresh_from_db()
    assert bad.relayed_at is None


def test_a_consumer_runs_once_per_event_however_often_the_relay_runs(tenant, extra_consumer):
    seen = []
    extra_consumer(lambda *, events: seen.extend(e.pk for e in events))
    event = OutboxEventFactory(tenant=tenant)
    relay()
    relay()
    assert seen == [event.pk]


def test_a_transaction_with_many_events_kicks_the_relay_once(
    tenant, django_capture_on_commit_callbacks
):
    from smarketing.events.relay import _kick_relay

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        publish_many("meeting.action_item_due", tenant=tenant, items=[{"id": 1}, {"id": 2}])
        publish("webhook.endpoint_disabled", tenant=tenant, data={"id": 1})
        publish("tenant.settings_viewed", tenant=tenant, data={"id": 1})  # not in the outbox
    assert [c for c in callbacks if c is _kick_relay] == [_kick_relay]


def test_published_events_are_delivered_after_commit(
    tenant, django_capture_on_commit_callbacks, monkeypatch
):
    endpoint = WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    sent = []
    monkeypatch.setattr(
        "smarketing.webhooks.services.deliveries.send_batch", lambda ids: sent.extend(ids) or {}
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish("lead.created", tenant=tenant, data={"id": 7})
    delivery = WebhookDelivery.all_tenants.get(endpoint=endpoint)
    assert sent == [delivery.pk]


def test_a_broker_outage_never_fails_the_commit_and_loses_no_event(
    tenant, monkeypatch, django_capture_on_commit_callbacks
):
    from smarketing import queueing
    from smarketing.events.tasks import outbox_relay_task

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(1)
        raise ConnectionRefusedError("broker down")

    conf = outbox_relay_task.app.conf
    monkeypatch.setattr(outbox_relay_task, "apply_async", refuse)
    queueing.resume()
    conf.task_always_eager = False
    try:
        for number in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                publish("meeting.action_item_due", tenant=tenant, data={"id": number})
    finally:
        conf.task_always_eager = True
        queueing.resume()
    # One try, then the sender stops asking the dead broker; every event waits for the sweep.
    assert attempts == [1]
    assert OutboxEvent.all_tenants.filter(relayed_at__isnull=True).count() == 3


@pytest.mark.redis
def test_a_burst_of_commits_kicks_one_relay_until_it_starts(monkeypatch):
    """Kicks wait for the relay already queued; once it has started, the next one kicks."""
    from smarketing import queueing
    from smarketing.celery import app
    from smarketing.events import relay as relay_module
    from smarketing.events.relay import RELAY_FLAG
    from smarketing.shared_redis import shared_redis

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    sent = []
    monkeypatch.setattr(queueing, "kick", lambda task, *args: sent.append(task.name) or True)
    shared_redis().delete(f"kick:{RELAY_FLAG}")
    for _ in range(5):
        relay_module._kick_relay()
    assert sent == ["events.outbox_relay"]
    queueing.taken(RELAY_FLAG)  # what the task does first
    relay_module._kick_relay()
    assert sent == ["events.outbox_relay"] * 2
    shared_redis().delete(f"kick:{RELAY_FLAG}")


def test_a_new_delivery_is_due_now_and_retried_for_a_day(tenant):
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    event = OutboxEventFactory(tenant=tenant)
    before = timezone.now()
    relay()
    delivery = WebhookDelivery.all_tenants.get(event=event)
    assert (delivery.event_type, delivery.status, delivery.attempts) == (
        "lead.created",
        "pending",
        0,
    )
    assert before <= delivery.next_attempt_at <= timezone.now()
    assert delivery.give_up_at - delivery.next_attempt_at == timedelta(hours=24)


def test_a_second_relay_of_an_event_adds_nothing_and_fails_nothing(tenant):
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    event = OutboxEventFactory(tenant=tenant)
    relay()
    OutboxEvent.all_tenants.filter(pk=event.pk).update(relayed_at=None)
    assert relay().failed == []
    assert WebhookDelivery.all_tenants.filter(event=event).count() == 1


def test_an_erased_event_gets_no_delivery(tenant):
    WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    OutboxEventFactory(tenant=tenant, erased_at=timezone.now())
    relay()
    assert not WebhookDelivery.all_tenants.exists()


def test_relaying_costs_the_same_queries_whatever_the_number_of_endpoints(tenant):
    def queries_to_relay(endpoints: int) -> int:
        WebhookEndpointFactory.create_batch(endpoints, tenant=tenant, events=["lead.created"])
        OutboxEventFactory.create_batch(2, tenant=tenant)
        with CaptureQueriesContext(connection) as queries:
            relay()
        return len(queries)

    assert queries_to_relay(1) == queries_to_relay(4)


def test_the_apps_start_up_can_run_again_without_registering_twice():
    consumers = list(_outbox_consumers)
    apps.get_app_config("webhooks").ready()
    assert _outbox_consumers == consumers
