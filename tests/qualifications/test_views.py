"""Catalogue pages: who may see them, what they show, and a constant number of queries."""

import pytest
from django.urls import reverse

from accounts.models import Role
from qualifications.models import Unit

from .catalogue_samples import load, small_catalogue

pytestmark = pytest.mark.django_db

PAGES = [
    ("qualifications:list", ()),
    ("qualifications:detail", ("TST-02",)),
    ("qualifications:unit", ("TST-101",)),
    ("qualifications:search", ()),
]


@pytest.fixture
def catalogue():
    load(small_catalogue())


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_every_role_of_a_centre_and_the_ev_may_browse(client, catalogue, role_users, role, name, args):
    client.force_login(role_users[role])
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_people_without_a_role_get_404_and_anonymous_people_sign_in(client, catalogue, make_user, name, args):
    url = reverse(name, args=args)
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(make_user("nobody"))
    assert client.get(url).status_code == 404


def test_unknown_qualification_and_unit_are_404(client, catalogue, role_users):
    client.force_login(role_users["candidate"])
    assert client.get(reverse("qualifications:detail", args=["NOPE"])).status_code == 404
    assert client.get(reverse("qualifications:unit", args=["NOPE-1"])).status_code == 404


def test_structure_page_shows_groups_units_credits_and_rules_in_words(client, catalogue, role_users):
    client.force_login(role_users["assessor"])
    page = client.get(reverse("qualifications:detail", args=["TST-02"])).content.decode()
    for text in [
        "Mandatory units",
        "Optional group: Delivery",
        "Optional group: Problems",
        "Greet customers",
        "At least 12 credits in total.",
        "Unit 101 is mandatory.",
        "Unit 201 cannot be taken with unit 203.",
        "From the optional group \u201cDelivery\u201d: at least 1 unit.",
        "Made for the tests.",
        "Rule 1 wording is ambiguous",
        "Handbook: &ldquo;12 credits&rdquo;",
    ]:
        assert text in page, text
    assert "cannot be certified" not in page


def test_incomplete_qualification_shows_the_warning(client, role_users):
    data = small_catalogue()
    data["qualifications"][0]["units"][1]["credits"] = None
    data["qualifications"][0]["rules"].append(
        {
            "order": 6,
            "kind": "min_credits_at_level",
            "params": {"credits": None, "level": "Level 2"},
            "is_complete": False,
            "incomplete_reason": "number lost",
        }
    )
    load(data)
    client.force_login(role_users["candidate"])
    page = client.get(reverse("qualifications:detail", args=["TST-02"])).content.decode()
    assert "Incomplete data: this qualification cannot be certified" in page
    assert "qualification TST-02 unit TST-201: has no credit value" in page
    assert "is incomplete: number lost" in page
    assert "not known" in page


def test_unit_page_shows_everything_about_the_unit(client, catalogue, role_users):
    client.force_login(role_users["candidate"])
    page = client.get(reverse("qualifications:unit", args=["TST-101"])).content.decode()
    for text in [
        "Unit 101: Greet customers",
        "Outcome 1: Know about greet customers",
        "Knowledge",
        "describe the first thing",
        ">1.1<",
        "routine",
        "busy",
        "Observation of greetings",
        "at least two calls observed",
        "at least 2 observation",
        "criteria 2.1",
        "Written answers",
        "GLH printed twice: 20 and 25",
        "Real customers only.",
        "Test Certificate in Customer Care",
    ]:
        assert text in page, text
    assert 'Realistic working environment</dt><dd class="col-sm-8">allowed' in page
    assert 'Simulation</dt><dd class="col-sm-8">not allowed' in page


def test_search_by_number_and_by_title(client, catalogue, role_users):
    client.force_login(role_users["internal_verifier"])
    by_number = client.get(reverse("qualifications:search"), {"q": "203"}).content.decode()
    assert "TST-203" in by_number and "TST-201" not in by_number
    by_title = client.get(reverse("qualifications:search"), {"q": "complaint"}).content.decode()
    assert "1 unit found" in by_title and "Resolve complaints" in by_title
    nothing = client.get(reverse("qualifications:search"), {"q": "zebra"}).content.decode()
    assert "No unit matches" in nothing


def _more_units(n):
    data = small_catalogue()
    from .catalogue_samples import unit

    data["qualifications"][0]["units"] += [
        unit(f"TST-3{i:02d}", f"Extra {i}", status="optional", group="Delivery") for i in range(n)
    ]
    return data


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_do_a_constant_number_of_queries(client, role_users, django_assert_max_num_queries, name, args):
    client.force_login(role_users["centre_admin"])
    url = reverse(name, args=args)
    params = {"q": "TST"} if name == "qualifications:search" else {}
    load(small_catalogue())
    client.get(url, params)  # warm the session and user caches
    with django_assert_max_num_queries(20) as small:
        client.get(url, params)
    load(_more_units(15))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200
    assert Unit.objects.count() == 20


def test_structure_page_states_the_handbook_exceptions_with_their_source(client, role_users):
    from django.core.management import call_command

    call_command("loaddata", "fixtures/4430-04.json", verbosity=0)
    call_command("loaddata", "fixtures/4430-02.json", verbosity=0)
    client.force_login(role_users["centre_admin"])
    page = client.get("/catalogue/4430-04/").content.decode()
    assert "Simulation and Realistic Working Environment is not accepted at this level" in page
    assert "4430-04 handbook, 2.2 Candidate entry requirements" in page
    assert "Last registration date 31/07/2014; Last certification date 31/07/2017" in page
    assert "Unit 405: staged emergency drills accepted" in page
    assert (
        "Knowledge criteria may be met by simulation in units 403, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414"
        in page
    )
    assert "not assessable yet" in page and "import_catalogue" in page
    logbook = client.get("/catalogue/4430-02/").content.decode()
    assert "Unit 214 range 2: 4 of its sub-items" in logbook
    assert "Level 2 logbook, unit 214 (pages 77-82), what you must cover, page 80" in logbook
