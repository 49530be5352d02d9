"""Evidence on S3-compatible storage (moto's S3 server): stored under a random key, served through a
short-lived signed URL only after the access check."""

import time
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from evidence.models import EvidenceItem
from tests.conftest import S3_BUCKET as BUCKET
from tests.evidence.conftest import pdf_bytes, post_files


def test_upload_to_s3_and_serve_through_a_signed_url(client, people, s3_storage):
    data = pdf_bytes("stored in S3")
    client.force_login(people.candidate)
    response = post_files(
        client, "/evidence/upload/", [("files", "report.pdf", data)], {"token": "s3-token-1"}
    )
    assert response.status_code == 200, response.json()
    item = EvidenceItem.objects.get()
    keys = [o["Key"] for o in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert item.file.name in keys and "report" not in item.file.name

    # Somebody else gets 404 and no URL at all.
    client.force_login(people.peer)
    assert client.get(reverse("evidence:download", args=[item.pk])).status_code == 404

    client.force_login(people.assessor)
    response = client.get(reverse("evidence:download", args=[item.pk]))
    assert response.status_code == 302
    assert response["Cache-Control"].startswith("private")
    location = response["Location"]
    query = parse_qs(urlparse(location).query)
    if "X-Amz-Signature" in query:  # SigV4
        assert int(query["X-Amz-Expires"][0]) <= 300
    else:  # SigV2: an absolute expiry time
        assert "Signature" in query and int(query["Expires"][0]) <= time.time() + 301
    with urllib.request.urlopen(location) as signed:  # noqa: S310 - the local moto server
        assert signed.read() == data
        assert signed.headers["Content-Type"] == "application/pdf"
        assert signed.headers["Content-Disposition"] == 'inline; filename="report.pdf"'
    # Without the signature the object is private.
    bare = location.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(bare)  # noqa: S310
