"""Issue 11 item 1: own assessment through a role swap.

pat (assessor and internal verifier) assesses dan's unit 101 as dan's assessor; the centre admin swaps the
assessor and the internal verifier on the registration (ivy assesses, pat verifies); ivy takes the same
mapping decisions again (which overwrites `assessed_by`) and signs the unit. pat then must not agree that
unit as its internal verifier: not through the service, not through the page, not by writing the row, and
the sample generator does not offer it to pat.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import Membership, Role
from assessment import services as assessment_services
from assessment.models import EvidenceMapping, UnitAssessment
from qualifications.models import AssessmentCriterion
from tests.assessment.factories import make_evidence
from tests.conftest import PASSWORD
from verification import selectors, services
from verification.models import SampleItem, VerificationDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def swapped(world, plan):
    """reg2's unit 101: mapped by pat as assessor, then (after the swap) re-decided and signed by ivy."""
    w = world
    Membership.objects.create(user=w.ivy, centre=w.centre, role=Role.ASSESSOR)
    quinn = w.make_user("quinn", w.centre, Role.INTERNAL_VERIFIER, first_name="Quinn", last_name="Third")
    evidence = make_evidence(registration=w.reg2, title="Till receipts")
    criteria = list(AssessmentCriterion.objects.filter(unit=w.u101))
    assessment_services.mapping_add(
        registration=w.reg2,
        evidence=evidence,
        actor=w.pat,
        criteria=criteria,
        method="observation",
        decision="accepted",
    )
    assessment_services.registration_update(
        registration=w.reg2,
        actor=w.admin,
        assessor=w.ivy,
        internal_verifier=w.pat,
        optional_units=[],
        expires_on=w.reg2.expires_on,
    )
    for mapping in EvidenceMapping.objects.filter(registration=w.reg2, unit=w.u101):
        assessment_services.mapping_decide(
            mapping=mapping, actor=w.ivy, decision="accepted", expected_version=mapping.version
        )
    assert set(EvidenceMapping.objects.filter(registration=w.reg2).values_list("assessed_by", flat=True)) == {
        w.ivy.pk
    }
    ua = w.ua(w.reg2, w.u101)
    assessment_services.authenticity_sign(unit_assessment=ua, actor=w.dan)
    ua = assessment_services.unit_sign_off(unit_assessment=ua, actor=w.ivy, password=PASSWORD)
    assert ua.status == UnitAssessment.Status.SIGNED and ua.signed_by == w.ivy
    services.sample_accept(plan=plan, actor=quinn, decision_keys=[selectors.decision_key(ua.pk, "summative")])
    w.item = SampleItem.objects.get(plan=plan, unit_assessment=ua)
    w.quinn = quinn
    return w


def test_every_mapping_decision_is_kept_in_the_history(swapped):
    from assessment.models import MappingDecision

    w = swapped
    rows = list(MappingDecision.objects.filter(registration=w.reg2, unit=w.u101).order_by("id"))
    assert [(r.decided_by_id, r.action, r.decision) for r in rows] == (
        [(w.pat.pk, "mapped", "accepted")] * 2 + [(w.ivy.pk, "decided", "accepted")] * 2
    )
    assert all(r.method == "observation" and r.evidence_revision == 1 and r.round == 1 for r in rows)


def test_iv_who_mapped_evidence_before_a_role_swap_cannot_agree_the_unit(swapped):
    w = swapped
    with pytest.raises(ValidationError, match="nobody verifies their own assessment"):
        services.decision_record(item=w.item, actor=w.pat, outcome="agreed")
    with pytest.raises(ValidationError, match="nobody verifies their own assessment"):
        services.decision_record(item=w.item, actor=w.pat, outcome="referred", action_points="Check it.")
    assert not VerificationDecision.objects.exists()
    assert w.pat.pk in selectors.assessors_of(w.item.unit_assessment)


def test_iv_who_mapped_evidence_before_a_role_swap_cannot_agree_it_on_the_page(client, swapped):
    w = swapped
    client.force_login(w.pat)
    url = reverse("verification:item_detail", args=[w.item.pk])
    page = client.get(url).content.decode()
    assert "nobody verifies their own assessment" in page and "Record decision" not in page
    response = client.post(
        reverse("verification:item_decide", args=[w.item.pk]),
        {"outcome": "agreed", "comments": "Fine."},
        follow=True,
    )
    assert "nobody verifies their own assessment" in response.content.decode()
    assert not VerificationDecision.objects.exists()


@pytest.mark.postgres
def test_database_refuses_a_verifier_found_only_in_the_mapping_history(swapped):
    """The row written behind the services' back: the trigger reads the history (SQLite and PostgreSQL)."""
    w = swapped
    ua = w.item.unit_assessment
    with pytest.raises((IntegrityError, DatabaseError), match="own assessment"), transaction.atomic():
        VerificationDecision.objects.create(
            item=w.item, unit_assessment=ua, verifier=w.pat, assessor=w.ivy, outcome="agreed", unit_round=1
        )
    ok = VerificationDecision.objects.create(
        item=w.item, unit_assessment=ua, verifier=w.quinn, assessor=w.ivy, outcome="agreed", unit_round=1
    )
    with pytest.raises((IntegrityError, DatabaseError), match="own assessment"), transaction.atomic():
        VerificationDecision.objects.filter(pk=ok.pk).update(verifier=w.pat)


