from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smarketing.accounts"
    label = "accounts"
