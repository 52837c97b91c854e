"""Telling attendees: invitations, updates and cancellations as iCalendar e-mails, and the
minutes of a closed meeting.

What must reach people is recorded on the meeting first (`sequence` against
`invited_sequence`, `closed_at` against `minutes_emailed_at`), in the transaction of the
change; a task sends after the commit, and a sweep finds whatever a lost task or an away
mail server left. A send and its mark share one transaction with the meeting's row locked:
two senders never both send, and a failed send (`OSError`) rolls the mark back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from meetings.invitations.ics import CANCEL, REQUEST, meeting_ics
from meetings.models import Attendee, Meeting, MeetingStatus
from meetings.schedule import zone_of
from smarketing.notifications.services import absolute_url, email_subject
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
# A fresh change's own task is usually on its way: the sweep leaves it a minute.
SWEEP_GRACE = timedelta(minutes=1)


def meeting_url(meeting: Meeting) -> str:
    return absolute_url(f"/t/{meeting.tenant.slug}/meetings/{meeting.pk}/")


def attendees_set(meeting: Meeting, users: list) -> tuple[bool, list[str]]:
    """Make `users` the meeting's attendees. Returns whether anything changed, and the
    e-mails of the people taken off (they are sent a cancellation)."""
    wanted = {user.pk for user in users}
    leaving = Attendee.objects.filter(meeting=meeting).exclude(user_id__in=wanted)
    removed = list(leaving.values_list("user__email", flat=True))
    leaving.delete()
    present = set(Attendee.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    added = Attendee.objects.bulk_create([
        Attendee(tenant_id=meeting.tenant_id, meeting=meeting, user_id=user_id)
        for user_id in sorted(wanted - present)
    ])  # fmt: skip
    return bool(removed or added), removed


def meeting_invite_soon(meeting: Meeting, *, withdrawn: list[str] | None = None) -> None:
    """After the commit: send the meeting's invitation (or update, or cancellation), and a
    cancellation to the people taken off it."""
    from meetings.tasks import invitation_withdraw, invitations_send
    from smarketing.queueing import kick

    meeting_id, tenant_id = meeting.pk, meeting.tenant_id
    transaction.on_commit(lambda: kick(invitations_send, meeting_id, tenant_id))
    if withdrawn:
        emails = sorted(withdrawn)
        transaction.on_commit(lambda: kick(invitation_withdraw, meeting_id, tenant_id, emails))


def meeting_cancel_now(meeting: Meeting, *, now: datetime) -> None:
    """Call a planned meeting off: its attendees' calendars are told (METHOD:CANCEL)."""
    meeting.status, meeting.cancelled_at = MeetingStatus.CANCELLED, now
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    meeting_invite_soon(meeting)


def _emails(meeting: Meeting) -> list[str]:
    return sorted(Attendee.objects.filter(meeting=meeting).values_list("user__email", flat=True))


