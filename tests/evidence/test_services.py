"""Editing, deleting, locking, correcting, and witness testimony."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.actions import Action
from audit.models import AuditEntry
from evidence import selectors, services
from evidence.models import EvidenceItem, Witness
from evidence.services import EvidenceDetails
from tests.evidence.conftest import make_file_item, make_statement, pdf_bytes, png_bytes


def details(**kw):
    return EvidenceDetails(**{"title": "Edited", "kind": EvidenceItem.Kind.WORK_PRODUCT, **kw})


def test_a_typed_statement_is_evidence_without_a_file(people):
    item = make_statement(people.candidate, people.centre, text="I handled a refund.")
    assert item.kind == EvidenceItem.Kind.STATEMENT and not item.file
    with pytest.raises(ValidationError) as exc:
        services.evidence_statement_create(
            candidate=people.candidate,
            centre=people.centre,
            declared=True,
            details=EvidenceDetails(title="Empty", statement_text="  "),
        )
    assert services.ERR_STATEMENT_EMPTY in exc.value.messages


def test_edit_and_delete_until_locked_then_refused(people, item):
    services.evidence_update(item=item, actor=people.candidate, details=details(title="Till receipt (March)"))
    item.refresh_from_db()
    assert item.title == "Till receipt (March)"
    services.evidence_lock(item=item, actor=people.assessor)
    for action in (
        lambda: services.evidence_update(item=item, actor=people.candidate, details=details()),
        lambda: services.evidence_delete(item=item, actor=people.candidate),
    ):
        with pytest.raises(ValidationError) as exc:
            action()
        assert services.ERR_LOCKED in exc.value.messages
    item.refresh_from_db()
    assert item.title == "Till receipt (March)" and item.deleted_at is None


def test_lock_is_idempotent_and_audited_once(people, item):
    first = services.evidence_lock(item=item, actor=people.assessor).locked_at
    second = services.evidence_lock(
        item=EvidenceItem.objects.get(pk=item.pk), actor=people.assessor
    ).locked_at
    assert first == second
    assert AuditEntry.objects.filter(action=Action.EVIDENCE_LOCKED, object_id=str(item.pk)).count() == 1


def test_delete_is_soft_and_audited(people, item):
    services.evidence_delete(item=item, actor=people.candidate)
    assert EvidenceItem.objects.filter(pk=item.pk, deleted_at__isnull=False).exists()
    assert not selectors.evidence_visible_to(people.candidate).filter(pk=item.pk).exists()
    assert item.file.storage.exists(item.file.name)  # the file is kept with the row
    assert AuditEntry.objects.filter(action=Action.EVIDENCE_DELETED, object_id=str(item.pk)).exists()


def test_only_the_owner_may_change_an_item(people, item):
    with pytest.raises(ValidationError):
        services.evidence_update(item=item, actor=people.peer, details=details())
    with pytest.raises(ValidationError):
        services.evidence_delete(item=item, actor=people.assessor)


def test_a_correction_of_a_locked_item_is_a_new_version_and_the_old_one_is_kept(people, item, settings):
    services.evidence_lock(item=item, actor=people.assessor)
    new, created = services.evidence_correct(
        item=item,
        actor=people.candidate,
        declared=True,
        details=details(title="Till receipt, corrected"),
        upload=SimpleUploadedFile("fixed.pdf", pdf_bytes("fixed")),
        token="correct-token-1",
    )
    assert created and new.previous_version == item and new.version == 2 and new.locked_at is None
    item.refresh_from_db()
    assert item.title == "Till receipt" and item.locked_at is not None  # unchanged
    assert new.original_name == "fixed.pdf" and new.file.name != item.file.name
    current = selectors.evidence_for_candidate(people.candidate)
    assert list(current) == [new]
    assert selectors.evidence_versions(new) == [item]
    # correcting the old one again while a live correction exists is refused
    with pytest.raises(ValidationError) as exc:
        services.evidence_correct(item=item, actor=people.candidate, declared=True, details=details())
    assert services.ERR_NEWER_VERSION in exc.value.messages
    # withdrawing the correction makes the locked original current again, and it may be corrected anew
    services.evidence_delete(item=new, actor=people.candidate)
    assert list(selectors.evidence_for_candidate(people.candidate)) == [item]
    third, _ = services.evidence_correct(item=item, actor=people.candidate, declared=True, details=details())
    assert third.version == 3 and third.file.name == item.file.name  # no new file: same stored file


def test_a_correction_of_an_unlocked_item_is_refused(people, item):
    with pytest.raises(ValidationError) as exc:
        services.evidence_correct(item=item, actor=people.candidate, declared=True, details=details())
    assert services.ERR_NOT_LOCKED in exc.value.messages


def make_witness(people, name="Sam Supervisor", category=3):
    return services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name=name,
        contact="2 Market Street",
        suggested_status_category=category,
        relationship="Line manager",
    )


def test_witness_testimony_records_witness_units_and_criteria(people, catalogue):
    witness = make_witness(people)
    criterion = catalogue.units[0].criteria.first()
    item, _ = services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=[criterion],
        declared=True,
        details=EvidenceDetails(statement_text="I saw Cara greet customers."),
    )
    assert item.kind == EvidenceItem.Kind.WITNESS_TESTIMONY
    assert item.title == "Witness testimony from Sam Supervisor"
    assert list(item.witness_testimony.criteria.all()) == [criterion]
    assert list(item.units.all()) == [catalogue.units[0]]  # the criterion's unit is attested too


def test_witness_testimony_needs_a_statement_or_a_signed_file(people):
    witness = make_witness(people)
    with pytest.raises(ValidationError) as exc:
        services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=witness,
            criteria=[],
            declared=True,
            details=EvidenceDetails(),
        )
    assert services.ERR_WITNESS_NEEDS_STATEMENT in exc.value.messages
    item, _ = services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=[],
        declared=True,
        details=EvidenceDetails(),
        upload=SimpleUploadedFile("signed.pdf", pdf_bytes("signed")),
    )
    assert item.content_type == "application/pdf"


def test_witness_testimony_refuses_criteria_outside_the_registration(people, catalogue):
    witness = make_witness(people)
    foreign = catalogue.other_unit.criteria.first()
    with pytest.raises(ValidationError) as exc:
        services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=witness,
            criteria=[foreign],
            declared=True,
            details=EvidenceDetails(statement_text="x"),
        )
    assert services.ERR_CRITERIA_NOT_YOURS in exc.value.messages


def test_witness_status_category_is_one_to_five(people):
    with pytest.raises(ValidationError):
        make_witness(people, category=6)


def test_the_witness_status_list_builds_itself_from_testimony(people, catalogue):
    sam = make_witness(people)
    pat = make_witness(people, name="Pat Peer", category=5)
    for unit in catalogue.units[:2]:
        services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=sam,
            criteria=[unit.criteria.first()],
            declared=True,
            details=EvidenceDetails(statement_text="seen", activity_date=None),
        )
    withdrawn, _ = services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=pat,
        criteria=[],
        declared=True,
        details=EvidenceDetails(statement_text="seen", units=[catalogue.units[0]]),
    )
    services.evidence_delete(item=withdrawn, actor=people.candidate)
    rows = {w.name: w for w in selectors.witness_status_list(people.candidate)}
    assert [u.ref for u in rows["Sam Supervisor"].units_witnessed] == ["T-101", "T-102"]
    assert (
        rows["Sam Supervisor"].testimony_count == 2 and rows["Sam Supervisor"].suggested_status_category == 3
    )
    assert rows["Pat Peer"].units_witnessed == [] and rows["Pat Peer"].testimony_count == 0


def test_a_correction_of_witness_testimony_keeps_the_witness_and_criteria(people, catalogue):
    witness = make_witness(people)
    criterion = catalogue.units[0].criteria.first()
    item, _ = services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=[criterion],
        declared=True,
        details=EvidenceDetails(statement_text="first"),
    )
    services.evidence_lock(item=item, actor=people.assessor)
    new, _ = services.evidence_correct(
        item=item,
        actor=people.candidate,
        declared=True,
        details=EvidenceDetails(title=item.title, statement_text="second"),
    )
    assert new.witness_testimony.witness == witness
    assert list(new.witness_testimony.criteria.all()) == [criterion]
    assert Witness.objects.count() == 1


def test_every_change_is_audited_with_the_declaration(people):
    item = make_file_item(people.candidate, people.centre, name="p.png", data=png_bytes())
    entry = AuditEntry.objects.get(action=Action.EVIDENCE_UPLOADED, object_id=str(item.pk))
    assert entry.details["declaration"] == "I confirm that the evidence provided is a result of my own work."
    assert entry.details["sha256"] == item.sha256
