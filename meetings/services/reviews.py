"""The SLA review cycle: a review meeting before each active version's review date, and the
draft of the next version proposed from it.

An active version's `review_on` (its activation day plus `review_every_months`) gets one
"SLA review" meeting `MEETINGS_REVIEW_LEAD_DAYS` before it, at 10:00 in the tenant's time,
planned when that day comes within `MEETINGS_PLAN_AHEAD_DAYS`. Its agenda covers the whole
period the version was in force. Activating a new version (the draft proposed in the review,
or any other) moves the review date; the new version gets its own review meeting.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.errors import NotAReview, ProposalNotAllowed
from meetings.models import Attendee, Meeting, MeetingKind, MeetingStatus
from meetings.schedule import zone_of
from meetings.services.calendar import meeting_invite_soon
from meetings.services.meetings import _locked, _write_agenda, refuse_if_closed
from sla import selectors as sla_selectors
from sla.models import SlaStatus, SlaVersion
from sla.services import sla_version_create
from sla.services.versions import TERM_FIELDS
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import LEADERSHIP_ROLES, has_capability
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from smarketing.tenancy.selectors import members_of

REVIEW_AT = time(10, 0)
REVIEW_MINUTES = 60


def review_day(version: SlaVersion, *, today: date) -> date:
    """The review meeting's day: the lead days before the review date, or tomorrow when that
    day has passed already (a review date close to activation, or a late planner)."""
    wanted = version.review_on - timedelta(days=settings.MEETINGS_REVIEW_LEAD_DAYS)
    return max(wanted, today + timedelta(days=1))


def sla_reviews_plan(*, now: datetime | None = None) -> int:
    """The beat's run: plan the review meeting of every active version that has none and
    whose review day is within the planning horizon. Safe to run twice or in parallel (one
    review meeting per version is a unique constraint). Returns how many it planned."""
    now = now or timezone.now()
    with cross_tenant_scope():
        reviewed = Meeting.all_tenants.filter(kind=MeetingKind.SLA_REVIEW).values("sla_version_id")
        due = list(
            SlaVersion.all_tenants.filter(status=SlaStatus.ACTIVE, review_on__isnull=False)
            .exclude(pk__in=reviewed)
            .values_list("pk", "tenant_id")
        )
    planned = 0
    for version_id, tenant_id in due:
        with tenant_scope(tenant_id), transaction.atomic():
            version = SlaVersion.objects.select_related("tenant").get(pk=version_id)
            planned += _plan_review(version, now=now) is not None
    return planned


def _plan_review(version: SlaVersion, *, now: datetime) -> Meeting | None:
    tenant = version.tenant
    zone = zone_of(tenant.timezone or "UTC")
    day = review_day(version, today=now.astimezone(zone).date())
    if day - timedelta(days=settings.MEETINGS_PLAN_AHEAD_DAYS) > now.astimezone(zone).date():
        return None  # not yet: planned when it comes within the horizon
    start = (version.activated_at or now).astimezone(zone).date()
    end = max(version.review_on - timedelta(days=1), start)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                tenant=tenant, kind=MeetingKind.SLA_REVIEW, sla_version=version,
                title=f"SLA review: v{version.number} {version.name}"[:200],
                scheduled_at=datetime.combine(day, REVIEW_AT, zone),
                duration_minutes=REVIEW_MINUTES, timezone=tenant.timezone or "UTC",
                period_start=start, period_end=end,
            )  # fmt: skip
    except IntegrityError:
        return None  # planned by a run racing this one
    signers = {version.marketing_signed_by_id, version.sales_signed_by_id}
    people = [
        m.user_id for m in members_of(tenant=tenant)
        if m.role in LEADERSHIP_ROLES or m.user_id in signers
    ]  # fmt: skip
    Attendee.objects.bulk_create(
        [Attendee(tenant=tenant, meeting=meeting, user_id=user_id) for user_id in people]
    )
    _write_agenda(meeting)
    meeting_invite_soon(meeting)
    return meeting


def may_propose(role: str) -> bool:
    """Who may draft the SLA's next version from a review: who may draft any version."""
    return has_capability(role, "sla.manage")


@transaction.atomic
def meeting_sla_change_propose(*, meeting: Meeting, actor: Actor) -> SlaVersion:
    """ "Propose a change": a draft of the next SLA version, a copy of the terms under review
    for both teams to edit and sign, linked to the meeting. Asked again, the meeting's draft
    (while it is still a draft) is returned instead of another."""
    if not actor.is_system and not may_propose(actor.role):
        raise ProposalNotAllowed(f"Your role ({actor.role}) may not draft an SLA version.")
    meeting = _locked(meeting)
    refuse_if_closed(meeting)
    if meeting.kind != MeetingKind.SLA_REVIEW or meeting.status == MeetingStatus.CANCELLED:
        raise NotAReview("Only an SLA review meeting proposes a change to the SLA.")
    proposed = meeting.proposed_sla_version
    if proposed is not None and proposed.status == SlaStatus.DRAFT:
        return proposed
    base = meeting.sla_version or sla_selectors.active_version()
    if base is None:
        raise NotAReview("There is no SLA in force to propose a change to.")
    day = timezone.localtime(meeting.scheduled_at, zone_of(meeting.zone_name())).date()
    terms = {name: getattr(base, name) for name in TERM_FIELDS}
    terms["name"] = f"{base.name} (proposed {day:%d %b %Y})"[:200]
    draft = sla_version_create(tenant=meeting.tenant, actor=actor, data=terms)
    meeting.proposed_sla_version = draft
    meeting.save(update_fields=["proposed_sla_version", "updated_at"])
    return draft
