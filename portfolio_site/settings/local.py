"""Local / demo settings: the embedded SQLite default, DEBUG on unless told otherwise.

DEBUG stays off whenever the server listens beyond this machine (see debug_guard), whatever DJANGO_DEBUG says.
"""

import sys

from .base import *  # noqa: F403
from .base import env
from .debug_guard import guarded

DEBUG = guarded(env.bool("DJANGO_DEBUG", default=True), sys.argv)
# Static files straight from static/ (no collectstatic needed), with DEBUG on or forced off.
WHITENOISE_USE_FINDERS = True
