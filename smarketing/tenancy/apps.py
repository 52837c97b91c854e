from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "smarketing.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from smarketing.tenancy import scope  # noqa: F401  (connects the connection hook)
