from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sla.calendar import BusinessCalendar, add_business_time
from sla.models.calendars import business_calendar_of
from sla.signoff import SIGN_SIDES  # noqa: F401  (where the models have always offered it)
from smarketing.tenancy.configuration import WatchedTenantScoped
from smarketing.tenancy.models import TenantScoped

NOTIFY_CHOICES = ("owner", "managers")


def default_notify_on_breach() -> list[str]:
    return list(NOTIFY_CHOICES)


class SlaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


_HOURS = {"max_digits": 7, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}
_SCORE = [MaxValueValidator(100)]
_SHARE = [MinValueValidator(0), MaxValueValidator(1)]


class SlaVersion(WatchedTenantScoped):
    """One version of the contract between marketing and sales.

    draft → active → retired. Only drafts change; an active version is frozen, and every
    obligation keeps the version it was opened under, so new terms apply to new hand-offs only.
    At most one version per tenant is active (a partial unique constraint). Watched: workers
    keep the thresholds in force (`smarketing.tenancy.configuration`).
    """

    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=SlaStatus.choices, default=SlaStatus.DRAFT)

    # Sales commitments, in business hours; the hot values apply when score >= hot_score.
    accept_within_hours = models.DecimalField(**_HOURS)
    first_touch_within_hours = models.DecimalField(**_HOURS)
    hot_score = models.PositiveSmallIntegerField(null=True, blank=True, validators=_SCORE)
    hot_accept_within_hours = models.DecimalField(null=True, blank=True, **_HOURS)
    hot_first_touch_within_hours = models.DecimalField(null=True, blank=True, **_HOURS)

    # The shared definitions: null means by hand only.
    mql_threshold = models.PositiveSmallIntegerField(null=True, blank=True, validators=_SCORE)
    sql_threshold = models.PositiveSmallIntegerField(null=True, blank=True, validators=_SCORE)

    # Marketing commitments.
    monthly_mql_target = models.PositiveIntegerField(default=0)
    monthly_sql_target = models.PositiveIntegerField(default=0)
    min_acceptance_rate = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    # How marketing's commitments are judged (`sla.shortfalls`): in a month still running, a
    # volume below its pace by more than `pacing_tolerance` is at risk, once at least
    # `pacing_min_elapsed` of the month's business time has passed (earlier, one quiet
    # morning would look like a trend); the acceptance rate counts only from
    # `acceptance_min_decided` hand-offs decided, so one rejection out of one is no breach.
    pacing_tolerance = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.2"), validators=_SHARE
    )
    pacing_min_elapsed = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.3"), validators=_SHARE
    )
    acceptance_min_decided = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )

    # {"mql": 14, "sql": 3, ...}: days without activity after which an open lead is cold.
    cold_after_days = models.JSONField(default=dict, blank=True)
    auto_recycle_cold = models.BooleanField(default=False)

    # Escalation: who hears of a breach, and whether a breached SQL goes to another rep.
    notify_on_breach = models.JSONField(default=default_notify_on_breach, blank=True)
    reroute_on_breach = models.BooleanField(default=False)

    review_every_months = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    review_on = models.DateField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)

    # The business calendar of these terms (`BusinessCalendar.to_dict()`).
    calendar = models.JSONField()

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
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="slaversion_unique_number"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(status="active"),
                name="slaversion_one_active_per_tenant",
            ),
            models.CheckConstraint(
                condition=Q(mql_threshold__isnull=True)
                | Q(sql_threshold__isnull=True)
                | Q(mql_threshold__lte=models.F("sql_threshold")),
                name="slaversion_mql_below_sql",
            ),
            models.CheckConstraint(
                condition=~Q(status="active")
                | (Q(marketing_signed_at__isnull=False) & Q(sales_signed_at__isnull=False)),
                name="slaversion_active_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.name} ({self.status})"

    def business_calendar(self) -> BusinessCalendar:
        return business_calendar_of(self.calendar)

    def is_hot(self, score: int) -> bool:
        return self.hot_score is not None and score >= self.hot_score

    def within_hours(self, kind: str, *, score: int) -> Decimal:
        """The business hours allowed for an obligation of `kind` on a lead with `score`."""
        hot = self.is_hot(score)
        if kind == "accept":
            return (hot and self.hot_accept_within_hours) or self.accept_within_hours
        return (hot and self.hot_first_touch_within_hours) or self.first_touch_within_hours

    def deadline(self, kind: str, *, score: int, start: datetime) -> Deadline:
        hours = self.within_hours(kind, score=score)
        allowed = timedelta(hours=float(hours))
        calendar = self.business_calendar()
        return Deadline(
            within_hours=hours,
            is_hot=self.is_hot(score),
            due_at=add_business_time(start, allowed, calendar),
            # The 80% mark: when the owner is warned that the deadline is close.
            warn_at=add_business_time(start, allowed * 0.8, calendar),
        )


@dataclass(frozen=True)
class Deadline:
    within_hours: Decimal
    is_hot: bool
    due_at: datetime
    warn_at: datetime
