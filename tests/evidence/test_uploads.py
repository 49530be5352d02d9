"""The upload path: streaming to disk, limits, idempotency, and nothing left behind when it fails."""

import hashlib
import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import RequestFactory

from audit.actions import Action
from audit.models import AuditEntry
from evidence import services, sniffing
from evidence.models import EvidenceItem
from evidence.uploads import CHUNK_SIZE, EvidenceUploadHandler, parse_evidence_upload
from tests.evidence.conftest import jpeg_bytes, multipart, pdf_bytes, png_bytes, post_files, stored_files

URL = "/evidence/upload/"


def test_a_candidate_uploads_files_and_each_is_recorded_with_hash_size_type_and_a_random_key(
    client, people, settings
):
    client.force_login(people.candidate)
    photo, report = png_bytes(), pdf_bytes("Report")
    response = post_files(
        client,
        URL,
        [("files", "My Photo.PNG", photo), ("files", "report.pdf", report)],
        {"token": "batch-token-1", "activity_date": "21/03/2026", "description": "At work"},
    )
    assert response.status_code == 200, response.json()
    assert len(response.json()["items"]) == 2
    items = {i.original_name: i for i in EvidenceItem.objects.all()}
    png = items["My Photo.PNG"]
    assert png.size == len(photo) and png.sha256 == hashlib.sha256(photo).hexdigest()
    assert png.content_type == "image/png" and png.kind == EvidenceItem.Kind.PHOTO
    assert items["report.pdf"].content_type == "application/pdf"
    assert items["report.pdf"].kind == EvidenceItem.Kind.WORK_PRODUCT
    assert png.activity_date.isoformat() == "2026-03-21" and png.authenticity_confirmed_at is not None
    # Stored under a random key, never under the name the candidate gave.
    assert "Photo" not in png.file.name and png.file.name.startswith("evidence/")
    assert png.file.read() == photo
    assert len(stored_files(settings)) >= 2
    assert AuditEntry.objects.filter(action=Action.EVIDENCE_UPLOADED).count() == 2


def test_the_handler_never_holds_a_file_in_memory_it_streams_to_a_temporary_file():
    handler = EvidenceUploadHandler(None, max_size=10 * CHUNK_SIZE, max_files=5)
    handler.new_file("files", "big.pdf", "application/pdf", None)
    for n in range(4):
        handler.receive_data_chunk(b"x" * CHUNK_SIZE, n * CHUNK_SIZE)
    upload = handler.file_complete(4 * CHUNK_SIZE)
    assert hasattr(upload, "temporary_file_path")  # on disk, not an in-memory buffer
    assert upload.sha256 == hashlib.sha256(b"x" * 4 * CHUNK_SIZE).hexdigest()
    upload.close()


def test_an_oversized_file_is_dropped_at_the_limit_with_a_clear_message(
    client, people, settings, _isolated_upload_temp
):
    settings.EVIDENCE_MAX_FILE_SIZE = 1000
    client.force_login(people.candidate)
    response = post_files(
        client,
        URL,
        [
            ("files", "big.jpg", jpeg_bytes(size=(400, 400)) + b"\0" * 2000),
            ("files", "small.png", png_bytes()),
        ],
    )
    answer = response.json()
    assert response.status_code == 207  # the good file went in, the big one did not
    assert answer["errors"] == [sniffing.ERR_TOO_BIG.format(name="big.jpg", limit="1000 bytes")]
    assert [i.original_name for i in EvidenceItem.objects.all()] == ["small.png"]
    assert list(_isolated_upload_temp.iterdir()) == []


def test_too_many_files_in_one_request_refuses_the_whole_batch(client, people, settings):
    settings.EVIDENCE_MAX_FILES_PER_REQUEST = 2
    client.force_login(people.candidate)
    files = [("files", f"p{n}.png", png_bytes()) for n in range(3)]
    response = post_files(client, URL, files)
    assert response.status_code == 400
    assert response.json()["errors"] == [sniffing.ERR_TOO_MANY_FILES.format(max=2)]
    assert not EvidenceItem.objects.exists() and stored_files(settings) == []


