from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    label = "sla"
    verbose_name = "SLA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sla import handlers, notifications

        handlers.register()
        notifications.register()
