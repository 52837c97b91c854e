import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from smarketing.tenancy import credentials
from smarketing.tenancy.managers import TenantManager
from smarketing.tenancy.roles import Role


class Tenant(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    # Scoring, routing and notification settings that belong to the whole tenant.
    settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    # API keys are resolved with their tenant and kept per worker (see credentials).
    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        credentials.saved(self, adding, kwargs.get("update_fields"))

    def delete(self, *args, **kwargs):
        credentials.credentials_changed()
        return super().delete(*args, **kwargs)


class TenantScoped(models.Model):
    """Base of every row that belongs to a tenant.

    `objects` refuses to run without a tenant scope; `all_tenants` is the one, visible exit.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()
    all_tenants = models.Manager()  # noqa: DJ012  (a manager, not a field)

    class Meta:
        abstract = True
        default_manager_name = "objects"
        base_manager_name = "all_tenants"


class Membership(TenantScoped):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    # Sales reps mark themselves away; nothing is routed to them then.
    is_away = models.BooleanField(default=False)
    # A deactivated member keeps their history but can no longer sign in to the tenant.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant_id} as {self.role}"

    # A user key's role comes from the membership and is kept per worker (see credentials).
    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        credentials.saved(self, adding, kwargs.get("update_fields"), free=frozenset({"is_away"}))

    def delete(self, *args, **kwargs):
        credentials.credentials_changed()
        return super().delete(*args, **kwargs)


KEY_PREFIX = "smk"


def hash_key(raw_key: str) -> str:
    # Keys carry 190 bits of randomness, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(TenantScoped):
    """A credential for the REST API. Only its hash is stored; the key is shown once."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="The key acts as this user; empty for an integration key.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="apikey_unique_name_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        credentials.saved(
            self, adding, kwargs.get("update_fields"), free=frozenset({"last_used_at"})
        )

    def delete(self, *args, **kwargs):
        credentials.credentials_changed()
        return super().delete(*args, **kwargs)

    @property
    def is_integration(self) -> bool:
        return self.user_id is None

    @staticmethod
    def generate() -> tuple[str, str]:
        """Return (prefix, raw key); the raw key embeds the prefix for lookup."""
        prefix = secrets.token_hex(6)
        return prefix, f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"

    def matches(self, raw_key: str) -> bool:
        return secrets.compare_digest(self.hashed_key, hash_key(raw_key))


from smarketing.tenancy.audit_models import AuditEntry  # noqa: E402
from smarketing.tenancy.invitations.models import Invitation  # noqa: E402

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Invitation",
    "Membership",
    "Tenant",
    "TenantScoped",
    "hash_key",
]
