"""Deny by default: every URL has an access-table entry, and the table is what the site enforces."""

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from accounts.models import Role
from portfolio_site import access


def walk(patterns, namespace=None):
    """Yield (view_name, pattern) for every named URL pattern, namespaces included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns:
                ns = f"{namespace}:{ns}" if namespace else ns
            else:
                ns = namespace
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                yield (
                    (f"{namespace}:<unnamed {entry.pattern}>" if namespace else f"<unnamed {entry.pattern}>"),
                    entry,
                )
            else:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def urls_without_rule(urlconf=None):
    missing = []
    for view_name, _pattern in walk(get_resolver(urlconf).url_patterns):
        namespace = view_name.rsplit(":", 1)[0] if ":" in view_name else None
        if access.rule_for(view_name, namespace) is None:
            missing.append(view_name)
    return missing


def test_every_url_has_an_access_rule():
    assert urls_without_rule() == [], "Add these URL names to portfolio_site/access.py ACCESS"


def test_access_table_names_only_urls_that_exist():
    names = {name for name, _ in walk(get_resolver().url_patterns)}
    stale = [name for name in access.ACCESS if not name.endswith(":*") and name not in names]
    assert stale == []


def _unlisted(request):
    from django.http import HttpResponse

    return HttpResponse("secret")


class UrlconfWithUnlistedUrl:
    from portfolio_site.urls import urlpatterns as _base

    urlpatterns = [*_base, path("unlisted/", _unlisted, name="unlisted_page")]


def test_a_url_without_an_entry_is_caught_by_the_walker():
    assert urls_without_rule(UrlconfWithUnlistedUrl) == ["unlisted_page"]


@override_settings(ROOT_URLCONF=UrlconfWithUnlistedUrl)
def test_a_url_without_an_entry_answers_404_even_to_a_superuser(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(admin)
    response = client.get("/unlisted/")
    assert response.status_code == 404
    assert b"secret" not in response.content


def simple_get_urls():
    """URL names that take no arguments and answer GET: the generic part of the role matrix."""
    for view_name, pattern in walk(get_resolver().url_patterns):
        if pattern.pattern.converters or "<unnamed" in view_name or "(?P<" in str(pattern.pattern):
            continue
        if view_name.startswith("admin:") or view_name in {"accounts:logout"}:
            continue
        yield view_name


ROLES = [role.value for role in Role]


@pytest.mark.django_db
@pytest.mark.parametrize("view_name", sorted(simple_get_urls()))
def test_role_matrix(client, role_users, view_name):
    """Every role against every argument-less URL: allowed roles get through, others get 404."""
    allowed = access.ACCESS[view_name]
    url = reverse(view_name)
    anonymous = client.get(url)
    if access.API_TOKEN in allowed:  # a session of any role is no API token: 401 to all (tests/api)
        assert anonymous.status_code == 401
        for role in ROLES:
            client.force_login(role_users[role])
            assert client.get(url).status_code == 401, (view_name, role)
            client.logout()
        return
    if access.PUBLIC in allowed:
        assert anonymous.status_code in (200, 302)
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for role in ROLES:
        client.force_login(role_users[role])
        response = client.get(url)
        may = access.PUBLIC in allowed or access.AUTHENTICATED in allowed or role in allowed
        if may:
            assert response.status_code in (200, 302), (view_name, role, response.status_code)
        else:
            assert response.status_code == 404, (view_name, role, response.status_code)
        client.logout()
