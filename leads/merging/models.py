from django.conf import settings
from django.db import models

from smarketing.tenancy.models import TenantScoped


class LeadMerge(TenantScoped):
    """Two leads made one, with everything needed to make them two again.

    `before` holds every old value of both leads; `moved` the ids of the rows that moved
    from the other lead to the survivor (and what other apps did, under their own names).
    Both are personal data: erasing either lead clears them, and the merge can no longer
    be undone.
    """

    survivor = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    fields = models.JSONField(default=dict)  # field -> "this" | "other", as asked
    before = models.JSONField(default=dict)  # {"survivor": {...}, "other": {...}}
    moved = models.JSONField(default=dict)
    notes = models.JSONField(default=list)  # what the merge decided, in words
    # The survivor's `updated_at` right after the merge: a later change means it moved on.
    survivor_version = models.DateTimeField(null=True)
    at = models.DateTimeField()
    undo_until = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        indexes = [
            models.Index(fields=["survivor", "-at"], name="leadmerge_survivor_idx"),
            models.Index(fields=["other", "-at"], name="leadmerge_other_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.other_id} into {self.survivor_id}"
