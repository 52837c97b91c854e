"""A person's subscribable calendar feed of their meetings in one tenant."""

from django.conf import settings
from django.db import models

from smarketing.tenancy.models import TenantScoped


class CalendarFeed(TenantScoped):
    """The feed's address carries a token signed with the site's secret over the row's id and
    `nonce`: the token itself is never stored, a leaked database does not open feeds, and
    the page can still show the address. Revoking deletes the row; a new address gets a new
    nonce, so every earlier address stops working."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="calendar_feed_one_per_member")
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
