"""Minutes: a draft while the meeting is open, frozen and e-mailed when it is closed."""

import pytest
from django.core import mail
from django.test import Client

from meetings.minutes import DRAFT_MARK
from meetings.models import Meeting
from smarketing.tenancy.roles import Role
from tests.meetings.factories import (
    ActionItemFactory,
    AttendeeFactory,
    DecisionFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(tenant, member):
    return member(tenant, Role.MANAGER, email="boss@acme.example")


@pytest.fixture
def api(tenant, manager, api_client_for):
    return api_client_for(tenant, user=manager, role=Role.MANAGER)


@pytest.fixture
def meeting(tenant, manager, member):
    meeting = MeetingFactory(tenant=tenant, title="Weekly alignment", notes="Webinar leads lag.")
    AttendeeFactory(tenant=tenant, meeting=meeting, user=manager)
    AttendeeFactory(tenant=tenant, meeting=meeting,
                    user=member(tenant, Role.SALES_REP, email="rep@acme.example"))  # fmt: skip
    DecisionFactory(tenant=tenant, meeting=meeting, text="Webinar leads go to nurture first.",
                    decided_by=manager)  # fmt: skip
    ActionItemFactory(tenant=tenant, meeting=meeting, title="Fix the form", owner=manager)
    return meeting


def test_minutes_are_a_marked_draft_until_the_meeting_is_closed(api, meeting):
    response = api.get(f"/api/v1/meetings/{meeting.pk}/minutes.md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Minutes: Weekly alignment\n\n" + DRAFT_MARK)
    assert "Webinar leads lag." in text
    assert "1. Webinar leads go to nurture first. (boss@acme.example" in text
    assert "- [ ] Fix the form — boss@acme.example" in text


def test_closing_freezes_the_minutes_and_emails_them_to_the_attendees(api, meeting, committed):
    with committed():
        response = api.post(f"/api/v1/meetings/{meeting.pk}/close/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    frozen = api.get(f"/api/v1/meetings/{meeting.pk}/minutes.md").content.decode()
    assert DRAFT_MARK not in frozen and "- Closed: " in frozen
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@acme.example", "rep@acme.example"]
    message = mail.outbox[0]
    assert message.subject == "[Acme] Minutes: Weekly alignment"
    [(name, attached, mimetype)] = message.attachments
    assert (name, mimetype) == (f"minutes-{meeting.pk}.md", "text/markdown")
    assert attached == frozen


def test_a_closed_meetings_record_does_not_change(api, meeting, committed):
    with committed():
        api.post(f"/api/v1/meetings/{meeting.pk}/close/")
    frozen = api.get(f"/api/v1/meetings/{meeting.pk}/minutes.md").content

    refused = [
        api.post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "Later"}, format="json"),
        api.patch(f"/api/v1/meetings/{meeting.pk}/", {"notes": "Rewritten"}, format="json"),
        api.post(f"/api/v1/meetings/{meeting.pk}/action-items/",
                 {"title": "More", "owner": "boss@acme.example", "due_on": "2030-01-01"},
                 format="json"),
        api.post(f"/api/v1/meetings/{meeting.pk}/close/"),
    ]  # fmt: skip

    assert [r.status_code for r in refused] == [409] * 4
    assert {r.json()["code"] for r in refused} == {"meeting_closed"}
    assert api.get(f"/api/v1/meetings/{meeting.pk}/minutes.md").content == frozen
    assert len(mail.outbox) == 2  # the minutes went out once


def test_the_minutes_are_emailed_once_however_often_the_sweep_runs(api, meeting):
    from datetime import timedelta

    from meetings.services import meetings_mail_sweep

    api.post(f"/api/v1/meetings/{meeting.pk}/close/")  # its own send is lost (no commit run)
    assert mail.outbox == []
    Meeting.all_tenants.filter(pk=meeting.pk).update(
        closed_at=Meeting.all_tenants.get(pk=meeting.pk).closed_at - timedelta(minutes=5)
    )

    assert meetings_mail_sweep() == 2
    assert meetings_mail_sweep() == 0
    assert len(mail.outbox) == 2


def test_the_meeting_page_offers_the_minutes_and_invite_downloads(tenant, manager, meeting):
    page = Client()
    page.force_login(manager)

    html = page.get(f"/t/{tenant.slug}/meetings/{meeting.pk}/").content.decode()
    download = page.get(f"/t/{tenant.slug}/meetings/{meeting.pk}/minutes.md")

    assert "Download minutes (draft)" in html and "Download invite" in html
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="minutes-{meeting.pk}.md"'
    assert DRAFT_MARK in download.content.decode()


def test_a_cancelled_meeting_cannot_be_closed(api, tenant):
    cancelled = MeetingFactory(tenant=tenant, status="cancelled")

    response = api.post(f"/api/v1/meetings/{cancelled.pk}/close/")

    assert (response.status_code, response.json()["code"]) == (409, "meeting_cancelled")
