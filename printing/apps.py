from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "printing"
    verbose_name = "PDF recording forms"

    def ready(self):
        # verification sits below printing: its external verifier downloads print through its hook.
        from verification import hooks

        from . import registry

        hooks.register_form_pdf(registry.completed_pdf)
