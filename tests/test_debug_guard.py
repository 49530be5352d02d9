"""DEBUG is never on when the server binds beyond localhost (runserver, gunicorn)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio_site.settings.debug_guard import debug_allowed, guarded

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["manage.py", "runserver"], True),
        (["manage.py", "runserver", "8000"], True),
        (["manage.py", "runserver", "127.0.0.1:8000"], True),
        (["manage.py", "runserver", "localhost:9000"], True),
        (["manage.py", "runserver", "[::1]:8000"], True),
        (["manage.py", "runserver", "0.0.0.0:8000"], False),
        (["manage.py", "runserver", "0:8000"], False),
        (["manage.py", "runserver", "192.168.1.20:8000"], False),
        (["manage.py", "runserver", "--noreload", "[::]:8000"], False),
        (["/usr/bin/gunicorn", "portfolio_site.wsgi"], True),
        (["/usr/bin/gunicorn", "portfolio_site.wsgi", "--bind", "0.0.0.0:8000"], False),
        (["/usr/bin/gunicorn", "-b", "127.0.0.1:8000", "-b", "10.1.2.3:8000", "portfolio_site.wsgi"], False),
        (["/usr/bin/gunicorn", "--bind=unix:/run/portfolio.sock", "portfolio_site.wsgi"], True),
        (["manage.py", "migrate"], True),
    ],
)
def test_debug_is_allowed_only_on_loopback(argv, allowed):
    assert debug_allowed(argv, environ={})[0] is allowed


def test_gunicorn_cmd_args_count_too():
    assert (
        debug_allowed(
            ["gunicorn", "portfolio_site.wsgi"], environ={"GUNICORN_CMD_ARGS": "--bind 0.0.0.0:80"}
        )[0]
        is False
    )


def test_forcing_debug_off_says_so():
    err = io.StringIO()
    assert guarded(True, ["manage.py", "runserver", "0.0.0.0:8000"], {}, stderr=err) is False
    assert "DEBUG forced off" in err.getvalue() and "0.0.0.0:8000" in err.getvalue()


@pytest.mark.parametrize(("address", "debug"), [("127.0.0.1:8000", "True"), ("0.0.0.0:8000", "False")])
def test_local_settings_with_django_debug_on_turn_debug_off_for_a_public_runserver(address, debug, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.local",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = (
        f"import sys; sys.argv = ['manage.py', 'runserver', {address!r}]; import django; django.setup(); "
        "from django.conf import settings; print(settings.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == debug, result.stderr
