from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    label = "sla"
    verbose_name = "SLA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from leads.filters import first_touch_owed_condition_set
        from leads.selectors.sales_queue import (
            queue_due_soon_reader_set,
            queue_hot_score_reader_set,
        )
        from sla import handlers, home, notifications
        from sla.goals import home as goals_home
        from sla.selectors import (
            active_version,
            due_soon_until,
            first_touch_owed,
            hot_score_in_force,
        )

        handlers.register()
        notifications.register()
        home.register()
        goals_home.register()
        queue_hot_score_reader_set(hot_score_in_force)
        queue_due_soon_reader_set(lambda now: due_soon_until(now=now, version=active_version()))
        first_touch_owed_condition_set(first_touch_owed)
