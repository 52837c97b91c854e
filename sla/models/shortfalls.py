"""Marketing's side of the SLA judged: shortfalls of its commitments, period by period."""

from django.db import models

from sla.models.versions import SlaVersion
from smarketing.tenancy.models import TenantScoped


class ShortfallTerm(models.TextChoices):
    MQLS = "mqls", "MQLs per month"
    SQL_HANDOFFS = "sql_handoffs", "SQL hand-offs per month"
    ACCEPTANCE_RATE = "acceptance_rate", "Minimum acceptance rate"


class ShortfallStatus(models.TextChoices):
    AT_RISK = "at_risk", "At risk"
    MISSED = "missed", "Missed"


class Shortfall(TenantScoped):
    """One marketing commitment at risk (behind its pace) or missed (at the period's close).

    Written only by insert-if-absent against the unique constraint, so each (version,
    period, term, status) is recorded once however many sweeps run, and only the writer
    whose row went in announces it. `target` is the commitment (a monthly volume, or the
    minimum rate); `expected` what the pace asked for by then (at risk only); `actual`
    what was reached; `decided` the hand-offs sales decided (the acceptance rate's base).
    """

    version = models.ForeignKey(SlaVersion, on_delete=models.PROTECT, related_name="shortfalls")
    period = models.CharField(max_length=7)  # "2027-01": a month of the tenant's calendar
    period_start = models.DateField()
    term = models.CharField(max_length=20, choices=ShortfallTerm.choices)
    status = models.CharField(max_length=10, choices=ShortfallStatus.choices)
    target = models.DecimalField(max_digits=12, decimal_places=3)
    actual = models.DecimalField(max_digits=12, decimal_places=3)
    expected = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    decided = models.PositiveIntegerField(null=True, blank=True)
    elapsed_share = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "period", "term", "status"],
                name="shortfall_once_per_term_status",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "-period_start", "term"], name="shortfall_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.status} in {self.period} (v{self.version_id})"


class ClosedPeriod(TenantScoped):
    """A month whose marketing commitments were judged at its close, once per tenant.

    The first sweep after the month ends inserts it (insert-if-absent) and judges the month
    under the version that was in force at its end; later sweeps find it and move on.
    `figures` keeps what was counted, so the judgement can be read again as it was made.
    """

    version = models.ForeignKey(SlaVersion, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    closed_at = models.DateTimeField()
    figures = models.JSONField(default=dict, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], name="closedperiod_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} closed under v{self.version_id}"
