"""The audit log's row: who changed what in a tenant's configuration, when, and from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from smarketing.tenancy.models import TenantScoped


class AuditEntry(TenantScoped):
    """One change, written by the service that made it, in the same transaction.

    Rows are never updated. `changes` maps each changed field to `[before, after]`; secrets
    are never stored (see `smarketing.tenancy.audit`).
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written: the person may leave, the key may be revoked, the row still says who.
    actor_label = models.CharField(max_length=254)
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_time"),
            models.Index(fields=["tenant", "action", "-created_at"], name="audit_tenant_action"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_type}:{self.target_id}"

    def change_lines(self) -> list[tuple[str, str]]:
        """`(field, "before → after")`, or `(field, value)` for recorded facts."""
        lines = []
        for field, value in (self.changes or {}).items():
            if isinstance(value, list) and len(value) == 2:
                before, after = ("—" if v in (None, "") else v for v in value)
                lines.append((field, f"{before} → {after}"))
            else:
                lines.append((field, str(value)))
        return lines
