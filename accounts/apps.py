from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and centres"

    def ready(self):
        from . import demo, signals

        signals.connect()
        demo.register_demo(demo.run)  # the first step of `manage.py demo`; the apps above add theirs
