from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and centres"

    def ready(self):
        from . import signals

        signals.connect()
