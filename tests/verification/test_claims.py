"""Certification claims: the gate, its refusals, the lock and the CSV export."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment.models import Registration
from verification import selectors, services
from verification.models import CertificationClaim, SampleItem

from .conftest import map_evidence, sign


def agree_all(w, plan, reg, verifier):
    services.sample_accept(
        plan=plan,
        actor=w.ivy,
        decision_keys=[selectors.decision_key(w.ua(reg, u).pk, "summative") for u in (w.u101, w.u102)],
    )
    for item in SampleItem.objects.filter(unit_assessment__registration=reg):
        services.decision_record(item=item, actor=verifier, outcome="agreed")


def test_full_claim_records_units_credits_verdict_and_locks(signed_world, plan):
    w = signed_world
    agree_all(w, plan, w.reg1, w.pat)
    claim = services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    assert claim.units == ["TV-101", "TV-102"] and claim.credits == 7
    assert claim.verdict["status"] == "achieved"
    w.reg1.refresh_from_db()
    assert w.reg1.status == Registration.Status.CERTIFIED
    with pytest.raises(ValidationError, match=services.CLAIM_EXISTS):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    assert CertificationClaim.objects.count() == 1


def test_full_claim_is_refused_with_the_engines_explanation(world, plan):
    w = world
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    text = " ".join(refused.value.messages)
    assert text.startswith("The full qualification cannot be claimed")
    assert "102" in text  # the engine names the missing mandatory unit / credits
    assert not CertificationClaim.objects.exists()
    claim = services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    assert claim.kind == "units" and claim.units == ["TV-101"] and claim.credits == 3


def test_full_claim_is_refused_while_a_sampled_decision_is_not_agreed(signed_world, plan):
    w = signed_world
    services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[selectors.decision_key(w.ua(w.reg1, w.u101).pk, "summative")]
    )
    with pytest.raises(ValidationError, match="has not agreed the sampled decision"):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    # Unit certification leaves out the unit waiting for its verification decision.
    claim = services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    assert claim.units == ["TV-102"]


def test_claims_need_an_admin_and_an_active_registration(signed_world, plan):
    w = signed_world
    with pytest.raises(ValidationError, match=services.NOT_ADMIN):
        services.claim_submit(registration=w.reg1, actor=w.pat, kind="units")
    Registration.objects.filter(pk=w.reg1.pk).update(status=Registration.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="not active"):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")


def test_incomplete_rules_block_the_full_claim(signed_world, plan):
    w = signed_world
    from qualifications.models import Rule

    Rule.objects.create(
        qualification=w.qualification,
        order=3,
        kind="min_credits_at_level",
        params={"credits": None, "level": "Level 1"},
        is_complete=False,
        incomplete_reason="number lost in extraction",
    )
    agree_all(w, plan, w.reg1, w.pat)
    with pytest.raises(ValidationError, match="cannot be claimed"):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")


def test_claim_page_double_submit_and_csv(client, signed_world, plan, django_assert_max_num_queries):
    w = signed_world
    agree_all(w, plan, w.reg1, w.pat)
    client.force_login(w.admin)
    client.get(reverse("verification:claim_list"))  # the first read rebuilds the pool summary (test_lists)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("verification:claim_list"))
    assert "Claim the full qualification" in page.content.decode()
    url = reverse("verification:claim_submit", args=[w.reg1.pk])
    client.post(url, {"kind": "full", "confirmed": "on"})
    second = client.post(url, {"kind": "full", "confirmed": "on"}, follow=True)
    assert services.CLAIM_EXISTS in second.content.decode()
    assert CertificationClaim.objects.filter(registration=w.reg1).count() == 1
    csv = client.get(reverse("verification:claim_export"))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().strip().splitlines()
    assert len(lines) == 2 and "TV-01" in lines[1] and "TV-101; TV-102" in lines[1] and ",7," in lines[1]


def test_refused_claim_through_the_page_shows_the_reason(client, world, plan):
    w = world
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    client.force_login(w.admin)
    response = client.post(
        reverse("verification:claim_submit", args=[w.reg1.pk]), {"kind": "full"}, follow=True
    )
    assert "cannot be claimed" in response.content.decode()
    assert not CertificationClaim.objects.exists()


def _csv_rows(client):
    import csv as csv_module
    import io

    response = client.get(reverse("verification:claim_export"))
    return {row["candidate"]: row for row in csv_module.DictReader(io.StringIO(response.content.decode()))}


def test_claim_pdf_states_what_the_csv_export_says(client, signed_world, plan):
    """Full claim for cara, unit certification for dan (one unit waiting for the IV): the PDF and the CSV
    name the same units, credits and rules-of-combination verdict."""
    import re

    from printing import registry
    from qualifications.rules import STATUS_WORDS
    from tests.printing.pdftext import pdf_text

    w = signed_world
    agree_all(w, plan, w.reg1, w.pat)
    services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[selectors.decision_key(w.ua(w.reg2, w.u102).pk, "summative")]
    )
    services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    services.claim_submit(registration=w.reg2, actor=w.admin, kind="units")
    client.force_login(w.admin)
    rows = _csv_rows(client)
    assert rows["Cara Candidate"]["units"] == "TV-101; TV-102" and rows["Dan Doe"]["units"] == "TV-101"
    for reg, name in ((w.reg1, "Cara Candidate"), (w.reg2, "Dan Doe")):
        row = rows[name]
        text = pdf_text(registry.render_completed(registry.get_form("certification-claim"), reg))
        units = row["units"].split("; ")
        assert f"Units claimed {row['units']} ({len(units)} unit" in text
        assert f"Credits claimed {row['credits']} " in text
        assert f"Rules of combination {STATUS_WORDS[row['engine_status']]} " in text
        kind = {"full": "Full qualification", "units": "Unit certification"}[row["kind"]]
        assert f"Certification claimed {kind}" in text
        assert f"Claimed on {row['claimed_on']} by {row['claimed_by']}" in text
        # The ticked rows of the unit table are the units claimed, no more.
        ticked = re.findall(r"✓ (\d{3}) Test unit", text)
        assert sorted(ticked) == sorted(u.split("-")[1] for u in units)
    assert rows["Dan Doe"]["engine_status"] == "achieved" and rows["Dan Doe"]["credits"] == "3"
