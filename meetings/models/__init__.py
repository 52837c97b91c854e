"""The rows of meetings: meetings with their agenda and record, series, calendar feeds."""

from meetings.models.feeds import CalendarFeed
from meetings.models.meetings import (
    DEFAULT_DURATION_MINUTES,
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    AgendaKind,
    Attendee,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from meetings.models.series import Cadence, MeetingSeries, SeriesAttendee

__all__ = [
    "DEFAULT_DURATION_MINUTES",
    "ActionItem",
    "ActionItemStatus",
    "AgendaItem",
    "AgendaKind",
    "Attendee",
    "Cadence",
    "CalendarFeed",
    "Decision",
    "Meeting",
    "MeetingKind",
    "MeetingSeries",
    "MeetingStatus",
    "SeriesAttendee",
]
