"""The contents of a person's calendar feed: their meetings in the feed's tenant."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from meetings.invitations.ics import PUBLISH, calendar_of, meeting_event
from meetings.models import Attendee, CalendarFeed, Meeting
from meetings.services.calendar import meeting_url

# Calendars keep what they were sent; a feed needs only recent and coming meetings.
FEED_PAST_DAYS = 90


def feed_ics(feed: CalendarFeed) -> bytes:
    """Every meeting the person attends from FEED_PAST_DAYS ago on, cancelled ones marked
    CANCELLED (a subscribed calendar then drops them). Call inside the feed's tenant scope."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    meetings = list(
        Meeting.objects.filter(
            attendance__user=feed.user, scheduled_at__gte=since
        ).select_related("tenant").order_by("scheduled_at")
    )  # fmt: skip
    emails: dict[int, list[str]] = {}
    for meeting_id, email in Attendee.objects.filter(
        meeting__in=meetings
    ).order_by("user__email").values_list("meeting_id", "user__email"):  # fmt: skip
        emails.setdefault(meeting_id, []).append(email)
    events = [
        meeting_event(m, attendees=emails.get(m.pk, []), url=meeting_url(m)) for m in meetings
    ]
    name = f"{feed.tenant.name} meetings"
    return calendar_of(events, method=PUBLISH, name=name).to_ical()
