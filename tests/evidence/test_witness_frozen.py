"""Issue 11 item 7: the witness behind a signed unit cannot be rewritten.

Reported: the candidate edited the name and status category of a witness whose testimony is mapped into a
signed unit; the assessor's and the external verifier's views then showed the new witness. Now the edit is
refused (page and service) with the reason, and every view keeps showing the witness the unit relied on.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from assessment.models import UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from evidence import services
from evidence.models import Witness
from evidence.services import EvidenceDetails
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Someone Else",
    "contact": "1 Other Road",
    "suggested_status_category": 1,
    "relationship": "Director",
}


@pytest.fixture
def signed_testimony(people, catalogue):
    """Sam's testimony covers both criteria of T-101; the assessor maps it and signs the unit."""
    unit = catalogue.units[0]
    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam Supervisor",
        contact="2 Market Street",
        suggested_status_category=4,
        relationship="Line manager",
    )
    item, _ = services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=list(unit.criteria.all()),
        declared=True,
        details=EvidenceDetails(
            statement_text="I saw Cara greet customers.", activity_date=dt.date(2026, 3, 2)
        ),
    )
    assessment_services.mapping_add(
        registration=people.registration,
        evidence=item,
        actor=people.assessor,
        criteria=list(unit.criteria.all()),
        method="witness_testimony",
        decision="accepted",
    )
    ua = UnitAssessment.objects.get(registration=people.registration, unit=unit)
    assessment_services.authenticity_sign(unit_assessment=ua, actor=people.candidate)
    ua = assessment_services.unit_sign_off(unit_assessment=ua, actor=people.assessor, password=PASSWORD)
    assert ua.status == UnitAssessment.Status.SIGNED
    return witness, item


def _form(witness, **changes):
    data = {
        "name": witness.name,
        "contact": witness.contact,
        "suggested_status_category": witness.suggested_status_category,
        "relationship": witness.relationship,
    }
    data.update(changes)
    return data


def _assert_unchanged(witness):
    witness.refresh_from_db()
    assert (witness.name, witness.contact, witness.suggested_status_category, witness.relationship) == (
        "Sam Supervisor",
        "2 Market Street",
        4,
        "Line manager",
    )


def test_candidate_cannot_rename_or_recategorise_a_witness_behind_a_signed_unit(
    client, people, signed_testimony
):
    witness, item = signed_testimony
    client.force_login(people.candidate)
    url = reverse("evidence:witness_edit", args=[witness.pk])
    response = client.post(url, _form(witness, name="Someone Else", suggested_status_category=1), follow=True)
    page = response.content.decode()
    assert services.ERR_WITNESS_FROZEN.format(name="Sam Supervisor") in page
    _assert_unchanged(witness)
    assert not AuditEntry.objects.filter(action=Action.WITNESS_UPDATED).exists()
    # The assessor's and the external verifier's views still show the witness the unit relied on.
    client.force_login(people.assessor)
    for page_url in (
        reverse("evidence:registration_witnesses", args=[people.registration.pk]),
        reverse("evidence:detail", args=[item.pk]),
    ):
        page = client.get(page_url).content.decode()
        assert "Sam Supervisor" in page and "Someone Else" not in page
    from verification.services import grant_create

    grant_create(
        actor=people.admin,
        centre=people.centre,
        external_verifier=people.ev,
        scope="candidates",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        registrations=[people.registration],
    )
    client.force_login(people.ev)
    page = client.get(reverse("evidence:detail", args=[item.pk])).content.decode()
    assert "Sam Supervisor" in page and "Someone Else" not in page


def test_the_edit_page_says_why_and_the_list_offers_no_edit(client, people, signed_testimony):
    witness, _ = signed_testimony
    client.force_login(people.candidate)
    response = client.get(reverse("evidence:witness_edit", args=[witness.pk]), follow=True)
    assert services.ERR_WITNESS_FROZEN.format(name="Sam Supervisor") in response.content.decode()
    page = client.get(reverse("evidence:witness_list")).content.decode()
    assert reverse("evidence:witness_edit", args=[witness.pk]) not in page


def test_the_service_refuses_every_change_to_a_witness_whose_testimony_is_used(people, signed_testimony):
    witness, _ = signed_testimony
    for field, value in NEW.items():
        with pytest.raises(ValidationError, match="already used"):
            services.witness_update(
                witness=Witness.objects.get(pk=witness.pk),
                actor=people.candidate,
                **_form(witness, **{field: value}),
            )
        _assert_unchanged(witness)


def test_a_witness_nobody_has_used_yet_can_still_be_corrected(people, catalogue):
    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam Supervisr",
        contact="2 Market Street",
        suggested_status_category=4,
        relationship="Line manager",
    )
    services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=[catalogue.units[0].criteria.first()],
        declared=True,
        details=EvidenceDetails(statement_text="I saw it."),
    )
    services.witness_update(witness=witness, actor=people.candidate, **_form(witness, name="Sam Supervisor"))
    witness.refresh_from_db()
    assert witness.name == "Sam Supervisor"
