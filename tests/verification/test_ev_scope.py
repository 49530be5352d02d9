"""Issue 11 item 3: an external verifier reads exactly what the grant names, and every evidence view is logged.

Reproduced as reported: an EV granted by centre A read centre B's evidence of the same candidate (the hook
handed the evidence app candidate ids, not registrations), and a grant limited to a sample exposed the
candidate's whole portfolio.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from assessment.models import EvidenceMapping
from audit.actions import Action
from audit.models import AuditEntry
from evidence.models import EvidenceItem
from evidence.selectors import evidence_visible_to
from qualifications.models import AssessmentCriterion
from tests.assessment.factories import make_evidence, make_registration
from tests.printing.pdftext import pdf_text
from verification import selectors, services
from verification.models import ExternalAccessLog

from .test_stale_access import evidence_urls, evidence_with_file

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def matrix(client, urls):
    return {url: client.get(url).status_code for url in urls}


def test_a_grant_of_centre_a_shows_nothing_of_centre_b(client, world, other_centre, make_user):
    """Cara is a candidate at both centres; the EV works with both; only centre A granted Cara's registration."""
    Membership.objects.create(user=world.cara, centre=other_centre, role=Role.CANDIDATE)
    Membership.objects.create(user=world.ev, centre=other_centre, role=Role.EXTERNAL_VERIFIER)
    bea = make_user("bea", other_centre, Role.ASSESSOR)
    vic = make_user("vic", other_centre, Role.INTERNAL_VERIFIER)
    reg_b = make_registration(
        centre=other_centre,
        candidate=world.cara,
        assessor=bea,
        internal_verifier=vic,
        qualification=world.qualification,
    )
    at_a = evidence_with_file(world.reg1, title="At centre A")
    at_b = evidence_with_file(reg_b, title="At centre B")
    services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )
    client.force_login(world.ev)
    assert set(matrix(client, evidence_urls(at_a)).values()) == {200}
    assert set(matrix(client, evidence_urls(at_b)).values()) == {404}
    assert client.get(reverse("verification:ev_registration", args=[reg_b.pk])).status_code == 404
    page = client.get(reverse("verification:ev_registration", args=[world.reg1.pk])).content.decode()
    assert "At centre A" in page and "At centre B" not in page
    assert set(evidence_visible_to(world.ev).values_list("pk", flat=True)) == {at_a.pk}


@pytest.fixture
def sample_grant(signed_world, plan):
    """Dan's unit 101 is sampled (summative) and shared with the EV; unit 102 is not."""
    w = signed_world
    sample = services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[selectors.decision_key(w.ua(w.reg2, w.u101).pk, "summative")]
    )
    return services.grant_create(
        actor=w.admin,
        centre=w.centre,
        external_verifier=w.ev,
        scope="sample",
        expires_on=TOMORROW,
        sample=sample,
    )


def evidence_of(registration, unit):
    return EvidenceMapping.objects.filter(registration=registration, unit=unit).values_list(
        "evidence", flat=True
    )


def test_a_sample_grant_shows_the_sampled_units_and_their_evidence_only(client, signed_world, sample_grant):
    w = signed_world
    in_sample = EvidenceItem.objects.get(pk=evidence_of(w.reg2, w.u101).first())
    outside = EvidenceItem.objects.get(pk=evidence_of(w.reg2, w.u102).first())
    unmapped = evidence_with_file(w.reg2, title="Never mapped")
    client.force_login(w.ev)
    assert client.get(reverse("evidence:detail", args=[in_sample.pk])).status_code == 200
    for item in (outside, unmapped):
        assert set(matrix(client, evidence_urls(item)).values()) == {404}, item
    for item in (EvidenceItem.objects.filter(candidate=w.cara).first(), make_evidence(registration=w.reg1)):
        assert client.get(reverse("evidence:detail", args=[item.pk])).status_code == 404

    ev = lambda name, *args: reverse(f"verification:{name}", args=[w.reg2.pk, *args])  # noqa: E731
    assert client.get(ev("ev_unit", w.u101.pk)).status_code == 200
    assert matrix(
        client, [ev("ev_unit", w.u102.pk), ev("ev_unit_form", w.u102.pk), ev("ev_form", "portfolio")]
    ) == dict.fromkeys(
        [ev("ev_unit", w.u102.pk), ev("ev_unit_form", w.u102.pk), ev("ev_form", "portfolio")], 404
    )
    page = client.get(ev("ev_registration")).content.decode()
    assert "TV-101" in page and "TV-102" not in page
    assert in_sample.title in page and outside.title not in page and "Never mapped" not in page
    assert "Whole portfolio" not in page
    assert client.get(reverse("verification:ev_registration", args=[w.reg1.pk])).status_code == 404

    summary = pdf_text(client.get(ev("ev_form", "unit-summary")).content)
    assert "101" in summary and "Test unit 102" not in summary
    forms = pdf_text(client.get(ev("ev_form", "recording-form")).content)
    assert "Unit 101" in forms and "Unit 102" not in forms
    assert client.get(ev("ev_unit_form", w.u101.pk)).status_code == 200