@pytest.mark.postgres
def test_database_refuses_a_verifier_who_wrote_an_assessment_record_in_the_unit(world, plan):
    w = world
    from assessment.models import AssessmentRecord

    quinn = w.make_user("quinn", w.centre, Role.INTERNAL_VERIFIER, Role.ASSESSOR)
    record = AssessmentRecord.objects.create(
        registration=w.reg1,
        kind="observation",
        assessor=quinn,
        date=plan.period_start,
        description="Seen greeting customers.",
    )
    record.criteria.set(AssessmentCriterion.objects.filter(unit=w.u101))
    ua = w.ua(w.reg1, w.u101)
    item = SampleItem.objects.create(
        sample=_sample(plan, w.ivy), plan=plan, unit_assessment=ua, stage="interim", assessor=w.ann
    )
    assert quinn.pk in selectors.assessors_of(ua)
    with pytest.raises((IntegrityError, DatabaseError), match="own assessment"), transaction.atomic():
        VerificationDecision.objects.create(
            item=item, unit_assessment=ua, verifier=quinn, assessor=w.ann, outcome="agreed", unit_round=1
        )


def _sample(plan, actor):
    from verification.models import Sample

    return Sample.objects.create(plan=plan, accepted_by=actor)


@pytest.mark.postgres
def test_mapping_history_rows_are_append_only_in_the_database(swapped):
    from assessment.models import MappingDecision

    row = MappingDecision.objects.first()
    with pytest.raises((IntegrityError, DatabaseError), match="append-only"), transaction.atomic():
        MappingDecision.objects.filter(pk=row.pk).update(decided_by=swapped.quinn)
    with pytest.raises((IntegrityError, DatabaseError), match="append-only"), transaction.atomic():
        MappingDecision.objects.filter(pk=row.pk).delete()
    with pytest.raises((IntegrityError, DatabaseError), match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM assessment_mappingdecision")
    assert MappingDecision.objects.filter(pk=row.pk, decided_by=swapped.pat).exists()


def test_removing_a_mapping_keeps_its_history_and_the_guard(world, plan):
    """The assessor maps and then removes the mapping: they still took part in the unit's assessment."""
    from assessment.models import MappingDecision

    w = world
    evidence = make_evidence(registration=w.reg1)
    Membership.objects.create(user=w.ivy, centre=w.centre, role=Role.ASSESSOR)
    w.reg1.assessor = w.ivy
    w.reg1.save()
    [mapping] = assessment_services.mapping_add(
        registration=w.reg1,
        evidence=evidence,
        actor=w.ivy,
        criteria=[AssessmentCriterion.objects.filter(unit=w.u101).first()],
        method="observation",
        decision="not_yet",
        reason="Say more.",
    )
    assessment_services.mapping_remove(mapping=mapping, actor=w.ivy)
    assert not EvidenceMapping.objects.filter(registration=w.reg1).exists()
    assert list(MappingDecision.objects.filter(registration=w.reg1).values_list("action", flat=True)) == [
        "mapped",
        "removed",
    ]
    w.reg1.assessor = w.ann
    w.reg1.internal_verifier = w.ivy
    w.reg1.save()
    assert w.ivy.pk in selectors.assessors_of(w.ua(w.reg1, w.u101))


# --- the sample generator ----------------------------------------------------------------------------
def test_sample_generator_never_offers_an_iv_their_own_assessments(swapped, plan):
    w = swapped
    SampleItem.objects.all().delete()
    ua = w.item.unit_assessment
    key = selectors.decision_key(ua.pk, "summative")
    assert key in {d.id for d in selectors.plan_pool(plan, verifier=w.quinn).decisions}
    for own in (w.pat, w.ivy):  # pat mapped it before the swap, ivy decided and signed it after
        pool = selectors.plan_pool(plan, verifier=own)
        assert key not in {d.id for d in pool.decisions}
        overview = selectors.plan_overview(plan, verifier=own)
        assert key not in {d.id for d in overview.proposal.items}
        with pytest.raises(ValidationError, match="nobody verifies their own assessment"):
            services.sample_accept(plan=plan, actor=own, decision_keys=[key])
    with pytest.raises(
        ValidationError, match=services.NOTHING_TO_SAMPLE
    ):  # the only signed unit is pat's own
        services.sample_accept(plan=plan, actor=w.pat)
    sample = services.sample_accept(plan=plan, actor=w.quinn)
    assert ua.pk in set(sample.items.values_list("unit_assessment_id", flat=True))


def test_plan_page_does_not_offer_an_iv_their_own_assessments(client, swapped, plan):
    w = swapped
    SampleItem.objects.all().delete()
    key = selectors.decision_key(w.item.unit_assessment_id, "summative")
    client.force_login(w.pat)
    page = client.get(reverse("verification:plan_detail", args=[plan.pk])).content.decode()
    assert f'value="{key}"' not in page
    client.force_login(w.quinn)
    page = client.get(reverse("verification:plan_detail", args=[plan.pk])).content.decode()
    assert f'value="{key}"' in page
