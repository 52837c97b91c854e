"""Reads on meetings that are more than a one-line queryset."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from meetings.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    SeriesAttendee,
)


def meeting_list() -> QuerySet[Meeting]:
    """Meetings with their attendees, in two queries for any page."""
    attendance = Attendee.objects.select_related("user").order_by("user__email")
    return Meeting.objects.select_related(
        "created_by", "tenant", "proposed_sla_version", "sla_version"
    ).prefetch_related(Prefetch("attendance", queryset=attendance))


def agenda_items(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting=meeting).order_by("position")


def decisions(*, meeting: Meeting) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting=meeting).select_related("decided_by")


def action_items(*, meeting: Meeting) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(meeting=meeting).select_related("owner")


def open_action_items_before(*, meeting: Meeting) -> list[ActionItem]:
    """Open items of the meetings scheduled before `meeting`, earliest due (overdue) first."""
    return list(
        ActionItem.objects.filter(
            status=ActionItemStatus.OPEN, meeting__scheduled_at__lt=meeting.scheduled_at
        )
        .select_related("owner")
        .order_by("due_on", "id")
    )


def series_list() -> QuerySet[MeetingSeries]:
    """Series with attendees and their next planned meeting, in three queries for any page."""
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, scheduled_at__gt=timezone.now()
    ).order_by("scheduled_at")
    attendance = SeriesAttendee.objects.select_related("user").order_by("user__email")
    return MeetingSeries.objects.prefetch_related(
        Prefetch("attendance", queryset=attendance),
        Prefetch("meetings", queryset=upcoming, to_attr="upcoming"),
    ).order_by("name", "id")
