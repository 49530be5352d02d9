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
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.production",
            "DJANGO_ALLOWED_HOSTS": "x.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
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


def test_collectstatic_with_the_production_settings_succeeds_and_the_manifest_names_the_vendored_files(
    tmp_path,
):
    """README's deploy step 3: whitenoise's manifest storage aborted on Bootstrap's missing .map files."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "portfolio.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in manifest


def test_the_readme_deploy_commands_are_the_ones_the_ci_deploy_smoke_test_runs():
    """Keep README's Deploying section exactly what .ci/deploy_smoke runs, so CI proves the steps work."""
    import re

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    commands = [
        c for c in re.findall(r"`([^`]+)`", section) if c.startswith(("python manage.py", "gunicorn"))
    ]
    smoke = (ROOT / ".ci" / "deploy_smoke").read_text()
    run = (ROOT / ".ci" / "run").read_text()

    assert any(c.startswith("python manage.py migrate") for c in commands)
    assert any(c.startswith("gunicorn") for c in commands)
    for command in commands:
        if "check --deploy" in command:
            assert "manage.py check --deploy" in run
        elif "db_worker" not in command:
            assert command in smoke, f"README's {command!r} is not what .ci/deploy_smoke runs"
    assert ".ci/deploy_smoke" in run


def _production_env(tmp_path, **extra):
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_TASKS_BACKEND", "REDIS_URL"}
        },
        "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "portfolio.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }


SHOW_TASKS = (
    "from django.conf import settings; print(settings.TASKS['default']['BACKEND'], "
    "'django_rq' in settings.INSTALLED_APPS, settings.RQ_QUEUES['default']['URL'])"
)


def test_the_task_backend_is_the_database_unless_rq_is_asked_for_and_both_pass_check_deploy(tmp_path):
    """README "Deploying": DJANGO_TASKS_BACKEND=rq and REDIS_URL put the jobs on Redis (django-tasks-rq)."""
    for extra, expected in [
        ({}, "django_tasks_db.DatabaseBackend False redis://127.0.0.1:6379/0"),
        (
            {"DJANGO_TASKS_BACKEND": "rq", "REDIS_URL": "redis://queue.internal:6379/2"},
            "django_tasks_rq.RQBackend True redis://queue.internal:6379/2",
        ),
    ]:
        env = _production_env(tmp_path, **extra)
        shown = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW_TASKS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.stdout.strip().splitlines()[-1] == expected, shown.stderr
        checked = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


SHOW_CACHE = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
COUNT_IN_CACHE = "from django.core.cache import cache; cache.add('limit', 0, 60); print(cache.incr('limit'))"


def test_the_production_cache_is_shared_by_every_process_unless_cache_url_says_otherwise(tmp_path):
    """The API's and the witness links' rate limits count in the cache: two web processes (here two separate
    `manage.py` runs) count in the same one (the database's table after `createcachetable`), not one each."""

    def manage(env, *args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    env = _production_env(tmp_path)
    assert manage(env, "shell", "-v", "0", "-c", SHOW_CACHE) == "django.core.cache.backends.db.DatabaseCache"
    manage(env, "createcachetable")
    assert [manage(env, "shell", "-v", "0", "-c", COUNT_IN_CACHE) for _ in range(2)] == ["1", "2"]
    redis = _production_env(tmp_path, CACHE_URL="redis://127.0.0.1:6379/14")
    assert (
        manage(redis, "shell", "-v", "0", "-c", SHOW_CACHE) == "django.core.cache.backends.redis.RedisCache"
    )
