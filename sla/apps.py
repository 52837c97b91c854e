from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    label = "sla"
    verbose_name = "SLA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from leads.selectors.sales_queue import queue_hot_score_reader_set
        from sla import handlers, notifications
        from sla.selectors import hot_score_in_force

        handlers.register()
        notifications.register()
        queue_hot_score_reader_set(hot_score_in_force)
