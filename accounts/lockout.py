"""Sign-in lockout on top of django-axes: the client address, the cool-off, and one attempt at a time.

django-axes keeps the failure counts (AccessAttempt rows) keyed on (username, client address) and refuses
a locked-out pair before any password is checked. Two things it leaves to the project:

- the client address behind our own proxies (python-ipware, through DJANGO_TRUSTED_PROXY_COUNT proxies);
- the race between "is this pair locked?" and "record this failure": 40 attempts at once all read a count
  below the limit and all get a password check. `one_attempt_at_a_time` serialises the attempts of one
  (username, client address) pair on PostgreSQL with a transaction-scoped advisory lock, so each attempt
  sees the failures of the ones before it. Other pairs are not held up.
"""

import hashlib
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from python_ipware import IpWare


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind N trusted proxies, the Nth X-Forwarded-For entry
    from the right (the one our outermost proxy wrote). Entries further left were written by the client."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.DJANGO_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded.strip():
        return remote
    # The chain as python-ipware reads it: every address a proxy saw, and last the proxy that reached us.
    chain = f"{forwarded}, {remote}" if remote else forwarded
    ip, _trusted = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=count).get_client_ip(
        {"HTTP_X_FORWARDED_FOR": chain}
    )
    # Fewer entries than proxies: the request did not come through them; trust only the connection.
    return str(ip) if ip is not None else remote


def cool_off(request=None) -> timedelta:
    return timedelta(minutes=settings.AXES_COOLOFF_MINUTES)


def cool_off_minutes() -> int:
    return max(1, settings.AXES_COOLOFF_MINUTES)


def _lock_key(username: str, ip: str | None) -> int:
    digest = hashlib.sha256(f"signin\0{username}\0{ip or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def one_attempt_at_a_time(*, username: str, ip: str | None):
    """Run one sign-in attempt (lockout check, password check, failure count) while holding the pair's lock.

    PostgreSQL: an advisory lock held to the end of the transaction, so the next attempt of the same pair
    starts only after this one's failure is committed. SQLite allows one writer at a time and has no such
    lock; there concurrent attempts of one pair are not serialised (measured: see README).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(username, ip)])
        yield
