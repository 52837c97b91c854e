"""Downloads of a meeting, for the API and the pages alike: its invitation and its minutes."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from meetings.invitations.ics import PUBLISH, meeting_ics
from meetings.minutes import minutes_of
from meetings.models import Attendee, Meeting
from meetings.services.calendar import meeting_url

ICS_TYPE = "text/calendar; charset=utf-8"
MARKDOWN_TYPE = "text/markdown; charset=utf-8"


def invite_response(meeting: Meeting) -> HttpResponse:
    emails = list(
        Attendee.objects.filter(meeting=meeting)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    body = meeting_ics(meeting, attendees=emails, method=PUBLISH, url=meeting_url(meeting))
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"meeting-{meeting.pk}.ics")
    return response


def minutes_response(meeting: Meeting, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(minutes_of(meeting), content_type=MARKDOWN_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        attachment, f"minutes-{meeting.pk}.md"
    )
    return response
