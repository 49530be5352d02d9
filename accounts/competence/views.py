"""Staff competence pages: the internal verifier and centre admin read; the centre admin records."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Membership, Role, User

from . import selectors, services
from .forms import CpdForm, MeetingForm, QualificationForm, StatementForm, TraineeForm


def _is_admin(user, centre):
    return Membership.objects.filter(user=user, centre=centre, role=Role.CENTRE_ADMIN).exists()


def _assessors(centre, person):
    return (
        User.objects.filter(memberships__centre=centre, memberships__role=Role.ASSESSOR)
        .exclude(pk=person.pk)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def index(request):
    centres = list(selectors.competence_centres_of(request.user))
    if len(centres) == 1:
        return redirect("competence:overview", centre_pk=centres[0].pk)
    return render(request, "accounts/competence/choose_centre.html", {"centres": centres})


def overview(request, centre_pk):
    centre = selectors.competence_centre_for(request.user, centre_pk)
    rows = selectors.competence_overview(centre)
    return render(
        request,
        "accounts/competence/overview.html",
        {
            "centre": centre,
            "rows": rows,
            "gaps": sum(1 for r in rows if not r.complete),
            "can_edit": _is_admin(request.user, centre),
        },
    )


def staff(request, centre_pk, pk, forms=None):
    centre = selectors.competence_centre_for(request.user, centre_pk)
    person = selectors.staff_member_at(centre, pk)
    profile = selectors._profile(person)
    forms = forms or {}
    can_edit = _is_admin(request.user, centre)
    context = {
        "centre": centre,
        "person": person,
        "profile": profile,
        "competence": selectors.competence_of(person),
        "qualifications": person.staff_qualifications.all(),
        "cpd": person.cpd_entries.all(),
        "meetings": person.centre_meetings,
        "can_edit": can_edit,
    }
    if can_edit:
        context.update(
            qualification_form=forms.get("qualification") or QualificationForm(),
            statement_form=forms.get("statement")
            or StatementForm(
                initial={
                    "text": profile.occupational_competence if profile else "",
                    "reviewed_on": profile.competence_reviewed_on if profile else None,
                }
            ),
            cpd_form=forms.get("cpd") or CpdForm(),
            trainee_form=forms.get("trainee")
            or TraineeForm(
                assessors=_assessors(centre, person),
                initial={
                    "is_trainee": person.is_trainee_assessor,
                    "countersigning_assessor": profile.countersigning_assessor if profile else None,
                },
            ),
        )
    return render(request, "accounts/competence/staff.html", context, status=400 if forms else 200)


def _record(request, centre_pk, pk, name, form_class, write, success):
    centre = selectors.competence_centre_for(request.user, centre_pk)
    person = selectors.staff_member_at(centre, pk)
    form = form_class(
        request.POST, **({"assessors": _assessors(centre, person)} if name == "trainee" else {})
    )
    if form.is_valid():
        try:
            write(centre, person, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, success)
            return redirect("competence:staff", centre_pk=centre.pk, pk=person.pk)
    return staff(request, centre_pk, pk, forms={name: form})


@require_POST
def qualification_add(request, centre_pk, pk):
    def write(centre, person, data):
        services.staff_qualification_add(actor=request.user, centre=centre, person=person, **data)

    return _record(
        request, centre_pk, pk, "qualification", QualificationForm, write, "Qualification recorded."
    )


@require_POST
def statement_set(request, centre_pk, pk):
    def write(centre, person, data):
        services.competence_statement_set(actor=request.user, centre=centre, person=person, **data)

    return _record(request, centre_pk, pk, "statement", StatementForm, write, "Competence statement saved.")


@require_POST
def cpd_add(request, centre_pk, pk):
    def write(centre, person, data):
        services.cpd_add(actor=request.user, centre=centre, person=person, **data)

    return _record(request, centre_pk, pk, "cpd", CpdForm, write, "CPD entry recorded.")


@require_POST
def trainee_set(request, centre_pk, pk):
    def write(centre, person, data):
        services.trainee_set(
            actor=request.user,
            centre=centre,
            person=person,
            is_trainee=data["is_trainee"],
            countersigning_assessor=data["countersigning_assessor"],
        )

    return _record(request, centre_pk, pk, "trainee", TraineeForm, write, "Trainee status saved.")


def meeting_new(request, centre_pk):
    centre = selectors.competence_centre_for(request.user, centre_pk)
    if not _is_admin(request.user, centre):
        from django.http import Http404

        raise Http404("Not found.")
    form = MeetingForm(request.POST or None, staff=selectors.staff_of(centre))
    if request.method == "POST" and form.is_valid():
        try:
            services.standardisation_record(actor=request.user, centre=centre, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Standardisation meeting recorded.")
            return redirect("competence:overview", centre_pk=centre.pk)
    return render(request, "accounts/competence/meeting_form.html", {"centre": centre, "form": form})
