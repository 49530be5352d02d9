"""sweep_orphan_files: lists, and with --delete removes, stored evidence files nothing references."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from audit.actions import Action
from audit.models import AuditEntry
from evidence import services
from tests.evidence.conftest import make_file_item, pdf_bytes

pytestmark = pytest.mark.django_db

TWO_HOURS_AGO = time.time() - 2 * 3600


def age(name, when=TWO_HOURS_AGO):
    os.utime(default_storage.path(name), (when, when))


def run(*args):
    out = io.StringIO()
    call_command("sweep_orphan_files", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def storage_state(people):
    kept = make_file_item(people.candidate, people.centre, name="kept.pdf", data=pdf_bytes(), title="Kept")
    deleted = make_file_item(
        people.candidate, people.centre, name="gone.pdf", data=pdf_bytes("x"), title="Gone"
    )
    services.evidence_delete(item=deleted, actor=people.candidate)  # soft: its file must stay
    kept.preview.save("p.jpg", ContentFile(b"\xff\xd8\xff preview"), save=True)
    old_orphan = default_storage.save("evidence/ab/abandoned.pdf", ContentFile(b"%PDF-1.4 half an upload"))
    old_preview = default_storage.save("previews/cd/stale.jpg", ContentFile(b"\xff\xd8\xff"))
    fresh_orphan = default_storage.save("evidence/ef/in-flight.mp4", ContentFile(b"still arriving"))
    elsewhere = default_storage.save("print-jobs/batch.zip", ContentFile(b"not evidence"))
    for name in (kept.file.name, kept.preview.name, deleted.file.name, old_orphan, old_preview, elsewhere):
        age(name)
    return {
        "referenced": [kept.file.name, kept.preview.name, deleted.file.name],
        "orphans": [old_orphan, old_preview],
        "fresh": fresh_orphan,
        "elsewhere": elsewhere,
    }


def test_a_dry_run_lists_only_old_unreferenced_files_and_removes_nothing(storage_state):
    out = run()
    for name in storage_state["orphans"]:
        assert name in out
    for name in storage_state["referenced"] + [storage_state["fresh"], storage_state["elsewhere"]]:
        assert name not in out
    assert "2 orphan file(s)" in out and "--delete" in out
    assert all(default_storage.exists(n) for n in storage_state["orphans"])
    assert not AuditEntry.objects.filter(action=Action.EVIDENCE_ORPHAN_FILES_DELETED).exists()


def test_delete_removes_the_orphans_keeps_everything_else_and_is_audited(storage_state):
    out = run("--delete")
    assert "Deleted 2 orphan file(s)" in out
    assert not any(default_storage.exists(n) for n in storage_state["orphans"])
    for name in storage_state["referenced"] + [storage_state["fresh"], storage_state["elsewhere"]]:
        assert default_storage.exists(name), name
    entry = AuditEntry.objects.get(action=Action.EVIDENCE_ORPHAN_FILES_DELETED)
    assert entry.details["count"] == 2 and {f["name"] for f in entry.details["files"]} == set(
        storage_state["orphans"]
    )
    assert entry.actor_name == "sweep_orphan_files"
    assert "0 orphan file(s)" in run()


def test_a_file_referenced_after_listing_is_not_deleted(storage_state, people):
    orphans = services.evidence_orphan_files()
    adopted = orphans[0]
    item = make_file_item(people.candidate, people.centre, name="x.pdf", data=pdf_bytes("y"))
    item.file.name = adopted.name
    item.save(update_fields=["file"])
    deleted = services.evidence_orphan_files_delete(orphans=orphans)
    assert adopted not in deleted and default_storage.exists(adopted.name)


def test_the_minimum_age_protects_uploads_in_flight(storage_state):
    assert storage_state["fresh"] not in run("--min-age-minutes", "5")
    age(storage_state["fresh"], time.time() - 6 * 60)
    assert storage_state["fresh"] in run("--min-age-minutes", "5")
    with pytest.raises(CommandError, match="at least 1"):
        run("--min-age-minutes", "0")
