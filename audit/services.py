"""Writing the audit trail. Call audit_record inside the transaction of the change it records."""

import json

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from .actions import Action
from .models import AnonymousEventCount, AuditChainHead, AuditEntry


def _jsonable(details):
    return json.loads(json.dumps(details or {}, default=str))


@transaction.atomic
def audit_record(
    *, actor, action: str, obj: models.Model | None = None, centre=None, details=None
) -> AuditEntry:
    """Append one audit row, chained to the previous one.

    The head row is updated *before* it is read, so the write lock is taken first on SQLite too and two
    writers can never chain onto the same predecessor.
    """
    AuditChainHead.objects.get_or_create(pk=1)
    AuditChainHead.objects.filter(pk=1).update(count=F("count") + 1)
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    if centre is None and obj is not None:
        centre = getattr(obj, "centre", None)
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor_obj,
        actor_name=(actor_obj.get_username() if actor_obj else (actor if isinstance(actor, str) else "")),
        centre=centre,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        details=_jsonable(details),
        prev_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    AuditChainHead.objects.filter(pk=1).update(last_hash=entry.hash)
    return entry


def refusals_audited(action: Action, *object_kwargs: str):
    """Decorate a service so that a refusal (ValidationError) leaves an audit row `action` (an `Action` whose
    name ends in `_refused`).

    The service's own transaction has rolled back by then (nothing changed); the row is written after it, so a
    forged or stale POST is on the record. `object_kwargs` name the keyword arguments that hold the object the
    refused change was about (the first one given is used).
    """
    import functools

    from django.core.exceptions import ValidationError

    if not str(action).endswith("_refused"):
        raise ValueError(f"refusals_audited({action!r}): name the refused action (Action.<…>_REFUSED)")

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except ValidationError as exc:
                obj = next((kwargs[k] for k in object_kwargs if kwargs.get(k) is not None), None)
                audit_record(
                    actor=kwargs.get("actor"),
                    action=action,
                    obj=obj,
                    details={
                        "messages": exc.messages,
                        "asked": {
                            k: v
                            for k, v in kwargs.items()
                            if isinstance(v, (str, int, bool)) and k not in ("password",)
                        },
                    },
                )
                raise

        return wrapper

    return decorate


@transaction.atomic
def anonymous_event_count(*, kind: str) -> None:
    """Count one anonymous event (see AnonymousEventKind) in today's row: one row per day and kind."""
    day = timezone.localdate()
    AnonymousEventCount.objects.get_or_create(day=day, kind=kind)
    AnonymousEventCount.objects.filter(day=day, kind=kind).update(count=F("count") + 1)
