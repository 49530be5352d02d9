"""Test settings: fast hashing, immediate tasks, isolated media (see tests/conftest.py)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline as they are enqueued. DJANGO_TEST_TASKS_BACKEND=rq runs the tests marked `tasks` (and only
# those: tests/conftest.py) through Redis at REDIS_URL and a real RQ worker instead; CI does (.ci/run).
TASKS = tasks_setting(  # noqa: F405
    env(  # noqa: F405
        "DJANGO_TEST_TASKS_BACKEND",
        default="django_tasks.backends.immediate.ImmediateBackend",
    )
)
if uses_rq(TASKS) and "django_rq" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("django_rq")  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
