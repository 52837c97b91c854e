"""Meeting series: write the rule, and plan its meetings ahead of time.

The planner creates every meeting of a series whose start falls within
`MEETINGS_PLAN_AHEAD_DAYS`, and always the next one however far it is (a monthly series has
its next meeting to show from the day it is written). Each meeting is created with its
agenda generated then (a snapshot of the numbers, regenerable until it is held) and its
attendees invited by e-mail.

Editing a series changes the meetings still to come (planned, not started) and never those
held: a meeting whose day the new rule keeps moves to the new time; one whose day the rule
drops is cancelled (attendees get METHOD:CANCEL); the planner adds the new days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.errors import InvalidMeetingData
from meetings.models import Attendee, Meeting, MeetingSeries, MeetingStatus, SeriesAttendee
from meetings.schedule import (
    GAP_CHECK_DAYS,
    days,
    first_day,
    first_gap,
    previous_day,
    zone_of,
)
from meetings.services import checks
from meetings.services.calendar import attendees_set, meeting_cancel_now, meeting_invite_soon
from meetings.services.meetings import _write_agenda
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from smarketing.tenancy.selectors import members_of

MAX_DURATION_MINUTES = 600
CADENCES = ("weekly", "fortnightly", "monthly")
RULE_FIELDS = ("cadence", "weekday", "time", "duration_minutes", "timezone")


def _plan_ahead() -> timedelta:
    return timedelta(days=settings.MEETINGS_PLAN_AHEAD_DAYS)


def _clean(tenant: Tenant, data: dict[str, Any]) -> dict[str, Any]:
    """The series' fields checked; attendees as users. Field errors say what to change."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    try:
        clean["name"] = checks.clean_text(data.get("name"), "name", max_length=200)
    except InvalidMeetingData as error:
        errors.update(error.errors)
    if data.get("cadence") not in CADENCES:
        errors["cadence"] = [f"One of {', '.join(CADENCES)}."]
    weekday = data.get("weekday")
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        errors["weekday"] = ["A day from 0 (Monday) to 6 (Sunday)."]
    if not isinstance(data.get("time"), time):
        errors["time"] = ["A time as HH:MM."]
    duration = data.get("duration_minutes")
    if isinstance(duration, bool) or not isinstance(duration, int):
        errors["duration_minutes"] = ["A whole number of minutes."]
    elif duration <= 0:
        errors["duration_minutes"] = [
            "The meeting would end before it starts: give a positive number of minutes."
        ]
    elif duration > MAX_DURATION_MINUTES:
        errors["duration_minutes"] = [f"At most {MAX_DURATION_MINUTES} minutes."]
    if zone_of(data.get("timezone") or "") is None:
        errors["timezone"] = ["An IANA timezone such as Europe/Rome."]
    if errors:
        raise InvalidMeetingData(errors)
    clean.update({name: data[name] for name in RULE_FIELDS})
    clean["time"] = clean["time"].replace(second=0, microsecond=0, tzinfo=None)
    clean["attendees"] = checks.member_users(tenant, data.get("attendees") or [], "attendees")
    return clean


def _check_no_gap(series: MeetingSeries) -> None:
    gap = first_gap(
        cadence=series.cadence, weekday=series.weekday, at=series.time,
        zone=zone_of(series.timezone), anchor=series.anchor_on, within_days=GAP_CHECK_DAYS,
    )  # fmt: skip
    if gap is not None:
        raise InvalidMeetingData({"time": [str(gap)]})


def _local_today(zone_name: str, now: datetime) -> date:
    return now.astimezone(zone_of(zone_name)).date()


def _set_series_attendees(series: MeetingSeries, users: list) -> None:
    wanted = {user.pk for user in users}
    SeriesAttendee.objects.filter(series=series).exclude(user_id__in=wanted).delete()
    present = set(SeriesAttendee.objects.filter(series=series).values_list("user_id", flat=True))
    SeriesAttendee.objects.bulk_create([
        SeriesAttendee(tenant_id=series.tenant_id, series=series, user_id=user_id)
        for user_id in sorted(wanted - present)
    ])  # fmt: skip


