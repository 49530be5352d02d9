"""Assessment records with a recording: the file takes the candidates' upload path (streamed, name and size
checked, sniffed, hashed, stored under a random key) and must be audio or video."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import services
from assessment.models import AssessmentRecord, UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from evidence import services as evidence_services
from evidence import sniffing
from evidence.demo import _wav
from evidence.models import EvidenceItem
from tests.conftest import PASSWORD
from tests.evidence.conftest import multipart, pdf_bytes

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def stored(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def discussion(world, recording, criteria=None):
    return services.record_create(
        registration=world.registration,
        actor=world.assessor,
        kind="professional_discussion",
        date=dt.date(2026, 3, 4),
        description="Talked through the complaint",
        place="Office",
        criteria=criteria or [world.unit.criteria.first()],
        recording=recording,
    )


def nothing_saved(world, settings, items_before):
    assert not AssessmentRecord.objects.exists()
    assert EvidenceItem.objects.count() == items_before
    assert not AuditEntry.objects.filter(
        action__in=["assessment_record_created", "evidence_added_by_staff"]
    ).exists()
    assert stored(settings) == []


def test_a_disguised_recording_is_refused_on_the_form_and_nothing_is_saved(client, world, settings):
    items = EvidenceItem.objects.count()
    client.force_login(world.assessor)
    url = reverse("assessment:record_new", args=[world.registration.pk, "professional_discussion"])
    response = client.post(
        url,
        {
            "date": "2026-03-04",
            "place": "Office",
            "description": "Talked through the complaint",
            "criteria": [world.unit.criteria.first().pk],
            "recording": SimpleUploadedFile("discussion.mp3", HTML),
        },
    )
    assert response.status_code == 400
    message = sniffing.ERR_DISGUISED.format(name="discussion.mp3", ext="mp3", sniffed="a web page (HTML)")
    assert message in response.content.decode()
    nothing_saved(world, settings, items)


def test_a_recording_with_a_path_trick_in_its_name_is_refused_before_it_is_stored(client, world, settings):
    items = EvidenceItem.objects.count()
    client.force_login(world.assessor)
    url = reverse("assessment:record_new", args=[world.registration.pk, "professional_discussion"])
    client.get(url)  # sets the CSRF cookie; the test client does not enforce CSRF anyway
    body, content_type = multipart(
        {"date": "2026-03-04", "description": "Talk", "criteria": world.unit.criteria.first().pk},
        [("recording", "../../etc/discussion.wav", _wav(0.1))],
    )
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 400
    assert "contains a folder path" in response.content.decode()
    nothing_saved(world, settings, items)


def test_the_service_refuses_a_disguised_recording_and_a_document(world, settings):
    items = EvidenceItem.objects.count()
    with pytest.raises(ValidationError, match="is not what its name says"):
        discussion(world, SimpleUploadedFile("discussion.mp3", HTML))
    with pytest.raises(ValidationError) as refused:
        discussion(world, SimpleUploadedFile("notes.pdf", pdf_bytes("notes")))
    assert refused.value.messages == [
        evidence_services.ERR_WRONG_CATEGORY.format(
            name="notes.pdf", found="a document", allowed="audio recordings or videos"
        )
    ]
    nothing_saved(world, settings, items)


def test_a_genuine_recording_is_hashed_sniffed_and_stored_under_a_random_key(world, settings):
    data = _wav(0.2)
    record = discussion(world, SimpleUploadedFile("Discussion with Cara.wav", data))
    item = record.evidence_item
    assert item.original_name == "Discussion with Cara.wav" and item.size == len(data)
    assert item.content_type.startswith("audio/") and len(item.sha256) == 64
    assert re.fullmatch(r"evidence/[0-9a-f]{2}/[0-9a-f]{32}\.wav", item.file.name)
    assert item.file.read() == data
    assert item.locked_at is not None and item.kind == EvidenceItem.Kind.PROFESSIONAL_DISCUSSION
    entry = AuditEntry.objects.get(action=Action.EVIDENCE_ADDED_BY_STAFF)
    assert entry.actor == world.assessor and entry.details["sha256"] == item.sha256


def test_a_record_refused_after_the_file_was_stored_leaves_no_orphan_file(world, settings):
    """The recording is stored before the record is mapped; a refusal then (a signed unit) removes it again."""
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=list(world.unit.criteria.all()),
        method="observation",
        decision="accepted",
    )
    ua = UnitAssessment.objects.get(registration=world.registration, unit=world.unit)
    services.authenticity_sign(unit_assessment=ua, actor=world.candidate)
    services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)
    items = EvidenceItem.objects.count()
    with pytest.raises(ValidationError, match="signed off and locked"):
        discussion(world, SimpleUploadedFile("talk.wav", _wav(0.1)))
    nothing_saved(world, settings, items)


def test_a_record_dated_in_the_future_is_refused_and_nothing_is_saved(world):
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=re.escape(services.RECORD_FUTURE_DATE)):
        services.record_create(
            registration=world.registration,
            actor=world.assessor,
            kind="observation",
            date=tomorrow,
            description="Greeted callers",
            criteria=[world.unit.criteria.first()],
        )
    assert (
        not AssessmentRecord.objects.exists()
        and not EvidenceItem.objects.filter(kind="observation_record").exists()
    )
    today = services.record_create(
        registration=world.registration,
        actor=world.assessor,
        kind="observation",
        date=timezone.localdate(),
        description="Greeted callers",
        criteria=[world.unit.criteria.first()],
    )
    assert today.pk
