"""Two centre admins claiming for the same candidate at the same moment make one claim (the registration row is
locked first). On PostgreSQL the two requests really run at once; elsewhere one after the other."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditEntry
from tests.assessment.test_concurrency import run_together
from verification.models import CertificationClaim

from .conftest import map_evidence, sign


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["units", "exit"])
def test_two_admins_claiming_at_once_make_one_claim(transactional_db, world, kind):
    w = world
    other = w.make_user("adm2", w.centre, "centre_admin", first_name="Bob", last_name="Admin")
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    url = reverse("verification:claim_submit", args=[w.reg1.pk])

    def claim(admin):
        def submit():
            client = Client()
            client.force_login(admin)
            return client.post(url, {"kind": kind, "confirmed": "on", "reason": "Left."}).status_code

        return submit

    statuses = run_together(claim(w.admin), claim(other))
    assert sorted(statuses) == [302, 400]
    assert CertificationClaim.objects.filter(registration=w.reg1).count() == 1
    assert AuditEntry.objects.filter(action=Action.CERTIFICATION_CLAIMED).count() == 1
    assert AuditEntry.objects.filter(action=Action.CERTIFICATION_CLAIM_REFUSED).count() == 1
