"""Obligations when two leads are merged and the merge is undone, called as the SLA's
`lead.merged` / `lead.unmerged` handlers call them: what moves, what is cancelled and
reopened, the notes the merge shows, the queue's deadline copy, the days marked for a rebuild."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.models import Lead
from sla.models import Obligation, RollupDirtyDay
from sla.services.merges import obligations_merge, obligations_unmerge
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import ObligationFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)  # in the past: its day can be marked dirty
MERGED_AT = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def pending(tenant, lead, kind="accept", hours=4, opened_at=MONDAY, **fields):
    return ObligationFactory(tenant=tenant, lead=lead, kind=kind, opened_at=opened_at,
                             due_at=opened_at + hours * HOUR, **fields)  # fmt: skip


def rows():
    return {o.pk: (o.lead_id, o.status) for o in Obligation.all_tenants.all()}


def queue_deadline(lead):
    return Lead.all_tenants.values_list("accept_due_at", flat=True).get(pk=lead.pk)


def queue_deadline_and_warning(lead):
    return Lead.all_tenants.values_list("accept_due_at", "accept_warn_at").get(pk=lead.pk)


def merge(tenant, survivor, other):
    with tenant_scope(tenant):
        return obligations_merge(survivor_id=survivor.pk, other_id=other.pk, now=MERGED_AT)


def unmerge(tenant, survivor, other, record):
    with tenant_scope(tenant):
        obligations_unmerge(survivor_id=survivor.pk, other_id=other.pk, record=record)


@pytest.fixture
def leads(tenant):
    return LeadFactory(tenant=tenant, stage="sql"), LeadFactory(tenant=tenant, stage="sql")


def test_the_later_of_two_pending_deadlines_is_cancelled_and_the_merge_says_so(tenant, leads):
    survivor, other = leads
    later = pending(tenant, survivor, hours=8)
    earlier = pending(tenant, other, hours=2)
    record, notes = merge(tenant, survivor, other)
    assert record == {"moved": [earlier.pk], "cancelled": [later.pk]}
    assert notes == [
        "Both leads had a pending “Accept or reject the SQL” obligation: kept the earlier "
        "deadline (2026-03-23T12:00+00:00), cancelled the later one."
    ]
    assert rows() == {later.pk: (survivor.pk, "cancelled"), earlier.pk: (survivor.pk, "pending")}
    assert Obligation.all_tenants.get(pk=later.pk).cancelled_at == MERGED_AT
    assert queue_deadline(survivor) == MONDAY + 2 * HOUR


def test_the_survivors_deadline_is_kept_when_it_is_the_earlier_one(tenant, leads):
    survivor, other = leads
    earlier = pending(tenant, survivor, hours=2)
    later = pending(tenant, other, hours=8)
    record, _ = merge(tenant, survivor, other)
    assert record == {"moved": [later.pk], "cancelled": [later.pk]}
    assert rows() == {earlier.pk: (survivor.pk, "pending"), later.pk: (survivor.pk, "cancelled")}


def test_equal_deadlines_keep_the_survivors_own(tenant, leads):
    survivor, other = leads
    own = pending(tenant, survivor, hours=4)
    theirs = pending(tenant, other, hours=4)
    record, _ = merge(tenant, survivor, other)
    assert record["cancelled"] == [theirs.pk]
    assert Obligation.all_tenants.get(pk=own.pk).status == "pending"


def test_each_kind_owed_by_both_is_settled_even_when_another_kind_is_not(tenant, leads):
    survivor, other = leads
    pending(tenant, survivor, kind="accept")  # only the survivor owes an accept
    own = pending(tenant, survivor, kind="first_touch", hours=8)
    theirs = pending(tenant, other, kind="first_touch", hours=3)
    record, notes = merge(tenant, survivor, other)
    assert record["cancelled"] == [own.pk]
    assert [note.split(":")[0] for note in notes] == [
        "Both leads had a pending “First sales touch” obligation"
    ]
    assert Obligation.all_tenants.get(pk=theirs.pk).status == "pending"


def test_answered_obligations_move_and_are_never_cancelled(tenant, leads):
    survivor, other = leads
    own = pending(tenant, survivor, hours=8)
    met = pending(tenant, other, hours=2, status="met", met_at=MONDAY + HOUR)
    second = pending(tenant, other, kind="first_touch")
    record, notes = merge(tenant, survivor, other)
    assert record == {"moved": [met.pk, second.pk], "cancelled": []}
    assert notes == []
    assert rows() == {own.pk: (survivor.pk, "pending"), met.pk: (survivor.pk, "met"),
                      second.pk: (survivor.pk, "pending")}  # fmt: skip


def test_a_merge_leaves_other_leads_obligations_alone(tenant, leads):
    survivor, other = leads
    bystander = pending(tenant, LeadFactory(tenant=tenant, stage="sql"), hours=1)
    pending(tenant, survivor, hours=8)
    pending(tenant, other, hours=4)
    record, _ = merge(tenant, survivor, other)
    assert bystander.pk not in record["moved"] + record["cancelled"]
    assert Obligation.all_tenants.get(pk=bystander.pk).status == "pending"


def test_a_merge_and_its_undo_mark_the_cancelled_obligations_day(tenant, leads):
    survivor, other = leads
    pending(tenant, survivor, hours=8, opened_at=MONDAY - timedelta(days=3))
    pending(tenant, other, hours=200, opened_at=MONDAY - timedelta(days=5))
    record, _ = merge(tenant, survivor, other)
    dirty = RollupDirtyDay.all_tenants.filter(tenant=tenant)
    assert list(dirty.values_list("day", flat=True)) == [(MONDAY - timedelta(days=5)).date()]
    dirty.delete()
    unmerge(tenant, survivor, other, record)
    assert list(dirty.values_list("day", flat=True)) == [(MONDAY - timedelta(days=5)).date()]


def test_undo_moves_each_obligation_back_and_reopens_only_what_the_merge_cancelled(tenant, leads):
    survivor, other = leads
    later = pending(tenant, survivor, hours=8)
    earlier = pending(tenant, other, hours=2)
    touch = pending(tenant, other, kind="first_touch")
    pending(tenant, LeadFactory(tenant=tenant), status="cancelled", cancelled_at=MONDAY)
    before = rows()
    record, _ = merge(tenant, survivor, other)
    unmerge(tenant, survivor, other, record)
    assert rows() == before
    assert Obligation.all_tenants.get(pk=later.pk).cancelled_at is None
    assert queue_deadline(survivor) == later.due_at
    assert queue_deadline(other) == earlier.due_at
    assert touch.lead_id == other.pk


def test_undo_leaves_alone_what_changed_since_the_merge(tenant, leads):
    survivor, other = leads
    later = pending(tenant, survivor, hours=8)
    earlier = pending(tenant, other, hours=2)
    record, _ = merge(tenant, survivor, other)
    # Since the merge the kept obligation was answered, and the cancelled one moved away.
    elsewhere = LeadFactory(tenant=tenant, stage="sql")
    Obligation.all_tenants.filter(pk=earlier.pk).update(lead=elsewhere)
    Obligation.all_tenants.filter(pk=later.pk).update(status="met", met_at=MERGED_AT)
    unmerge(tenant, survivor, other, {**record, "moved": [earlier.pk]})
    assert rows() == {later.pk: (survivor.pk, "met"), earlier.pk: (elsewhere.pk, "pending")}


def test_undo_of_a_merge_that_moved_nothing_changes_nothing(tenant, leads):
    survivor, other = leads
    own = pending(tenant, survivor)
    unmerge(tenant, survivor, other, {})
    assert rows() == {own.pk: (survivor.pk, "pending")}


def test_the_survivor_keeps_its_own_pending_accept_deadline_in_the_queue(tenant, active_sla):
    active_sla()
    waiting = ObligationFactory(tenant=tenant, opened_at=MONDAY)  # due 14:00, warned 13:12
    # The other lead was accepted last week: its accept answered, its first touch owed.
    last_week = MONDAY - timedelta(days=7)
    answered = ObligationFactory(tenant=tenant, status="met", opened_at=last_week,
                                 met_at=last_week + timedelta(hours=1))  # fmt: skip
    ObligationFactory(tenant=tenant, lead=answered.lead, kind="first_touch",
                      opened_at=MONDAY - timedelta(days=6))  # fmt: skip
    # Another SQL of the tenant, its queue copy written by hand to see whether a merge writes it.
    elsewhere = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    Lead.all_tenants.filter(pk=elsewhere.lead_id).update(accept_due_at=None, accept_warn_at=None)

    with tenant_scope(tenant):
        obligations_merge(survivor_id=waiting.lead_id, other_id=answered.lead_id, now=MONDAY)

    assert queue_deadline_and_warning(waiting.lead) == (waiting.due_at, waiting.warn_at)
    assert queue_deadline_and_warning(elsewhere.lead) == (None, None)  # not one of the merged
