"""Password change, password reset, sign-out and admin sign-in are in the audit trail; reset links are
built from SITE_URL, never from the Host header."""

from django.test import Client
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditEntry
from tests.conftest import PASSWORD


def test_password_change_is_audited(client, role_users):
    user = role_users["assessor"]
    client.force_login(user)
    new = "another-long-passphrase-7"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE, actor=user).count() == 1


def test_sign_out_is_audited(client, role_users):
    user = role_users["internal_verifier"]
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor=user).count() == 1


def test_admin_sign_in_is_audited_as_such(client, make_user):
    admin_user = make_user("root", None, is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN, actor=admin_user)
    assert entry.details["door"] == "admin"


def test_the_admin_sign_in_is_locked_out_too(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("root", None, is_staff=True, is_superuser=True)
    for _ in range(3):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_password_reset_links_come_from_site_url_not_a_forged_host(role_users, mailoutbox, settings):
    settings.SITE_URL = "https://portfolio.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    user = role_users["candidate"]
    user.email = "cand@example.org"
    user.save()
    Client().post(
        reverse("accounts:password_reset"), {"email": "cand@example.org"}, HTTP_HOST="attacker.example.net"
    )
    body, subject = mailoutbox[0].body, mailoutbox[0].subject
    assert "attacker.example.net" not in body + subject
    assert "https://portfolio.example.org/accounts/password/reset/" in body


def test_a_completed_password_reset_is_audited(role_users, mailoutbox):
    user = role_users["candidate"]
    user.email = "cand@example.org"
    user.save()
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "cand@example.org"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    form_page = client.get("/accounts/" + link.split("/accounts/", 1)[1].strip(), follow=True)
    new = "a-brand-new-passphrase-42"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert AuditEntry.objects.filter(action=Action.PASSWORD_RESET, actor=user).count() == 1
