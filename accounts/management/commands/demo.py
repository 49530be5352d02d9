"""`python manage.py demo`: the demo centre, one user per role, and each feature's demo data. Idempotent."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_STEPS


class Command(BaseCommand):
    help = "Create (or refresh) the demo centre, its users and their data. Safe to run again."

    def handle(self, *args, **options):
        logins = []
        # Each app registered its demo step in its AppConfig.ready() (accounts.demo.register_demo), lowest first.
        for step in DEMO_STEPS:
            result = step(stdout=self.stdout) or {}
            logins.extend(result.get("logins", []))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        for role, username in logins:
            self.stdout.write(f"  {role:<28} username: {username:<12} password: {DEMO_PASSWORD}")
