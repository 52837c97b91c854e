"""An invitation through a real SMTP server on loopback: the EMAIL_* settings carry a
calendar message that a mail client reads as an iTIP REQUEST."""

import pytest
from icalendar import Calendar

from meetings.services import meeting_invitations_send
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.meetings.factories import AttendeeFactory, MeetingFactory
from tests.notifications.test_email_smtp import smtp  # noqa: F401  (the loopback server)

pytestmark = pytest.mark.django_db


def test_an_invitation_reaches_smtp_as_a_text_calendar_request(tenant, member, smtp):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    rep = member(tenant, Role.SALES_REP, email="rep@acme.example")
    meeting = MeetingFactory(tenant=tenant, title="Weekly alignment",
                             scheduled_at=timezone.now() + timedelta(days=3))  # fmt: skip
    AttendeeFactory(tenant=tenant, meeting=meeting, user=rep)

    with tenant_scope(tenant):
        assert meeting_invitations_send(meeting_id=meeting.pk) == 1

    [(recipients, message)] = smtp.messages
    assert recipients == ["rep@acme.example"]
    parts = {part.get_content_type(): part for part in message.walk()}
    calendar_part = parts["text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(calendar_part.get_content())
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting.ical_uid}@smarketing"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert message["Subject"].startswith("[Acme] Invitation: Weekly alignment")
