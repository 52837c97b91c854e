"""`meeting.action_item_due`: published once per action item when its due day comes."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from meetings import services
from meetings.tasks import action_items_due
from smarketing.events.models import OutboxEvent
from smarketing.events.relay import outbox_relay
from smarketing.notifications.models import Notification
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from tests.meetings.factories import ActionItemFactory
from tests.scopes import deployed

announce = deployed(services.action_items_due_announce)

pytestmark = pytest.mark.django_db

# 00:30 on 5 March in Rome (the tenant's timezone) is still 4 March in UTC.
JUST_AFTER_MIDNIGHT_ROME = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)


def due_events():
    return list(
        OutboxEvent.all_tenants.filter(event_type="meeting.action_item_due").order_by("created_at")
    )


def test_an_item_is_announced_once_however_often_the_task_runs(tenant, member, clock):
    owner = member(tenant, Role.MARKETER, email="mara@acme.example")
    item = ActionItemFactory(
        tenant=tenant, owner=owner, title="Fix the webinar form", due_on=date(2026, 3, 5)
    )
    clock.set(JUST_AFTER_MIDNIGHT_ROME)

    assert action_items_due.delay().get() == 1
    assert action_items_due.delay().get() == 0

    [event] = due_events()
    assert event.tenant_id == tenant.pk
    assert event.data == {
        "id": item.pk,
        "title": "Fix the webinar form",
        "owner": {"id": owner.pk, "email": "mara@acme.example"},
        "due_on": "2026-03-05",
        "meeting": item.meeting_id,
    }
    item.refresh_from_db()
    assert item.due_notified_at == JUST_AFTER_MIDNIGHT_ROME


def test_items_not_due_yet_in_the_tenants_day_or_done_are_not_announced(tenant):
    ActionItemFactory(tenant=tenant, due_on=date(2026, 3, 6))
    ActionItemFactory(
        tenant=tenant,
        due_on=date(2026, 3, 1),
        status="done",
        done_at=datetime(2026, 3, 1, tzinfo=UTC),
    )

    assert announce(now=JUST_AFTER_MIDNIGHT_ROME) == 0
    assert due_events() == []


def test_each_tenant_is_announced_on_its_own_day(tenant, other_tenant):
    ActionItemFactory(tenant=tenant, due_on=date(2026, 3, 5))  # Rome: the 5th has begun
    other_tenant.timezone = "America/New_York"  # still the 4th there
    other_tenant.save(update_fields=["timezone"])
    ActionItemFactory(tenant=other_tenant, due_on=date(2026, 3, 5))

    assert announce(now=JUST_AFTER_MIDNIGHT_ROME) == 1
    assert announce(now=datetime(2026, 3, 5, 6, tzinfo=UTC)) == 1
    assert [event.tenant_id for event in due_events()] == [tenant.pk, other_tenant.pk]


def test_a_new_due_date_is_announced_again_when_it_comes(tenant, member):
    item = ActionItemFactory(tenant=tenant, due_on=date(2026, 3, 5))
    announce(now=JUST_AFTER_MIDNIGHT_ROME)
    with tenant_scope(tenant):
        services.action_item_update(
            item=item,
            actor=Actor.member(item.owner, Role.MARKETER),
            data={"due_on": date(2026, 3, 12)},
        )

    assert announce(now=datetime(2026, 3, 11, 12, tzinfo=UTC)) == 0
    assert announce(now=datetime(2026, 3, 12, 12, tzinfo=UTC)) == 1
    assert [e.data["due_on"] for e in due_events()] == ["2026-03-05", "2026-03-12"]


def test_the_owner_is_notified_that_the_item_is_due(tenant, member):
    owner = member(tenant, Role.SALES_REP)
    item = ActionItemFactory(
        tenant=tenant, owner=owner, title="Call Officine Rossi back", due_on=date(2026, 3, 5)
    )
    announce(now=JUST_AFTER_MIDNIGHT_ROME)
    with cross_tenant_scope():
        outbox_relay()

    [note] = Notification.all_tenants.filter(user=owner)
    assert note.kind == "action_item_due"
    assert note.title == "Action item due: Call Officine Rossi back"
    assert note.url == f"/t/acme/meetings/{item.meeting_id}/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweeps_running_side_by_side_announce_each_item_once(tenant):
    ActionItemFactory.create_batch(20, tenant=tenant, due_on=date(2026, 3, 5))
    results, barrier = [], threading.Barrier(4)

    def sweep():
        try:
            barrier.wait()
            results.append(announce(now=JUST_AFTER_MIDNIGHT_ROME))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 20
    assert len(due_events()) == 20
    assert len({event.data["id"] for event in due_events()}) == 20
