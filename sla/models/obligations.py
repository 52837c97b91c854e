from django.conf import settings
from django.db import models
from django.db.models import Q

from leads.models import Lead
from sla.models.versions import SlaVersion
from smarketing.tenancy.models import Tenant, TenantScoped


class ObligationKind(models.TextChoices):
    ACCEPT = "accept", "Accept or reject the SQL"
    FIRST_TOUCH = "first_touch", "First sales touch"


class ObligationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "Cancelled"


class Obligation(TenantScoped):
    """What sales owes on one lead, by when, under the terms of one SLA version.

    pending → met | breached | cancelled, only through conditional UPDATEs on `status`, so of
    two writers racing (a rep accepting, the sweep breaching) exactly one wins. `met_at` and
    `response_business_hours` are recorded for late answers too (status stays `breached`), so
    compliance can measure every response time.
    """

    # Every index of this table is written again whenever the sweep breaches a row: tenant
    # lookups are served by the composite indexes that start with it.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="sla_obligations")
    # No index of its own on version or owner: every write of the sweep updates each index
    # of this table, lookups by owner go through obligation_owner_idx, and versions are
    # never deleted.
    version = models.ForeignKey(
        SlaVersion, on_delete=models.PROTECT, related_name="obligations", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    status = models.CharField(
        max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.PENDING
    )
    # The rep answerable for it: the routed owner (null while the SQL waits in the queue).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    within_hours = models.DecimalField(max_digits=7, decimal_places=2)
    is_hot = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    response_business_hours = models.FloatField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "lead", "kind"],
                condition=Q(status="pending"),
                name="obligation_one_pending_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="breached") | Q(breached_at__isnull=False),
                name="obligation_breached_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="met") | Q(met_at__isnull=False),
                name="obligation_met_has_time",
            ),
        ]
        indexes = [
            # The sweep reads only what is due: its cost follows the due rows, not the table.
            models.Index(
                fields=["due_at"], name="obligation_due_idx", condition=Q(status="pending")
            ),
            models.Index(
                fields=["warn_at"],
                name="obligation_warn_idx",
                condition=Q(status="pending", warned_at__isnull=True),
            ),
            models.Index(fields=["tenant", "opened_at"], name="obligation_opened_idx"),
            # A rep's open obligations; answered and breached ones leave it, so breaching a
            # row writes one index entry fewer.
            models.Index(
                fields=["tenant", "owner", "due_at"],
                name="obligation_owner_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on lead {self.lead_id}: {self.status}"


class Breach(TenantScoped):
    """The one record of a missed deadline (unique per obligation), with whom it concerned.

    Lead, kind and deadline are copied from the obligation so that breach reports read one
    table; the obligation keeps the rest (version, opening time, the late answer).
    """

    # Tenant, lead and people are copies of the obligation's, which has the foreign keys: the
    # database checks each breach row against the obligation alone, which is what keeps the
    # sweep at thousands of breaches a second (deletions still cascade through the ORM).
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    obligation = models.OneToOneField(Obligation, on_delete=models.CASCADE, related_name="breach")
    # Leads are erased, never deleted, in the app; reach a lead's breaches through its obligations.
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    # The rep answerable when the deadline passed (null: nobody had taken the SQL).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # reports by rep read breach_owner_idx
        db_constraint=False,
    )
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()
    # User ids the escalation named (owner and/or managers, per the version).
    escalated_to = models.JSONField(default=list, blank=True)
    rerouted_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta(TenantScoped.Meta):
        indexes = [
            models.Index(fields=["tenant", "breached_at"], name="breach_at_idx"),
            models.Index(fields=["tenant", "owner", "breached_at"], name="breach_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"breach of {self.kind} on lead {self.lead_id}"
