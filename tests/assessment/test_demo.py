"""The demo: registrations at every stage, made through the real services, safe to run twice."""

import pytest
from django.conf import settings
from django.core.management import call_command

from assessment import demo
from assessment.models import Registration, UnitAssessment

pytestmark = pytest.mark.django_db


def test_demo_builds_every_stage_and_is_idempotent():
    for name in ("4411.json", "4430-04.json"):
        call_command("loaddata", str(settings.BASE_DIR / "fixtures" / name), verbosity=0)
    from accounts.demo import run as accounts_demo
    from evidence.demo import run as evidence_demo

    accounts_demo()
    evidence_demo()
    result = demo.run()
    assert ("Candidate (fresh)", "fresh") in result["logins"]
    status = {
        (ua.registration.candidate.username, ua.unit.ref): ua.status
        for ua in UnitAssessment.objects.select_related("registration__candidate", "unit")
    }
    assert status[("signed", "4411-101")] == status[("signed", "4411-102")] == "signed"
    assert status[("locked", "4430-401")] == "signed"
    assert status[("mapped", "4411-101")] == "open"
    assert set(v for (who, _), v in status.items() if who == "fresh") == {"open"}
    cara = Registration.objects.get(candidate__username="candidate")
    assert cara.mappings.filter(decision="not_yet").exists() and cara.feedback.exists()
    counts = (Registration.objects.count(), UnitAssessment.objects.count())
    demo.run()
    assert (Registration.objects.count(), UnitAssessment.objects.count()) == counts
