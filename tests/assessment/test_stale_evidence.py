"""Issue 11 item 6: a mapping decision names the evidence version it was made on.

Reported: the assessor opens the map form of a statement, the candidate edits the statement, the assessor
submits and the edited statement is accepted. Now the decision is refused with what changed, nothing saved.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import services
from assessment.models import EvidenceMapping
from evidence import services as evidence_services
from evidence.models import EvidenceItem
from evidence.services import EvidenceDetails

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r'<input type="hidden" name="(?!csrfmiddlewaretoken)([^"]+)" value="([^"]*)"')


@pytest.fixture
def statement(world):
    item, _ = evidence_services.evidence_statement_create(
        candidate=world.candidate,
        centre=world.centre,
        declared=True,
        details=EvidenceDetails(
            title="Busy Saturday", statement_text="I served twelve customers at the till."
        ),
    )
    return item


def _form_fields(html: str) -> dict:
    """The hidden inputs of the page's forms, as the browser would send them back."""
    return dict(HIDDEN.findall(html))


def _candidate_edits(client, world, item, **changes):
    data = {
        "title": item.title,
        "description": item.description,
        "kind": item.kind,
        "context": item.context,
        "statement_text": item.statement_text,
    }
    data.update(changes)
    client.force_login(world.candidate)
    response = client.post(reverse("evidence:edit", args=[item.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_assessor_cannot_accept_a_statement_edited_after_the_map_form_was_opened(client, world, statement):
    url = reverse("assessment:evidence_map", args=[world.registration.pk, statement.pk])
    client.force_login(world.assessor)
    opened = client.get(url).content.decode()
    assert "I served twelve customers" in opened
    hidden = _form_fields(opened)
    _candidate_edits(client, world, statement, statement_text="I served two hundred customers at the till.")
    client.force_login(world.assessor)
    response = client.post(
        url,
        {
            **hidden,
            "criteria": [c.pk for c in world.unit.criteria.all()],
            "method": "candidate_statement",
            "decision": "accepted",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "changed" in page and "I served twelve customers at the till." in page
    assert "I served two hundred customers at the till." in page
    assert not EvidenceMapping.objects.filter(evidence=statement).exists()
    statement.refresh_from_db()
    assert statement.locked_at is None
    # The page now shows the new text and carries its version: a second, informed submit goes through.
    hidden = _form_fields(page)
    response = client.post(
        url,
        {
            **hidden,
            "criteria": [c.pk for c in world.unit.criteria.all()],
            "method": "candidate_statement",
            "decision": "accepted",
        },
    )
    assert response.status_code == 302
    from assessment.models import MappingDecision

    assert set(
        MappingDecision.objects.filter(evidence=statement).values_list("evidence_revision", flat=True)
    ) == {2}


def test_a_changed_title_is_refused_and_shown(client, world, statement):
    url = reverse("assessment:evidence_map", args=[world.registration.pk, statement.pk])
    client.force_login(world.assessor)
    hidden = _form_fields(client.get(url).content.decode())
    _candidate_edits(client, world, statement, title="Quiet Sunday")
    client.force_login(world.assessor)
    response = client.post(
        url,
        {
            **hidden,
            "criteria": [world.unit.criteria.first().pk],
            "method": "candidate_statement",
            "decision": "accepted",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Busy Saturday" in page and "Quiet Sunday" in page
    assert not EvidenceMapping.objects.exists()


def test_the_service_refuses_a_decision_on_an_older_version(world, statement):
    evidence_services.evidence_update(
        item=statement,
        actor=world.candidate,
        details=EvidenceDetails(
            title="Busy Saturday", statement_text="Rewritten.", kind=statement.kind, context=statement.context
        ),
    )
    statement.refresh_from_db()
    assert statement.revision == 2
    with pytest.raises(ValidationError) as refused:
        services.mapping_add(
            registration=world.registration,
            evidence=statement,
            actor=world.assessor,
            criteria=[world.unit.criteria.first()],
            method="candidate_statement",
            decision="accepted",
            evidence_revision=1,
        )
    message = " ".join(refused.value.messages)
    assert "I served twelve customers at the till." in message and "Rewritten." in message
    assert not EvidenceMapping.objects.exists()
    assert EvidenceItem.objects.get(pk=statement.pk).locked_at is None
    [mapping] = services.mapping_add(
        registration=world.registration,
        evidence=statement,
        actor=world.assessor,
        criteria=[world.unit.criteria.first()],
        method="candidate_statement",
        decision="accepted",
        evidence_revision=2,
    )
    from assessment.models import MappingDecision

    assert MappingDecision.objects.get(evidence=statement).evidence_revision == 2


def test_criterion_page_refuses_evidence_edited_after_it_was_opened(client, world, statement):
    criterion = world.unit.criteria.first()
    url = reverse("assessment:criterion_detail", args=[world.registration.pk, criterion.pk])
    client.force_login(world.assessor)
    hidden = _form_fields(client.get(url).content.decode())
    _candidate_edits(client, world, statement, statement_text="Something else entirely.")
    client.force_login(world.assessor)
    response = client.post(
        url, {**hidden, "evidence": [statement.pk], "method": "candidate_statement", "decision": "accepted"}
    )
    page = response.content.decode()
    assert "Something else entirely." in page and "I served twelve customers at the till." in page
    assert not EvidenceMapping.objects.filter(evidence=statement).exists()


def test_renaming_the_witness_of_unused_testimony_is_a_change_the_assessor_is_shown(client, world):
    witness = evidence_services.witness_create(
        candidate=world.candidate,
        centre=world.centre,
        name="Sam Supervisor",
        contact="2 Market Street",
        suggested_status_category=4,
        relationship="Line manager",
    )
    item, _ = evidence_services.witness_testimony_submit(
        candidate=world.candidate,
        centre=world.centre,
        witness=witness,
        criteria=[world.unit.criteria.first()],
        declared=True,
        details=EvidenceDetails(statement_text="I saw Cara greet customers."),
    )
    url = reverse("assessment:evidence_map", args=[world.registration.pk, item.pk])
    client.force_login(world.assessor)
    hidden = _form_fields(client.get(url).content.decode())
    evidence_services.witness_update(
        witness=witness,
        actor=world.candidate,
        name="Sam Director",
        contact=witness.contact,
        suggested_status_category=1,
        relationship="Director",
    )
    response = client.post(
        url,
        {
            **hidden,
            "criteria": [world.unit.criteria.first().pk],
            "method": "witness_testimony",
            "decision": "accepted",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Sam Supervisor, Line manager, 2 Market Street" in page
        and "Sam Director, Director, 2 Market Street" in page
    )
    assert not EvidenceMapping.objects.filter(evidence=item).exists()
