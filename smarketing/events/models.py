import uuid

from django.db import models

from smarketing.tenancy.models import TenantScoped


class OutboxEvent(TenantScoped):
    """An event written in the same transaction as the change that caused it.

    A relay turns pending rows into webhook deliveries and notifications, so a broker outage
    delays them but never loses them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=64)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    # Set when personal data was erased from `data`: what was sent before held it, so the
    # event is never sent (or redelivered) again.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(relayed_at__isnull=True),
            ),
            # Retention deletes relayed rows by age: the sweep reads only what is due.
            models.Index(
                fields=["relayed_at"],
                name="outbox_relayed_idx",
                condition=models.Q(relayed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.id}"
