import pytest
from django.urls import reverse

from accounts.models import Role
from audit.actions import Action
from audit.models import AnonymousEventCount, AuditEntry
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.CANDIDATE, "/dashboard/candidate/"),
        (Role.ASSESSOR, "/dashboard/assessor/"),
        (Role.INTERNAL_VERIFIER, "/dashboard/internal-verifier/"),
        (Role.CENTRE_ADMIN, "/dashboard/centre-admin/"),
        (Role.EXTERNAL_VERIFIER, "/dashboard/external-verifier/"),
    ],
)
def test_home_sends_each_role_to_its_dashboard(client, role_users, role, landing):
    client.force_login(role_users[role.value])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == landing


def test_a_person_with_several_roles_lands_on_the_main_one_and_sees_links_to_all(client, centre, make_user):
    user = make_user("multi", centre, Role.ASSESSOR, Role.INTERNAL_VERIFIER)
    client.force_login(user)
    assert client.get("/")["Location"] == "/dashboard/internal-verifier/"
    page = client.get("/dashboard/assessor/").content.decode()
    assert 'href="/dashboard/internal-verifier/"' in page and 'href="/dashboard/assessor/"' in page


def test_login_success_is_audited_and_failures_are_counted_not_audited(client, role_users):
    before = AuditEntry.objects.count()
    response = client.post(reverse("accounts:login"), {"username": "u_assessor", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert AuditEntry.objects.count() == before
    assert AnonymousEventCount.objects.get(kind="login_failed").count == 1
    response = client.post(reverse("accounts:login"), {"username": "u_assessor", "password": PASSWORD})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN, actor=role_users["assessor"])
    assert entry.details["door"] == "site"


def test_login_is_locked_out_after_repeated_failures(client, role_users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "u_candidate", "password": "wrong"})
    # Even the right password is refused while locked out, with a message that says what to do.
    response = client.post(reverse("accounts:login"), {"username": "u_candidate", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_anonymous_forged_csrf_token_is_refused_with_a_clear_message_and_counted(role_users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"),
        {"username": "u_admin", "password": PASSWORD, "csrfmiddlewaretoken": "forged"},
    )
    assert response.status_code == 403
    assert "nothing was changed" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AnonymousEventCount.objects.get(kind="csrf_rejected").count == 1


def test_200_anonymous_csrf_failures_do_not_grow_the_audit_trail_by_200_rows(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    before = AuditEntry.objects.count()
    for _ in range(200):
        assert client.post(reverse("accounts:login"), {"username": "x", "password": "y"}).status_code == 403
    assert AuditEntry.objects.count() == before
    assert AnonymousEventCount.objects.filter(kind="csrf_rejected").count() == 1
    assert AnonymousEventCount.objects.get(kind="csrf_rejected").count == 200


def test_a_signed_in_persons_csrf_failure_is_audited(role_users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["assessor"])
    assert client.post(reverse("accounts:password_change"), {}).status_code == 403
    assert AuditEntry.objects.filter(action=Action.CSRF_REJECTED, actor=role_users["assessor"]).count() == 1


def test_password_reset_sends_an_email_with_a_working_link(client, role_users, mailoutbox):
    user = role_users["candidate"]
    user.email = "cand@example.org"
    user.save()
    response = client.post(reverse("accounts:password_reset"), {"email": "cand@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("127.0.0.1:8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new = "a-brand-new-passphrase-42"
    final = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert final.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_change(client, role_users):
    user = role_users["assessor"]
    client.force_login(user)
    new = "another-long-passphrase-7"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_demo_command_is_idempotent(db, capsys):
    from django.core.management import call_command

    from accounts.models import Membership, User

    call_command("demo")
    call_command("demo")
    out = capsys.readouterr().out
    assert "username: assessor" in out
    for username in ["candidate", "assessor", "iv", "admin", "ev"]:
        assert User.objects.filter(username=username).count() == 1
    assert Membership.objects.filter(user__username="admin", role="centre_admin").count() == 1
