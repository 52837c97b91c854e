"""Buyer personas both teams agree on, the tenant's scoring settings, and re-score jobs.

A persona's identity (`BuyerPersona`) is stable; its content lives in numbered versions.
A version is frozen once anyone approved it: editing then makes the next version, so an
approval always refers to exactly the content the approver saw.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from smarketing.tenancy.configuration import WatchedTenantScoped
from smarketing.tenancy.models import TenantScoped


class PersonaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    ARCHIVED = "archived", "Archived"


class ApprovalSide(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"


class BuyerPersona(WatchedTenantScoped):
    """The stable identity of a persona: leads point at it with `Lead.persona_id`.

    Watched (kept scoring inputs, `smarketing.tenancy.configuration`): deleting one deletes
    its versions."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Persona {self.pk}"


class PersonaVersion(WatchedTenantScoped):
    """The content of a persona at one version. Only `approved` versions score leads.

    Watched: workers keep the approved versions (`smarketing.tenancy.configuration`)."""

    persona = models.ForeignKey(BuyerPersona, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    pains = models.JSONField(default=list, blank=True)
    goals = models.JSONField(default=list, blank=True)
    objections = models.JSONField(default=list, blank=True)
    preferred_channels = models.JSONField(default=list, blank=True)
    typical_titles = models.JSONField(default=list, blank=True)
    # [{"field", "operator", "value", "weight"}], each valid for personas.scoring.
    criteria = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=PersonaStatus.choices, default=PersonaStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        ordering = ["persona_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "persona", "number"], name="persona_version_unique_number"
            ),
            # The version that scores leads is never ambiguous.
            models.UniqueConstraint(
                fields=["tenant", "persona"],
                condition=Q(status="approved"),
                name="persona_one_approved_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number} ({self.status})"


class PersonaApproval(TenantScoped):
    """One side's sign-off of one version; both sides make the version approved."""

    version = models.ForeignKey(PersonaVersion, on_delete=models.CASCADE, related_name="approvals")
    side = models.CharField(max_length=10, choices=ApprovalSide.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "side"], name="persona_approval_unique_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.side} approval of {self.version_id}"


class PersonaComment(TenantScoped):
    version = models.ForeignKey(PersonaVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "-created_at"], name="persona_comment_idx")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.version_id}"


class ScoringSettings(WatchedTenantScoped):
    """How a tenant weighs engagement and blends it with fit; one row per tenant. Watched:
    workers keep it (`smarketing.tenancy.configuration`).

    A tenant without a row scores with the defaults of `personas.scoring`.
    """

    engagement_weights = models.JSONField(default=dict, blank=True)
    half_life_days = models.FloatField()
    saturation = models.FloatField()
    fit_weight = models.FloatField()
    engagement_weight = models.FloatField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        verbose_name_plural = "scoring settings"
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="scoring_settings_one_per_tenant")
        ]

    def __str__(self) -> str:
        return f"Scoring settings of {self.tenant_id}"


class RescoreStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class RescoreJob(TenantScoped):
    """A background re-score of all of a tenant's leads, batch by batch.

    `last_lead_id` is the keyset cursor: a re-delivered task resumes after it.
    """

    reason = models.CharField(max_length=200)
    recompute_engagement = models.BooleanField(
        default=False, help_text="Re-read events: the engagement weights or half-life changed."
    )
    status = models.CharField(
        max_length=12, choices=RescoreStatus.choices, default=RescoreStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    last_lead_id = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [
            models.Index(
                fields=["tenant", "id"],
                condition=Q(status__in=["queued", "running"]),
                name="rescore_job_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Re-score {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (RescoreStatus.QUEUED, RescoreStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status == RescoreStatus.DONE else 0
        return min(100, round(100 * self.done / self.total))
