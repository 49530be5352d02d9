"""The centre admin's people screens (thin: selectors find, services decide)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.paging import page_of

from . import selectors, services
from .forms import ExistingPersonForm, PersonForm, RoleForm, SearchForm


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def index(request):
    centres = list(selectors.centres_administered_by(request.user))
    if len(centres) == 1:
        return redirect("people:list", centre_pk=centres[0].pk)
    return render(request, "accounts/people/choose_centre.html", {"centres": centres})


def person_list(request, centre_pk):
    centre = selectors.centre_for_admin(request.user, centre_pk)
    form = SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = page_of(request, selectors.people_of(centre, search=search), selectors.PER_PAGE)
    rows = [
        (p, [m.get_role_display() for m in p.centre_memberships], selectors.invitation_status(p))
        for p in page.object_list
    ]
    return render(
        request,
        "accounts/people/list.html",
        {"centre": centre, "form": form, "page": page, "rows": rows, "search": search},
    )


def person_create(request, centre_pk):
    centre = selectors.centre_for_admin(request.user, centre_pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        username = data["username"].strip() or services.username_suggest(
            data["first_name"], data["last_name"]
        )
        try:
            person = services.person_create(
                actor=request.user,
                centre=centre,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                username=username,
                roles=data["roles"],
                candidate_number=data["candidate_number"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                f"{person} created as {person.username}; an invitation to set a password "
                f"was sent to {person.email}.",
            )
            return redirect("people:detail", centre_pk=centre.pk, pk=person.pk)
    return render(request, "accounts/people/form.html", {"centre": centre, "form": form, "creating": True})


def person_add_existing(request, centre_pk):
    centre = selectors.centre_for_admin(request.user, centre_pk)
    form = ExistingPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_add_existing(
                actor=request.user,
                centre=centre,
                username=data["username"],
                email=data["email"],
                roles=data["roles"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, f"{person} now holds roles at {centre.name} too; they sign in as before."
            )
            return redirect("people:detail", centre_pk=centre.pk, pk=person.pk)
    return render(request, "accounts/people/existing_form.html", {"centre": centre, "form": form})


def person_detail(request, centre_pk, pk):
    centre = selectors.centre_for_admin(request.user, centre_pk)
    person = selectors.person_at(centre, pk)
    held = {m.role for m in person.centre_memberships}
    return render(
        request,
        "accounts/people/detail.html",
        {
            "centre": centre,
            "person": person,
            "memberships": person.centre_memberships,
            "role_form": RoleForm(),
            "missing_roles": [r for r in selectors.CENTRE_ROLES if r.value not in held],
            "invitation_status": selectors.invitation_status(person),
            "pending": selectors.pending_invitation(person),
            "is_self": person.pk == request.user.pk,
        },
    )


def person_edit(request, centre_pk, pk):
    centre = selectors.centre_for_admin(request.user, centre_pk)
    person = selectors.person_at(centre, pk)
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "candidate_number": person.candidate_number,
    }
    form = PersonForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=request.user,
                centre=centre,
                person=person,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                candidate_number=data["candidate_number"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Details saved.")
            return redirect("people:detail", centre_pk=centre.pk, pk=person.pk)
    return render(request, "accounts/people/form.html", {"centre": centre, "form": form, "person": person})


def _act(request, centre_pk, pk, action, success):
    centre = selectors.centre_for_admin(request.user, centre_pk)
    person = selectors.person_at(centre, pk)
    try:
        action(centre, person)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success.format(person=person))
    return redirect("people:detail", centre_pk=centre.pk, pk=person.pk)


def _role(request):
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError("Choose a role.")
    return form.cleaned_data["role"]


@require_POST
def role_add(request, centre_pk, pk):
    def action(centre, person):
        services.role_add(actor=request.user, centre=centre, person=person, role=_role(request))

    return _act(request, centre_pk, pk, action, "Role added to {person}.")


@require_POST
def role_revoke(request, centre_pk, pk):
    def action(centre, person):
        services.role_revoke(actor=request.user, centre=centre, person=person, role=_role(request))

    answer = _act(request, centre_pk, pk, action, "Role revoked from {person}; it no longer opens any page.")
    centre = selectors.centre_for_admin(request.user, centre_pk)
    if not selectors.people_of(centre).filter(pk=pk).exists():  # their last role here: they left the list
        return redirect("people:list", centre_pk=centre.pk)
    return answer


@require_POST
def deactivate(request, centre_pk, pk):
    def action(centre, person):
        services.person_deactivate(actor=request.user, centre=centre, person=person)

    return _act(request, centre_pk, pk, action, "{person} is deactivated and can no longer sign in.")


@require_POST
def reactivate(request, centre_pk, pk):
    def action(centre, person):
        services.person_reactivate(actor=request.user, centre=centre, person=person)

    return _act(request, centre_pk, pk, action, "{person} is active again.")


@require_POST
def invitation_resend(request, centre_pk, pk):
    def action(centre, person):
        services.invitation_send(actor=request.user, person=person, centre=centre)

    return _act(
        request, centre_pk, pk, action, "A new invitation was sent to {person}; earlier links no longer work."
    )


@require_POST
def invitation_revoke(request, centre_pk, pk):
    def action(centre, person):
        services.invitation_revoke(actor=request.user, person=person, centre=centre)

    return _act(request, centre_pk, pk, action, "{person}'s invitation is revoked; its link no longer works.")


def candidate_suggest(request, centre_pk):
    """The pickers' suggestions (static/js/picker.js): a few candidates of this centre matching `q`, as JSON."""
    from django.http import JsonResponse

    centre = selectors.centre_for_admin(request.user, centre_pk)
    response = JsonResponse(
        {"results": selectors.candidate_suggestions(centre, request.GET.get("q", "")[:100])}
    )
    response["Cache-Control"] = "private, no-store"
    return response
