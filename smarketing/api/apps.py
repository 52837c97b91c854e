from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "smarketing.api"
    label = "api"

    def ready(self) -> None:
        from smarketing.api import schema  # noqa: F401  (registers the auth scheme)
