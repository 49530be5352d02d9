"""Links for people without an account (a witness, an employer): what every kind of confirmation request shares.

A request is a `ConfirmationLink` row (evidence.models): only the SHA-256 of its token is stored; the link works
once, until it expires, unless a newer request or a withdrawal replaced it. `link_for_token` finds the request a
link stands for or refuses it saying why and who to contact; the view helpers rate-limit the pages per client
address and keep the token out of caches, search engines and other sites' referrers.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone

from audit.dates import DATE

# A refused link says who to contact; a forged one knows nobody, so the caller's "unknown" message names nobody.
LINK_EXPIRED = "This link expired on {date}. Ask {contact} to send you a new one."
LINK_USED = "This link has already been used (the {what} was {outcome} on {date}). If that was not you, tell {contact}."
LINK_WITHDRAWN = "This request was withdrawn on {date}. If you still need to confirm it, ask {contact}."
RATE_LIMITED = "Too many attempts from your address. Wait a few minutes, then open the link again."
ERR_NAME = "Give your name and your job title."


class LinkRefused(Exception):
    """The link cannot be used; the message says why and who to contact."""


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """(token for the link, its SHA-256 to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def link_expiry():
    return timezone.now() + timedelta(days=settings.WITNESS_LINK_DAYS)


def _day(value) -> str:
    return f"{timezone.localtime(value):{DATE}}"


def link_for_token(queryset, token: str, *, unknown: str, contact_of, what: str, for_update: bool = False):
    """The open request of `queryset` this token stands for, or LinkRefused: `unknown` for a token no request has;
    used, withdrawn or expired ones name `contact_of(request)` to ask for a new link."""
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    request = queryset.filter(token_hash=token_hash(token)).first()
    if request is None:
        raise LinkRefused(unknown)
    contact = contact_of(request)
    if request.used_at is not None:
        raise LinkRefused(
            LINK_USED.format(
                what=what,
                outcome=request.get_outcome_display().lower(),
                date=_day(request.used_at),
                contact=contact,
            )
        )
    if request.withdrawn_at is not None:
        raise LinkRefused(LINK_WITHDRAWN.format(date=_day(request.withdrawn_at), contact=contact))
    if request.expires_at <= timezone.now():
        raise LinkRefused(LINK_EXPIRED.format(date=_day(request.expires_at), contact=contact))
    return request


def signer_details(name: str, job_title: str, declared: bool, *, not_declared: str) -> tuple[str, str]:
    """The name and job title of the person confirming by link (no account), stripped; refused in words when
    either is missing or the declaration is not ticked."""
    name, job_title = (name or "").strip(), (job_title or "").strip()
    if not name or not job_title:
        raise ValidationError(ERR_NAME)
    if not declared:
        raise ValidationError(not_declared)
    return name, job_title


def withdraw_open(queryset) -> int:
    """Withdraw the open requests of `queryset` (a newer request replaces them); returns how many."""
    return queryset.filter(used_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


# --- the link pages ------------------------------------------------------------------------------------------
def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


def rate_limited(request) -> bool:
    """Counts requests per client address on the link pages (no account to throttle): too many answer 429."""
    from django.core.cache import cache

    key = f"witness-link:{client_ip(request)}"
    cache.add(key, 0, timeout=settings.WITNESS_LINK_RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.WITNESS_LINK_RATE_WINDOW)
        count = 1
    return count > settings.WITNESS_LINK_RATE_LIMIT


def link_page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    # the token is in the address: never pass it to another site ("no-referrer" would make the form post Origin:
    # null, which the CSRF check refuses)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def refused_page(request, message, status=410):
    return link_page(request, "evidence/witness_link_refused.html", {"message": message}, status=status)
