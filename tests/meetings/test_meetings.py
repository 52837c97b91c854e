"""Planning meetings, regenerating their agenda, decisions and action items (services)."""

from datetime import UTC, date, datetime

import pytest

from meetings import services
from meetings.errors import InvalidMeetingData, MeetingHeld
from meetings.models import AgendaItem, Meeting
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.meetings.factories import ActionItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

TUESDAY_10_ROME = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def manager(tenant, member):
    return member(tenant, Role.MANAGER, email="mia@acme.example")


def create(tenant, manager, **data):
    with tenant_scope(tenant):
        return services.meeting_create(
            tenant=tenant,
            actor=Actor.member(manager, Role.MANAGER),
            data={"title": "Weekly", "scheduled_at": TUESDAY_10_ROME, **data},
        )


def test_a_meeting_without_a_period_covers_the_seven_days_before_its_day(tenant, manager):
    meeting = create(tenant, manager)

    assert (meeting.period_start, meeting.period_end) == (date(2026, 3, 3), date(2026, 3, 9))
    assert meeting.status == "planned"
    assert meeting.created_by == manager


def test_attendees_must_be_members_of_the_tenant(tenant, other_tenant, manager, member):
    rep = member(tenant, Role.SALES_REP, email="rep@acme.example")
    stranger = member(other_tenant, Role.SALES_REP, email="rep@globex.example")

    meeting = create(tenant, manager, attendees=["REP@acme.example", manager.email])
    with pytest.raises(InvalidMeetingData) as refused:
        create(tenant, manager, attendees=[stranger.email])

    with tenant_scope(tenant):
        assert set(meeting.attendees.all()) == {rep, manager}
    assert refused.value.errors == {
        "attendees": ["rep@globex.example is not a member of this tenant."]
    }


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"period_start": date(2026, 3, 9), "period_end": date(2026, 3, 2)}, "period_end"),
        ({"period_start": date(2026, 3, 2)}, "period_end"),
        ({"period_start": date(2024, 1, 1), "period_end": date(2026, 3, 2)}, "period_start"),
    ],
)
def test_a_period_must_be_whole_ordered_and_at_most_a_year(tenant, manager, period, field):
    with pytest.raises(InvalidMeetingData) as refused:
        create(tenant, manager, **period)

    assert list(refused.value.errors) == [field]
    assert Meeting.all_tenants.count() == 0


def test_regenerating_replaces_the_agenda_with_todays_numbers(tenant):
    meeting = MeetingFactory(
        tenant=tenant, period_start=date(2026, 3, 2), period_end=date(2026, 3, 8)
    )
    with tenant_scope(tenant):
        first = services.meeting_agenda_generate(meeting=meeting)
        again = services.meeting_agenda_generate(meeting=meeting)
    StageTransitionFactory(
        lead=LeadFactory(tenant=tenant), to_stage="mql", at=datetime(2026, 3, 4, 12, tzinfo=UTC)
    )
    with tenant_scope(tenant):
        third = services.meeting_agenda_generate(meeting=meeting)

    assert [i.title for i in first] == [i.title for i in again]
    stored = AgendaItem.all_tenants.filter(meeting=meeting).order_by("position")
    assert [i.pk for i in stored] == [i.pk for i in third]
    assert len(stored) == 10
    assert stored[0].title == "MQLs 1 — up from 0"


def test_reading_the_agenda_generates_it_once(tenant):
    meeting = MeetingFactory(tenant=tenant)
    with tenant_scope(tenant):
        first = services.meeting_agenda_ensure(meeting=meeting)
        second = services.meeting_agenda_ensure(meeting=meeting)

    assert [i.pk for i in first] == [i.pk for i in second]
    assert Meeting.all_tenants.get(pk=meeting.pk).agenda_generated_at is not None


def test_a_held_meeting_keeps_its_agenda_and_its_period(tenant, manager):
    meeting = MeetingFactory(tenant=tenant)
    actor = Actor.member(manager, Role.MANAGER)
    with tenant_scope(tenant):
        services.meeting_agenda_ensure(meeting=meeting)
        services.meeting_update(meeting=meeting, actor=actor, data={"status": "held"})
        with pytest.raises(MeetingHeld):
            services.meeting_agenda_generate(meeting=meeting)
        with pytest.raises(MeetingHeld):
            services.meeting_update(
                meeting=meeting, actor=actor, data={"period_start": date(2020, 1, 1)}
            )
        services.meeting_update(meeting=meeting, actor=actor, data={"notes": "Good one."})

    meeting.refresh_from_db()
    assert (meeting.status, meeting.notes) == ("held", "Good one.")
    assert AgendaItem.all_tenants.filter(meeting=meeting).count() == 10


def test_a_new_period_drops_the_stale_agenda(tenant, manager):
    meeting = MeetingFactory(tenant=tenant)
    with tenant_scope(tenant):
        services.meeting_agenda_ensure(meeting=meeting)
        services.meeting_update(
            meeting=meeting,
            actor=Actor.member(manager, Role.MANAGER),
            data={"period_start": meeting.period_start.replace(day=1)},
        )

    meeting.refresh_from_db()
    assert meeting.agenda_generated_at is None
    assert not AgendaItem.all_tenants.filter(meeting=meeting).exists()


def test_marking_an_action_item_done_and_open_again_keeps_done_at_in_step(tenant, manager):
    item = ActionItemFactory(tenant=tenant)
    actor = Actor.member(manager, Role.MANAGER)
    with tenant_scope(tenant):
        services.action_item_update(item=item, actor=actor, data={"status": "done"})
        done_at = item.done_at
        services.action_item_update(item=item, actor=actor, data={"status": "open"})

    assert done_at is not None
    item.refresh_from_db()
    assert (item.status, item.done_at) == ("open", None)


def test_an_action_item_owner_must_be_a_member(tenant, other_tenant, manager, member):
    meeting = MeetingFactory(tenant=tenant)
    outsider = member(other_tenant, Role.MANAGER)
    with tenant_scope(tenant), pytest.raises(InvalidMeetingData) as refused:
        services.action_item_create(
            meeting=meeting,
            actor=Actor.member(manager, Role.MANAGER),
            title="Call back",
            owner_email=outsider.email,
            due_on=date(2026, 3, 20),
        )

    assert list(refused.value.errors) == ["owner"]


def test_a_decision_records_who_took_it(tenant, manager):
    meeting = MeetingFactory(tenant=tenant)
    with tenant_scope(tenant):
        decision = services.decision_record(
            meeting=meeting,
            actor=Actor.member(manager, Role.MANAGER),
            text="  Webinar leads go to nurture first. ",
        )
        with pytest.raises(InvalidMeetingData):
            services.decision_record(
                meeting=meeting, actor=Actor.member(manager, Role.MANAGER), text="   "
            )

    assert (decision.text, decision.decided_by) == ("Webinar leads go to nurture first.", manager)
