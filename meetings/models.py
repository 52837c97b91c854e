"""Alignment meetings of marketing and sales: the numbers of a period, what was decided,
and who does what by when.

The agenda is generated from the live numbers (`meetings.agenda`); decisions and action
items are written by people during and after the meeting.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q

from smarketing.tenancy.models import TenantScoped


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="meeting_period_ordered"
            )
        ]
        indexes = [models.Index(fields=["tenant", "-scheduled_at"], name="meeting_scheduled_idx")]

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
    RESPONSE_TIME = "response_time", "Response time"
    REJECTIONS = "rejections", "Rejection reasons"
    COLD_LEADS = "cold_leads", "Cold leads"
    PERSONAS = "personas", "Personas"
    ACTION_ITEMS = "action_items", "Open action items"


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