def _audit_view(series: MeetingSeries, emails: list[str]) -> dict[str, Any]:
    return {"name": series.name, "cadence": series.cadence, "weekday": series.weekday,
            "time": series.time.strftime("%H:%M"), "duration_minutes": series.duration_minutes,
            "timezone": series.timezone, "attendees": sorted(emails),
            "active": series.active}  # fmt: skip


@transaction.atomic
def series_create(
    *, tenant: Tenant, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> MeetingSeries:
    """A new series, and its first meetings planned at once."""
    now = now or timezone.now()
    clean = _clean(tenant, data)
    attendees = clean.pop("attendees")
    series = MeetingSeries(tenant=tenant, created_by=actor.user, **clean)
    series.anchor_on = first_day(cadence=series.cadence, weekday=series.weekday,
                                 on_or_after=_local_today(series.timezone, now))  # fmt: skip
    _check_no_gap(series)
    series.save(force_insert=True)
    _set_series_attendees(series, attendees)
    audit_record(
        tenant=tenant, actor=actor, action="meetings.series_created", target=series,
        changes=_audit_view(series, [user.email for user in attendees]),
    )  # fmt: skip
    _plan(series, now=now)
    return series


@transaction.atomic
def series_update(
    *, series: MeetingSeries, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> MeetingSeries:
    """Change the series; the meetings to come follow, those held stay as they were."""
    now = now or timezone.now()
    current = MeetingSeries.objects.select_for_update().select_related("tenant").get(pk=series.pk)
    was_active = current.active
    before_emails = list(current.attendance.values_list("user__email", flat=True))
    before = _audit_view(current, before_emails)
    before.pop("active")
    active = data.get("active", current.active)
    merged = {**before, "attendees": before_emails, "time": current.time,
              **{k: v for k, v in data.items() if k != "active"}}  # fmt: skip
    clean = _clean(current.tenant, merged)
    attendees = clean.pop("attendees")
    current.active = bool(active)
    rule_changed = (clean["cadence"], clean["weekday"]) != (current.cadence, current.weekday)
    for name, value in clean.items():
        setattr(current, name, value)
    if rule_changed:
        current.anchor_on = first_day(cadence=current.cadence, weekday=current.weekday,
                                      on_or_after=_local_today(current.timezone, now))  # fmt: skip
    _check_no_gap(current)
    current.save(update_fields=["name", *RULE_FIELDS, "anchor_on", "active", "updated_at"])
    _set_series_attendees(current, attendees)
    changes = changes_between(
        {**before, "active": was_active}, _audit_view(current, [u.email for u in attendees])
    )
    if changes:
        audit_record(tenant=current.tenant, actor=actor, action="meetings.series_changed",
                     target=current, changes=changes)  # fmt: skip
    _follow(current, now=now)
    _plan(current, now=now)
    series.refresh_from_db()
    return series


def _wanted_days(series: MeetingSeries, *, start: date, until: date) -> set[date]:
    wanted = set()
    for day in days(cadence=series.cadence, weekday=series.weekday, anchor=series.anchor_on,
                    start=start):  # fmt: skip
        if day > until:
            return wanted
        wanted.add(day)
    return wanted  # pragma: no cover


def _instant(series: MeetingSeries, day: date) -> datetime:
    # A wall-clock time the clocks skip on `day` is read with the offset before the change
    # (RFC 5545 §3.3.5); writing a series refuses such times for the year ahead anyway.
    return datetime.combine(day, series.time, zone_of(series.timezone))


def _invitees(series: MeetingSeries) -> list:
    """The series' attendees who are still active members (one who left is not invited)."""
    active = set(members_of(tenant=series.tenant).values_list("user_id", flat=True))
    return [a.user for a in series.attendance.select_related("user") if a.user_id in active]


def _follow(series: MeetingSeries, *, now: datetime) -> None:
    """Bring the meetings to come in line with the series as it is now."""
    to_come = list(
        Meeting.objects.filter(
            series=series, scheduled_at__gt=now,
            status__in=[MeetingStatus.PLANNED, MeetingStatus.CANCELLED],
        ).order_by("scheduled_at")
    )  # fmt: skip
    if not to_come:
        return
    last = max(meeting.occurs_on for meeting in to_come)
    wanted = (
        _wanted_days(series, start=_local_today(series.timezone, now), until=last)
        if series.active
        else set()  # a stopped series: every meeting to come is called off
    )
    invitees = _invitees(series)
    for meeting in to_come:
        if meeting.occurs_on not in wanted:
            if meeting.status == MeetingStatus.PLANNED:
                meeting_cancel_now(meeting, now=now)
            continue
        before = (meeting.scheduled_at, meeting.duration_minutes, meeting.timezone,
                  meeting.title, meeting.status)  # fmt: skip
        meeting.scheduled_at = _instant(series, meeting.occurs_on)
        meeting.duration_minutes, meeting.timezone = series.duration_minutes, series.timezone
        meeting.title, meeting.status, meeting.cancelled_at = series.name, "planned", None
        changed_people, removed = attendees_set(meeting, invitees)
        after = (meeting.scheduled_at, meeting.duration_minutes, meeting.timezone,
                 meeting.title, meeting.status)  # fmt: skip
        if before != after or changed_people:
            meeting.sequence += 1
            meeting.save(update_fields=[
                "scheduled_at", "duration_minutes", "timezone", "title", "status",
                "cancelled_at", "sequence", "updated_at",
            ])  # fmt: skip
            meeting_invite_soon(meeting, withdrawn=removed)


def _plan(series: MeetingSeries, *, now: datetime) -> list[Meeting]:
    """Create the series' meetings due within the planning horizon (and the next one)."""
    if not series.active:
        return []
    horizon = now + _plan_ahead()
    taken = set(Meeting.objects.filter(series=series).values_list("occurs_on", flat=True))
    upcoming = Meeting.objects.filter(
        series=series, scheduled_at__gt=now, status=MeetingStatus.PLANNED
    ).exists()
    created = []
    start = _local_today(series.timezone, now)
    for day in days(cadence=series.cadence, weekday=series.weekday, anchor=series.anchor_on,
                    start=start):  # fmt: skip
        instant = _instant(series, day)
        if instant <= now or day in taken:
            continue  # past, or planned already (a cancelled day stays cancelled)
        if instant > horizon and upcoming:
            break
        meeting = _create_occurrence(series, day, instant)
        if meeting is not None:
            created.append(meeting)
        upcoming = True  # made here, or by a planner run racing this one
    return created


def _create_occurrence(series: MeetingSeries, day: date, instant: datetime) -> Meeting | None:
    first = previous_day(cadence=series.cadence, weekday=series.weekday, before=day)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                tenant_id=series.tenant_id, title=series.name, scheduled_at=instant,
                duration_minutes=series.duration_minutes, timezone=series.timezone,
                period_start=first, period_end=day - timedelta(days=1), series=series,
                occurs_on=day, created_by=series.created_by,
            )  # fmt: skip
    except IntegrityError:
        return None  # another planner run made it meanwhile
    meeting.tenant = series.tenant
    Attendee.objects.bulk_create([
        Attendee(tenant_id=series.tenant_id, meeting=meeting, user=user)
        for user in _invitees(series)
    ])  # fmt: skip
    _write_agenda(meeting)
    meeting_invite_soon(meeting)
    return meeting


def series_plan_due(*, now: datetime | None = None) -> int:
    """The beat's run: plan every active series of every tenant. Safe to run twice or in
    parallel: the series row is locked while it is planned, and one meeting per series
    day is a unique constraint. Returns how many meetings this run created."""
    now = now or timezone.now()
    with cross_tenant_scope():
        due = list(MeetingSeries.all_tenants.filter(active=True).values_list("pk", "tenant_id"))
    created = 0
    for series_id, tenant_id in due:
        with tenant_scope(tenant_id), transaction.atomic():
            series = (
                MeetingSeries.objects.select_for_update()
                .select_related("tenant")
                .filter(pk=series_id)
                .first()
            )
            if series is not None:
                created += len(_plan(series, now=now))
    return created
