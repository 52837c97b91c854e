from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "smarketing.home"
    label = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from smarketing.home import core_tiles

        core_tiles.register()
