"""A shared goal: a target on one funnel metric for one month or quarter of the tenant's
calendar, owned by marketing, sales or both, in effect once both teams signed it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sla.goals.metrics import GoalMetric, GoalOwner
from smarketing.periods import Period, parse_named
from smarketing.tenancy.models import TenantScoped


class Goal(TenantScoped):
    """One target, for one period, that both teams sign (see `sla.signoff`).

    A goal is never edited: its target is what both sides signed. One goal per metric and
    period in a tenant, so a scoreboard row is never ambiguous.
    """

    # The period as people name it: "2027-01" (a month) or "2027-Q1" (a quarter).
    period = models.CharField(max_length=7)
    # Its days (inclusive), for ordering and filtering; instants follow the tenant's timezone.
    starts_on = models.DateField()
    ends_on = models.DateField()
    metric = models.CharField(max_length=20, choices=GoalMetric.choices)
    target = models.DecimalField(max_digits=16, decimal_places=3)
    owner = models.CharField(max_length=10, choices=GoalOwner.choices)

    marketing_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marketing_signed_at = models.DateTimeField(null=True, blank=True)
    sales_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sales_signed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        app_label = "sla"
        ordering = ["-starts_on", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "metric"], name="goal_one_per_metric_and_period"
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="goal_target_positive"),
            models.CheckConstraint(
                condition=~Q(metric=GoalMetric.ACCEPTANCE_RATE) | Q(target__lte=1),
                name="goal_rate_at_most_one",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "period"], name="goal_tenant_period")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.period}: {self.target}"

    def period_in(self, tz_name: str) -> Period:
        """The goal's period in the tenant's calendar."""
        return parse_named(self.period, tz_name=tz_name)
