"""Meeting series: a cadence (weekly, fortnightly, monthly) on a weekday at a local time.

The planner (`meetings.services.series`) turns a series into meetings ahead of time; the
series itself holds only the rule and who attends. Editing a series changes the meetings
still to come, never those held.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from smarketing.tenancy.models import TenantScoped


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    # The first `weekday` of each month.
    MONTHLY = "monthly", "Monthly (its first such day)"


class MeetingSeries(TenantScoped):
    name = models.CharField(max_length=200)
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    time = models.TimeField(help_text="Local time in `timezone`.")
    duration_minutes = models.PositiveSmallIntegerField()
    timezone = models.CharField(max_length=64)
    # The first day of the series: a fortnightly series meets every 14 days from it.
    anchor_on = models.DateField()
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SeriesAttendee", related_name="+", blank=True
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="series_weekday_0_6"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="series_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SeriesAttendee(TenantScoped):
    """A member invited to every meeting of a series. A deleted account takes its row with
    it (CASCADE): the series goes on with the others."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "series", "user"], name="series_attendee_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.series_id}"
