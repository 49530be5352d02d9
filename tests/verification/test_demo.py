"""The verification demo: a plan, a sample, an open referral and a certified candidate; idempotent."""

import pytest
from django.core.management import call_command

from assessment.models import Registration
from verification.models import (
    CertificationClaim,
    ExternalAccessGrant,
    SampleItem,
    SamplingPlan,
    VerificationDecision,
)


@pytest.mark.django_db
def test_demo_creates_the_story_and_runs_twice():
    from accounts import demo as accounts_demo
    from verification import demo

    accounts_demo.run()
    call_command("loaddata", "fixtures/4411.json", verbosity=0)
    demo.run()
    demo.run()
    assert SamplingPlan.objects.count() == 1
    assert SampleItem.objects.exists()
    assert (
        VerificationDecision.objects.filter(outcome="referred", referral_closed_at__isnull=True).count() == 1
    )
    claim = CertificationClaim.objects.get()
    assert claim.kind == "full" and claim.verdict["achieved"] is True
    assert claim.registration.status == Registration.Status.CERTIFIED
    assert ExternalAccessGrant.objects.count() == 1
