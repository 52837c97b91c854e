from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "smarketing.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from smarketing.events import register_outbox_consumer
        from smarketing.notifications.services import notifications_from_events

        register_outbox_consumer(notifications_from_events)
