"""The relay in batches: a batch goes to the consumers in one call, a bad row is logged and left
pending, a run stops at its batch limit and says there is more, and rows another relay holds
are skipped rather than waited for."""

import logging

import pytest

from smarketing.events import _outbox_consumers, register_outbox_consumer
from smarketing.events.models import OutboxEvent
from smarketing.events.relay import outbox_relay
from smarketing.events.tasks import outbox_relay_task
from smarketing.tenancy.scope import cross_tenant_scope
from tests.row_locks import row_locked
from tests.webhooks.factories import OutboxEventFactory

pytestmark = pytest.mark.django_db


def relay(**kwargs):
    with cross_tenant_scope():
        return outbox_relay(**kwargs)


def pending() -> int:
    return OutboxEvent.all_tenants.filter(relayed_at__isnull=True).count()


@pytest.fixture
def consumer():
    batches: list[list[str]] = []
    refuse: set[str] = set()

    def consume(*, events):
        ids = [str(event.pk) for event in events]
        if refuse & set(ids):
            raise RuntimeError("this consumer refuses the row")
        batches.append(ids)

    register_outbox_consumer(consume)
    yield batches, refuse
    _outbox_consumers.remove(consume)


def test_a_batch_reaches_a_consumer_in_one_call(tenant, consumer):
    batches, _ = consumer
    events = OutboxEventFactory.create_batch(3, tenant=tenant)
    assert relay().as_dict() == {"relayed": 3, "failed": 0, "more": False}
    assert batches == [[str(event.pk) for event in events]]


def test_a_row_a_consumer_refuses_is_logged_and_left_while_the_others_are_relayed(
    tenant, consumer, caplog
):
    _, refuse = consumer
    _, bad = OutboxEventFactory.create_batch(2, tenant=tenant, event_type="lead.cold")
    refuse.add(str(bad.pk))
    with caplog.at_level(logging.ERROR, logger="smarketing.events.relay"):
        assert relay().as_dict() == {"relayed": 1, "failed": 1, "more": False}
    assert f"Outbox event {bad.pk} (lead.cold) was not relayed" in caplog.messages
    assert list(OutboxEvent.all_tenants.filter(relayed_at__isnull=True)) == [bad]


def test_a_run_stops_at_its_batch_limit_and_says_there_is_more(tenant, consumer):
    batches, _ = consumer
    OutboxEventFactory.create_batch(5, tenant=tenant)
    assert relay(max_batches=2, batch_size=2).as_dict() == {
        "relayed": 4, "failed": 0, "more": True,
    }  # fmt: skip
    assert [len(batch) for batch in batches] == [2, 2] and pending() == 1
    assert relay(max_batches=2, batch_size=1).as_dict() == {
        "relayed": 1, "failed": 0, "more": False,
    }  # fmt: skip


def test_nothing_pending_is_no_more_to_do_whatever_the_batch_size(tenant):
    assert relay(max_batches=3, batch_size=1).as_dict() == {
        "relayed": 0, "failed": 0, "more": False,
    }  # fmt: skip


def test_the_task_reports_what_the_run_did(tenant, consumer):
    OutboxEventFactory.create_batch(2, tenant=tenant)
    run = outbox_relay_task.apply()
    assert run.successful() and run.result == {"relayed": 2, "failed": 0, "more": False}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_another_relay_holds_are_skipped_not_waited_for(tenant, consumer):
    held, _ = OutboxEventFactory.create_batch(2, tenant=tenant)
    with row_locked(OutboxEvent, held.pk):
        assert relay().as_dict() == {"relayed": 1, "failed": 0, "more": False}
        assert list(OutboxEvent.all_tenants.filter(relayed_at__isnull=True)) == [held]