def _invitation(meeting: Meeting, *, to: str, attendees: list[str], method: str,
                cancelled: bool = False) -> EmailMultiAlternatives:  # fmt: skip
    url = meeting_url(meeting)
    local = timezone.localtime(meeting.scheduled_at, _zone(meeting))
    verb = "Cancelled" if method == CANCEL else ("Updated" if meeting.sequence else "Invitation")
    context = {"meeting": meeting, "local": local, "zone": meeting.zone_name(), "url": url,
               "method": method, "tenant": meeting.tenant}  # fmt: skip
    message = EmailMultiAlternatives(
        subject=email_subject(tenant_name=meeting.tenant.name,
                              title=f"{verb}: {meeting.title} ({local:%a %d %b %Y %H:%M})"),
        body=render_to_string("meetings/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )  # fmt: skip
    ics = meeting_ics(meeting, attendees=attendees, method=method, url=url, cancelled=cancelled)
    # The calendar part as mail clients expect an iTIP message: an alternative of the text
    # with the method in its content type (RFC 6047), and the same as an attached file.
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}; charset=utf-8")
    message.attach("invite.ics", ics, "application/ics")
    return message


def _zone(meeting: Meeting) -> ZoneInfo | None:
    return zone_of(meeting.zone_name())


def meeting_invitations_send(*, meeting_id: int, now: datetime | None = None) -> int:
    """Send the meeting's current state to its attendees once per SEQUENCE: REQUEST while it
    is on, CANCEL once called off. Meetings already over, or never announced before their
    cancellation, are marked done without mail. Returns the number of e-mails sent."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",)).select_related("tenant")
            .filter(pk=meeting_id).first()
        )  # fmt: skip
        if meeting is None or (
            meeting.invited_sequence is not None and meeting.invited_sequence >= meeting.sequence
        ):
            return 0
        cancelled = meeting.status == MeetingStatus.CANCELLED
        attendees = _emails(meeting)
        messages = []
        if meeting.ends_at > now and not (cancelled and meeting.invited_sequence is None):
            method = CANCEL if cancelled else REQUEST
            messages = [_invitation(meeting, to=email, attendees=attendees, method=method)
                        for email in attendees]  # fmt: skip
        Meeting.objects.filter(pk=meeting.pk).update(invited_sequence=meeting.sequence)
        if messages:
            get_connection().send_messages(messages)
        return len(messages)


def meeting_invitation_withdraw(*, meeting_id: int, emails: list[str]) -> int:
    """Tell people taken off a meeting that it is cancelled for them (best effort: a lost
    message leaves an event in their calendar, which the feed no longer lists)."""
    meeting = Meeting.objects.select_related("tenant").filter(pk=meeting_id).first()
    if meeting is None or meeting.ends_at <= timezone.now() or meeting.invited_sequence is None:
        return 0
    current = set(_emails(meeting))
    messages = [
        _invitation(meeting, to=email, attendees=[email], method=CANCEL, cancelled=True)
        for email in emails if email not in current
    ]  # fmt: skip
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def meeting_minutes_send(*, meeting_id: int) -> int:
    """E-mail the frozen minutes of a closed meeting to its attendees, once."""
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",)).select_related("tenant")
            .filter(pk=meeting_id, closed_at__isnull=False, minutes_emailed_at__isnull=True)
            .first()
        )  # fmt: skip
        if meeting is None:
            return 0
        Meeting.objects.filter(pk=meeting.pk).update(minutes_emailed_at=timezone.now())
        context = {"meeting": meeting, "url": meeting_url(meeting), "tenant": meeting.tenant}
        body = render_to_string("meetings/email/minutes.txt", context)
        messages = []
        for email in _emails(meeting):
            message = EmailMultiAlternatives(
                subject=email_subject(tenant_name=meeting.tenant.name,
                                      title=f"Minutes: {meeting.title}"),
                body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email],
            )  # fmt: skip
            message.attach(f"minutes-{meeting.pk}.md", meeting.minutes, "text/markdown")
            messages.append(message)
        if messages:
            get_connection().send_messages(messages)
        return len(messages)


def meetings_mail_sweep(*, now: datetime | None = None, grace: timedelta = SWEEP_GRACE) -> int:
    """Send what a lost task or an away mail server left unsent, across tenants."""
    now = now or timezone.now()
    cutoff = now - grace
    with cross_tenant_scope():
        uninvited = list(
            Meeting.all_tenants.filter(
                Q(invited_sequence__isnull=True) | Q(invited_sequence__lt=F("sequence")),
                scheduled_at__gt=now - timedelta(days=1), updated_at__lte=cutoff,
            ).values_list("pk", "tenant_id")[:SWEEP_BATCH]
        )  # fmt: skip
        unsent = list(
            Meeting.all_tenants.filter(
                closed_at__isnull=False, closed_at__lte=cutoff, minutes_emailed_at__isnull=True
            ).values_list("pk", "tenant_id")[:SWEEP_BATCH]
        )
    sent = 0
    for send, rows in ((meeting_invitations_send, uninvited), (meeting_minutes_send, unsent)):
        for meeting_id, tenant_id in rows:
            try:
                with tenant_scope(tenant_id):
                    sent += send(meeting_id=meeting_id)
            except OSError:
                logger.warning("meeting %s: mail server unavailable", meeting_id)
    return sent
