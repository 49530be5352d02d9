"""External verifier access: grants, the only read path, logging, expiry and revocation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.actions import Action
from audit.models import AuditEntry
from verification import selectors, services
from verification.models import ExternalAccessGrant, ExternalAccessLog

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def grant(world):
    return services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )


def test_ev_reads_granted_registration_and_every_page_is_logged(client, world, grant):
    client.force_login(world.ev)
    home = client.get(reverse("verification:ev_home"))
    assert "Cara Candidate" in home.content.decode() and "Dan Doe" not in home.content.decode()
    page = client.get(reverse("verification:ev_registration", args=[world.reg1.pk]))
    assert page.status_code == 200
    unit = client.get(reverse("verification:ev_unit", args=[world.reg1.pk, world.u101.pk]))
    assert unit.status_code == 200
    assert ExternalAccessLog.objects.filter(user=world.ev).count() == 3
    assert ExternalAccessLog.objects.filter(grant=grant, registration_id_seen=world.reg1.pk).count() == 2
    assert AuditEntry.objects.filter(action=Action.EV_PAGE_VIEWED).count() == 3
    assert selectors.ev_granted_registration_ids(world.ev) == {world.reg1.pk}


def test_ev_gets_404_outside_the_grant(client, world, grant):
    client.force_login(world.ev)
    assert client.get(reverse("verification:ev_registration", args=[world.reg2.pk])).status_code == 404
    assert client.get(reverse("verification:ev_unit", args=[world.reg2.pk, world.u101.pk])).status_code == 404
    # No other read path: the internal verifier's and admin's pages answer 404 too.
    assert client.get(reverse("verification:plan_list")).status_code == 404
    assert client.get(reverse("verification:claim_list")).status_code == 404


def test_revoked_access_is_404_at_once(client, world, grant):
    client.force_login(world.ev)
    url = reverse("verification:ev_registration", args=[world.reg1.pk])
    assert client.get(url).status_code == 200
    services.grant_revoke(grant=grant, actor=world.admin)
    assert client.get(url).status_code == 404
    assert selectors.ev_granted_registration_ids(world.ev) == set()
    with pytest.raises(ValidationError, match=services.GRANT_ALREADY_REVOKED):
        services.grant_revoke(grant=grant, actor=world.admin)


def test_expired_access_is_404(client, world, grant):
    ExternalAccessGrant.objects.filter(pk=grant.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(world.ev)
    assert client.get(reverse("verification:ev_registration", args=[world.reg1.pk])).status_code == 404
    assert selectors.ev_granted_registration_ids(world.ev) == set()


def test_expiry_today_still_works_and_past_expiry_is_refused(world):
    services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=timezone.localdate(),
        registrations=[world.reg2],
    )
    assert selectors.ev_granted_registration_ids(world.ev) == {world.reg2.pk}
    with pytest.raises(ValidationError, match=services.EXPIRY_IN_PAST):
        services.grant_create(
            actor=world.admin,
            centre=world.centre,
            external_verifier=world.ev,
            scope="candidates",
            expires_on=timezone.localdate() - dt.timedelta(days=1),
            registrations=[world.reg1],
        )


def test_sample_grant_follows_the_sample(signed_world, plan):
    w = signed_world
    sample = services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[selectors.decision_key(w.ua(w.reg2, w.u101).pk, "summative")]
    )
    services.grant_create(
        actor=w.admin,
        centre=w.centre,
        external_verifier=w.ev,
        scope="sample",
        expires_on=TOMORROW,
        sample=sample,
    )
    assert selectors.ev_granted_registration_ids(w.ev) == {w.reg2.pk}


def test_only_admins_grant_and_only_to_external_verifiers(world):
    with pytest.raises(ValidationError, match=services.NOT_ADMIN):
        services.grant_create(
            actor=world.ivy,
            centre=world.centre,
            external_verifier=world.ev,
            scope="candidates",
            expires_on=TOMORROW,
            registrations=[world.reg1],
        )
    with pytest.raises(ValidationError, match="is not an external verifier"):
        services.grant_create(
            actor=world.admin,
            centre=world.centre,
            external_verifier=world.ann,
            scope="candidates",
            expires_on=TOMORROW,
            registrations=[world.reg1],
        )


def test_grant_form_creates_a_new_external_verifier_from_an_email_address(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("verification:grant_create"),
        {
            "centre": world.centre.pk,
            "email": "nia@example.org",
            "first_name": "Nia",
            "last_name": "Ext",
            "scope": "candidates",
            "candidates": world.cara.username,
            "expires_on": TOMORROW.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    newev = User.objects.get(username="nia@example.org")
    assert newev.role_set == {Role.EXTERNAL_VERIFIER.value} and newev.has_usable_password()
    assert selectors.ev_granted_registration_ids(newev) == {world.reg1.pk}
    listing = client.get(reverse("verification:grant_list")).content.decode()
    assert "Nia Ext" in listing and "Revoke now" in listing


def test_ev_dashboard_lists_grants_and_is_logged(client, world, grant):
    client.force_login(world.ev)
    page = client.get(reverse("dashboards:external_verifier"))
    assert "Cara Candidate" in page.content.decode()
    assert ExternalAccessLog.objects.filter(view_name="dashboards:external_verifier").count() == 1


def test_evidence_app_reads_the_grants(world, grant):
    """evidence_visible_to reads the grants (through evidence.visibility): the granted candidate's evidence only."""
    from evidence.selectors import evidence_visible_to
    from tests.assessment.factories import make_evidence

    item = make_evidence(registration=world.reg1)
    other = make_evidence(registration=world.reg2)
    visible = set(evidence_visible_to(world.ev).values_list("pk", flat=True))
    assert item.pk in visible and other.pk not in visible


