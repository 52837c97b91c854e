"""Planning meetings, their generated agenda, and the decisions taken in them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from meetings import selectors
from meetings.agenda import agenda_points
from meetings.errors import InvalidMeetingData, MeetingClosed, MeetingHeld
from meetings.models import AgendaItem, Decision, Meeting, MeetingKind, MeetingStatus
from meetings.review_agenda import review_points
from meetings.services import checks
from meetings.services.calendar import attendees_set, meeting_invite_soon
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Tenant


def refuse_if_closed(meeting: Meeting) -> None:
    """A closed meeting's record is what its minutes say: nothing of it changes any more."""
    if meeting.status == MeetingStatus.CLOSED:
        raise MeetingClosed("The meeting was closed: its minutes are final.")


@transaction.atomic
def meeting_create(*, tenant: Tenant, actor: Actor, data: dict[str, Any]) -> Meeting:
    """Plan a meeting. Without a period, the numbers cover the seven days before its day."""
    scheduled_at: datetime = data["scheduled_at"]
    checks.check_day(scheduled_at.date(), "scheduled_at")
    start, end = data.get("period_start"), data.get("period_end")
    if (start is None) != (end is None):
        missing = "period_end" if end is None else "period_start"
        raise InvalidMeetingData({missing: ["Give both ends of the period, or neither."]})
    if start is None:
        day = scheduled_at.astimezone(ZoneInfo(tenant.timezone or "UTC")).date()
        start, end = day - timedelta(days=checks.DEFAULT_PERIOD_DAYS), day - timedelta(days=1)
    checks.check_period(start, end)
    attendees = checks.member_users(tenant, data.get("attendees") or [], "attendees")
    meeting = Meeting.objects.create(
        tenant=tenant,
        title=checks.clean_text(data.get("title"), "title", max_length=200),
        scheduled_at=scheduled_at,
        period_start=start,
        period_end=end,
        notes=checks.clean_text(
            data.get("notes"), "notes", max_length=checks.NOTES_MAX, required=False
        ),
        created_by=actor.user,
    )
    attendees_set(meeting, attendees)
    if attendees:
        meeting_invite_soon(meeting)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: Actor, data: dict[str, Any]) -> Meeting:
    """Edit a meeting. A new period makes the agenda stale: it is dropped and generated again
    when next read. The period of a held meeting stays what was discussed (409)."""
    meeting = _locked(meeting)
    refuse_if_closed(meeting)
    changed = []
    if "title" in data:
        meeting.title = checks.clean_text(data["title"], "title", max_length=200)
        changed.append("title")
    if "notes" in data:
        meeting.notes = checks.clean_text(
            data["notes"], "notes", max_length=checks.NOTES_MAX, required=False
        )
        changed.append("notes")
    if "scheduled_at" in data:
        checks.check_day(data["scheduled_at"].date(), "scheduled_at")
        meeting.scheduled_at = data["scheduled_at"]
        changed.append("scheduled_at")
    start = data.get("period_start", meeting.period_start)
    end = data.get("period_end", meeting.period_end)
    if (start, end) != (meeting.period_start, meeting.period_end):
        if meeting.status == MeetingStatus.HELD:
            raise MeetingHeld("The meeting was held: its period is what was discussed.")
        checks.check_period(start, end)
        meeting.period_start, meeting.period_end = start, end
        AgendaItem.objects.filter(meeting=meeting).delete()
        meeting.agenda_generated_at = None
        changed += ["period_start", "period_end", "agenda_generated_at"]
    if "status" in data:
        if data["status"] not in (MeetingStatus.PLANNED, MeetingStatus.HELD):
            raise InvalidMeetingData({"status": ["Planned or held; close a meeting to end it."]})
        meeting.status = data["status"]
        changed.append("status")
    people_changed, removed = False, []
    if "attendees" in data:
        people_changed, removed = attendees_set(
            meeting, checks.member_users(meeting.tenant, data["attendees"] or [], "attendees")
        )
    # Attendees' calendars follow what they can see of the meeting: its time, its title
    # and who is invited. A changed period or status is no news to a calendar.
    if people_changed or {"scheduled_at", "title"} & set(changed):
        meeting.sequence += 1
        changed.append("sequence")
        meeting_invite_soon(meeting, withdrawn=removed)
    if changed:
        meeting.save(update_fields=[*changed, "updated_at"])
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    # Concurrent writers of one meeting's agenda queue up here instead of interleaving.
    return Meeting.objects.select_for_update().select_related("tenant").get(pk=meeting.pk)


def _write_agenda(meeting: Meeting) -> list[AgendaItem]:
    if meeting.kind == MeetingKind.SLA_REVIEW:
        points = review_points(meeting=meeting, tz_name=meeting.tenant.timezone)
    else:
        points = agenda_points(meeting=meeting, tz_name=meeting.tenant.timezone)
    AgendaItem.objects.filter(meeting=meeting).delete()
    items = AgendaItem.objects.bulk_create([
        AgendaItem(tenant_id=meeting.tenant_id, meeting=meeting, position=position,
                   kind=point.kind, title=point.title[:300], body=point.body,
                   figures=point.figures)
        for position, point in enumerate(points, start=1)
    ])  # fmt: skip
    meeting.agenda_generated_at = timezone.now()
    meeting.save(update_fields=["agenda_generated_at", "updated_at"])
    return items


@transaction.atomic
def meeting_agenda_generate(*, meeting: Meeting) -> list[AgendaItem]:
    """Generate the agenda from the live numbers, replacing the one generated before: run
    twice, it leaves one agenda. A held meeting keeps the agenda it was held with (409)."""
    meeting = _locked(meeting)
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        raise MeetingHeld("The meeting was held: its agenda is the record of what was discussed.")
    return _write_agenda(meeting)


@transaction.atomic
def meeting_agenda_ensure(*, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda, generated first if it has none yet (exactly once, even when
    several readers ask at the same time)."""
    meeting = _locked(meeting)
    if meeting.agenda_generated_at is None:
        _write_agenda(meeting)
    return list(selectors.agenda_items(meeting=meeting))


@transaction.atomic
def decision_record(*, meeting: Meeting, actor: Actor, text: str) -> Decision:
    refuse_if_closed(_locked(meeting))
    return Decision.objects.create(
        tenant_id=meeting.tenant_id,
        meeting=meeting,
        text=checks.clean_text(text, "text", max_length=checks.TEXT_MAX),
        decided_by=actor.user,
    )
