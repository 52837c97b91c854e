from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    label = "sla"
    verbose_name = "SLA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from leads.queue import queue_hot_score_reader_set
        from sla import handlers
        from sla.selectors import hot_score_in_force

        handlers.register()
        queue_hot_score_reader_set(hot_score_in_force)
