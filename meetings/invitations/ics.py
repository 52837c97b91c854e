"""Meetings as iCalendar (RFC 5545 / iTIP RFC 5546), built with `icalendar`.

- UID: the meeting's `ical_uid`, fixed for its life, so a calendar updates the event it has
  instead of adding another.
- SEQUENCE: the meeting's `sequence`, raised by every change attendees must see; a
  calendar takes a message only if its SEQUENCE is not below the one it holds.
- DTSTART/DTEND carry the meeting's own zone (TZID) with its VTIMEZONE, so a 10:00 meeting
  is 10:00 there on both sides of a daylight saving change.
- METHOD: PUBLISH for downloads and feeds, REQUEST for invitations and updates, CANCEL when
  the meeting is called off (or an attendee is taken off it).
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.models import Meeting, MeetingStatus
from meetings.schedule import zone_of

PRODID = "-//Smarketing//Meetings//EN"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'noreply@localhost'}")
    organizer.params["cn"] = vText(name or "Smarketing")
    return organizer


def _attendee(email: str, *, cancelled: bool) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params.update(
        {"cutype": "INDIVIDUAL", "role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION",
         "rsvp": "FALSE" if cancelled else "TRUE"}
    )  # fmt: skip
    return attendee


def meeting_event(
    meeting: Meeting, *, attendees: Iterable[str], url: str = "", cancelled: bool = False
) -> Event:
    """One VEVENT of the meeting; `cancelled` marks it so whatever the meeting's status is
    (an attendee taken off a meeting still on)."""
    zone = zone_of(meeting.zone_name())
    start = timezone.localtime(meeting.scheduled_at, zone) if zone else meeting.scheduled_at
    event = Event()
    event.add("uid", f"{meeting.ical_uid}@smarketing")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start + (meeting.ends_at - meeting.scheduled_at))
    event.add("summary", meeting.title)
    description = meeting.notes or f"{meeting.get_kind_display()} of marketing and sales."
    if url:
        description += f"\n\nAgenda and record: {url}"
        event.add("url", url)
    event.add("description", description)
    event.add("organizer", _organizer())
    for email in attendees:
        event.add("attendee", _attendee(email, cancelled=cancelled))
    called_off = cancelled or meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if called_off else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_of(events: Iterable[Event], *, method: str, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    # The VTIMEZONE of every TZID used, from the same tz database the server computes with.
    calendar.add_missing_timezones()
    return calendar


def meeting_ics(
    meeting: Meeting, *, attendees: Iterable[str], method: str, url: str = "",
    cancelled: bool = False,
) -> bytes:  # fmt: skip
    event = meeting_event(meeting, attendees=attendees, url=url, cancelled=cancelled)
    return calendar_of([event], method=method).to_ical()
