import secrets

from django.db import models

from smarketing.tenancy.models import TenantScoped

# The lead fields a web form may ask; e-mail always, because leads are upserted by it.
FORM_FIELDS = (
    "email", "first_name", "last_name", "company", "title", "phone", "industry",
    "company_size", "country",
)  # fmt: skip


def new_form_key() -> str:
    # Public (it is in the page's HTML) but unguessable, so forms cannot be enumerated.
    return secrets.token_urlsafe(16)


class WebForm(TenantScoped):
    """A form on the company's own site (or hosted at /f/<key>/) that creates leads."""

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=32, unique=True, default=new_form_key, editable=False)
    fields = models.JSONField(default=list)
    required = models.JSONField(default=list)
    campaign = models.ForeignKey(
        "leads.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_text = models.TextField(blank=True)
    # Bumped whenever the consent text changes: a consent names the version it agreed to.
    consent_version = models.PositiveIntegerField(default=0)
    thank_you_message = models.CharField(max_length=500, blank=True)
    thank_you_url = models.URLField(max_length=500, blank=True)
    allowed_origins = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="webform_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def asks_consent(self) -> bool:
        return bool(self.consent_text.strip())


class LeadConsent(TenantScoped):
    """A person agreed to a form's consent text: which version, when, from which address.

    The address is personal data: erasing the lead clears it.
    """

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="consents")
    form = models.ForeignKey(WebForm, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    version = models.PositiveIntegerField()
    given_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [models.Index(fields=["lead", "-given_at"], name="leadconsent_lead_idx")]

    def __str__(self) -> str:
        return f"consent of {self.lead_id} (v{self.version})"
