"""Invitations: the emailed link sets a password once; used twice, expired, replaced, revoked or tampered it is
refused with a way to ask for a new one. `create_centre` makes a first centre and invites its admin."""

import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Centre, Invitation, Role, User
from accounts.people import invitation_views, services
from accounts.people.tokens import invitation_token
from audit.actions import Action
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-new-password-2026"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portfolio.example.org"


@pytest.fixture
def admin(centre, make_user):
    return make_user("admin_a", centre, Role.CENTRE_ADMIN)


@pytest.fixture
def invited(centre, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = services.person_create(
            actor=admin,
            centre=centre,
            first_name="Priya",
            last_name="Patel",
            email="priya@example.org",
            username="priya.patel",
            roles=["candidate"],
        )
    return person


def link_path(message):
    url = re.search(r"https://portfolio\.example\.org(/invitation/\S+/\S+/)", message.body)
    assert url, message.body
    return url.group(1)


def set_password(client, path):
    return client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_the_link_sets_the_password_once_and_the_person_signs_in(client, invited):
    path = link_path(mail.outbox[-1])
    assert "Choose your password" in client.get(path).content.decode()
    response = set_password(client, path)
    assert response["Location"] == reverse("accounts:login")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().accepted_at is not None
    assert AuditEntry.objects.filter(action=Action.INVITATION_ACCEPTED).exists()
    assert (
        client.post(
            reverse("accounts:login"), {"username": "priya.patel", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    page = again.content.decode().replace("&#x27;", "'")
    assert invitation_views.LINK_USED in page and reverse("invitations:request_new") in page
    assert set_password(client, path).status_code == 400


def test_a_tampered_link_is_refused(client, invited):
    path = link_path(mail.outbox[-1])
    uid, token = path.strip("/").split("/")[1:]
    for bad in (
        f"/invitation/{uid}/{token[:-1]}x/",
        f"/invitation/{uid}/nonsense/",
        f"/invitation/Zm9v/{token}/",
        f"/invitation/{uid}-/{token}/",
    ):
        response = client.get(bad)
        assert response.status_code == 400, bad
        assert "Ask for a new one" in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_an_expired_link_is_refused(client, invited, settings, monkeypatch):
    path = link_path(mail.outbox[-1])
    later = datetime.now() + timedelta(days=settings.INVITATION_VALID_DAYS, hours=1)  # noqa: DTZ005 - as Django's
    monkeypatch.setattr(invitation_token, "_now", lambda: later)
    response = client.get(path)
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_resending_breaks_the_old_link_and_the_new_one_works(
    client, centre, admin, invited, django_capture_on_commit_callbacks
):
    old = link_path(mail.outbox[-1])
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:invitation_resend", args=[centre.pk, invited.pk]))
    new = link_path(mail.outbox[-1])
    assert old != new
    client.logout()
    assert client.get(old).status_code == 400
    assert set_password(client, new).status_code == 302


def test_revoking_breaks_the_link_and_the_list_says_so(client, centre, admin, invited):
    path = link_path(mail.outbox[-1])
    client.force_login(admin)
    client.post(reverse("people:invitation_revoke", args=[centre.pk, invited.pk]))
    assert "Invitation revoked" in client.get(reverse("people:list", args=[centre.pk])).content.decode()
    client.logout()
    assert client.get(path).status_code == 400
    assert AuditEntry.objects.filter(action=Action.INVITATION_REVOKED).exists()


def test_a_deactivated_persons_link_is_refused(client, centre, admin, invited):
    path = link_path(mail.outbox[-1])
    services.person_deactivate(actor=admin, centre=centre, person=invited)
    assert client.get(path).status_code == 400


def test_asking_for_a_new_link_sends_one_to_a_pending_person_only(
    client, invited, cara_with_password, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    for email in ("nobody@example.org", cara_with_password.email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("invitations:request_new"), {"email": email}, follow=True)
        assert invitation_views.REQUEST_SENT in response.content.decode()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitations:request_new"), {"email": "PRIYA@example.org"}, follow=True
        )
    assert invitation_views.REQUEST_SENT in response.content.decode()
    assert len(mail.outbox) == 1 and set_password(client, link_path(mail.outbox[0])).status_code == 302


def test_a_revoked_invitation_cannot_be_renewed_by_the_person(
    client, centre, admin, invited, django_capture_on_commit_callbacks
):
    services.invitation_revoke(actor=admin, person=invited, centre=centre)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitations:request_new"), {"email": "priya@example.org"})
    assert mail.outbox == []


@pytest.fixture
def cara_with_password(centre, make_user):
    return make_user("cara", centre, Role.CANDIDATE, email="cara@example.org")


def test_no_invitation_is_sent_when_the_create_rolls_back(centre, admin, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.person_create(
                actor=admin,
                centre=centre,
                first_name="A",
                last_name="B",
                email="ab@example.org",
                username="ab",
                roles=["assessor"],
            )
            raise RuntimeError
    assert callbacks == [] and mail.outbox == []


def test_create_centre_makes_the_centre_and_invites_its_admin(client, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_centre",
            "C1234",
            "Northfield College",
            "--admin-email",
            "head@northfield.example",
            stdout=out,
        )
    centre = Centre.objects.get(number="C1234")
    admin = User.objects.get(email="head@northfield.example")
    assert admin.username == "head" and admin.roles_in(centre) == {"centre_admin"}
    printed = re.search(r"https://portfolio\.example\.org(/invitation/\S+/\S+/)", out.getvalue()).group(1)
    assert len(mail.outbox) == 1 and set_password(client, printed).status_code == 302
    client.post(reverse("accounts:login"), {"username": "head", "password": NEW_PASSWORD})
    assert client.get(reverse("people:index")).status_code == 302
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_centre", "C1234", "Again", "--admin-email", "other@example.org", stdout=StringIO()
        )
    assert User.objects.filter(email="other@example.org").count() == 0
