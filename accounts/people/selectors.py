"""Reads for the people screens. A centre admin sees the people of the centres they administer only."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Centre, Invitation, Membership, Role, User
from accounts.selectors import centres_of
from audit.dates import DATE

PER_PAGE = 50
# The roles a centre admin gives out on the people screens (external verifiers come from access grants).
CENTRE_ROLES = [Role.CANDIDATE, Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN]
IMPORT_ROLES = [Role.CANDIDATE, Role.ASSESSOR, Role.INTERNAL_VERIFIER]


def centres_administered_by(user) -> QuerySet[Centre]:
    return centres_of(user, roles=[Role.CENTRE_ADMIN])


def centre_for_admin(user, pk) -> Centre:
    """The centre if `user` administers it; the same 404 whether it does not exist or is not theirs."""
    return get_object_or_404(centres_administered_by(user), pk=pk)


def people_of(centre: Centre, *, search: str = "") -> QuerySet[User]:
    """Everyone holding a role at `centre`, with their roles and invitations there prefetched."""
    people = User.objects.filter(memberships__centre=centre).distinct()
    for word in search.split()[:5]:
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(candidate_number__icontains=word)
        )
    return people.order_by("last_name", "first_name", "username").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(centre=centre).order_by("role"),
            to_attr="centre_memberships",
        ),
        Prefetch(
            "invitations",
            queryset=Invitation.objects.filter(centre=centre).order_by("-sent_at", "-id"),
            to_attr="centre_invitations",
        ),
    )


def person_at(centre: Centre, pk) -> User:
    """One person of `centre`; 404 for anyone else (including people of other centres)."""
    return get_object_or_404(people_of(centre), pk=pk)


def invitation_status(person) -> str:
    """Plain words for the list: has this person accepted, and if not, where their invitation stands."""
    from django.conf import settings
    from django.utils import timezone

    if person.has_usable_password():
        return "Accepted"
    invitations = getattr(person, "centre_invitations", None)
    if invitations is None:
        invitations = list(person.invitations.order_by("-sent_at", "-id"))
    if not invitations:
        return "Not invited"
    newest = invitations[0]
    if newest.revoked_at:
        return "Invitation revoked"
    if (timezone.now() - newest.sent_at).days >= settings.INVITATION_VALID_DAYS:
        return "Invitation expired"
    return f"Invited {timezone.localtime(newest.sent_at):{DATE}}, not accepted"


def pending_invitation(person) -> Invitation | None:
    return (
        person.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-sent_at", "-id")
        .first()
    )


SUGGESTIONS = 10
UNKNOWN_CANDIDATE = (
    "No candidate {name!r} at your centre: type the candidate's username or candidate number "
    "(the suggestions list shows the matches), or add the person on the People page first."
)


def candidates_of(centres) -> QuerySet[User]:
    """The people holding the candidate role at any of `centres`."""
    return User.objects.filter(memberships__centre__in=centres, memberships__role=Role.CANDIDATE).distinct()


def candidate_suggestions(centre: Centre, text: str) -> list[dict]:
    """The first few candidates of `centre` whose name, username or candidate number hold every word of `text`
    (for the pickers' suggestion list: one query, never the whole centre)."""
    from audit.paging import words_filter

    if len((text or "").strip()) < 2:
        return []
    people = words_filter(
        candidates_of([centre]), text, ("username", "first_name", "last_name", "candidate_number")
    )
    return [
        {
            "username": p.username,
            "label": f"{p.get_full_name() or p.username} ({p.username}"
            + (f", {p.candidate_number})" if p.candidate_number else ")"),
        }
        for p in people.order_by("last_name", "first_name", "username")[:SUGGESTIONS]
    ]


def candidate_named(centres, name: str) -> User | None:
    """The candidate of `centres` with this username (any case) or candidate number; None when there is none or
    the number is shared."""
    name = (name or "").strip()
    if not name:
        return None
    people = candidates_of(centres)
    found = people.filter(username__iexact=name).first()
    if found is None:
        matches = list(people.filter(candidate_number=name)[:2])
        found = matches[0] if len(matches) == 1 else None
    return found
