"""/api/v1/meetings/: meetings, their generated agenda, decisions and action items."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import ActionItem, AgendaItem, Meeting
from smarketing.tenancy.roles import Role
from tests.meetings.factories import (
    ActionItemFactory,
    AttendeeFactory,
    DecisionFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/meetings/"


@pytest.fixture
def api(tenant, api_client_for):
    return api_client_for(tenant, Role.MARKETER)


def test_a_member_plans_a_meeting_with_attendees(tenant, member, api):
    rep = member(tenant, Role.SALES_REP, email="rep@acme.example")

    response = api.post(
        BASE,
        {
            "title": "Weekly alignment",
            "scheduled_at": "2026-03-10T10:00:00+01:00",
            "attendees": ["rep@acme.example"],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["period_start"], body["period_end"]) == ("2026-03-03", "2026-03-09")
    assert body["attendees"] == [{"id": rep.pk, "email": "rep@acme.example"}]
    assert body["created_by"]["email"] == api.user.email
    assert (body["status"], body["decisions"], body["action_items"]) == ("planned", [], [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduled_at": "2026-03-10T10:00:00Z"}, "title"),
        ({"title": "W", "scheduled_at": "2026-03-10T10:00:00Z", "status": "held"}, "status"),
        (
            {
                "title": "W",
                "scheduled_at": "2026-03-10T10:00:00Z",
                "period_start": "2026-03-09",
                "period_end": "2026-03-01",
            },
            "period_end",
        ),
        ({"title": "W", "scheduled_at": "0001-01-01T00:00:00Z"}, "scheduled_at"),
        (
            {
                "title": "W",
                "scheduled_at": "2026-03-10T10:00:00Z",
                "period_start": "9999-12-25",
                "period_end": "9999-12-31",
            },
            "period_start",
        ),
    ],
)
def test_an_invalid_meeting_is_a_400_naming_the_field(api, body, field):
    response = api.post(BASE, body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Meeting.all_tenants.count() == 0


def test_an_attendee_who_is_no_member_is_a_conflict_naming_the_field(api):
    body = {"title": "W", "scheduled_at": "2026-03-10T10:00:00Z", "attendees": ["x@y.example"]}
    response = api.post(BASE, body)

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["errors"] == {
        "attendees": ["x@y.example is not a member of this tenant."]
    }
    assert Meeting.all_tenants.count() == 0


def test_an_integration_key_reads_meetings_but_plans_none(tenant, api_client_for):
    integration = api_client_for(tenant)
    MeetingFactory(tenant=tenant)

    assert integration.get(BASE).status_code == 200
    response = integration.post(BASE, {"title": "W", "scheduled_at": "2026-03-10T10:00:00Z"})
    assert response.status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(tenant, api):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(BASE).status_code == 200
        return len(captured)

    AttendeeFactory(tenant=tenant)
    queries_for_list()  # the first call also records when the key was last used
    few = queries_for_list()
    for _ in range(5):
        AttendeeFactory.create_batch(2, tenant=tenant, meeting=MeetingFactory(tenant=tenant))

    assert queries_for_list() == few
    assert len(api.get(BASE).json()["results"]) == 6


def test_reading_the_agenda_generates_it_and_regenerating_replaces_it(tenant, api):
    meeting = MeetingFactory(tenant=tenant)

    first = api.get(f"{BASE}{meeting.pk}/agenda/")
    again = api.get(f"{BASE}{meeting.pk}/agenda/")
    regenerated = api.post(f"{BASE}{meeting.pk}/agenda/regenerate/")

    assert first.status_code == 200
    body = first.json()
    assert body["meeting"] == meeting.pk
    assert [item["position"] for item in body["items"]] == list(range(1, 11))
    assert body["items"][2]["kind"] == "acceptance"
    assert body["items"][2]["figures"]["accepted"] == 0
    assert again.json()["generated_at"] == body["generated_at"]
    assert regenerated.status_code == 200
    assert regenerated.json()["generated_at"] > body["generated_at"]
    assert AgendaItem.all_tenants.filter(meeting=meeting).count() == 10


def test_a_held_meeting_cannot_regenerate_its_agenda(tenant, api):
    meeting = MeetingFactory(tenant=tenant)
    api.get(f"{BASE}{meeting.pk}/agenda/")

    assert api.patch(f"{BASE}{meeting.pk}/", {"status": "held"}).json()["status"] == "held"
    response = api.post(f"{BASE}{meeting.pk}/agenda/regenerate/")

    assert response.status_code == 409
    assert response.json()["code"] == "meeting_held"


def test_action_items_are_added_listed_and_marked_done(tenant, member, api):
    owner = member(tenant, Role.SALES_REP, email="rep@acme.example")
    meeting = MeetingFactory(tenant=tenant)
    url = f"{BASE}{meeting.pk}/action-items/"

    created = api.post(
        url,
        {"title": "Call the webinar leads", "owner": "rep@acme.example", "due_on": "2026-03-20"},
    )
    item_id = created.json()["id"]
    done = api.patch(f"{url}{item_id}/", {"status": "done"})
    listed = api.get(url).json()["results"]

    assert created.status_code == 201
    assert created.json()["owner"] == {"id": owner.pk, "email": "rep@acme.example"}
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["done_at"] is not None
    assert [(i["id"], i["status"]) for i in listed] == [(item_id, "done")]
    assert api.get(f"{BASE}{meeting.pk}/").json()["action_items"][0]["status"] == "done"


def test_an_action_item_of_another_meeting_is_not_found_through_this_one(tenant, api):
    meeting = MeetingFactory(tenant=tenant)
    elsewhere = ActionItemFactory(tenant=tenant)

    response = api.patch(f"{BASE}{meeting.pk}/action-items/{elsewhere.pk}/", {"status": "done"})

    assert response.status_code == 404
    assert ActionItem.all_tenants.get(pk=elsewhere.pk).status == "open"


def test_a_body_with_read_only_fields_is_refused(tenant, api):
    item = ActionItemFactory(tenant=tenant)

    response = api.patch(
        f"{BASE}{item.meeting_id}/action-items/{item.pk}/",
        {"status": "done", "done_at": "2026-01-01T00:00:00Z"},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"done_at": ["Unknown or read-only field."]}


def test_decisions_are_recorded_by_the_caller(tenant, api):
    meeting = MeetingFactory(tenant=tenant)
    DecisionFactory(tenant=tenant, meeting=meeting, text="Earlier")

    response = api.post(f"{BASE}{meeting.pk}/decisions/", {"text": "Raise the SQL threshold"})

    assert response.status_code == 201
    assert response.json()["decided_by"]["email"] == api.user.email
    listed = api.get(f"{BASE}{meeting.pk}/decisions/").json()["results"]
    assert [d["text"] for d in listed] == ["Raise the SQL threshold", "Earlier"]


def test_changing_the_period_drops_the_agenda_until_it_is_read_again(tenant, api):
    meeting = MeetingFactory(tenant=tenant)
    api.get(f"{BASE}{meeting.pk}/agenda/")

    response = api.patch(
        f"{BASE}{meeting.pk}/", {"period_start": "2026-02-01", "period_end": "2026-02-28"}
    )

    assert response.status_code == 200
    assert response.json()["agenda_generated_at"] is None
    agenda = api.get(f"{BASE}{meeting.pk}/agenda/").json()
    assert (agenda["period_start"], agenda["items"][0]["figures"]["days"]) == ("2026-02-01", 28)


def test_another_tenants_meeting_is_not_found(tenant, other_tenant, api):
    theirs = MeetingFactory(
        tenant=other_tenant, period_start=date(2026, 3, 1), period_end=date(2026, 3, 7)
    )

    for response in (
        api.get(f"{BASE}{theirs.pk}/"),
        api.get(f"{BASE}{theirs.pk}/agenda/"),
        api.post(f"{BASE}{theirs.pk}/decisions/", {"text": "Sneaky"}),
    ):
        assert response.status_code == 404
    assert not AgendaItem.all_tenants.filter(meeting=theirs).exists()
