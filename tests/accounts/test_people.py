"""People screens: a centre admin lists, creates, edits, gives and revokes roles, deactivates; all audited;
another centre's admin meets the same 404 as for a person who does not exist."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Centre, Invitation, Membership, Role, User
from accounts.people import services
from audit.actions import Action
from audit.models import AuditEntry
from portfolio_site import access
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PERSON_URLS = [
    "people:detail",
    "people:edit",
    "people:role_add",
    "people:role_revoke",
    "people:deactivate",
    "people:reactivate",
    "people:invitation_resend",
    "people:invitation_revoke",
]
CENTRE_URLS = [
    "people:list",
    "people:candidate_suggest",
    "people:create",
    "people:add_existing",
    "people_import:upload",
    "people_import:export",
]
POST_ONLY = {
    "people:role_add",
    "people:role_revoke",
    "people:deactivate",
    "people:reactivate",
    "people:invitation_resend",
    "people:invitation_revoke",
}


@pytest.fixture
def admins(centre, other_centre, make_user):
    return {
        "a": make_user("admin_a", centre, Role.CENTRE_ADMIN),
        "b": make_user("admin_b", other_centre, Role.CENTRE_ADMIN),
    }


@pytest.fixture
def cara(centre, make_user):
    return make_user(
        "cara", centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate", email="cara@example.org"
    )


def create(client, centre, **data):
    payload = {
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "priya@example.org",
        "username": "",
        "roles": ["candidate"],
        "candidate_number": "CN123",
        **data,
    }
    return client.post(reverse("people:create", args=[centre.pk]), payload)


def test_every_people_url_is_in_the_access_table():
    from django.urls import get_resolver

    from tests.test_access_table import walk

    names = {
        n
        for n, _ in walk(get_resolver().url_patterns)
        if n.split(":")[0] in {"people", "people_import", "invitations"}
    }
    assert names == set(
        PERSON_URLS + CENTRE_URLS + ["people:index", "invitations:accept", "invitations:request_new"]
    )
    assert names <= set(access.ACCESS)


@pytest.mark.parametrize("url_name", CENTRE_URLS + PERSON_URLS)
def test_matrix_only_this_centres_admin_gets_through(client, centre, admins, role_users, cara, url_name):
    """Each role of the centre, and the other centre's admin: only this centre's admin reaches the page;
    the other admin's 404 is the same as for a centre or person that does not exist."""
    args = [centre.pk, cara.pk] if url_name in PERSON_URLS else [centre.pk]
    url = reverse(url_name, args=args)
    method = client.post if url_name in POST_ONLY else client.get
    anonymous = method(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    others = [u for role, u in role_users.items() if role != "centre_admin"]
    for who in [*others, admins["b"]]:
        client.force_login(who)
        assert method(url).status_code == 404, (url_name, who.username)
    for who in (admins["a"], role_users["centre_admin"]):
        client.force_login(who)
        assert method(url).status_code in (200, 302), (url_name, who.username)
    client.force_login(admins["a"])
    missing = [999999, cara.pk] if url_name in PERSON_URLS else [999999]
    assert method(reverse(url_name, args=missing)).status_code == 404
    if url_name in PERSON_URLS:  # this admin, a person of the other centre: 404
        stranger = User.objects.create_user("stranger")
        Membership.objects.create(
            user=stranger, centre=Centre.objects.get(number="T002"), role=Role.CANDIDATE
        )
        assert method(reverse(url_name, args=[centre.pk, stranger.pk])).status_code == 404


def test_index_redirects_to_the_only_centre_and_lists_several(client, centre, other_centre, admins):
    client.force_login(admins["a"])
    assert client.get(reverse("people:index"))["Location"] == reverse("people:list", args=[centre.pk])
    Membership.objects.create(user=admins["a"], centre=other_centre, role=Role.CENTRE_ADMIN)
    page = client.get(reverse("people:index")).content.decode()
    assert reverse("people:list", args=[other_centre.pk]) in page


def test_dashboard_links_to_the_people_list(client, centre, admins):
    client.force_login(admins["a"])
    page = client.get(reverse("dashboards:centre_admin")).content.decode()
    assert reverse("people:list", args=[centre.pk]) in page


def test_create_a_candidate_suggests_the_username_invites_and_audits(
    client, centre, admins, django_capture_on_commit_callbacks
):
    client.force_login(admins["a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = create(client, centre)
    person = User.objects.get(email="priya@example.org")
    assert response["Location"] == reverse("people:detail", args=[centre.pk, person.pk])
    assert person.username == "priya.patel" and person.candidate_number == "CN123"
    assert not person.has_usable_password()
    assert person.roles_in(centre) == {"candidate"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["priya@example.org"]
    assert re.search(r"http://testserver-site/invitation/\S+/\S+/", mail.outbox[0].body)
    assert "priya.patel" in mail.outbox[0].body
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"person_created", "invitation_sent"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver-site"


def test_a_second_priya_patel_gets_a_numbered_username(client, centre, admins, make_user):
    make_user("priya.patel", centre, Role.ASSESSOR)
    client.force_login(admins["a"])
    create(client, centre)
    assert User.objects.get(email="priya@example.org").username == "priya.patel2"


def test_create_refuses_a_taken_email_or_username_with_a_message(client, centre, admins, cara):
    client.force_login(admins["a"])
    page = create(client, centre, email="CARA@example.org").content.decode()
    assert "already belongs to another account" in page
    page = create(client, centre, username="Cara").content.decode()
    assert "already taken" in page
    assert not User.objects.filter(first_name="Priya").exists()


def test_candidate_number_only_for_candidates(client, centre, admins):
    client.force_login(admins["a"])
    page = create(client, centre, roles=["assessor"]).content.decode()
    assert "only for people with the candidate role" in page


def test_list_pages_50_and_searches_with_roles_status_and_invitation(
    client, centre, admins, make_user, django_assert_max_num_queries
):
    for i in range(60):
        person = make_user(f"p{i:02d}", centre, Role.CANDIDATE, first_name=f"Person{i:02d}", last_name="Zed")
        person.set_unusable_password()
        person.save()
        services.invitation_send(actor=admins["a"], person=person, centre=centre)
    make_user("sam", centre, Role.ASSESSOR, Role.INTERNAL_VERIFIER, first_name="Sam", last_name="Aardvark")
    client.force_login(admins["a"])
    with django_assert_max_num_queries(10):
        page = client.get(reverse("people:list", args=[centre.pk])).content.decode()
    assert page.count(f'href="/people/{centre.pk}/') >= 50
    assert "Page 1 of 2" in page and "62 people" in page
    assert "Assessor, Internal verifier" in page and "Accepted" in page and "not accepted" in page
    page2 = client.get(reverse("people:list", args=[centre.pk]) + "?page=2").content.decode()
    assert "Person59" in page2 and "Person00" not in page2
    found = client.get(reverse("people:list", args=[centre.pk]) + "?q=aardvark").content.decode()
    assert "Sam Aardvark" in found and "Person01" not in found and "1 matching people" in found


def test_list_does_not_show_other_centres_people(client, centre, other_centre, admins, make_user):
    make_user("theirs", other_centre, Role.CANDIDATE, first_name="Theirs")
    client.force_login(admins["a"])
    assert "Theirs" not in client.get(reverse("people:list", args=[centre.pk])).content.decode()


def test_edit_details_is_audited_with_the_changes(client, centre, admins, cara):
    client.force_login(admins["a"])
    response = client.post(
        reverse("people:edit", args=[centre.pk, cara.pk]),
        {
            "first_name": "Carys",
            "last_name": "Candidate",
            "email": "carys@example.org",
            "candidate_number": "X9",
        },
    )
    assert response.status_code == 302
    cara.refresh_from_db()
    assert (cara.first_name, cara.email, cara.candidate_number) == ("Carys", "carys@example.org", "X9")
    entry = AuditEntry.objects.get(action=Action.PERSON_UPDATED)
    assert entry.details["changes"]["first_name"] == ["Cara", "Carys"]


def test_add_and_revoke_a_role_take_effect_at_once(client, centre, admins, cara):
    client.force_login(admins["a"])
    client.post(reverse("people:role_add", args=[centre.pk, cara.pk]), {"role": "assessor"})
    assert cara.roles_in(centre) == {"candidate", "assessor"}
    client.force_login(cara)
    assert client.get(reverse("dashboards:assessor")).status_code == 200
    client.force_login(admins["a"])
    client.post(reverse("people:role_revoke", args=[centre.pk, cara.pk]), {"role": "assessor"})
    client.force_login(cara)
    assert client.get(reverse("dashboards:assessor")).status_code == 404
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "membership_grant" in actions and "membership_revoke" in actions


def test_a_centre_admin_cannot_revoke_their_own_admin_role(client, centre, admins):
    client.force_login(admins["a"])
    response = client.post(
        reverse("people:role_revoke", args=[centre.pk, admins["a"].pk]), {"role": "centre_admin"}, follow=True
    )
    assert services.OWN_ADMIN_ROLE in response.content.decode().replace("&#x27;", "'")
    assert admins["a"].roles_in(centre) == {"centre_admin"}


def test_revoking_the_last_role_takes_them_off_the_list(client, centre, admins, cara):
    client.force_login(admins["a"])
    response = client.post(reverse("people:role_revoke", args=[centre.pk, cara.pk]), {"role": "candidate"})
    assert response["Location"] == reverse("people:list", args=[centre.pk])
    assert client.get(reverse("people:detail", args=[centre.pk, cara.pk])).status_code == 404


def test_deactivated_cannot_sign_in_and_reactivated_can(client, centre, admins, cara):
    client.force_login(admins["a"])
    client.post(reverse("people:deactivate", args=[centre.pk, cara.pk]))
    cara.refresh_from_db()
    assert not cara.is_active
    client.logout()
    page = client.post(reverse("accounts:login"), {"username": "cara", "password": PASSWORD})
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    client.force_login(admins["a"])
    client.post(reverse("people:reactivate", args=[centre.pk, cara.pk]))
    client.logout()
    assert (
        client.post(reverse("accounts:login"), {"username": "cara", "password": PASSWORD}).status_code == 302
    )
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "person_deactivated" in actions and "person_reactivated" in actions


def test_deactivating_someone_who_also_works_elsewhere_is_refused(client, centre, other_centre, admins, cara):
    Membership.objects.create(user=cara, centre=other_centre, role=Role.ASSESSOR)
    client.force_login(admins["a"])
    page = client.post(reverse("people:deactivate", args=[centre.pk, cara.pk]), follow=True).content.decode()
    assert "also holds roles at another centre" in page
    cara.refresh_from_db()
    assert cara.is_active


def test_one_person_holds_roles_at_two_centres_and_each_admin_sees_only_their_own_roles(
    client, centre, other_centre, admins, cara
):
    Membership.objects.create(user=cara, centre=other_centre, role=Role.ASSESSOR)
    client.force_login(admins["b"])
    page = client.get(reverse("people:detail", args=[other_centre.pk, cara.pk])).content.decode()
    assert "Revoke assessor role" in page and "Revoke candidate role" not in page


def test_a_deactivated_persons_signed_decisions_stay_attributed(centre, admins, make_user):
    from tests.assessment.factories import make_qualification, make_registration, make_unit

    assessor = make_user("ass", centre, Role.ASSESSOR)
    candidate = make_user("cand", centre, Role.CANDIDATE)
    iv = make_user("iv", centre, Role.INTERNAL_VERIFIER)
    registration = make_registration(
        centre=centre,
        candidate=candidate,
        assessor=assessor,
        internal_verifier=iv,
        qualification=make_qualification(mandatory=[make_unit()]),
    )
    services.person_deactivate(actor=admins["a"], centre=centre, person=assessor)
    registration.refresh_from_db()
    assert registration.assessor == assessor and User.objects.filter(pk=assessor.pk).exists()


def test_services_refuse_someone_who_is_not_admin_here(centre, other_centre, admins, cara):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only a centre admin"):
        services.role_add(actor=admins["b"], centre=centre, person=cara, role="assessor")
    with pytest.raises(ValidationError, match="Only a centre admin"):
        services.person_create(
            actor=admins["b"],
            centre=centre,
            first_name="X",
            last_name="Y",
            email="x@example.org",
            username="xy",
            roles=["candidate"],
        )
    assert not Invitation.objects.exists()


def test_an_admin_adds_someone_from_another_centre_by_username_and_email(
    client, centre, other_centre, admins, make_user
):
    sam = make_user("sam", other_centre, Role.ASSESSOR, email="sam@example.org", first_name="Sam")
    client.force_login(admins["a"])
    url = reverse("people:add_existing", args=[centre.pk])
    for username, email in (("sam", "wrong@example.org"), ("nobody", "sam@example.org")):
        page = client.post(url, {"username": username, "email": email, "roles": ["internal_verifier"]})
        assert services.NO_SUCH_PERSON in page.content.decode().replace("&#x27;", "'")
    response = client.post(
        url, {"username": "SAM", "email": "Sam@example.org", "roles": ["internal_verifier"]}
    )
    assert response["Location"] == reverse("people:detail", args=[centre.pk, sam.pk])
    assert sam.roles_in(centre) == {"internal_verifier"} and sam.roles_in(other_centre) == {"assessor"}
    assert AuditEntry.objects.filter(action=Action.MEMBERSHIP_GRANT, centre=centre).exists()


def test_a_deactivated_persons_open_session_ends(client, centre, admins, cara):
    client.force_login(cara)
    assert client.get(reverse("dashboards:candidate")).status_code == 200
    services.person_deactivate(actor=admins["a"], centre=centre, person=cara)
    response = client.get(reverse("dashboards:candidate"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
