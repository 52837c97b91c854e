from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from smarketing.tenancy.models import TenantScoped


class IdempotencyRecord(TenantScoped):
    """The first answer to a POST with an `Idempotency-Key`, replayed for repeats.

    A key belongs to the caller that sent it (`scope`: the API key, or the signed-in user),
    as Stripe scopes keys to an account: another caller of the tenant reusing the same key
    neither replays this answer nor is refused for it.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scope", "key"], name="idempotency_unique_scoped_key"
            )
        ]
        # Retention deletes by age: the sweep reads only what is due.
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]