def test_every_evidence_page_file_and_preview_an_ev_opens_is_in_the_grants_log(client, world):
    item = evidence_with_file(world.reg1)
    grant = services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )
    client.force_login(world.ev)
    urls = evidence_urls(item)
    assert set(matrix(client, urls).values()) == {200}
    log = list(ExternalAccessLog.objects.filter(grant=grant).order_by("id"))
    assert [(e.path, e.view_name, e.registration_id_seen) for e in log] == [
        (urls[0], "evidence:detail", world.reg1.pk),
        (urls[1], "evidence:download", world.reg1.pk),
        (urls[2], "evidence:preview", world.reg1.pk),
    ]
    audit = AuditEntry.objects.filter(action=Action.EV_PAGE_VIEWED).order_by("id")
    assert [a.details["evidence"] for a in audit] == [item.pk] * 3
    # Other readers of the same item are not written to any grant's log.
    client.force_login(world.ann)
    assert client.get(urls[0]).status_code == 200
    assert ExternalAccessLog.objects.count() == 3


def test_a_sample_grant_logs_evidence_under_that_grant(client, signed_world, sample_grant):
    w = signed_world
    item_pk = evidence_of(w.reg2, w.u101).first()
    client.force_login(w.ev)
    client.get(reverse("evidence:detail", args=[item_pk]))
    entry = ExternalAccessLog.objects.get(view_name="evidence:detail")
    assert (entry.grant, entry.registration_id_seen) == (sample_grant, w.reg2.pk)


def test_revoking_the_grant_closes_evidence_at_once(client, world):
    item = evidence_with_file(world.reg1)
    grant = services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )
    client.force_login(world.ev)
    assert set(matrix(client, evidence_urls(item)).values()) == {200}
    services.grant_revoke(grant=grant, actor=world.admin)
    assert set(matrix(client, evidence_urls(item)).values()) == {404}


def test_an_ev_no_longer_ev_at_the_centre_reads_nothing(client, world, other_centre):
    """The grant stays, but the external verifier role at the centre is gone: nothing."""
    item = evidence_with_file(world.reg1)
    services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )
    Membership.objects.filter(user=world.ev, centre=world.centre).delete()
    Membership.objects.create(user=world.ev, centre=other_centre, role=Role.EXTERNAL_VERIFIER)
    client.force_login(world.ev)
    assert set(matrix(client, evidence_urls(item)).values()) == {404}
    assert client.get(reverse("verification:ev_registration", args=[world.reg1.pk])).status_code == 404


def test_a_sample_grant_does_not_list_versions_it_does_not_name(client, signed_world, sample_grant):
    """Version 2 of an item is mapped into the sampled unit; version 1 is not: the EV neither opens nor sees it."""
    w = signed_world
    first = make_evidence(registration=w.reg2, title="First go")
    second = EvidenceItem.objects.create(
        centre=w.centre,
        candidate=w.dan,
        title="Second go",
        kind="work_product",
        context="real_work",
        statement_text="Better.",
        previous_version=first,
        version=2,
    )
    criterion = AssessmentCriterion.objects.filter(unit=w.u101).first()
    EvidenceMapping.objects.create(
        registration=w.reg2,
        evidence=second,
        criterion=criterion,
        unit=w.u101,
        method="observation",
        decision="accepted",
        assessed_by=w.pat,
        assessed_at=timezone.now(),
    )
    client.force_login(w.ev)
    page = client.get(reverse("evidence:detail", args=[second.pk])).content.decode()
    assert "Second go" in page and reverse("evidence:detail", args=[first.pk]) not in page
    assert client.get(reverse("evidence:detail", args=[first.pk])).status_code == 404
    # The candidate still sees the whole chain.
    client.force_login(w.dan)
    assert (
        reverse("evidence:detail", args=[first.pk])
        in client.get(reverse("evidence:detail", args=[second.pk])).content.decode()
    )


# --- issue 14: the EV's unit page shows the evidence of each sampled decision inline ---------------------
def _map(registration, unit, evidence, assessor, criterion=None):
    criterion = criterion or AssessmentCriterion.objects.filter(unit=unit).order_by("id").first()
    return EvidenceMapping.objects.create(
        registration=registration,
        evidence=evidence,
        criterion=criterion,
        unit=unit,
        method="product_evidence",
        decision="accepted",
        assessed_by=assessor,
        assessed_at=timezone.now(),
        location="page 4",
    )


