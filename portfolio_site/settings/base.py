"""Settings shared by every environment; values come from the environment (django-environ).

SQLite under var/ is the embedded default; DATABASE_URL switches to PostgreSQL.
"""

import sys
from pathlib import Path

import environ

from audit import dates

from .debug_guard import guarded

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
)
# Never on for a server that listens beyond this machine (debug_guard; local.py applies it again).
DEBUG = guarded(env.bool("DJANGO_DEBUG", default=False), sys.argv)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "audit.apps.AuditedAdminConfig",  # django.contrib.admin, every admin change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules",  # the permission predicates' template tags ({% load rules %})
    "accounts",
    "audit",
    "qualifications",
    "evidence",
    "assessment",
    "verification",
    "printing",
    "portability",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portfolio_site.csp.HTMLPageCSPMiddleware",
    "portfolio_site.access.AccessControlMiddleware",
    # Last, so that it sees the lockout flag the sign-in form left on the request.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out (username, client address) pairs
    "django.contrib.auth.backends.ModelBackend",
    "rules.permissions.ObjectPermissionBackend",  # user.has_perm("assessment.sign_unit", ua): <app>/permissions.py
]

ROOT_URLCONF = "portfolio_site.urls"
WSGI_APPLICATION = "portfolio_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "portfolio_site.navigation.navigation",
            ],
        },
    }
]


def sqlite_tuned(database: dict) -> dict:
    """The database settings, with SQLite's options for many concurrent writers when it is SQLite."""
    if not database["ENGINE"].endswith("sqlite3"):
        return database
    # Many requests write at once (uploads, statements, sign-offs, the task worker). SQLite's default
    # DEFERRED transactions start as readers and fail at once with "database is locked" when two try to
    # become writers; IMMEDIATE takes the write lock at BEGIN, so they queue for it (up to the busy
    # timeout) instead. WAL lets readers carry on while one writes; synchronous=NORMAL is safe with WAL.
    database.setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    return database


DATABASES = {
    "default": sqlite_tuned(env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portfolio.sqlite3'}"))
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in lockout (django-axes): this many failures for one username from one client address lock that
# pair out for AXES_COOLOFF_MINUTES; other clients, and the same client for other usernames, are unaffected.
# Attempts made while locked out do not extend the lock; a completed password reset lifts it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"  # a callable, so tests can change AXES_COOLOFF_MINUTES
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_VERBOSE = False
# How many proxies of our own stand in front of the application (the README's TLS proxy: 1). The client
# address is taken from X-Forwarded-For through exactly that many proxies; 0 means REMOTE_ADDR, and
# X-Forwarded-For is ignored (anybody could write it).
DJANGO_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (UK)")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = (
    dates.TEMPLATE_DATE
)  # dd/mm/yyyy, as the handbooks write dates (audit.dates: the one definition)
DATETIME_FORMAT = dates.TEMPLATE_DATETIME
SHORT_DATE_FORMAT = dates.TEMPLATE_DATE
DATE_INPUT_FORMATS = dates.INPUT_FORMATS
FORMAT_MODULE_PATH = ["portfolio_site.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Evidence files live in a private directory: never under static, never served by the web server.
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "private-media"))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Stored evidence is readable by the application's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Uploads bigger than this spill to a temporary file instead of memory (it is not a size limit).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env("DJANGO_FILE_UPLOAD_TEMP_DIR", default=None)
EVIDENCE_MAX_FILE_SIZE = env.int("EVIDENCE_MAX_FILE_SIZE", default=500 * 1024 * 1024)
# Images larger than this many pixels are refused at upload (a small file can decode to gigabytes).
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=40_000_000)
# Office documents (zip containers) may unpack to at most this much, and at most 100 times their size.
EVIDENCE_MAX_UNCOMPRESSED_SIZE = env.int("EVIDENCE_MAX_UNCOMPRESSED_SIZE", default=1024 * 1024 * 1024)
# Virus scanning through ClamAV's daemon (Debian: clamav-daemon). Off: items record "not scanned".
CLAMAV_ENABLED = env.bool("CLAMAV_ENABLED", default=False)
CLAMAV_SOCKET = env("CLAMAV_SOCKET", default="/var/run/clamav/clamd.ctl")  # a path, or tcp://host:port
CLAMAV_TIMEOUT_SECONDS = env.int("CLAMAV_TIMEOUT_SECONDS", default=120)
# Keep equal to clamd's StreamMaxLength: larger files are stored and recorded "too large to scan".
CLAMAV_STREAM_MAX_LENGTH = env.int("CLAMAV_STREAM_MAX_LENGTH", default=25 * 1024 * 1024)
EVIDENCE_MAX_FILES_PER_REQUEST = env.int("EVIDENCE_MAX_FILES_PER_REQUEST", default=20)
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES_PER_REQUEST

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The address people reach the site at, for absolute links in emails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long an invitation link to set a password stays valid.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
# The largest people file (CSV or XLSX) the bulk import accepts.
PEOPLE_IMPORT_MAX_BYTES = env.int("PEOPLE_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Witness confirmation links (evidence.confirmations): days a link works, and requests per client address
# per WITNESS_LINK_RATE_WINDOW seconds before the link pages answer 429.
WITNESS_LINK_DAYS = env.int("WITNESS_LINK_DAYS", default=14)
WITNESS_LINK_RATE_LIMIT = env.int("WITNESS_LINK_RATE_LIMIT", default=30)
WITNESS_LINK_RATE_WINDOW = env.int("WITNESS_LINK_RATE_WINDOW", default=600)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="portfolio@localhost")

