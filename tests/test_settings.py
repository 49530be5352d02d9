"""Settings come from the environment; production settings pass check --deploy with no warnings."""
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_with_zero_warnings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "portfolio.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "portfolio_site.settings.production",
                "DJANGO_ALLOWED_HOSTS": "x.example.org", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_locale_is_uk():
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"


def test_dates_are_written_dd_mm_yyyy():
    import datetime

    from django.template import Context, Template

    rendered = Template("{{ d|date }}").render(Context({"d": datetime.date(2026, 3, 7)}))
    assert rendered == "07/03/2026"
