"""Alignment meetings of marketing and sales: the numbers of a period, what was decided,
and who does what by when.

The agenda is generated from the live numbers (`meetings.agenda`); decisions and action
items are written by people during and after the meeting. A meeting may be one occurrence
of a series (`meetings.models.series`) or the review of an SLA version.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q

from smarketing.tenancy.models import TenantScoped


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    # Closed: the minutes are frozen and were sent; nothing of the record changes any more.
    CLOSED = "closed", "Closed"
    # Called off (a series edit moved it away): calendars are told with METHOD:CANCEL.
    CANCELLED = "cancelled", "Cancelled"


class MeetingKind(models.TextChoices):
    ALIGNMENT = "alignment", "Alignment meeting"
    SLA_REVIEW = "sla_review", "SLA review"


DEFAULT_DURATION_MINUTES = 60


class Meeting(TenantScoped):
    title = models.CharField(max_length=200)
    scheduled_at = models.DateTimeField()
    # The days the numbers of the agenda cover, both inclusive, in the tenant's timezone.
    period_start = models.DateField()
    period_end = models.DateField()
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Attendee", related_name="+", blank=True
    )
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    agenda_generated_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(
        max_length=12, choices=MeetingKind.choices, default=MeetingKind.ALIGNMENT
    )
    duration_minutes = models.PositiveSmallIntegerField(default=DEFAULT_DURATION_MINUTES)
    # The zone the meeting is held in (its series'); blank: the tenant's.
    timezone = models.CharField(max_length=64, blank=True)
    series = models.ForeignKey(
        "meetings.MeetingSeries", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="meetings",
    )  # fmt: skip
    # The series' day this meeting stands for, in the series' zone: one meeting per day.
    occurs_on = models.DateField(null=True, blank=True)
    # Calendar identity: the UID never changes; SEQUENCE rises with every change attendees
    # must see, and `invited_sequence` is the SEQUENCE last e-mailed to them.
    ical_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    invited_sequence = models.IntegerField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Minutes: frozen Markdown written when the meeting is closed, e-mailed once.
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    minutes_emailed_at = models.DateTimeField(null=True, blank=True)
    # An SLA review: the version under review, and the draft proposed in the meeting.
    sla_version = models.ForeignKey(
        "sla.SlaVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_sla_version = models.ForeignKey(
        "sla.SlaVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="meeting_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="meeting_duration_positive"
            ),
            # The series planner and the review planner may run twice or race: these make the
            # second insert fail instead of planning a meeting twice.
            models.UniqueConstraint(
                fields=["tenant", "series", "occurs_on"],
                condition=Q(series__isnull=False),
                name="meeting_one_per_series_day",
            ),
            models.UniqueConstraint(
                fields=["tenant", "sla_version"],
                condition=Q(kind="sla_review"),
                name="meeting_one_review_per_version",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-scheduled_at"], name="meeting_scheduled_idx"),
            # The e-mail sweep reads meetings to come and the recently closed, across tenants.
            models.Index(fields=["scheduled_at"], name="meeting_when_idx"),
        ]

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    def zone_name(self) -> str:
        return self.timezone or self.tenant.timezone or "UTC"

    def __str__(self) -> str:
        return self.title


class Attendee(TenantScoped):
    """A member invited to a meeting (the through table of `Meeting.attendees`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "meeting", "user"], name="attendee_unique_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.meeting_id}"


class AgendaKind(models.TextChoices):
    MQL_VOLUME = "mql_volume", "MQL volume"
    SQL_VOLUME = "sql_volume", "SQL hand-offs"
    ACCEPTANCE = "acceptance", "Acceptance rate"
    BREACHES = "breaches", "SLA breaches"
    SHORTFALLS = "shortfalls", "Marketing's SLA shortfalls"
    GOALS = "goals", "Shared goals"
    RESPONSE_TIME = "response_time", "Response time"
    REJECTIONS = "rejections", "Rejection reasons"
    COLD_LEADS = "cold_leads", "Cold leads"
    PERSONAS = "personas", "Personas"
    ACTION_ITEMS = "action_items", "Open action items"
    # The SLA review's own points.
    SLA_UNDER_REVIEW = "sla_under_review", "SLA under review"
    SALES_COMPLIANCE = "sales_compliance", "Sales compliance"
    MARKETING_COMPLIANCE = "marketing_comp", "Marketing compliance"


class AgendaItem(TenantScoped):
    """One generated point of a meeting's agenda: a human title, a short text, the figures."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=AgendaKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    figures = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "meeting", "position"], name="agenda_item_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Decision(TenantScoped):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        indexes = [models.Index(fields=["meeting", "id"], name="decision_meeting_idx")]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ActionItem(TenantScoped):
    """Something a member of the tenant does by a date. `due_notified_at` is set once, by
    the conditional UPDATE that announces the item as due (`meeting.action_item_due`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=300)
    # Required when written; null only once the person's account is deleted.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    due_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False)
                | Q(status="open", done_at__isnull=True),
                name="action_item_done_has_time",
            )
        ]
        indexes = [
            models.Index(fields=["meeting", "id"], name="action_item_meeting_idx"),
            # Open items across meetings, for the agenda's "open action items" point.
            models.Index(
                fields=["tenant", "due_on"], name="action_item_open_idx", condition=Q(status="open")
            ),
            # The due sweep reads only items not announced yet: its cost follows the due rows.
            models.Index(
                fields=["due_on"],
                name="action_item_due_idx",
                condition=Q(status="open", due_notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title
