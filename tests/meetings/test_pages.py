"""The meeting pages: the list with "New meeting", and a meeting with its generated agenda,
decisions and action items."""

from datetime import date

import pytest
from django.test import Client

from meetings.models import ActionItem, AgendaItem, Decision, Meeting
from smarketing.tenancy.roles import Role
from tests.meetings.factories import ActionItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_for(tenant, member):
    """browser_for(role) -> a logged-in client of a new member with that role."""

    def make(role, **user_fields):
        client = Client()
        client.force_login(member(tenant, role, **user_fields))
        return client

    return make


def text(response) -> str:
    return response.content.decode()


def test_the_list_has_its_heading_a_nav_link_and_the_new_meeting_form(tenant, browser_for):
    MeetingFactory(tenant=tenant, title="Kick-off review")

    response = browser_for(Role.SALES_REP).get("/t/acme/meetings/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Meetings</h1>" in page
    assert 'href="/t/acme/meetings/" aria-current="page">Meetings</a>' in page
    assert "Kick-off review" in page
    assert ">New meeting</h2>" in page


def test_planning_a_meeting_in_local_time_opens_its_agenda(tenant, browser_for):
    client = browser_for(Role.MANAGER, email="mia@acme.example")

    response = client.post(
        "/t/acme/meetings/",
        {
            "title": "Weekly alignment",
            "scheduled_at": "2026-03-10T10:00",
            "attendees": ["mia@acme.example"],
        },
    )

    meeting = Meeting.all_tenants.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/acme/meetings/{meeting.pk}/"
    assert meeting.scheduled_at.isoformat() == "2026-03-10T09:00:00+00:00"  # 10:00 in Rome
    assert (meeting.period_start, meeting.period_end) == (date(2026, 3, 3), date(2026, 3, 9))
    page = text(client.get(response["Location"]))
    assert "Tuesday 10 March 2026, 10:00" in page
    assert "MQLs 0 — as in the previous period" in page
    assert "Regenerate agenda" in page
    assert AgendaItem.all_tenants.filter(meeting=meeting).count() == 10


def test_an_invalid_new_meeting_shows_the_form_again_with_the_error(tenant, browser_for):
    response = browser_for(Role.MARKETER).post(
        "/t/acme/meetings/",
        {
            "title": "Weekly",
            "scheduled_at": "2026-03-10T10:00",
            "period_start": "2026-03-09",
            "period_end": "2026-03-01",
        },
    )

    assert response.status_code == 400
    assert "The period ends before it starts." in text(response)
    assert not Meeting.all_tenants.exists()


def test_decisions_and_action_items_are_added_and_marked_done_from_the_meeting_page(
    tenant, browser_for, member
):
    member(tenant, Role.SALES_REP, email="rep@acme.example")
    meeting = MeetingFactory(tenant=tenant)
    client = browser_for(Role.MARKETER)
    base = f"/t/acme/meetings/{meeting.pk}"

    client.post(f"{base}/decisions/", {"text": "Webinar leads go to nurture first."})
    client.post(
        f"{base}/action-items/",
        {
            "title": "Call back the rejected webinar leads",
            "owner": "rep@acme.example",
            "due_on": "2026-03-20",
        },
    )
    item = ActionItem.all_tenants.get()
    response = client.post(f"{base}/action-items/{item.pk}/", {"status": "done"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    page = text(client.get(f"{base}/"))
    assert "Webinar leads go to nurture first." in page
    assert "Call back the rejected webinar leads" in page
    assert ">Reopen</button>" in page
    assert Decision.all_tenants.get().decided_by is not None


def test_regenerate_agenda_button_replaces_the_agenda(tenant, browser_for):
    meeting = MeetingFactory(tenant=tenant)
    client = browser_for(Role.MANAGER)
    client.get(f"/t/acme/meetings/{meeting.pk}/")
    before = set(AgendaItem.all_tenants.values_list("pk", flat=True))

    response = client.post(f"/t/acme/meetings/{meeting.pk}/agenda/regenerate/", follow=True)

    after = set(AgendaItem.all_tenants.values_list("pk", flat=True))
    assert "Agenda regenerated" in text(response)
    assert len(after) == 10
    assert not before & after


def test_a_held_meeting_offers_no_regeneration_and_says_why_if_asked(tenant, browser_for):
    meeting = MeetingFactory(tenant=tenant)
    client = browser_for(Role.MANAGER)
    client.post(f"/t/acme/meetings/{meeting.pk}/status/", {"status": "held"})

    page = text(client.get(f"/t/acme/meetings/{meeting.pk}/"))
    refused = text(client.post(f"/t/acme/meetings/{meeting.pk}/agenda/regenerate/", follow=True))

    assert "Regenerate agenda" not in page
    assert "Back to planned" in page
    assert "its agenda is the record of what was discussed" in refused


def test_overdue_action_items_are_marked(tenant, browser_for):
    item = ActionItemFactory(tenant=tenant, due_on=date(2020, 1, 1), title="Long overdue")

    page = text(browser_for(Role.MARKETER).get(f"/t/acme/meetings/{item.meeting_id}/"))

    assert '<td class="overdue">1 Jan 2020</td>' in page


def test_another_tenants_meeting_is_not_found(tenant, other_tenant, browser_for):
    theirs = MeetingFactory(tenant=other_tenant)
    client = browser_for(Role.ADMIN)

    assert client.get(f"/t/acme/meetings/{theirs.pk}/").status_code == 404
    assert client.post(f"/t/acme/meetings/{theirs.pk}/decisions/", {"text": "x"}).status_code == 404
    assert client.get(f"/t/globex/meetings/{theirs.pk}/").status_code == 404
