"""POST /api/v1/people/: a person made at the token's centre through the People screen's form and service."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Role, User
from accounts.people import services as people_services
from api.models import Scope
from audit.models import AuditEntry
from tests.api.test_api import bearer, token

NEW_PASSWORD = "a-long-new-password-2026"
URL = "/api/v1/people/"


def body(**changes):
    data = {
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "priya@example.org",
        "roles": ["candidate"],
        "candidate_number": "C-77",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def post(client, key, data, **extra):
    return client.post(URL, data, content_type="application/json", **bearer(key), **extra)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portfolio.example.org"


@pytest.mark.django_db
def test_the_url_is_the_people_list():
    assert reverse("api:people") == URL


@pytest.mark.django_db
def test_creates_a_person_at_the_tokens_centre_invited_and_audited(
    client, world, django_capture_on_commit_callbacks
):
    key = token(world, Scope.WRITE_PEOPLE)
    with django_capture_on_commit_callbacks(execute=True):
        created = post(client, key, body())
    assert created.status_code == 201, created.content
    answer = created.json()
    assert answer["username"] == "priya.patel"  # suggested from the name, as on the screen
    assert answer["roles"] == ["candidate"] and answer["name"] == "Priya Patel"
    person = User.objects.get(username="priya.patel")
    assert person.candidate_number == "C-77" and not person.has_usable_password()
    assert list(Membership.objects.filter(user=person).values_list("centre", "role")) == [
        (world.centre.pk, "candidate")
    ]
    assert AuditEntry.objects.filter(action=people_services.Action.PERSON_CREATED, actor=world.admin).exists()
    api_row = AuditEntry.objects.get(action="api.person_created")
    assert api_row.details["token"] == key[:10] and api_row.details["roles"] == ["candidate"]
    assert mail.outbox[-1].to == ["priya@example.org"]


@pytest.mark.django_db
def test_the_created_person_accepts_the_invitation_and_signs_in(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post(
                client,
                token(world, Scope.WRITE_PEOPLE),
                body(username="p.patel", roles=["assessor", "internal_verifier"], candidate_number=None),
            ).status_code
            == 201
        )
    path = re.search(r"https://portfolio\.example\.org(/invitation/\S+/\S+/)", mail.outbox[-1].body).group(1)
    accepted = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert accepted["Location"] == reverse("accounts:login")
    signed_in = client.post(reverse("accounts:login"), {"username": "p.patel", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("home"), follow=True).status_code == 200
    assert sorted(User.objects.get(username="p.patel").memberships.values_list("role", flat=True)) == [
        "assessor",
        "internal_verifier",
    ]


@pytest.mark.django_db
def test_a_repeated_post_makes_no_second_person(client, world):
    key = token(world, Scope.WRITE_PEOPLE)
    first = post(client, key, body(username="priya"))
    assert first.status_code == 201
    again = post(client, key, body(username="priya"))
    assert again.status_code == 409
    assert people_services.USERNAME_TAKEN.format(username="priya") in again.json()["detail"]
    assert again.json()["id"] == first.json()["id"]
    same_email = post(client, key, body(username="someone.else"))
    assert same_email.status_code == 409
    assert people_services.EMAIL_TAKEN.format(email="priya@example.org") in same_email.json()["detail"]
    assert User.objects.filter(email="priya@example.org").count() == 1
    assert AuditEntry.objects.filter(action="api.person_created").count() == 1


@pytest.mark.django_db
def test_a_clash_with_another_centres_person_names_no_id(client, world, other_centre):
    world.make_user("elsewhere", other_centre, Role.CANDIDATE, email="else@example.org")
    clash = post(
        client, token(world, Scope.WRITE_PEOPLE), body(username="elsewhere", email="new@example.org")
    )
    assert clash.status_code == 409 and "id" not in clash.json()


@pytest.mark.django_db
def test_scope_is_enforced(client, world):
    read_only = token(world, *[s for s in Scope.values if s != Scope.WRITE_PEOPLE])
    refused = post(client, read_only, body())
    assert refused.status_code == 403
    assert not User.objects.filter(email="priya@example.org").exists()
    write_only = token(world, Scope.WRITE_PEOPLE)
    assert client.get(URL, **bearer(write_only)).status_code == 403  # writing is not reading
    assert client.post(URL, body(), content_type="application/json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_a_signed_in_session_cannot_create_people(client, world, role, make_user):
    client.force_login(make_user(f"s_{role}", world.centre, role))
    assert client.post(URL, body(), content_type="application/json").status_code in (401, 403)
    assert not User.objects.filter(email="priya@example.org").exists()


@pytest.mark.django_db
def test_another_centres_token_cannot_touch_this_centre(client, world, other_centre):
    other_admin = world.make_user("oadm", other_centre, Role.CENTRE_ADMIN)
    key = token(world, Scope.WRITE_PEOPLE, centre=other_centre, admin=other_admin)
    sneaky = post(client, key, body(centre=world.centre.number))
    assert sneaky.status_code == 400 and "Unknown field(s): centre" in sneaky.content.decode()
    made = post(client, key, body())
    assert made.status_code == 201
    assert list(
        Membership.objects.filter(user__email="priya@example.org").values_list("centre", flat=True)
    ) == [other_centre.pk]
    # a person of this centre is not theirs to extend: the username clash answers without an id
    clash = post(client, key, body(username="cara", email="cara.new@example.org"))
    assert clash.status_code == 409 and "id" not in clash.json()
    assert not Membership.objects.filter(user=world.cara, centre=other_centre).exists()


@pytest.mark.django_db
def test_a_token_cannot_make_a_centre_admin(client, world):
    refused = post(
        client, token(world, Scope.WRITE_PEOPLE), body(roles=["centre_admin"], candidate_number=None)
    )
    assert (
        refused.status_code == 400
        and "a centre admin is made on the People screen" in refused.content.decode()
    )
    assert not User.objects.filter(email="priya@example.org").exists()


@pytest.mark.django_db
def test_malformed_json_is_refused_in_words(client, world):
    key = token(world, Scope.WRITE_PEOPLE)
    broken = client.post(URL, '{"first_name": "Priya",', content_type="application/json", **bearer(key))
    assert broken.status_code == 400 and "JSON parse error" in broken.json()["detail"]
    not_an_object = post(client, key, [body()])
    assert not_an_object.status_code == 400 and "Expected a dictionary" in not_an_object.content.decode()
    assert not User.objects.filter(email="priya@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": None}, "email", "required"),
        ({"first_name": {"$ne": ""}}, "first_name", "Not a valid string"),
        ({"last_name": ["Patel"]}, "last_name", "Not a valid string"),
        ({"first_name": "x" * 151}, "first_name", "no more than 150"),
        ({"first_name": "Pri\x00ya"}, "first_name", "Null characters"),
        ({"roles": "candidate"}, "roles", "list"),
        ({"roles": []}, "roles", "empty"),
        ({"roles": ["superuser"]}, "roles", "not a role an API token gives: use candidate, assessor"),
        ({"roles": ["assessor"]}, "candidate_number", "only for people with the candidate role"),
        ({"username": "bad name!"}, "username", "valid username"),
        ({"is_superuser": True}, "non_field_errors", "Unknown field(s): is_superuser"),
    ],
)
def test_hostile_input_gets_400_with_a_clear_message(client, world, changes, field, words):
    refused = post(client, token(world, Scope.WRITE_PEOPLE), body(**changes))
    assert refused.status_code == 400, refused.content
    errors = refused.json()
    assert field in errors, errors
    assert words.lower() in json.dumps(errors[field]).lower(), errors
    assert not User.objects.filter(email="priya@example.org").exists()
    assert not AuditEntry.objects.filter(action="api.person_created").exists()


@pytest.mark.django_db
def test_the_openapi_schema_documents_the_post(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/people/"]["post"]
    assert {"201", "400", "403", "409"} <= set(operation["responses"])
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    component = schema["components"]["schemas"][request]
    assert set(component["required"]) == {"first_name", "last_name", "email", "roles"}
    roles = component["properties"]["roles"]["items"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][roles]["enum"] == ["candidate", "assessor", "internal_verifier"]
    assert component["properties"]["first_name"]["maxLength"] == 150
