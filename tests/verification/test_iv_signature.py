"""The internal verifier's agreement is a signature over the decisions agreed, with a verification code."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessment.models import EvidenceMapping
from audit.models import Signature
from audit.signatures import STATEMENTS, Kind
from verification import selectors, services

from .test_services import item_for

pytestmark = pytest.mark.django_db


def test_agreeing_a_unit_records_a_signature_that_verifies_until_a_decision_changes(
    signed_world, plan, capsys
):
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    decision = services.decision_record(item=item, actor=w.pat, outcome="agreed", client_ip="192.0.2.1")
    signature = Signature.objects.get(kind=Kind.IV_AGREEMENT, object_id=str(decision.pk))
    assert signature.signer == w.pat and signature.client_ip == "192.0.2.1"
    assert signature.statement == STATEMENTS[Kind.IV_AGREEMENT] and signature.content["decisions"]
    assert selectors.iv_signatures_for(w.reg1)[w.u101.pk].code == signature.display_code
    call_command("verify_signature", signature.code)
    assert "still matches" in capsys.readouterr().out
    mapping = EvidenceMapping.objects.filter(registration=w.reg1, unit=w.u101).first()
    EvidenceMapping.objects.filter(pk=mapping.pk).update(
        location="somewhere else"
    )  # behind the services' back
    with pytest.raises(CommandError, match="changed"):
        call_command("verify_signature", signature.display_code.lower())
    assert "somewhere else" in capsys.readouterr().out


def test_a_referral_is_no_signature(signed_world, plan):
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="More evidence for 1.2"
    )
    assert not Signature.objects.filter(kind=Kind.IV_AGREEMENT).exists()


def test_an_external_verifier_with_a_grant_checks_a_code_on_the_signature_page(signed_world, plan, client):
    """The page answered 500 for every external verifier: it imported a selector that no longer existed."""
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    decision = services.decision_record(item=item, actor=w.pat, outcome="agreed", client_ip="192.0.2.1")
    signature = Signature.objects.get(kind=Kind.IV_AGREEMENT, object_id=str(decision.pk))
    url = reverse("signature_verify") + f"?code={signature.display_code}"
    client.force_login(w.ev)
    assert client.get(url).status_code == 404  # no grant yet: the same answer as an unknown code
    services.grant_create(
        actor=w.admin,
        centre=w.centre,
        external_verifier=w.ev,
        scope="candidates",
        expires_on=timezone.localdate() + dt.timedelta(days=1),
        registrations=[w.reg1],
    )
    response = client.get(url)
    assert response.status_code == 200
    assert (
        signature.display_code in response.content.decode() and "still matches" in response.content.decode()
    )
