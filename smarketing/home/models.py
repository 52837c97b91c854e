from django.conf import settings
from django.db import models

from smarketing.tenancy.models import TenantScoped


class HomeVisit(TenantScoped):
    """When a member last opened the tenant's home, and since when its tiles count "new".

    A visit is a run of home views less than `VISIT_GAP` apart: reloading the page keeps the
    window of the visit it belongs to, so what was new stays listed until the member leaves.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()
    # The previous visit's last view: "since my last visit" starts here (null: first visit).
    since = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="homevisit_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} last home at {self.last_seen_at}"
