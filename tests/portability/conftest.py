"""Portability tests reuse the verification world: a centre, two candidates, signed units, a plan."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from tests.verification.conftest import plan, signed_world, world  # noqa: F401 - fixtures
from tests.verification.test_claims import agree_all
from verification import services as verification_services


def attach_file(item, data: bytes, name="minutes.pdf"):
    item.file.save(name, ContentFile(data), save=False)
    item.original_name, item.size, item.sha256 = name, len(data), hashlib.sha256(data).hexdigest()
    item.content_type = "application/pdf"
    item.save()
    return item


@pytest.fixture
def claimed_world(signed_world, plan):  # noqa: F811
    """reg1's units agreed by the IV and claimed in full; one evidence item carries a real file."""
    w = signed_world
    agree_all(w, plan, w.reg1, w.pat)
    w.claim = verification_services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    item = w.reg1.mappings.order_by("pk").first().evidence
    w.file_item = attach_file(item, b"%PDF-1.4 minutes of the team meeting\n" * 50)
    return w
