"""Faults: a full or read-only media disk, and what a killed server leaves in the upload temp directory."""

import errno
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils.html import escape

from audit.actions import Action
from audit.models import AuditEntry
from evidence import services, sniffing
from evidence.models import EvidenceItem
from tests.evidence.conftest import pdf_bytes, post_files, stored_files

URL = "/evidence/upload/"


@pytest.fixture(
    params=[(errno.ENOSPC, services.ERR_STORAGE_FULL), (errno.EROFS, services.ERR_STORAGE_READ_ONLY)],
    ids=["disk-full", "read-only"],
)
def broken_disk(request, monkeypatch):
    """The media disk fails while a file is written: half the file lands, then the OS error."""
    code, message = request.param
    real_save = FileSystemStorage._save

    def failing_save(self, name, content):
        if code == errno.ENOSPC:  # a full disk: part of the file was written before it ran out
            path = Path(self.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"%PDF-1.4 half")
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    yield message
    monkeypatch.setattr(FileSystemStorage, "_save", real_save)


def test_a_failing_media_disk_gives_a_clear_message_and_saves_nothing(
    client, people, settings, broken_disk, _isolated_upload_temp
):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "report.pdf", pdf_bytes("Report"))])
    assert response.status_code == 400
    assert response.json()["errors"] == [broken_disk.format(name="report.pdf")]
    assert not EvidenceItem.objects.exists()  # no row without its file
    assert stored_files(settings) == []  # no half-written file
    assert list(_isolated_upload_temp.iterdir()) == []  # and no temporary file


def test_without_javascript_the_failing_disk_message_is_shown_on_the_form(client, people, broken_disk):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "report.pdf", pdf_bytes("Report"))], xhr=False)
    assert response.status_code == 400
    assert escape(broken_disk.format(name="report.pdf")) in response.content.decode()


def test_a_full_upload_temp_disk_is_not_blamed_on_the_connection(client, people, monkeypatch):
    import evidence.uploads as uploads

    class FullDisk(uploads.TemporaryUploadedFile):
        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(uploads, "TemporaryUploadedFile", FullDisk)
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "report.pdf", pdf_bytes("Report"))])
    assert response.status_code == 400
    assert response.json()["errors"] == [sniffing.ERR_SERVER_DISK]
    assert not EvidenceItem.objects.exists()


def _sweep(*args):
    out = io.StringIO()
    call_command("sweep_orphan_files", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def upload_temp_state(settings, tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir(exist_ok=True)
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    two_hours_ago = time.time() - 2 * 3600
    stale = folder / "tmpa1b2c3d4.upload.mp4"  # what a server killed mid-upload leaves
    stale.write_bytes(b"\0" * 4096)
    os.utime(stale, (two_hours_ago, two_hours_ago))
    in_flight = folder / "tmpz9y8x7.upload.pdf"
    in_flight.write_bytes(b"%PDF still arriving")
    not_ours = folder / "report-draft.txt"  # someone else's file in a shared temp folder
    not_ours.write_text("keep me")
    os.utime(not_ours, (two_hours_ago, two_hours_ago))
    return {"stale": stale, "in_flight": in_flight, "not_ours": not_ours}


@pytest.mark.django_db
def test_the_sweep_lists_stale_upload_temp_files_and_removes_them_only_with_delete(upload_temp_state):
    out = _sweep()
    assert str(upload_temp_state["stale"]) in out
    assert "1 stale upload temporary file(s)" in out
    assert str(upload_temp_state["in_flight"]) not in out and "report-draft" not in out
    assert upload_temp_state["stale"].exists()
    assert not AuditEntry.objects.filter(action=Action.UPLOAD_TEMP_FILES_DELETED).exists()

    out = _sweep("--delete")
    assert "1 stale upload temporary file(s), 4 KB" in out
    assert not upload_temp_state["stale"].exists()
    assert upload_temp_state["in_flight"].exists() and upload_temp_state["not_ours"].exists()
    entry = AuditEntry.objects.get(action=Action.UPLOAD_TEMP_FILES_DELETED)
    assert entry.details["count"] == 1 and entry.details["bytes"] == 4096
    assert entry.details["files"][0]["name"] == "tmpa1b2c3d4.upload.mp4"
