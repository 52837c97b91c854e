from django.db import models

from smarketing.tenancy.models import TenantScoped


class MatchKind(models.TextChoices):
    EMAIL = "email", "Same e-mail address"
    PHONE = "phone", "Same phone number"
    NAME_COMPANY = "name_company", "Same name and company"


class LeadMatchKey(TenantScoped):
    """A normalised key of a lead; two leads sharing a key are likely the same person.

    Stored (and indexed) when a lead's profile changes, so finding duplicates is an index
    lookup rather than normalising every lead of the tenant on each request.
    """

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="match_keys")
    kind = models.CharField(max_length=20, choices=MatchKind.choices)
    value = models.CharField(max_length=255)
    # Another lead has this key too. Kept current on every refresh, so the list of
    # duplicates reads a small partial index however few duplicates a large tenant has.
    shared = models.BooleanField(default=False)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["lead", "kind"], name="leadmatchkey_one_per_kind")
        ]
        indexes = [
            models.Index(fields=["tenant", "kind", "value"], name="leadmatchkey_value_idx"),
            models.Index(
                fields=["tenant", "-lead"], name="leadmatchkey_shared_idx",
                condition=models.Q(shared=True),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
