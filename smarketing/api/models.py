from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from smarketing.tenancy.models import TenantScoped


class IdempotencyRecord(TenantScoped):
    """The first answer to a POST with an `Idempotency-Key`, replayed for repeats."""

    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="idempotency_unique_key")
        ]
