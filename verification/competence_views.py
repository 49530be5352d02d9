"""The external verifier reads the competence records of the staff behind the candidates they are granted."""

from django.http import Http404
from django.shortcuts import render

from accounts.competence import selectors as competence

from . import selectors, services


def ev_staff_competence(request, pk, person_pk):
    """One assessor's or internal verifier's records, for a granted registration they work on (logged)."""
    registration = selectors.ev_registrations_visible_to(request.user).filter(pk=pk).first()
    if registration is None or person_pk not in (registration.assessor_id, registration.internal_verifier_id):
        raise Http404("Not found.")
    services.ev_page_log(
        user=request.user,
        path=request.get_full_path(),
        view_name=request.resolver_match.view_name,
        registration=registration,
        grant=selectors.grant_for_registration(request.user, registration),
    )
    person = competence.staff_of(registration.centre).filter(pk=person_pk).first()
    if person is None:
        raise Http404("Not found.")
    return render(
        request,
        "verification/ev_staff_competence.html",
        {
            "registration": registration,
            "person": person,
            "profile": competence._profile(person),
            "competence": competence.competence_of(person),
            "qualifications": person.staff_qualifications.all(),
            "cpd": person.cpd_entries.all(),
            "meetings": person.centre_meetings,
        },
    )
