from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from smarketing.tenancy.models import TenantScoped
from smarketing.tenancy.roles import Role

INVITATION_VALID_FOR = timedelta(days=7)


class Invitation(TenantScoped):
    """An open invitation until it is accepted, revoked, or its link expires.

    The link carries a signed token whose random part is stored here only as a hash; a resend
    replaces it, so only the newest link works, and accepting clears it (single use).
    """

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            # One open invitation per address and tenant; old ones stay for the record.
            models.UniqueConstraint(
                "tenant",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at <= timezone.now()
