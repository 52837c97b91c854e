from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "smarketing.privacy"
    label = "privacy"

    def ready(self) -> None:
        from smarketing.privacy import retention

        retention.register_core_pruners()