def test_an_interrupted_upload_leaves_no_record_and_no_file(client, people, settings, _isolated_upload_temp):
    client.force_login(people.candidate)
    body, content_type = multipart(
        {"declaration": "on", "context": "real_work"}, [("files", "clip.pdf", pdf_bytes() + b"%" * 300_000)]
    )
    cut = body[: len(body) // 2]  # the connection dropped half way through the file
    response = client.generic(
        "POST", URL, cut, content_type=content_type, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [sniffing.ERR_INTERRUPTED]
    assert not EvidenceItem.objects.exists()
    assert stored_files(settings) == [] and list(_isolated_upload_temp.iterdir()) == []


class BrokenStream(io.BytesIO):
    """A client that vanishes: reading past `fail_at` raises like a reset socket."""

    def __init__(self, data, fail_at):
        super().__init__(data)
        self.fail_at = fail_at

    def read(self, size=-1):
        if self.tell() >= self.fail_at:
            raise ConnectionResetError("client went away")
        return super().read(size)


def test_a_connection_reset_mid_stream_aborts_cleanly(people, settings, _isolated_upload_temp):
    body, content_type = multipart(
        {"declaration": "on"},
        [("files", "one.png", png_bytes()), ("files", "two.pdf", pdf_bytes() + b"%" * 600_000)],
    )
    request = RequestFactory().generic("POST", URL, body, content_type=content_type)
    request._stream = BrokenStream(body, fail_at=len(body) - 1000)
    request.user = people.candidate
    parsed = parse_evidence_upload(request)
    assert parsed.aborted and parsed.errors == [sniffing.ERR_INTERRUPTED]
    assert parsed.files == []
    assert list(_isolated_upload_temp.iterdir()) == []  # the first, complete file was dropped too


def test_an_exception_while_saving_the_file_leaves_no_record_and_no_partial_file(
    client, people, settings, monkeypatch
):
    original = FileSystemStorage._save

    def fail_half_way(self, name, content):
        saved = original(self, name, content)
        raise OSError("disk full")  # the bytes hit the disk, then the write failed
        return saved  # pragma: no cover

    monkeypatch.setattr(FileSystemStorage, "_save", fail_half_way)
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "p.png", png_bytes())])
    assert (
        response.status_code == 400
    )  # a clear message, not a bare 500 (tests/evidence/test_storage_faults.py)
    assert response.json()["errors"] == [services.ERR_STORAGE_FAILED.format(name="p.png")]
    assert not EvidenceItem.objects.exists()
    assert stored_files(settings) == []


def test_a_database_failure_after_storing_removes_the_stored_file(client, people, settings, monkeypatch):
    import evidence.services

    def broken_audit(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(evidence.services, "audit_record", broken_audit)
    client.force_login(people.candidate)
    with pytest.raises(RuntimeError):
        post_files(client, URL, [("files", "p.png", png_bytes())])
    assert not EvidenceItem.objects.exists()
    assert stored_files(settings) == []


def test_a_double_submit_of_the_same_form_creates_one_item(client, people, settings):
    client.force_login(people.candidate)
    files = [("files", "p.png", png_bytes())]
    first = post_files(client, URL, files, {"token": "same-form-token"})
    second = post_files(client, URL, files, {"token": "same-form-token"})
    assert first.status_code == second.status_code == 200
    assert first.json()["items"][0]["id"] == second.json()["items"][0]["id"]
    assert second.json()["items"][0]["duplicate"] is True
    assert EvidenceItem.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_the_declaration_is_required_and_nothing_is_stored_without_it(client, people, settings):
    from evidence.services import ERR_DECLARATION

    client.force_login(people.candidate)
    body, content_type = multipart({"context": "real_work"}, [("files", "p.png", png_bytes())])
    response = client.generic(
        "POST", URL, body, content_type=content_type, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    assert ERR_DECLARATION in response.json()["errors"]
    assert not EvidenceItem.objects.exists() and stored_files(settings) == []


def test_without_javascript_the_form_posts_and_returns_to_the_list(client, people):
    client.force_login(people.candidate)
    response = post_files(
        client,
        URL,
        [("files", "a.png", png_bytes()), ("files", "b.jpg", jpeg_bytes())],
        {"token": "nojs-token-1", "title": "Desk"},
        xhr=False,
    )
    assert response.status_code == 302 and response["Location"] == "/evidence/"
    assert sorted(EvidenceItem.objects.values_list("title", flat=True)) == ["Desk (1)", "Desk (2)"]


def test_refusals_without_javascript_are_shown_on_the_form(client, people):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "x.svg", b"<svg/>")], xhr=False)
    assert response.status_code == 400
    assert "files ending .svg are not accepted" in response.content.decode()


def test_the_upload_needs_a_csrf_token(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "p.png", png_bytes())])
    assert response.status_code == 403
    assert not EvidenceItem.objects.exists()


def test_units_offered_are_those_of_the_candidates_registrations(client, people, catalogue):
    client.force_login(people.candidate)
    page = client.get(URL).content.decode()
    # mandatory 101 + chosen optional 102; not the unchosen 103 nor a unit of another scheme
    assert "T-101" in page and "T-102" in page and "T-103" not in page and "X-900" not in page
    client.force_login(people.peer)  # no registration: no unit choices at all
    page = client.get(URL).content.decode()
    assert "Units this evidence is for" not in page


def test_a_unit_outside_the_candidates_registrations_is_refused(client, people, catalogue, settings):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "p.png", png_bytes())], {"units": catalogue.units[2].pk})
    assert response.status_code == 400
    assert not EvidenceItem.objects.exists() and stored_files(settings) == []
