"""Evidence on S3-compatible storage (moto's S3 server): stored under a random key, served through a
short-lived signed URL only after the access check."""

import socket
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.urls import reverse

from evidence.models import EvidenceItem
from tests.evidence.conftest import pdf_bytes, post_files

BUCKET = "evidence-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


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
