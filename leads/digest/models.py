from django.db import models

from smarketing.tenancy.models import TenantScoped


class RejectionDigest(TenantScoped):
    """A day of the tenant's calendar whose digest of rejections went out: inserted once
    (insert-if-absent) by the run that announces it, so each day is digested once."""

    day = models.DateField()
    rejections = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="rejectiondigest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"rejections of {self.day}"
