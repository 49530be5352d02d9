"""The command and the background batch."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditEntry
from printing import registry
from printing.models import PrintJob
from tests.printing.pdftext import pdf_text


def test_render_forms_writes_the_blank_recording_form_of_a_unit(catalogue, tmp_path):
    call_command(
        "render_forms",
        "recording-form",
        "--qualification",
        "4430-04",
        "--unit",
        "401",
        "--output-dir",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    written = list(tmp_path.iterdir())
    assert [p.name for p in written] == ["recording-form_4430-04_401.pdf"]
    assert "Unit 401" in pdf_text(written[0].read_bytes())


def test_render_forms_without_unit_writes_every_unit(catalogue, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "render_blank", lambda form, q, unit=None, **kw: b"%PDF-1.7 test")
    call_command(
        "render_forms",
        "recording-form",
        "--qualification",
        "4430-04",
        "--output-dir",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 33
    assert "recording-form_4430-04_401.pdf" in names and "recording-form_4430-04_318.pdf" in names


def test_render_forms_completed_and_errors(completed, registration, tmp_path):
    call_command(
        "render_forms",
        "unit-summary",
        "--registration",
        str(registration.pk),
        "--output-dir",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    assert "14/03/2026" in pdf_text((tmp_path / f"unit-summary_reg{registration.pk}.pdf").read_bytes())
    with pytest.raises(CommandError, match="no blank version"):
        call_command("render_forms", "portfolio", "--qualification", "4430-04", "--output-dir", str(tmp_path))
    with pytest.raises(CommandError, match="Unit 999 is not a unit of 4430-04"):
        call_command(
            "render_forms",
            "recording-form",
            "--qualification",
            "4430-04",
            "--unit",
            "999",
            "--output-dir",
            str(tmp_path),
        )


def test_admin_batch_runs_in_background_with_progress(
    client, completed, registration, people, centre, django_capture_on_commit_callbacks
):
    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("printing:batch_create"),
            {"form": "unit-summary", "qualification": "4430-04", "centre": centre.pk},
        )
    job = PrintJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("printing:job", args=[job.pk])
    assert AuditEntry.objects.filter(action=Action.PRINTING_BATCH_REQUESTED, object_id=str(job.pk)).exists()
    status = client.get(reverse("printing:job_status", args=[job.pk])).json()
    assert status == {
        "status": "done",
        "status_label": "Done",
        "done": 1,
        "total": 1,
        "percent": 100,
        "finished": True,
        "error": "",
    }
    page = client.get(reverse("printing:job", args=[job.pk])).content.decode()
    assert "Download the zip file" in page and '1</span> of <span id="job-total">1' in page
    download = client.get(reverse("printing:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    [name] = archive.namelist()
    assert name.endswith(f"unit-summary_reg{registration.pk}.pdf")
    assert "Cara Candidate" in pdf_text(archive.read(name))
    # The assessor may print the registration's forms but not the centre's batches.
    client.logout()
    client.force_login(people["assessor"])
    assert client.get(reverse("printing:job", args=[job.pk])).status_code == 404


def test_batch_with_no_registrations_says_so(client, catalogue, people, centre):
    client.force_login(people["admin"])
    response = client.post(
        reverse("printing:batch_create"),
        {"form": "portfolio", "qualification": "4430-04", "centre": centre.pk},
        follow=True,
    )
    assert "No active registrations of 4430-04 at Test Centre" in response.content.decode()
    assert not PrintJob.objects.exists()


def test_a_failed_batch_names_the_form_and_the_candidate(
    client, completed, registration, people, centre, monkeypatch, django_capture_on_commit_callbacks
):
    """The reported break: "Failed: 0 of 2 PDFs" with the bare text "41"."""

    def broken(*args, **kwargs):
        raise KeyError(41)

    monkeypatch.setattr(registry, "completed_context", broken)
    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("printing:batch_create"),
            {"form": "witness-status-list", "qualification": "4430-04", "centre": centre.pk},
        )
    job = PrintJob.objects.get()
    assert job.status == PrintJob.Status.FAILED
    assert job.error.startswith(
        f"The witness status list of Cara Candidate (registration {registration.pk}) could not be printed"
    )
    page = client.get(reverse("printing:job", args=[job.pk])).content.decode()
    assert "The witness status list of Cara Candidate" in page


def test_batch_zip_on_signing_object_storage_is_fetched_from_the_bucket_not_through_the_web(
    client, completed, registration, people, centre, s3_storage, django_capture_on_commit_callbacks
):
    """On S3 the web process sends the browser to a short-lived signed URL of the zip (after the access check)
    instead of carrying a cohort's zip itself."""
    import urllib.request
    from urllib.parse import parse_qs, urlparse

    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("printing:batch_create"),
            {"form": "unit-summary", "qualification": "4430-04", "centre": centre.pk},
        )
    job = PrintJob.objects.get()
    assert job.status == PrintJob.Status.DONE
    keys = [o["Key"] for o in s3_storage.list_objects_v2(Bucket="evidence-test")["Contents"]]
    assert job.result.name in keys

    response = client.get(reverse("printing:job_download", args=[job.pk]))
    assert response.status_code == 302 and response["Cache-Control"].startswith("private")
    location = response["Location"]
    query = parse_qs(urlparse(location).query)
    assert "X-Amz-Signature" in query or "Signature" in query
    with urllib.request.urlopen(location) as signed:  # noqa: S310 - the local moto server
        body = signed.read()
        assert signed.headers["Content-Type"] == "application/zip"
        assert (
            signed.headers["Content-Disposition"] == f'attachment; filename="unit-summary_batch{job.pk}.zip"'
        )
    [name] = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert name.endswith(f"unit-summary_reg{registration.pk}.pdf")

    client.force_login(people["assessor"])  # not the centre's batches: no URL at all
    assert client.get(reverse("printing:job_download", args=[job.pk])).status_code == 404
