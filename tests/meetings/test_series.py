"""Meeting series: the rule, meetings planned ahead with their agenda, invitations, edits
that move only the meetings to come, and the input refused with a clear message."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from icalendar import Calendar

from meetings.models import AgendaItem, Attendee, Meeting, MeetingSeries
from meetings.services import series_plan_due
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/meetings/series/"
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def people(tenant, member):
    return {
        "manager": member(tenant, Role.MANAGER, email="boss@acme.example"),
        "marketer": member(tenant, Role.MARKETER, email="mara@acme.example"),
        "rep": member(tenant, Role.SALES_REP, email="rep@acme.example"),
    }


@pytest.fixture
def api(tenant, people, api_client_for):
    return api_client_for(tenant, user=people["manager"], role=Role.MANAGER)


def body(**changes):
    return {"name": "Weekly alignment", "cadence": "weekly", "weekday": 0, "time": "10:00",
            "duration_minutes": 45, "timezone": "Europe/Rome",
            "attendees": ["mara@acme.example", "rep@acme.example"], **changes}  # fmt: skip


def invitations(method: str = "REQUEST") -> list:
    """The calendar parts of the e-mails sent, parsed, for one METHOD."""
    found = []
    for message in mail.outbox:
        for content, mimetype in message.alternatives:
            if mimetype.startswith("text/calendar") and f"method={method}" in mimetype:
                found.append((message.to, Calendar.from_ical(content)))
    return found


def test_a_weekly_series_plans_its_next_meeting_with_agenda_and_invites_attendees(
    api, clock, committed
):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))  # a Wednesday

    with committed():
        response = api.post(BASE, body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["cadence"] == "weekly" and data["time"] == "10:00"
    assert data["attendees"] == ["mara@acme.example", "rep@acme.example"]
    meetings = list(Meeting.all_tenants.filter(series_id=data["id"]).order_by("scheduled_at"))
    # Fourteen days ahead: the Mondays 11 and 18 January, at 10:00 in Rome.
    assert [m.scheduled_at.astimezone(ROME) for m in meetings] == [
        datetime(2027, 1, 11, 10, 0, tzinfo=ROME),
        datetime(2027, 1, 18, 10, 0, tzinfo=ROME),
    ]
    assert data["next_meeting"]["id"] == meetings[0].pk
    first = meetings[0]
    assert (first.period_start, first.period_end) == (date(2027, 1, 4), date(2027, 1, 10))
    assert AgendaItem.all_tenants.filter(meeting=first).count() >= 5
    assert first.agenda_generated_at is not None
    sent = invitations("REQUEST")
    assert sorted(to[0] for to, _ in sent) == sorted(["mara@acme.example", "rep@acme.example"] * 2)


def test_a_monthly_series_has_its_next_meeting_however_far_it_is(api, clock):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))

    response = api.post(BASE, body(cadence="monthly", weekday=1), format="json")

    assert response.status_code == 201, response.json()
    [meeting] = Meeting.all_tenants.filter(series_id=response.json()["id"])
    # The first Tuesday of February: 5 January has passed... it is the 2nd of February.
    assert meeting.scheduled_at.astimezone(ROME) == datetime(2027, 2, 2, 10, 0, tzinfo=ROME)
    assert (meeting.period_start, meeting.period_end) == (date(2027, 1, 5), date(2027, 2, 1))


def test_the_planner_creates_each_meeting_once_however_often_it_runs(api, clock):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))
    series_id = api.post(BASE, body(), format="json").json()["id"]

    assert series_plan_due() == 0
    later = clock.set(datetime(2027, 1, 13, 9, 0, tzinfo=ROME))
    assert series_plan_due(now=later) == 1
    assert series_plan_due(now=later) == 0
    days = sorted(
        Meeting.all_tenants.filter(series_id=series_id).values_list("occurs_on", flat=True)
    )
    assert days == [date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25)]


def test_a_time_the_clocks_skip_is_refused_with_the_day_it_happens(api, clock):
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=ROME))

    # Sundays at 02:30: on 28 March 2027 Rome's clocks jump from 02:00 to 03:00.
    response = api.post(BASE, body(weekday=6, time="02:30"), format="json")

    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"]["time"] == [
        "02:30 does not exist on 2027-03-28 in Europe/Rome: the clocks skip that hour when "
        "daylight saving time starts. Choose another time."
    ]
    assert not MeetingSeries.all_tenants.exists()


def test_an_attendee_of_another_tenant_is_refused(api, other_tenant, member):
    member(other_tenant, Role.MARKETER, email="spy@globex.example")

    response = api.post(BASE, body(attendees=["spy@globex.example"]), format="json")

    assert response.status_code == 409
    assert response.json()["errors"]["attendees"] == [
        "spy@globex.example is not a member of this tenant."
    ]


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_meeting_that_would_end_before_it_starts_is_refused(api, minutes):
    response = api.post(BASE, body(duration_minutes=minutes), format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["duration_minutes"] == [
        "The meeting would end before it starts: give a positive number of minutes."
    ]


def test_an_unknown_timezone_is_refused(api):
    response = api.post(BASE, body(timezone="Mars/Olympus"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["timezone"] == ["An IANA timezone such as Europe/Rome."]


def test_a_deleted_attendee_leaves_the_series_planning_for_the_others(api, people, clock):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))
    series_id = api.post(BASE, body(), format="json").json()["id"]

    people["rep"].delete()
    later = clock.set(datetime(2027, 1, 13, 9, 0, tzinfo=ROME))
    assert series_plan_due(now=later) == 1

    newest = Meeting.all_tenants.filter(series_id=series_id).latest("scheduled_at")
    emails = Attendee.all_tenants.filter(meeting=newest).values_list("user__email", flat=True)
    assert list(emails) == ["mara@acme.example"]
    assert api.get(f"{BASE}{series_id}/").json()["attendees"] == ["mara@acme.example"]


def test_editing_the_time_moves_the_meetings_to_come_and_leaves_held_ones(api, clock, committed):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))
    with committed():
        series_id = api.post(BASE, body(), format="json").json()["id"]
    later = clock.set(datetime(2027, 1, 12, 9, 0, tzinfo=ROME))  # the 11th was held
    series_plan_due(now=later)
    held = Meeting.all_tenants.get(series_id=series_id, occurs_on=date(2027, 1, 11))
    Meeting.all_tenants.filter(pk=held.pk).update(status="held")
    mail.outbox.clear()

    with committed():
        response = api.patch(f"{BASE}{series_id}/", {"time": "11:30"}, format="json")

    assert response.status_code == 200, response.json()
    held.refresh_from_db()
    assert held.scheduled_at.astimezone(ROME).hour == 10 and held.sequence == 0
    coming = Meeting.all_tenants.filter(series_id=series_id, occurs_on__gt=date(2027, 1, 11))
    assert {m.scheduled_at.astimezone(ROME).time().isoformat() for m in coming} == {"11:30:00"}
    assert {m.sequence for m in coming} == {1}
    updates = invitations("REQUEST")
    assert updates, "attendees are sent the update"
    event = updates[0][1].walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").astimezone(ROME).time().isoformat() == "11:30:00"


def test_editing_the_weekday_cancels_the_days_dropped_and_plans_the_new_ones(api, clock, committed):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))
    with committed():
        series_id = api.post(BASE, body(), format="json").json()["id"]
    monday = Meeting.all_tenants.filter(series_id=series_id).earliest("scheduled_at")
    mail.outbox.clear()

    with committed():
        response = api.patch(f"{BASE}{series_id}/", {"weekday": 3}, format="json")

    assert response.status_code == 200
    monday.refresh_from_db()
    assert monday.status == "cancelled" and monday.sequence == 1
    cancel = next(sent for to, sent in invitations("CANCEL") if to == ["mara@acme.example"])
    event = cancel.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{monday.ical_uid}@smarketing"
    assert event["STATUS"] == "CANCELLED"
    thursdays = Meeting.all_tenants.filter(series_id=series_id, status="planned")
    assert {m.occurs_on.weekday() for m in thursdays} == {3}


def test_creating_and_editing_a_series_write_audit_rows(api, tenant):
    series_id = api.post(BASE, body(), format="json").json()["id"]
    api.patch(f"{BASE}{series_id}/", {"name": "Alignment"}, format="json")

    rows = list(AuditEntry.all_tenants.filter(tenant=tenant).order_by("id"))
    actions = [row.action for row in rows if row.action.startswith("meetings.series")]
    assert actions == ["meetings.series_created", "meetings.series_changed"]
    assert rows[-1].changes == {"name": ["Weekly alignment", "Alignment"]}


def test_the_list_shows_the_tenants_series_only(api, other_tenant, tenant):
    from tests.meetings.factories import MeetingSeriesFactory

    MeetingSeriesFactory(tenant=other_tenant, name="Theirs")
    api.post(BASE, body(), format="json")

    names = [row["name"] for row in api.get(BASE).json()["results"]]

    assert names == ["Weekly alignment"]


def test_a_sales_rep_may_create_a_series_but_not_with_unknown_fields(tenant, api_client_for):
    rep_api = api_client_for(tenant, Role.SALES_REP)

    response = rep_api.post(BASE, {**body(attendees=[]), "starts_on": "2027-01-01"},
                            format="json")  # fmt: skip

    assert response.status_code == 400
    assert "starts_on" in response.json()["errors"]
    assert rep_api.post(BASE, body(attendees=[]), format="json").status_code == 201


def test_stopping_a_series_cancels_its_meetings_to_come_and_plans_no_more(api, clock, committed):
    clock.set(datetime(2027, 1, 6, 9, 0, tzinfo=ROME))
    with committed():
        series_id = api.post(BASE, body(), format="json").json()["id"]
    mail.outbox.clear()

    with committed():
        response = api.patch(f"{BASE}{series_id}/", {"active": False}, format="json")

    assert response.status_code == 200 and response.json()["active"] is False
    statuses = Meeting.all_tenants.filter(series_id=series_id).values_list("status", flat=True)
    assert set(statuses) == {"cancelled"}
    assert len(invitations("CANCEL")) == 4  # two meetings, two attendees each
    later = clock.set(datetime(2027, 2, 1, 9, 0, tzinfo=ROME))
    assert series_plan_due(now=later) == 0
