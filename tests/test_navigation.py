"""The main navigation comes from the access table: each role sees the links it may reach, the same links the
hand-written menu showed, and every link it is shown answers it."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from portfolio_site import access
from portfolio_site.navigation import MENU, menu_for
from tests.factories import CentreFactory, person

# What the hand-written menu (templates/partials/nav_links.html and the dashboards loop in base.html) showed.
BEFORE = {
    (Role.CANDIDATE,): ["My portfolio", "Catalogue", "Notifications", "My evidence", "My progress", "Forms"],
    (Role.ASSESSOR,): ["Assessor", "Catalogue", "Notifications", "Caseload", "Forms"],
    (Role.INTERNAL_VERIFIER,): [
        "Internal verification",
        "Catalogue",
        "Notifications",
        "Staff competence",
        "Forms",
    ],
    (Role.CENTRE_ADMIN,): [
        "Centre admin",
        "Catalogue",
        "Notifications",
        "Registrations",
        "People",
        "Staff competence",
        "Forms",
    ],
    (Role.EXTERNAL_VERIFIER,): ["External verification", "Catalogue", "Notifications"],
    (Role.CENTRE_ADMIN, Role.ASSESSOR): [
        "Centre admin",
        "Assessor",
        "Catalogue",
        "Notifications",
        "Caseload",
        "Registrations",
        "People",
        "Staff competence",
        "Forms",
    ],
    (): [],
}


def rendered_menu(client, user) -> list[tuple[str, str]]:
    client.force_login(user)
    html = client.get(reverse("accounts:notifications")).content.decode()
    block = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'<a class="nav-link" href="([^"]+)"[^>]*>([^<]+)</a>', block)


@pytest.mark.django_db
@pytest.mark.parametrize("roles", list(BEFORE), ids=lambda roles: "+".join(roles) or "no-role")
def test_each_role_sees_the_links_the_access_table_allows_it(client, roles):
    user = person(CentreFactory(), *roles)
    shown = rendered_menu(client, user)
    assert [label for _, label in shown] == BEFORE[roles]
    expected = [(reverse(name), label) for name, label in MENU if roles and access.allowed(name, roles)]
    assert shown == expected
    for name, _ in menu_for(user.role_set):  # every link shown is one the middleware lets this person follow
        assert access.may_reach(user, access.rule_for(name, name.rpartition(":")[0]))
        assert client.get(reverse(name), follow=True).status_code == 200


def test_the_current_page_is_marked(client, db):
    client.force_login(person(CentreFactory(), Role.ASSESSOR))
    html = client.get(reverse("dashboards:assessor")).content.decode()
    assert f'href="{reverse("dashboards:assessor")}" aria-current="page">Assessor<' in html


def test_every_menu_entry_is_in_the_access_table():
    assert all(access.rule_for(name, name.rpartition(":")[0]) for name, _ in MENU)
