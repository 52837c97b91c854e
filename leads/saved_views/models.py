from django.conf import settings
from django.db import models

from smarketing.tenancy.models import TenantScoped

# The lead list's optional columns, in table order; e-mail, name and stage always show.
LEAD_COLUMNS = {
    "score": "Score",
    "owner": "Owner",
    "campaign": "Campaign",
    "cold": "Cold",
    "last_activity": "Last activity",
    "created": "Created",
}


class SavedView(TenantScoped):
    """The lead list's filters (its query string) and columns, saved by one person under a
    name; shared views are listed for the whole team, only their owner deletes them."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    columns = models.JSONField(default=list, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "owner", "name"], name="savedview_unique_name_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def applied_query(self) -> str:
        """The list's query string that shows this view: its filters and its columns."""
        columns = "&".join(f"cols={name}" for name in self.columns)
        return "&".join(part for part in (self.query, columns) if part)
