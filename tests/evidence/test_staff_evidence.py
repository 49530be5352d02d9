"""evidence_staff_create: evidence an assessor puts into a candidate's portfolio."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import services
from evidence.demo import _wav
from evidence.models import EvidenceItem
from evidence.services import EvidenceDetails
from tests.evidence.conftest import stored_files

pytestmark = pytest.mark.django_db


def details():
    return EvidenceDetails(
        title="Observation 04/03/2026",
        kind=EvidenceItem.Kind.OBSERVATION_RECORD,
        statement_text="Greeted three callers.",
    )


def test_only_staff_of_the_candidates_centre_add_evidence_and_a_refusal_stores_nothing(people, settings):
    for outsider in (people.peer, people.candidate, people.other_assessor):
        with pytest.raises(ValidationError, match="Only staff of the candidate's centre"):
            services.evidence_staff_create(
                actor=outsider,
                candidate=people.candidate,
                centre=people.centre,
                details=details(),
                upload=SimpleUploadedFile("a.wav", _wav(0.1)),
            )
    assert not EvidenceItem.objects.exists() and stored_files(settings) == []


def test_staff_evidence_is_locked_at_once_so_the_candidate_cannot_change_it(people):
    item = services.evidence_staff_create(
        actor=people.assessor, candidate=people.candidate, centre=people.centre, details=details()
    )
    assert item.locked_at is not None and item.authenticity_confirmed_at is None
    with pytest.raises(ValidationError) as refused:
        services.evidence_delete(item=item, actor=people.candidate)
    assert services.ERR_LOCKED in refused.value.messages
