"""A signed-in demo user browses the catalogue: list, 4430-04's structure, unit 401, search."""

import re

from playwright.sync_api import expect

from tests.qualifications.catalogue_samples import load_real_catalogue


def test_candidate_browses_the_catalogue_and_searches(page, live_server, demo, sign_in):
    load_real_catalogue()
    sign_in(page, "candidate")
    page.get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Qualification catalogue")

    page.get_by_role("link", name="4430-04").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("4430-04")
    expect(page.get_by_role("heading", name="Mandatory units")).to_be_visible()
    expect(page.get_by_role("heading", name="Optional group: Delivery")).to_be_visible()
    expect(page.get_by_text("At least 67 credits in total.")).to_be_visible()
    expect(page.get_by_text("Incomplete data")).to_have_count(0)

    page.get_by_role("link", name="401", exact=True).click()
    expect(page).to_have_url(re.compile(r"/catalogue/units/4430-401/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Unit 401:")
    expect(page.get_by_role("heading", name=re.compile(r"^Outcome 1:"))).to_be_visible()
    expect(page.get_by_role("rowheader", name="1.1", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^4430-04 "))).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Catalogue").click()
    page.get_by_label("Search units").fill("complaint")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"units? found"))).to_be_visible()
    results = page.get_by_role("table").get_by_role("link")
    expect(results.first).to_be_visible()
    assert all("omplaint" in row for row in page.get_by_role("table").locator("tbody tr").all_inner_texts())


def test_the_incomplete_4430_02_shows_its_warning(page, live_server, demo, sign_in):
    load_real_catalogue()
    sign_in(page, "assessor")
    page.goto(f"{live_server.url}/catalogue/")
    page.get_by_role("link", name="4430-02").click()
    warning = page.get_by_role("region", name="Incomplete data: this qualification cannot be certified")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("has no credit value")
    expect(warning).to_contain_text("is incomplete")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Catalogue").click()
    page.get_by_label("Search units").fill("212")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="4430-212").click()
    expect(page.get_by_text("not known (the source does not give it)")).to_be_visible()
