"""Staff competence records: the centre admin records qualifications, competence statements, CPD, standardisation
and trainees' countersigning assessors; the IV and centre admin see who is missing what or expiring soon; the EV
reads the records of the staff behind the registrations they are granted, and nobody else's."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.competence import selectors, services
from accounts.models import Role, StaffQualification
from audit.models import AuditEntry
from tests.assessment.factories import make_qualification, make_registration, make_unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def staff(centre, other_centre, make_user):
    people = {
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN),
        "iv": make_user("ivy", centre, Role.INTERNAL_VERIFIER),
        "ass": make_user("ass", centre, Role.ASSESSOR, first_name="Ada", last_name="Assessor"),
        "trainee": make_user("trainee", centre, Role.ASSESSOR, first_name="Tom", last_name="Trainee"),
        "cand": make_user("cand", centre, Role.CANDIDATE),
        "other_admin": make_user("adm_b", other_centre, Role.CENTRE_ADMIN),
        "other_iv": make_user("ivy_b", other_centre, Role.INTERNAL_VERIFIER),
        "assessor_user": make_user("ass_only", centre, Role.ASSESSOR),
    }
    return people


def complete(person, centre, admin, kind=StaffQualification.Kind.D32):
    services.staff_qualification_add(
        actor=admin,
        centre=centre,
        person=person,
        kind=kind,
        achieved_on=dt.date(2015, 5, 1),
        certificate_number="C-1",
    )
    services.competence_statement_set(
        actor=admin,
        centre=centre,
        person=person,
        text="10 years in retail",
        reviewed_on=TODAY - dt.timedelta(days=30),
    )
    services.cpd_add(
        actor=admin,
        centre=centre,
        person=person,
        date=TODAY - dt.timedelta(days=10),
        activity="Standards update",
        hours=3,
    )


def test_a_new_assessor_is_missing_everything_and_a_complete_one_nothing(centre, staff):
    rows = {r.person.username: r for r in selectors.competence_overview(centre)}
    assert set(rows) == {"ivy", "ass", "trainee", "ass_only"}  # staff only: no candidates, no admins
    assert set(rows["ass"].missing) == {
        selectors.NO_ASSESSOR_QUALIFICATION,
        selectors.NO_STATEMENT,
        selectors.NO_CPD,
        selectors.NO_STANDARDISATION,
    }
    assert selectors.NO_IV_QUALIFICATION in rows["ivy"].missing
    complete(staff["ass"], centre, staff["admin"])
    services.standardisation_record(
        actor=staff["admin"],
        centre=centre,
        date=TODAY,
        topic="Unit 101 evidence",
        attendees=[staff["ass"], staff["iv"]],
    )
    row = selectors.competence_of(selectors.staff_member_at(centre, staff["ass"].pk))
    assert row.missing == [] and row.soon == []
    assert (
        AuditEntry.objects.filter(
            action__in=[
                "staff_qualification_added",
                "competence_statement_set",
                "cpd_added",
                "standardisation_recorded",
            ]
        ).count()
        == 4
    )


def test_expiring_and_expired_and_old_reviews_are_flagged(centre, staff):
    admin, person = staff["admin"], staff["ass"]
    complete(person, centre, admin)
    services.staff_qualification_add(
        actor=admin,
        centre=centre,
        person=person,
        kind=StaffQualification.Kind.TAQA_ASSESSOR,
        achieved_on=dt.date(2020, 1, 1),
        expires_on=TODAY + dt.timedelta(days=30),
    )
    services.staff_qualification_add(
        actor=admin,
        centre=centre,
        person=person,
        kind=StaffQualification.Kind.A1,
        achieved_on=dt.date(2010, 1, 1),
        expires_on=TODAY - dt.timedelta(days=1),
    )
    services.competence_statement_set(
        actor=admin, centre=centre, person=person, text="retail", reviewed_on=TODAY - dt.timedelta(days=400)
    )
    row = selectors.competence_of(selectors.staff_member_at(centre, person.pk))
    assert any(m.startswith("TAQA_ASSESSOR expires on") for m in row.soon)
    assert any(m.startswith("A1 expired on") for m in row.missing)
    assert any("over a year ago" in m for m in row.missing)


def test_a_trainee_needs_a_qualified_countersigning_assessor(centre, staff):
    admin = staff["admin"]
    with pytest.raises(ValidationError, match="cannot countersign"):  # no assessor qualification yet
        services.trainee_set(
            actor=admin,
            centre=centre,
            person=staff["trainee"],
            is_trainee=True,
            countersigning_assessor=staff["ass"],
        )
    services.trainee_set(
        actor=admin, centre=centre, person=staff["trainee"], is_trainee=True, countersigning_assessor=None
    )
    row = selectors.competence_of(selectors.staff_member_at(centre, staff["trainee"].pk))
    assert selectors.TRAINEE_WITHOUT_COUNTERSIGNER in row.missing
    assert selectors.NO_ASSESSOR_QUALIFICATION not in row.missing  # a trainee is working towards it
    complete(staff["ass"], centre, admin)
    person = services.trainee_set(
        actor=admin,
        centre=centre,
        person=staff["trainee"],
        is_trainee=True,
        countersigning_assessor=staff["ass"],
    )
    assert person.is_trainee_assessor and person.staff_profile.countersigning_assessor == staff["ass"]
    row = selectors.competence_of(selectors.staff_member_at(centre, staff["trainee"].pk))
    assert selectors.TRAINEE_WITHOUT_COUNTERSIGNER not in row.missing


def test_only_a_centre_admin_here_records(centre, staff):
    for actor in (staff["iv"], staff["other_admin"]):
        with pytest.raises(ValidationError, match="Only a centre admin"):
            services.cpd_add(
                actor=actor, centre=centre, person=staff["ass"], date=TODAY, activity="x", hours=1
            )
    with pytest.raises(ValidationError, match="not an assessor or internal verifier"):
        services.cpd_add(
            actor=staff["admin"], centre=centre, person=staff["cand"], date=TODAY, activity="x", hours=1
        )


STAFF_URLS = [
    "competence:staff",
    "competence:qualification_add",
    "competence:statement_set",
    "competence:cpd_add",
    "competence:trainee_set",
]


def test_every_competence_url_is_in_the_access_table():
    from django.urls import get_resolver

    from portfolio_site import access
    from tests.test_access_table import walk

    names = {
        n for n, _ in walk(get_resolver().url_patterns) if n.split(":")[0] in {"competence", "ev_competence"}
    }
    assert names == set(
        STAFF_URLS
        + ["competence:index", "competence:overview", "competence:meeting_new", "ev_competence:staff"]
    )
    assert names <= set(access.ACCESS)


def test_who_reaches_the_competence_pages(client, centre, staff):
    overview = reverse("competence:overview", args=[centre.pk])
    detail = reverse("competence:staff", args=[centre.pk, staff["ass"].pk])
    meeting = reverse("competence:meeting_new", args=[centre.pk])
    cpd = reverse("competence:cpd_add", args=[centre.pk, staff["ass"].pk])
    expected = {  # who: (overview, detail, meeting form, cpd post)
        "admin": (200, 200, 200, 302),
        "iv": (200, 200, 404, 404),
        "ass": (404, 404, 404, 404),
        "cand": (404, 404, 404, 404),
        "other_admin": (404, 404, 404, 404),
        "other_iv": (404, 404, 404, 404),
    }
    data = {"date": TODAY.isoformat(), "activity": "Read the new standards", "hours": "2"}
    for who, codes in expected.items():
        client.force_login(staff[who])
        got = (
            client.get(overview).status_code,
            client.get(detail).status_code,
            client.get(meeting).status_code,
            client.post(cpd, data).status_code,
        )
        assert got == codes, who
    client.force_login(staff["admin"])
    assert client.get(reverse("competence:staff", args=[centre.pk, staff["cand"].pk])).status_code == 404
    assert client.get(reverse("competence:overview", args=[999999])).status_code == 404


def test_overview_page_lists_gaps_with_a_fixed_number_of_queries(
    client, centre, staff, make_user, django_assert_max_num_queries
):
    """The same queries with 2 and with 15 more assessors (at most 12)."""
    complete(staff["ass"], centre, staff["admin"])
    client.force_login(staff["iv"])
    counts = []
    for size in (2, 15):
        for i in range(size):
            make_user(f"extra{size}-{i}", centre, Role.ASSESSOR)
        with django_assert_max_num_queries(12) as captured:
            page = client.get(reverse("competence:overview", args=[centre.pk])).content.decode()
        counts.append(len(captured.captured_queries))
        assert selectors.NO_ASSESSOR_QUALIFICATION in page and "Ada Assessor" in page
    assert counts[0] == counts[1], counts


def test_admin_records_through_the_page_and_bad_input_is_kept(client, centre, staff):
    client.force_login(staff["admin"])
    url = reverse("competence:qualification_add", args=[centre.pk, staff["ass"].pk])
    response = client.post(url, {"kind": "D32", "achieved_on": "2015-05-01", "certificate_number": "CG-123"})
    assert response.status_code == 302
    page = client.get(reverse("competence:staff", args=[centre.pk, staff["ass"].pk])).content.decode()
    assert "CG-123" in page and "D32 Assess candidate performance" in page
    bad = client.post(url, {"kind": "D32", "achieved_on": "not a date", "certificate_number": "CG-999"})
    assert bad.status_code == 400 and "CG-999" in bad.content.decode()
    meeting = client.post(
        reverse("competence:meeting_new", args=[centre.pk]),
        {"date": TODAY.isoformat(), "topic": "Sampling 2026", "attendees": [staff["ass"].pk, staff["iv"].pk]},
    )
    assert meeting.status_code == 302


@pytest.fixture
def granted(centre, staff, make_user):
    from verification import services as verification_services

    registration = make_registration(
        centre=centre,
        candidate=staff["cand"],
        assessor=staff["ass"],
        internal_verifier=staff["iv"],
        qualification=make_qualification(mandatory=[make_unit()]),
    )
    ev = make_user("ev", centre, Role.EXTERNAL_VERIFIER)
    verification_services.grant_create(
        actor=staff["admin"],
        centre=centre,
        external_verifier=ev,
        scope="candidates",
        expires_on=TODAY + dt.timedelta(days=10),
        registrations=[registration],
    )
    return registration, ev


def test_the_ev_reads_the_staff_behind_a_granted_registration_only(client, centre, staff, granted, make_user):
    registration, ev = granted
    complete(staff["ass"], centre, staff["admin"])
    client.force_login(ev)
    url = reverse("ev_competence:staff", args=[registration.pk, staff["ass"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "10 years in retail" in page.content.decode()
    assert (
        client.get(reverse("ev_competence:staff", args=[registration.pk, staff["iv"].pk])).status_code == 200
    )
    for person in ("trainee", "cand", "admin"):  # not this registration's assessor or IV
        assert (
            client.get(reverse("ev_competence:staff", args=[registration.pk, staff[person].pk])).status_code
            == 404
        )
    hub = client.get(reverse("verification:ev_registration", args=[registration.pk])).content.decode()
    assert f'href="{url}"' in hub
    other_ev = make_user("ev2", centre, Role.EXTERNAL_VERIFIER)
    client.force_login(other_ev)
    assert client.get(url).status_code == 404
    client.force_login(staff["admin"])
    assert client.get(url).status_code == 404
