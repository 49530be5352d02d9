"""Previews are made by the task worker into the configured storage, and served back from it after the access
check. The storage here keeps files in memory (as S3 keeps them elsewhere): nothing may go through a local path.
Marked `tasks`: CI runs these again with the jobs in Redis and a real RQ worker (.ci/run)."""

import pytest
from django.urls import reverse

from evidence.models import EvidenceItem
from tests.conftest import files_on_disk
from tests.evidence.conftest import pdf_bytes, png_bytes, post_files

pytestmark = pytest.mark.tasks

JPEG_MAGIC = b"\xff\xd8\xff"


def test_previews_are_made_by_the_worker_into_the_storage_and_served_from_it(
    client, people, settings, memory_storage, task_worker, django_capture_on_commit_callbacks
):
    client.force_login(people.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_files(
            client,
            "/evidence/upload/",
            [
                ("files", "desk.png", png_bytes(size=(900, 600))),
                ("files", "till.pdf", pdf_bytes("Till receipt")),
            ],
            {"token": "queue-previews-1"},
        )
    assert response.status_code == 200, response.json()
    photo, pdf = EvidenceItem.objects.order_by("pk")
    if task_worker.on_queue:  # enqueued, not yet run: the request did not make them itself
        assert task_worker.waiting() == 2 and not photo.preview and not pdf.preview

    assert task_worker.run() == [("evidence_make_preview", "SUCCESSFUL")] * 2

    for item in (photo, pdf):
        item.refresh_from_db()
        assert item.preview.name.startswith("previews/")
        assert memory_storage.exists(item.preview.name) and memory_storage.exists(item.file.name)
        stored = memory_storage.open(item.preview.name).read()
        assert stored[:3] == JPEG_MAGIC

        client.force_login(people.assessor)
        served = client.get(reverse("evidence:preview", args=[item.pk]))
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert b"".join(served.streaming_content) == stored
        original = client.get(reverse("evidence:download", args=[item.pk]))
        assert original.status_code == 200
        assert b"".join(original.streaming_content) == memory_storage.open(item.file.name).read()

        client.force_login(people.other_assessor)  # another centre's: the same 404 as no such item
        assert client.get(reverse("evidence:preview", args=[item.pk])).status_code == 404
    assert files_on_disk(settings) == []
