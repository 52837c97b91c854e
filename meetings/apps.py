from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from meetings import calendar_views, handlers, notifications
        from smarketing.notifications.panels import register_preferences_panel

        handlers.register()
        notifications.register()
        register_preferences_panel(
            "meetings/_calendar_feed_panel.html", calendar_views.calendar_feed_panel
        )
