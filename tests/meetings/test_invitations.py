"""Calendar invitations: the downloaded file, the e-mailed REQUEST/CANCEL, and each
person's feed, all parsed back with `icalendar`, across a daylight saving change."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from meetings.models import CalendarFeed, Meeting
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
SERIES = "/api/v1/meetings/series/"


@pytest.fixture
def manager(tenant, member):
    return member(tenant, Role.MANAGER, email="boss@acme.example")


@pytest.fixture
def rep(tenant, member):
    return member(tenant, Role.SALES_REP, email="rep@acme.example")


@pytest.fixture
def api(tenant, manager, api_client_for):
    return api_client_for(tenant, user=manager, role=Role.MANAGER)


def weekly_across_the_spring_change(api, clock, committed) -> list[Meeting]:
    """Mondays at 10:00 in Rome from 22 March 2027; the clocks go forward on the 28th."""
    clock.set(datetime(2027, 3, 17, 9, 0, tzinfo=ROME))
    with committed():
        response = api.post(SERIES, {
            "name": "Weekly alignment", "cadence": "weekly", "weekday": 0, "time": "10:00",
            "duration_minutes": 45, "timezone": "Europe/Rome",
            "attendees": ["boss@acme.example", "rep@acme.example"],
        }, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    return list(Meeting.all_tenants.filter(series_id=response.json()["id"]).order_by("occurs_on"))


def the_event(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_invites_keep_ten_oclock_in_rome_across_the_spring_clock_change(api, rep, clock, committed):
    before, after = weekly_across_the_spring_change(api, clock, committed)

    events = [the_event(api.get(f"/api/v1/meetings/{m.pk}/invite.ics").content)
              for m in (before, after)]  # fmt: skip

    starts = [event.decoded("DTSTART") for event in events]
    assert [start.astimezone(ROME).strftime("%Y-%m-%d %H:%M") for start in starts] == [
        "2027-03-22 10:00",
        "2027-03-29 10:00",
    ]
    # Winter time is UTC+1, summer time UTC+2: the same wall clock, an hour apart in UTC.
    assert [start.astimezone(UTC).hour for start in starts] == [9, 8]
    assert [str(event["DTSTART"].params["TZID"]) for event in events] == ["Europe/Rome"] * 2
    assert [(e.decoded("DTEND") - e.decoded("DTSTART")).total_seconds() for e in events] == [
        2700,
        2700,
    ]
    vtimezone = Calendar.from_ical(api.get(f"/api/v1/meetings/{after.pk}/invite.ics").content)
    assert [str(tz["TZID"]) for tz in vtimezone.walk("VTIMEZONE")] == ["Europe/Rome"]


def test_the_invite_download_is_a_calendar_file_with_the_attendees(api, rep, clock, committed):
    meeting, _ = weekly_across_the_spring_change(api, clock, committed)

    response = api.get(f"/api/v1/meetings/{meeting.pk}/invite.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="meeting-{meeting.pk}.ics"' in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    event = the_event(response.content)
    assert str(event["UID"]) == f"{meeting.ical_uid}@smarketing"
    assert sorted(str(a) for a in event.get("ATTENDEE")) == [
        "mailto:boss@acme.example",
        "mailto:rep@acme.example",
    ]
    assert str(event["SUMMARY"]) == "Weekly alignment"


def test_another_tenants_invite_is_a_404(api, other_tenant):
    from tests.meetings.factories import MeetingFactory

    theirs = MeetingFactory(tenant=other_tenant)

    assert api.get(f"/api/v1/meetings/{theirs.pk}/invite.ics").status_code == 404


def test_emailed_invitations_are_requests_and_updates_raise_the_sequence_with_the_same_uid(
    api, rep, clock, committed
):
    meeting, _ = weekly_across_the_spring_change(api, clock, committed)
    [first] = [m for m in mail.outbox if m.to == ["rep@acme.example"] and
               f"{meeting.ical_uid}" in m.alternatives[0][0]]  # fmt: skip
    content, mimetype = first.alternatives[0]
    assert mimetype == "text/calendar; method=REQUEST; charset=utf-8"
    invited = the_event(content.encode())
    assert str(Calendar.from_ical(content)["METHOD"]) == "REQUEST"
    assert invited["SEQUENCE"] == 0
    mail.outbox.clear()

    with committed():
        response = api.patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "Alignment, moved"},
                             format="json")  # fmt: skip

    assert response.status_code == 200
    [update] = [m for m in mail.outbox if m.to == ["rep@acme.example"]]
    updated = the_event(update.alternatives[0][0].encode())
    assert updated["UID"] == invited["UID"]
    assert updated["SEQUENCE"] == 1
    assert str(updated["SUMMARY"]) == "Alignment, moved"
    assert update.subject.startswith("[Acme] Updated: Alignment, moved")


def test_an_attendee_taken_off_a_meeting_is_sent_a_cancellation(api, rep, clock, committed):
    meeting, _ = weekly_across_the_spring_change(api, clock, committed)
    mail.outbox.clear()

    with committed():
        api.patch(f"/api/v1/meetings/{meeting.pk}/", {"attendees": ["boss@acme.example"]},
                  format="json")  # fmt: skip

    [cancel] = [m for m in mail.outbox if m.to == ["rep@acme.example"]]
    assert "method=CANCEL" in cancel.alternatives[0][1]
    assert str(the_event(cancel.alternatives[0][0].encode())["STATUS"]) == "CANCELLED"


def test_the_invitation_is_sent_once_however_often_the_sweep_runs(api, rep, clock, committed):
    from meetings.services import meetings_mail_sweep

    weekly_across_the_spring_change(api, clock, committed)
    sent = len(mail.outbox)

    later = clock.set(datetime(2027, 3, 17, 10, 0, tzinfo=ROME))
    assert meetings_mail_sweep(now=later) == 0
    assert len(mail.outbox) == sent


def test_the_sweep_sends_invitations_whose_task_was_lost(api, rep, clock):
    from meetings.services import meetings_mail_sweep

    clock.set(datetime(2027, 3, 17, 9, 0, tzinfo=ROME))
    # No commit callbacks run here: the kick after the commit is lost.
    api.post(SERIES, {
        "name": "Weekly", "cadence": "weekly", "weekday": 0, "time": "10:00",
        "duration_minutes": 45, "timezone": "Europe/Rome", "attendees": ["rep@acme.example"],
    }, format="json")  # fmt: skip
    assert mail.outbox == []

    later = clock.set(datetime(2027, 3, 17, 9, 5, tzinfo=ROME))
    assert meetings_mail_sweep(now=later) == 2  # the two meetings planned
    assert {m.to[0] for m in mail.outbox} == {"rep@acme.example"}


# --- the feed --------------------------------------------------------------------------------


def page_client(user) -> Client:
    # Logged in after the test set its clock: the session's expiry follows that clock.
    client = Client()
    client.force_login(user)
    return client


def feed_path(page_client, tenant) -> str:
    page = page_client.get(f"/t/{tenant.slug}/notifications/").content.decode()
    start = page.index("/cal/")
    return page[start : page.index('"', start)]


def test_a_person_subscribes_to_their_meetings_and_can_revoke_the_address(
    api, rep, tenant, clock, committed
):
    before, after = weekly_across_the_spring_change(api, clock, committed)
    rep_page = page_client(rep)
    assert "Create my calendar address" in rep_page.get(f"/t/{tenant.slug}/notifications/")\
        .content.decode()  # fmt: skip

    rep_page.post(f"/t/{tenant.slug}/meetings/calendar-feed/reset/")
    path = feed_path(rep_page, tenant)
    feed = Client().get(path)  # no login: the token is the key

    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(
        f"{m.ical_uid}@smarketing" for m in (before, after)
    )
    assert [e.decoded("DTSTART").astimezone(ROME).hour for e in events] == [10, 10]

    rep_page.post(f"/t/{tenant.slug}/meetings/calendar-feed/revoke/")
    assert Client().get(path).status_code == 404
    assert not CalendarFeed.all_tenants.exists()


def test_a_new_address_retires_the_old_one_and_a_forged_one_opens_nothing(tenant, rep):
    rep_page = page_client(rep)
    rep_page.post(f"/t/{tenant.slug}/meetings/calendar-feed/reset/")
    old = feed_path(rep_page, tenant)
    rep_page.post(f"/t/{tenant.slug}/meetings/calendar-feed/reset/")
    new = feed_path(rep_page, tenant)

    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    feed = CalendarFeed.all_tenants.get()
    assert Client().get(f"/cal/{feed.pk}-{feed.nonce}.forged.ics").status_code == 404


def test_a_member_who_left_has_no_feed(tenant, rep):
    rep_page = page_client(rep)
    rep_page.post(f"/t/{tenant.slug}/meetings/calendar-feed/reset/")
    path = feed_path(rep_page, tenant)

    Membership.all_tenants.filter(user=rep).update(is_active=False)

    assert Client().get(path).status_code == 404
