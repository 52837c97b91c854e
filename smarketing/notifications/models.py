from django.conf import settings
from django.db import models
from django.db.models import Q

from smarketing.notifications.kinds import kind_label
from smarketing.tenancy.models import TenantScoped


class Notification(TenantScoped):
    """One message to one person about one event.

    Made by the outbox relay; (tenant, event, user, kind) is unique, so relaying an event
    again adds nothing. `in_app` and `email` record the channels the person wanted when it
    was made; `emailed_at` is set by the one sender that claims it (a conditional update);
    `email_failed_at` by a sender that found the message cannot be sent at all.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A kind an app declared (`kinds.register_kind`): no choices here, the core lists none.
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path inside the app
    event_id = models.UUIDField()
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Set when the e-mail can never be sent as it stands (a malformed address, a broken
    # template): the sweep stops retrying it, and the reason stays for the operator.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "event_id", "user", "kind"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "user", "-id"], name="notification_user_idx"),
            # The bell's count reads only unread in-app rows.
            models.Index(
                fields=["tenant", "user"],
                name="notification_unread_idx",
                condition=Q(in_app=True, read_at__isnull=True),
            ),
            # The e-mail sweep reads only what is still to send.
            models.Index(
                fields=["created_at"],
                name="notification_email_due_idx",
                condition=Q(email=True, emailed_at__isnull=True, email_failed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.title}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
