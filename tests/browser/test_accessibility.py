"""Every role's main pages pass axe-core (WCAG 2.1 A/AA rules) with no serious or critical violation.

axe-core is vendored for the tests only (tests/browser/vendor/axe.min.js, MPL-2.0). The demo data is loaded
once and every page is checked in one test, so the catalogue load (the slow part) is paid once.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def load_demo(*fixtures):
    """The catalogue (every fixture, or the named ones) and the demo centre with candidates at every stage.

    The whole catalogue takes about 10 s; the demo needs only 4411 and 4430-04.
    """
    paths = [str(settings.BASE_DIR / "fixtures" / name) for name in fixtures]
    call_command("load_catalogue", *paths, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("demo", stdout=io.StringIO())


def main_pages():
    """{username: [(label, path)]}: the pages each demo role uses most, from the demo data.

    Shared with test_phone_layout.py. `None` is the anonymous visitor.
    """
    from assessment.models import AssessmentRecord, EvidenceMapping, Registration, UnitAssessment
    from evidence.models import EvidenceItem
    from verification.models import ExternalAccessGrant, SampleItem, SamplingPlan

    cara = Registration.objects.get(candidate__username="candidate", qualification__code="4411-01")
    lou = Registration.objects.get(candidate__username="locked", qualification__code="4430-04")
    mapping = EvidenceMapping.objects.filter(registration=cara).order_by("pk").first()
    mapped_unit = mapping.unit
    record = AssessmentRecord.objects.filter(registration=lou).order_by("pk").first()
    evidence = EvidenceItem.objects.filter(candidate__username="candidate").order_by("pk").first()
    plan = SamplingPlan.objects.order_by("pk").first()
    sampled = SampleItem.objects.filter(plan=plan).order_by("pk").first()
    grant = ExternalAccessGrant.objects.order_by("pk").first()
    ev_registration = grant.registrations.order_by("pk").first()
    ev_unit = (
        UnitAssessment.objects.filter(registration=ev_registration).order_by("unit__number").first().unit
    )
    centre, assessor = cara.centre_id, cara.assessor_id
    catalogue = [
        ("catalogue", reverse("qualifications:list")),
        ("qualification 4430-04", reverse("qualifications:detail", args=["4430-04"])),
        ("unit 4430-401", reverse("qualifications:unit", args=["4430-401"])),
    ]
    return {
        None: [
            ("sign in", reverse("accounts:login")),
            ("password reset", reverse("accounts:password_reset")),
        ],
        "candidate": [
            ("dashboard", reverse("dashboards:candidate")),
            *catalogue,
            ("catalogue search", reverse("qualifications:search") + "?q=complaint"),
            ("evidence list", reverse("evidence:list")),
            ("upload", reverse("evidence:upload")),
            ("statement", reverse("evidence:statement_new")),
            ("evidence item", reverse("evidence:detail", args=[evidence.pk])),
            ("witnesses", reverse("evidence:witness_list")),
            ("witness testimony", reverse("evidence:testimony_new")),
            ("new witness", reverse("evidence:witness_new")),
            ("progress", reverse("assessment:progress")),
            ("progress detail", reverse("assessment:progress_detail", args=[cara.pk])),
            ("forms", reverse("printing:index")),
            ("registration forms", reverse("printing:registration", args=[cara.pk])),
            ("password change", reverse("accounts:password_change")),
        ],
        "assessor": [
            ("dashboard", reverse("dashboards:assessor")),
            ("caseload", reverse("assessment:caseload")),
            ("registration", reverse("assessment:registration_detail", args=[cara.pk])),
            ("coverage matrix", reverse("assessment:unit_matrix", args=[cara.pk, mapped_unit.pk])),
            (
                "coverage matrix 4430-04",
                reverse(
                    "assessment:unit_matrix",
                    args=[lou.pk, lou.unit_assessments.order_by("pk").first().unit_id],
                ),
            ),
            ("mapping", reverse("assessment:evidence_map", args=[cara.pk, evidence.pk])),
            ("criterion", reverse("assessment:criterion_detail", args=[cara.pk, mapping.criterion_id])),
            ("observation form", reverse("assessment:record_new", args=[cara.pk, "observation"])),
            ("observation record", reverse("assessment:record_detail", args=[record.pk])),
            ("action plan form", reverse("assessment:action_plan_new", args=[cara.pk])),
            ("feedback form", reverse("assessment:feedback_new", args=[cara.pk])),
            ("countersign queue", reverse("assessment:countersign_queue")),
            ("forms", reverse("printing:index")),
        ],
        "iv": [
            ("dashboard", reverse("dashboards:internal_verifier")),
            ("plans", reverse("verification:plan_list")),
            ("new plan", reverse("verification:plan_create")),
            ("plan and sample", reverse("verification:plan_detail", args=[plan.pk])),
            ("sampled unit and decision", reverse("verification:item_detail", args=[sampled.pk])),
            ("referrals", reverse("verification:referral_list")),
            ("assessor flags", reverse("verification:flag_list")),
            ("sites", reverse("verification:site_list")),
            ("staff competence", reverse("competence:overview", args=[centre])),
        ],
        "admin": [
            ("dashboard", reverse("dashboards:centre_admin")),
            ("registrations", reverse("assessment:registration_list")),
            ("register a candidate", reverse("assessment:registration_new")),
            ("claims", reverse("verification:claim_list")),
            ("external access", reverse("verification:grant_list")),
            ("grant external access", reverse("verification:grant_create")),
            ("external verifier's log", reverse("verification:grant_log", args=[grant.pk])),
            ("edit a registration", reverse("assessment:registration_edit", args=[cara.pk])),
            ("forms", reverse("printing:index")),
            ("qualification forms", reverse("printing:qualification", args=["4411-01"])),
            ("people", reverse("people:list", args=[centre])),
            ("add a person", reverse("people:create", args=[centre])),
            ("person", reverse("people:detail", args=[centre, cara.candidate_id])),
            ("import people", reverse("people_import:upload", args=[centre])),
            ("staff competence of an assessor", reverse("competence:staff", args=[centre, assessor])),
        ],
        "ev": [
            ("dashboard", reverse("dashboards:external_verifier")),
            ("candidates", reverse("verification:ev_home")),
            ("registration", reverse("verification:ev_registration", args=[ev_registration.pk])),
            ("unit", reverse("verification:ev_unit", args=[ev_registration.pk, ev_unit.pk])),
            (
                "assessor's competence",
                reverse("ev_competence:staff", args=[ev_registration.pk, ev_registration.assessor_id]),
            ),
        ],
    }


def _axe(page, url):
    page.goto(url)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)
    return [v for v in violations if v["impact"] in BLOCKING]


# axe-core is injected as a script the page's Content-Security-Policy would refuse (tests/browser/test_csp.py
# checks the policy itself).
@pytest.mark.browser_context_args(bypass_csp=True)
def test_main_pages_of_every_role_have_no_serious_accessibility_violations(
    page, live_server, sign_in, transactional_db
):
    load_demo()
    problems = []
    checked = 0
    for username, pages in main_pages().items():
        page.context.clear_cookies()
        if username:
            sign_in(page, username)
        for label, path in pages:
            response_url = live_server.url + path
            violations = _axe(page, response_url)
            checked += 1
            assert page.url.startswith(response_url.split("?")[0]), (
                f"{username} {label}: redirected to {page.url}"
            )
            for violation in violations:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                problems.append(
                    f"{violation['id']} ({violation['impact']}) on {username or 'anonymous'} "
                    f"{label} {path}: {targets} — {violation['help']}"
                )
    assert checked >= 50
    assert not problems, "\n".join(problems)

    # Keyboard focus is visible (axe cannot tell): the skip link, then a navigation link, get a thick ring.
    page.goto(live_server.url + reverse("dashboards:external_verifier"))
    for expected in ("Skip to main content", "Portfolio"):
        page.keyboard.press("Tab")
        focus = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return {text: document.activeElement.textContent.trim(), style: s.outlineStyle,
                    width: parseFloat(s.outlineWidth)}; }""")
        assert focus["text"] == expected and focus["style"] == "solid" and focus["width"] >= 2, focus
