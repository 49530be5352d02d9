"""Journey (issue 17): an assessor maps one piece of evidence to criteria in two units from the map page using
only the keyboard (Tab, Space, Enter, arrows), with the evidence beside the criteria; the filter box narrows the
criteria; "Open all units" and "Close all units" open and close every unit; axe finds no serious or critical
violation on the page."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, AXE_OPTIONS, BLOCKING
from tests.browser.waiting import every


@pytest.fixture
def registered(demo):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    from accounts.models import User
    from assessment import services
    from evidence.models import EvidenceItem
    from qualifications.models import Qualification, Unit

    people = {u.username: u for u in User.objects.all()}
    registration = services.registration_create(
        actor=people["admin"],
        centre=demo["centre"],
        candidate=people["candidate"],
        qualification=Qualification.objects.get(code="4411-01"),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        registered_on=datetime.date(2026, 1, 12),
        optional_units=list(Unit.objects.filter(ref__in=["4411-101", "4411-103", "4411-104"])),
    )
    item = EvidenceItem.objects.create(
        centre=demo["centre"],
        candidate=people["candidate"],
        kind="statement",
        title="My first week on the desk",
        statement_text="I wore the uniform and badge. I told a customer what our department sells.",
    )
    item.units.set([Unit.objects.get(ref="4411-101")])  # the candidate named unit 101 for it
    return registration, item


def _focused(page):
    return page.evaluate("""() => { const el = document.activeElement;
        const label = el.closest('label') || (el.labels && el.labels[0]);
        const s = getComputedStyle(el);
        return {tag: el.tagName, type: el.type || '', name: el.name || '', id: el.id || '',
                text: (label ? label.textContent : el.textContent).trim().replace(/\\s+/g, ' '),
                outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")


def _tab_to(page, matches, limit=300):
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = _focused(page)
        if matches(focus):
            return focus
    raise AssertionError("focus never reached the element")


def test_assessor_maps_one_evidence_to_two_units_with_the_keyboard_only(
    page, live_server, sign_in, registered
):
    registration, item = registered
    sign_in(page, "assessor")
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/evidence/{item.pk}/map/")

    # The evidence is beside the criteria; the unit the candidate named is open, the others closed.
    expect(page.locator("#evidence-statement")).to_contain_text("I wore the uniform and badge.")
    expect(page.locator("details[data-unit='101']")).to_have_attribute("open", "")
    for number in ("102", "103", "104"):
        expect(page.locator(f"details[data-unit='{number}']")).not_to_have_attribute("open", "")

    # Unit 101, criterion 1.1: Tab to it, Space ticks it; focus is visible.
    focus = _tab_to(page, lambda f: f["type"] == "checkbox" and f["text"].startswith("101 1.1 "))
    assert focus["outline"] == "solid" and focus["width"] >= 2, focus
    page.keyboard.press("Space")
    # Unit 103 is closed: Tab to its heading, Enter opens it, Tab into it, Space ticks 103 1.1.
    focus = _tab_to(page, lambda f: f["tag"] == "SUMMARY" and f["text"].startswith("Unit 103 "))
    assert focus["outline"] == "solid", focus
    page.keyboard.press("Enter")
    expect(page.locator("details[data-unit='103']")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    assert _focused(page)["text"].startswith("103 1.1 ")
    page.keyboard.press("Space")

    # The method with the arrow keys, the location typed, then Enter on the button.
    _tab_to(page, lambda f: f["id"] == "id_method")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#id_method")).to_have_value("product_evidence")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_location"
    page.keyboard.type("paragraph 1")
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Save mapping")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("mapped")

    from assessment.models import EvidenceMapping

    mapped = {(m.unit.number, m.criterion.ref) for m in EvidenceMapping.objects.filter(evidence=item)}
    assert mapped == {("101", "1.1"), ("103", "1.1")}
    # Back on the page, both are marked met and mapped.
    for number in ("101", "103"):
        row = page.locator(f"details[data-unit='{number}'] label.picker-row").first
        expect(row).to_contain_text("met")
        expect(row).to_contain_text("mapped")

    # The filter box: typed words hide the criteria that do not hold them and open the unit that does.
    _tab_to(page, lambda f: f["id"] == "map-filter")
    page.keyboard.type("collect detailed information")
    expect(page.locator("details[data-unit='104']")).to_have_attribute("open", "")
    expect(page.locator("details[data-unit='101'] label.picker-row").first).to_be_hidden()
    visible = page.locator("label.picker-row:visible")
    for row in every(visible):
        assert all(word in row.text_content() for word in ("collect", "detailed", "information"))
    expect(page.locator("[data-picker-count]")).to_have_text(f"{visible.count()} criteria match.")
    page.keyboard.press("Enter")  # does not submit the form
    assert page.url.endswith(f"/evidence/{item.pk}/map/")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    expect(page.locator("details[data-unit='104']")).not_to_have_attribute("open", "")


def test_open_all_and_close_all_units_with_the_keyboard(page, live_server, sign_in, registered):
    registration, item = registered
    sign_in(page, "assessor")
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/evidence/{item.pk}/map/")
    units = page.locator("details.picker-unit")
    expect(page.locator("details[data-unit='102']")).not_to_have_attribute("open", "")

    # Enter on "Open all units" opens every unit, and says so.
    focus = _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Open all units")
    assert focus["outline"] == "solid", focus
    page.keyboard.press("Enter")
    for unit in every(units):
        expect(unit).to_have_attribute("open", "")
    expect(page.locator("[data-picker-count]")).to_have_text("All units open.")
    assert page.url.endswith(f"/evidence/{item.pk}/map/")  # a button of its own: the form is not sent

    # Space on "Close all units" closes every unit, the one the candidate named too.
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Close all units"
    page.keyboard.press("Space")
    for unit in every(units):
        expect(unit).not_to_have_attribute("open", "")
    expect(page.locator("[data-picker-count]")).to_have_text("All units closed.")

    # While the filter narrows the criteria, "Open all units" opens the units shown, and emptying the filter
    # keeps them open (what was asked for last), instead of putting back the units as they were before.
    page.locator("#map-filter").fill("collect detailed information")
    expect(page.locator("details[data-unit='101']")).to_be_hidden()
    page.get_by_role("button", name="Open all units").click()
    page.locator("#map-filter").fill("")
    for unit in every(units):
        expect(unit).to_be_visible()
        expect(unit).to_have_attribute("open", "")


@pytest.mark.browser_context_args(bypass_csp=True)
def test_map_page_has_no_serious_accessibility_violations(page, live_server, sign_in, registered):
    registration, item = registered
    sign_in(page, "assessor")
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/evidence/{item.pk}/map/")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert not problems, "\n".join(problems)