def test_ev_unit_page_shows_each_decisions_evidence_inline_and_logs_each_item_shown(
    client, signed_world, sample_grant
):
    w = signed_world
    statement = EvidenceItem.objects.get(pk=evidence_of(w.reg2, w.u101).first())
    EvidenceItem.objects.filter(pk=statement.pk).update(statement_text="I greeted four callers by name.")
    document = evidence_with_file(w.reg2, title="Signed witness statement")
    mapping = _map(w.reg2, w.u101, document, w.pat)
    url = reverse("verification:ev_unit", args=[w.reg2.pk, w.u101.pk])
    client.force_login(w.ev)
    page = client.get(url).content.decode()
    assert "I greeted four callers by name." in page  # the statement text, inline
    assert statement.get_kind_display() in page and document.get_kind_display() in page
    assert reverse("evidence:detail", args=[document.pk]) in page  # the access-checked pages
    assert reverse("evidence:download", args=[document.pk]) in page
    assert mapping.criterion.text in page and "page 4" in page
    shown = list(
        ExternalAccessLog.objects.filter(grant=sample_grant, view_name="verification:ev_unit:evidence")
        .order_by("id")
        .values_list("path", flat=True)
    )
    assert sorted(shown) == sorted(f"{url}#evidence-{pk}" for pk in {statement.pk, document.pk})
    audit = AuditEntry.objects.get(action="ev_evidence_shown")
    assert sorted(audit.details["evidence"]) == sorted({statement.pk, document.pk})
    # the files themselves open through the evidence app, which logs each opening under the grant
    assert client.get(reverse("evidence:download", args=[document.pk])).status_code == 200
    assert ExternalAccessLog.objects.filter(grant=sample_grant, view_name="evidence:download").count() == 1


def test_ev_unit_page_does_constant_queries_as_the_evidence_grows(client, signed_world, sample_grant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = signed_world
    url = reverse("verification:ev_unit", args=[w.reg2.pk, w.u101.pk])
    client.force_login(w.ev)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    for i in range(6):
        _map(w.reg2, w.u101, make_evidence(registration=w.reg2, title=f"More {i}"), w.pat)
    assert queries() == small


# --- issue 19: the EV's unit page shows the evidence requirements with their status -----------------------
def test_ev_unit_page_shows_evidence_requirements_and_sub_items_with_their_status(
    client, signed_world, sample_grant
):
    """The same rows as the assessor's coverage matrix (assessment.selectors.unit_matrix): a sub-item met by
    mapped evidence, one the assessor confirmed at sign-off with a note, one unmet."""
    from assessment.models import RequirementConfirmation, UnitAssessment
    from assessment.selectors import unit_matrix
    from qualifications.models import EvidenceRequirement

    w = signed_world
    parent = EvidenceRequirement.objects.create(
        unit=w.u101, ref="5", order=1, text="You must provide evidence of two of these groups:"
    )
    met = EvidenceRequirement.objects.create(
        unit=w.u101, ref="5a", parent=parent, order=2, text="regular customers"
    )
    confirmed = EvidenceRequirement.objects.create(
        unit=w.u101, ref="5b", parent=parent, order=3, text="new customers"
    )
    EvidenceRequirement.objects.create(unit=w.u101, ref="5c", parent=parent, order=4, text="lapsed customers")
    evidence = EvidenceItem.objects.get(pk=evidence_of(w.reg2, w.u101).first())
    EvidenceMapping.objects.create(
        registration=w.reg2,
        evidence=evidence,
        requirement=met,
        unit=w.u101,
        method="observation",
        decision="accepted",
        assessed_by=w.pat,
        assessed_at=timezone.now(),
    )
    ua = UnitAssessment.objects.get(registration=w.reg2, unit=w.u101)
    RequirementConfirmation.objects.create(
        unit_assessment=ua,
        round=ua.round,
        requirement=confirmed,
        note="Shown in the March call log.",
        confirmed_by=w.pat,
        confirmed_at=timezone.now(),
    )
    client.force_login(w.ev)
    page = client.get(reverse("verification:ev_unit", args=[w.reg2.pk, w.u101.pk])).content.decode()
    section = page[page.index('id="requirements"') :]
    rows = {
        ref: section[section.index(f'data-requirement="{ref}"') :][:1500] for ref in ("5", "5a", "5b", "5c")
    }
    assert "two of these groups" in rows["5"]
    assert "regular customers" in rows["5a"] and "Evidenced" in rows["5a"]
    assert "Confirmed by the assessor" in rows["5b"] and "Shown in the March call log." in rows["5b"]
    assert "lapsed customers" in rows["5c"] and "Not met" in rows["5c"].split("</li>")[0]
    # one definition: the rows are the coverage matrix's
    statuses = [row.status.requirement.ref for row in unit_matrix(w.reg2, w.u101).requirement_rows]
    assert statuses == ["5", "5a", "5b", "5c"]


def test_the_evidence_page_leads_an_external_verifier_back_to_the_registration_of_their_grant(client, world):
    item = evidence_with_file(world.reg1)
    services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )
    client.force_login(world.ev)
    page = client.get(reverse("evidence:detail", args=[item.pk])).content.decode()
    crumbs = page[page.index('<nav aria-label="breadcrumb">') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert f'<a href="{reverse("verification:ev_home")}">External verification</a>' in crumbs
    assert f'<a href="{reverse("verification:ev_registration", args=[world.reg1.pk])}">' in crumbs
