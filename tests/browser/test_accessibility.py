"""Every role's main pages pass axe-core (WCAG 2.1 A/AA rules) with no serious or critical violation.

axe-core is vendored for the tests only (tests/browser/vendor/axe.min.js, MPL-2.0). The demo data is loaded
once and every page is checked in one test, so the catalogue load (the slow part) is paid once.
"""
import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}


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
    from assessment.models import EvidenceMapping, Registration, UnitAssessment
    from evidence.models import EvidenceItem
    from verification.models import ExternalAccessGrant, SampleItem, SamplingPlan

    cara = Registration.objects.get(candidate__username="candidate", qualification__code="4411-01")
    lou = Registration.objects.get(candidate__username="locked", qualification__code="4430-04")
    mapped_unit = EvidenceMapping.objects.filter(registration=cara).order_by("pk").first().unit
    evidence = EvidenceItem.objects.filter(candidate__username="candidate").order_by("pk").first()
    plan = SamplingPlan.objects.order_by("pk").first()
    sampled = SampleItem.objects.filter(plan=plan).order_by("pk").first()
    grant = ExternalAccessGrant.objects.order_by("pk").first()
    ev_registration = grant.registrations.order_by("pk").first()
    ev_unit = UnitAssessment.objects.filter(registration=ev_registration).order_by("unit__number").first().unit
    catalogue = [
        ("catalogue", reverse("qualifications:list")),
        ("qualification 4430-04", reverse("qualifications:detail", args=["4430-04"])),
        ("unit 4430-401", reverse("qualifications:unit", args=["4430-401"])),
    ]
    return {
        None: [("sign in", reverse("accounts:login")), ("password reset", reverse("accounts:password_reset"))],
        "candidate": [
            ("dashboard", reverse("dashboards:candidate")),
            *catalogue,
            ("catalogue search", reverse("qualifications:search") + "?q=complaint"),
            ("evidence list", reverse("evidence:list")),
            ("upload", reverse("evidence:upload")),
            ("statement", reverse("evidence:statement_new")),
            ("evidence item", reverse("evidence:detail", args=[evidence.pk])),
            ("witnesses", reverse("evidence:witness_list")),
            ("progress", reverse("assessment:progress")),
            ("progress detail", reverse("assessment:progress_detail", args=[cara.pk])),
            ("forms", reverse("printing:index")),
        ],
        "assessor": [
            ("dashboard", reverse("dashboards:assessor")),
            ("caseload", reverse("assessment:caseload")),
            ("registration", reverse("assessment:registration_detail", args=[cara.pk])),
            ("coverage matrix", reverse("assessment:unit_matrix", args=[cara.pk, mapped_unit.pk])),
            ("coverage matrix 4430-04", reverse("assessment:unit_matrix",
                                                args=[lou.pk, lou.unit_assessments.order_by("pk").first().unit_id])),
            ("mapping", reverse("assessment:evidence_map", args=[cara.pk, evidence.pk])),
            ("observation form", reverse("assessment:record_new", args=[cara.pk, "observation"])),
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
        ],
        "admin": [
            ("dashboard", reverse("dashboards:centre_admin")),
            ("registrations", reverse("assessment:registration_list")),
            ("register a candidate", reverse("assessment:registration_new")),
            ("claims", reverse("verification:claim_list")),
            ("external access", reverse("verification:grant_list")),
            ("grant external access", reverse("verification:grant_create")),
            ("forms", reverse("printing:index")),
            ("qualification forms", reverse("printing:qualification", args=["4411-01"])),
        ],
        "ev": [
            ("dashboard", reverse("dashboards:external_verifier")),
            ("candidates", reverse("verification:ev_home")),
            ("registration", reverse("verification:ev_registration", args=[ev_registration.pk])),
            ("unit", reverse("verification:ev_unit", args=[ev_registration.pk, ev_unit.pk])),
        ],
    }


def _axe(page, url):
    page.goto(url)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)
    return [v for v in violations if v["impact"] in BLOCKING]


def test_main_pages_of_every_role_have_no_serious_accessibility_violations(page, live_server, sign_in,
                                                                           transactional_db):
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
            assert page.url.startswith(response_url.split("?")[0]), f"{username} {label}: redirected to {page.url}"
            for violation in violations:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                problems.append(f"{violation['id']} ({violation['impact']}) on {username or 'anonymous'} "
                                f"{label} {path}: {targets} — {violation['help']}")
    assert checked >= 40
    assert not problems, "\n".join(problems)
