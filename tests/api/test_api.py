"""The MIS API: tokens per centre with scopes, every endpoint's access, no leak across centres."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from api import services
from api.models import Scope
from assessment.models import Registration
from audit.actions import Action
from audit.models import AuditEntry

ENDPOINTS = {
    "people": (Scope.READ_PEOPLE, lambda w: reverse("api:people")),
    "registrations": (Scope.READ_REGISTRATIONS, lambda w: reverse("api:registrations")),
    "progress": (Scope.READ_PROGRESS, lambda w: reverse("api:progress", args=[w.reg1.pk])),
    "claims": (Scope.READ_CLAIMS, lambda w: reverse("api:claims")),
}


def token(w, *scopes, centre=None, admin=None):
    return services.api_token_create(
        actor=admin or w.admin, centre=centre or w.centre, name="MIS", scopes=scopes or Scope.values
    )[1]


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_endpoint_answers_its_scope_only(client, world, endpoint):
    scope, url = ENDPOINTS[endpoint]
    assert client.get(url(world), **bearer(token(world, scope))).status_code == 200
    other_scopes = [s for s in Scope.values if s != scope]
    assert client.get(url(world), **bearer(token(world, *other_scopes))).status_code == 403
    assert client.get(url(world)).status_code == 401  # no token
    assert client.get(url(world), **bearer("pt_made-up")).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_signed_in_session_is_not_an_api_token(client, world, role, endpoint, make_user):
    user = make_user(f"s_{role}", world.centre, role)
    client.force_login(user)
    assert client.get(ENDPOINTS[endpoint][1](world)).status_code in (401, 403)


@pytest.mark.django_db
def test_a_token_of_another_centre_never_reads_this_one(client, world, other_centre):
    other_admin = world.make_user("oadm", other_centre, Role.CENTRE_ADMIN)
    key = token(world, centre=other_centre, admin=other_admin)
    assert client.get(reverse("api:registrations"), **bearer(key)).json()["results"] == []
    people = client.get(reverse("api:people"), **bearer(key)).json()["results"]
    assert [p["username"] for p in people] == ["oadm"]
    assert client.get(reverse("api:progress", args=[world.reg1.pk]), **bearer(key)).status_code == 404
    assert client.get(reverse("api:claims"), **bearer(key)).json()["results"] == []


@pytest.mark.django_db
def test_a_revoked_token_is_refused_at_once(client, world):
    made, key = services.api_token_create(
        actor=world.admin, centre=world.centre, name="x", scopes=Scope.values
    )
    assert client.get(reverse("api:people"), **bearer(key)).status_code == 200
    services.api_token_revoke(actor=world.admin, token=made)
    assert client.get(reverse("api:people"), **bearer(key)).status_code == 401


@pytest.mark.django_db
def test_a_token_dies_with_its_makers_admin_role(client, world):
    key = token(world)
    world.admin.memberships.filter(role=Role.CENTRE_ADMIN).delete()
    assert client.get(reverse("api:people"), **bearer(key)).status_code == 401


@pytest.mark.django_db
def test_lists_are_cursor_paged(client, world):
    key = token(world, Scope.READ_PEOPLE)
    first = client.get(reverse("api:people") + "?page_size=3", **bearer(key)).json()
    assert len(first["results"]) == 3 and first["next"]
    second = client.get(first["next"], **bearer(key)).json()
    assert not {p["id"] for p in first["results"]} & {p["id"] for p in second["results"]}


@pytest.mark.django_db
def test_progress_and_claims_read_what_the_screens_show(client, signed_world):
    w = signed_world
    key = token(w)
    units = client.get(reverse("api:progress", args=[w.reg1.pk]), **bearer(key)).json()["units"]
    assert {u["unit"] for u in units} == {"TV-101", "TV-102"}
    assert all(u["criteria_met"] == u["criteria_total"] == 2 and u["missing"] == [] for u in units)
    assert {u["status"] for u in units} == {w.ua(w.reg1, w.u101).get_status_display()}


@pytest.mark.django_db
def test_create_registration_through_the_services_checks_and_audit(client, world):
    w = world
    newcomer = w.make_user("newbie", w.centre, Role.CANDIDATE)
    key = token(w, Scope.WRITE_REGISTRATIONS)
    body = {
        "candidate": "newbie",
        "qualification": "TV-01",
        "assessor": "ann",
        "internal_verifier": "ivy",
        "registered_on": dt.date.today().isoformat(),
        "candidate_number": "C-1",
    }
    created = client.post(reverse("api:registrations"), body, content_type="application/json", **bearer(key))
    assert created.status_code == 201, created.content
    assert Registration.objects.filter(candidate=newcomer, candidate_number="C-1").exists()
    assert AuditEntry.objects.filter(action=Action.API_REGISTRATION_CREATED).exists()
    # the same checks as the form: the assessor cannot be the IV
    bad = client.post(
        reverse("api:registrations"),
        dict(body, internal_verifier="ann"),
        content_type="application/json",
        **bearer(key),
    )
    assert bad.status_code == 400
    unknown = client.post(
        reverse("api:registrations"),
        dict(body, assessor="ghost"),
        content_type="application/json",
        **bearer(key),
    )
    assert unknown.status_code == 400 and "ghost" in unknown.content.decode()
    read_only = token(w, Scope.READ_REGISTRATIONS)
    assert (
        client.post(
            reverse("api:registrations"), body, content_type="application/json", **bearer(read_only)
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/registrations/" in text and "centreToken" in text
    assert client.get(reverse("api:docs")).status_code == 200


@pytest.mark.django_db
def test_token_page_shows_a_new_token_once_and_revokes(client, world):
    client.force_login(world.admin)
    page = client.post(reverse("api:token_list"), {"name": "MIS", "scopes": [Scope.READ_PEOPLE]})
    body = page.content.decode()
    assert "shown only once" in body
    key = body.split('<code class="text-break">')[1].split("</code>")[0]
    assert client.get(reverse("api:people"), **bearer(key)).status_code == 200
    assert key not in client.get(reverse("api:token_list")).content.decode()


@pytest.mark.django_db
def test_a_token_of_another_centre_cannot_register_this_centres_people(client, world, other_centre):
    other_admin = world.make_user("oadm", other_centre, Role.CENTRE_ADMIN)
    key = token(world, Scope.WRITE_REGISTRATIONS, centre=other_centre, admin=other_admin)
    body = {
        "candidate": "cara",
        "qualification": "TV-01",
        "assessor": "ann",
        "internal_verifier": "ivy",
        "registered_on": dt.date.today().isoformat(),
    }
    refused = client.post(reverse("api:registrations"), body, content_type="application/json", **bearer(key))
    assert refused.status_code == 400 and "No candidate 'cara' at this centre" in refused.content.decode()
    assert not Registration.objects.filter(centre=other_centre).exists()


@pytest.mark.django_db
def test_a_registration_whose_qualification_has_entry_conditions_is_confirmed_through_the_api(client, world):
    """4430-04 asks the centre to confirm its entry conditions at registration: the register form has a box
    for each, and the API must take the same confirmations (it refused every 4430-04 registration)."""
    w = world
    w.qualification.entry_conditions = [
        {"key": "age_18", "text": "Not under the age of 18.", "source": "handbook 2.2"},
        {"key": "not_already_held", "text": "Not already holding it.", "source": "2.2"},
    ]
    w.qualification.save(update_fields=["entry_conditions"])
    w.make_user("newbie", w.centre, Role.CANDIDATE)
    key = token(w, Scope.WRITE_REGISTRATIONS)
    body = {
        "candidate": "newbie",
        "qualification": w.qualification.code,
        "assessor": "ann",
        "internal_verifier": "ivy",
        "registered_on": dt.date.today().isoformat(),
    }
    missing = client.post(
        reverse("api:registrations"),
        dict(body, entry_conditions_confirmed=["age_18"]),
        content_type="application/json",
        **bearer(key),
    )
    assert missing.status_code == 400 and "Not already holding it." in missing.content.decode()
    unknown = client.post(
        reverse("api:registrations"),
        dict(body, entry_conditions_confirmed=["age_18", "x"]),
        content_type="application/json",
        **bearer(key),
    )
    assert unknown.status_code == 400 and "x" in unknown.json()["entry_conditions_confirmed"][0]
    created = client.post(
        reverse("api:registrations"),
        dict(body, entry_conditions_confirmed=["age_18", "not_already_held"]),
        content_type="application/json",
        **bearer(key),
    )
    assert created.status_code == 201, created.content
    registration = Registration.objects.get(pk=created.json()["id"])
    assert sorted(c["key"] for c in registration.entry_conditions_confirmed) == ["age_18", "not_already_held"]
    assert registration.entry_conditions_confirmed_by is not None
