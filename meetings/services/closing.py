"""Closing a meeting: its record is frozen into the minutes, which go to the attendees."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from meetings.errors import MeetingCancelled
from meetings.minutes import minutes_markdown
from meetings.models import Meeting, MeetingStatus
from meetings.services.meetings import _locked, refuse_if_closed
from smarketing.tenancy.actors import Actor


@transaction.atomic
def meeting_close(*, meeting: Meeting, actor: Actor, now: datetime | None = None) -> Meeting:
    """Freeze the notes, decisions and action items into the minutes and e-mail them to the
    attendees (after the commit; the mail sweep catches a lost send). Closing twice is a
    409: the minutes were final the first time."""
    from meetings.tasks import minutes_send
    from smarketing.queueing import kick

    now = now or timezone.now()
    meeting = _locked(meeting)
    refuse_if_closed(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingCancelled("The meeting was cancelled: there is nothing to close.")
    meeting.minutes = minutes_markdown(meeting, closing_at=now)
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, now
    meeting.save(update_fields=["minutes", "status", "closed_at", "updated_at"])
    meeting_id, tenant_id = meeting.pk, meeting.tenant_id
    transaction.on_commit(lambda: kick(minutes_send, meeting_id, tenant_id))
    return meeting
