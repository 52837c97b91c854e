"""Publishing: each subscribed handler runs once with the caller's context, and the outbox row
written for the event comes back to the caller."""

import pytest

from smarketing.events import _handlers, publish, subscribe
from smarketing.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def handler(**kwargs):
        calls.append(kwargs)

    yield handler, calls
    _handlers["test.heard"].clear()
    _handlers.pop("test.heard")


def test_a_handler_subscribed_twice_runs_once_with_the_callers_context(tenant, heard):
    handler, calls = heard
    subscribe("test.heard", handler)
    subscribe("test.heard", handler)
    publish("test.heard", tenant=tenant, data={"id": 7}, actor="someone")
    assert calls == [{"tenant": tenant, "items": [{"id": 7}], "actor": "someone"}]


def test_publishing_an_outside_event_returns_its_outbox_row(tenant):
    row = publish("lead.cold", tenant=tenant, data={"id": 7})
    assert OutboxEvent.all_tenants.get(pk=row).data == {"id": 7}
    assert publish("lead.assigned_internally", tenant=tenant, data={"id": 7}) is None
