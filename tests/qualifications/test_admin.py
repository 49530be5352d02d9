"""Centre admins correct and complete the catalogue in the Django admin: validated, audited, all or nothing."""

import pytest
from django import forms
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEntry
from qualifications.models import Qualification, Rule, Unit
from qualifications.selectors import qualification_is_certifiable

from .catalogue_samples import load, small_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def incomplete_catalogue():
    data = small_catalogue()
    data["qualifications"][0]["units"][1]["credits"] = None  # TST-201: the source lost its credits
    load(data)


@pytest.fixture
def centre_admin(centre, make_user):
    return make_user("ca", centre, Role.CENTRE_ADMIN, is_staff=True)


def form_data(response):
    """What the browser would post back for the admin change page, unchanged."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if isinstance(bound.field, forms.NullBooleanField):
                data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def unit_url(ref):
    return reverse("admin:qualifications_unit_change", args=[Unit.objects.get(ref=ref).pk])


def test_centre_admin_completes_missing_credits_with_an_audit_row(client, incomplete_catalogue, centre_admin):
    assert qualification_is_certifiable("TST-02")[0] is False
    client.force_login(centre_admin)
    url = unit_url("TST-201")
    data = form_data(client.get(url))
    data["credits"] = "5"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Unit.objects.get(ref="TST-201").credits == 5
    entry = AuditEntry.objects.get(action="catalogue_unit_changed")
    assert entry.actor == centre_admin
    assert entry.details["changes"]["fields"] == {"credits": [None, 5]}
    assert qualification_is_certifiable("TST-02") == (True, [])


def test_a_correction_that_breaks_the_catalogue_is_refused_on_the_form(
    client, incomplete_catalogue, centre_admin
):
    client.force_login(centre_admin)
    url = unit_url("TST-202")
    data = form_data(client.get(url))
    data["number"] = "201"  # now two units of TST-02 share a number: rules could not tell them apart
    response = client.post(url, data)
    assert response.status_code == 200
    assert "rules could not tell them apart" in response.content.decode()
    assert Unit.objects.get(ref="TST-202").number == "202"
    assert not AuditEntry.objects.filter(action__startswith="catalogue_unit").exists()


def test_an_inline_change_that_breaks_the_catalogue_is_rolled_back(
    client, incomplete_catalogue, centre_admin
):
    client.force_login(centre_admin)
    qualification = Qualification.objects.get(code="TST-02")
    url = reverse("admin:qualifications_qualification_change", args=[qualification.pk])
    data = form_data(client.get(url))
    rule_form = next(
        k for k, v in data.items() if k.startswith("rules-") and k.endswith("-kind") and v == "barred_pair"
    )
    data[rule_form.replace("-kind", "-params")] = '{"units": ["201", "999"]}'
    data["title"] = "A new title"
    response = client.post(url, data, follow=True)
    assert "Not saved" in response.content.decode()
    assert "names unit 999, which is not in the qualification" in response.content.decode()
    qualification.refresh_from_db()
    assert qualification.title == "Test Certificate in Customer Care"
    assert Rule.objects.get(qualification=qualification, kind="barred_pair").params == {
        "units": ["201", "203"]
    }
    assert not AuditEntry.objects.filter(action__startswith="catalogue_qualification").exists()


def test_superuser_may_edit_and_staff_without_the_centre_admin_role_may_not(
    client, incomplete_catalogue, centre, make_user, django_user_model
):
    url = unit_url("TST-201")
    assessor = make_user("staff_assessor", centre, Role.ASSESSOR, is_staff=True)
    client.force_login(assessor)
    assert client.get(url).status_code in (302, 403)
    assert client.get(reverse("admin:index")).status_code == 200
    assert "Qualifications" not in client.get(reverse("admin:index")).content.decode()
    root = django_user_model.objects.create_superuser("root", "r@example.org", "pw-123456789")
    client.force_login(root)
    assert client.get(url).status_code == 200


def test_centre_admin_who_is_not_staff_cannot_reach_the_admin(client, incomplete_catalogue, role_users):
    client.force_login(role_users["centre_admin"])
    response = client.get(unit_url("TST-201"))
    assert response.status_code == 302 and "/admin/" not in response["Location"]


def test_centre_admin_cannot_delete_catalogue_rows(client, incomplete_catalogue, centre_admin):
    client.force_login(centre_admin)
    unit = Unit.objects.get(ref="TST-900")
    response = client.post(reverse("admin:qualifications_unit_delete", args=[unit.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Unit.objects.filter(ref="TST-900").exists()


def test_units_missing_credits_are_easy_to_find(client, incomplete_catalogue, centre_admin):
    client.force_login(centre_admin)
    page = client.get(
        reverse("admin:qualifications_unit_changelist"), {"credits": "missing"}
    ).content.decode()
    assert "TST-201" in page and "TST-202" not in page
