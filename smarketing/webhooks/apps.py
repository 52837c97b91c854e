from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "smarketing.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from smarketing.events import register_outbox_consumer
        from smarketing.webhooks import home, notifications
        from smarketing.webhooks.relay import webhook_deliveries_create

        register_outbox_consumer(webhook_deliveries_create)
        notifications.register()
        home.register()