def _grant_post(world, **who):
    return {
        "centre": world.centre.pk,
        "scope": "candidates",
        "candidates": world.cara.username,
        "expires_on": TOMORROW.strftime("%d/%m/%Y"),
        **who,
    }


def test_grant_form_lists_only_external_verifiers_the_centre_works_with(client, world, other_centre):
    stranger = world.make_user(
        "elsewhere",
        other_centre,
        Role.EXTERNAL_VERIFIER,
        first_name="Esme",
        last_name="Elsewhere",
        email="esme@example.org",
    )
    past = world.make_user("past", other_centre, Role.EXTERNAL_VERIFIER, first_name="Pia", last_name="Past")
    services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=past,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg2],
    )
    client.force_login(world.admin)
    page = client.get(reverse("verification:grant_create")).content.decode()
    assert "Evan External" in page and "Pia Past" in page
    assert "Esme Elsewhere" not in page
    # A forged choice of an external verifier the centre does not work with is refused, nothing granted.
    forged = client.post(
        reverse("verification:grant_create"), _grant_post(world, external_verifier=stranger.pk)
    )
    assert forged.status_code == 200 and "Select a valid choice" in forged.content.decode()
    assert not ExternalAccessGrant.objects.filter(external_verifier=stranger).exists()


def test_grant_by_email_reaches_an_external_verifier_known_elsewhere(client, world, other_centre):
    stranger = world.make_user(
        "elsewhere",
        other_centre,
        Role.EXTERNAL_VERIFIER,
        first_name="Esme",
        last_name="Elsewhere",
        email="esme@example.org",
    )
    client.force_login(world.admin)
    response = client.post(reverse("verification:grant_create"), _grant_post(world, email="ESME@example.org"))
    assert response.status_code == 302
    assert ExternalAccessGrant.objects.filter(external_verifier=stranger, centre=world.centre).count() == 1
    assert User.objects.filter(email__iexact="esme@example.org").count() == 1


def test_grant_by_the_email_of_someone_who_is_not_only_an_ev_is_refused(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("verification:grant_create"), _grant_post(world, email="ann@example.org"))
    assert response.status_code == 200
    assert services.EMAIL_NOT_EV.format(email="ann@example.org") in response.content.decode()
    assert not ExternalAccessGrant.objects.exists()