# Background tasks (django-tasks). "database" (the embedded default): jobs are rows in the database, run by
# `manage.py db_worker`. "rq": jobs go to Redis at REDIS_URL (django-tasks-rq), run by `manage.py rqworker` on
# any machine that reaches Redis, the database and the file storage. Or a backend's dotted path.
TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


def tasks_setting(choice: str) -> dict:
    """The TASKS setting for a backend named in TASK_BACKENDS (or given by its dotted path)."""
    return {"default": {"BACKEND": TASK_BACKENDS.get(choice, choice)}}


def uses_rq(tasks: dict) -> bool:
    return tasks["default"]["BACKEND"] == TASK_BACKENDS["rq"]


TASKS = tasks_setting(env("DJANGO_TASKS_BACKEND", default="database"))
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# django-rq's queue (used only by the rq backend). A print batch of a whole cohort takes minutes, not RQ's 180 s.
RQ_QUEUES = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env.int("RQ_JOB_TIMEOUT_SECONDS", default=3600)}
}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # so that a plain `manage.py rqworker` runs django-tasks' jobs
RQ_SHOW_ADMIN_LINK = False
if uses_rq(TASKS):
    INSTALLED_APPS.append("django_rq")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True

# Two-factor sign-in (django-otp, TOTP): the name authenticator apps show for this site.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Portfolio")

# Content-Security-Policy (django-csp) on every response: scripts, styles, images and fonts from this site
# only; no inline script, no inline style, no plugins, never framed. Templates keep to it
# (tests/test_csp.py greps them; tests/browser/test_csp.py collects violations in Chromium).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # data: for Bootstrap's inline SVG icons in its CSS
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Staff (assessors, IVs, centre admins, EVs, admin-site users) are signed out after this long without a
# request; candidates keep Django's session length.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
CSRF_FAILURE_VIEW = "portfolio_site.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# The MIS API (api/): per-centre bearer tokens, cursor pagination, a rate limit per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {"api_token": env("API_RATE_LIMIT", default="600/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portfolio MIS API",
    "DESCRIPTION": "People, registrations, progress per unit and certification claims of one centre, "
    "for the centre's management information system. Authenticate with a centre API token: "
    "`Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Passports and credentials are signed with per-centre keys stored encrypted under this secret.
PORTABILITY_KEY_SECRET = env("PORTABILITY_KEY_SECRET", default="")
