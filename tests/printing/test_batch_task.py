"""A print batch is rendered by the task worker into the configured storage (here in memory, as S3 keeps it
elsewhere) and downloaded from it after the access check. Marked `tasks`: CI runs it again with the job in
Redis and a real RQ worker (.ci/run)."""

import io
import zipfile

import pytest
from django.urls import reverse

from printing.models import PrintJob
from tests.conftest import files_on_disk
from tests.printing.pdftext import pdf_text

pytestmark = pytest.mark.tasks


def test_the_batch_zip_is_written_by_the_worker_to_the_storage_and_downloaded_from_it(
    client,
    completed,
    registration,
    people,
    centre,
    settings,
    memory_storage,
    task_worker,
    django_capture_on_commit_callbacks,
):
    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("printing:batch_create"),
            {"form": "unit-summary", "qualification": "4430-04", "centre": centre.pk},
        )
    job = PrintJob.objects.get()
    if task_worker.on_queue:  # queued, not rendered in the request
        assert task_worker.waiting() == 1
        assert client.get(reverse("printing:job_status", args=[job.pk])).json()["status"] == "queued"

    assert task_worker.run() == [("render_print_job", "SUCCESSFUL")]

    job.refresh_from_db()
    assert job.status == PrintJob.Status.DONE and memory_storage.exists(job.result.name)
    stored = memory_storage.open(job.result.name).read()
    download = client.get(reverse("printing:job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    assert body == stored
    [name] = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert name.endswith(f"unit-summary_reg{registration.pk}.pdf")
    assert "Cara Candidate" in pdf_text(zipfile.ZipFile(io.BytesIO(body)).read(name))
    assert files_on_disk(settings) == []

    client.force_login(people["assessor"])  # may print the registration's forms, not the centre's batches
    assert client.get(reverse("printing:job_download", args=[job.pk])).status_code == 404
