"""`python manage.py demo`: the demo centre, one user per role, and each feature's demo data. Idempotent."""
import importlib

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD

# Each app's demo module exposes run(stdout=None); they run in this order, after the foundation's.
DEMO_MODULES = ["accounts.demo", "qualifications.demo", "evidence.demo", "assessment.demo", "verification.demo"]


class Command(BaseCommand):
    help = "Create (or refresh) the demo centre, its users and their data. Safe to run again."

    def handle(self, *args, **options):
        logins = []
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
            result = module.run(stdout=self.stdout) or {}
            logins.extend(result.get("logins", []))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        for role, username in logins:
            self.stdout.write(f"  {role:<28} username: {username:<12} password: {DEMO_PASSWORD}")
