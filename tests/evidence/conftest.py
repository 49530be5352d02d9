"""Fixtures for the portfolio tests: a centre with people in every position relative to one candidate."""

import datetime
import io
import uuid
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Centre, Role
from assessment.models import Registration
from evidence import services
from evidence.demo import _pdf
from evidence.services import EvidenceDetails
from qualifications.models import AssessmentCriterion, LearningOutcome, Qualification, QualificationUnit, Unit


@pytest.fixture(autouse=True)
def _isolated_upload_temp(settings, tmp_path):
    """Streamed uploads spill into a folder of their own, so tests can see nothing is left behind."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def png_bytes(colour="red", size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(colour="green", size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(text="Evidence") -> bytes:
    return _pdf([text])


def multipart(fields: dict | None = None, files: list | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand, so file names reach the server exactly as given
    (Django's test client would strip path parts itself)."""
    boundary = "----evidence" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in (fields or {}).items():
        for one in value if isinstance(value, list | tuple) else [value]:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.write(str(one).encode() + b"\r\n")
    for field, filename, data in files or []:
        quoted = filename.replace('"', "%22")
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{quoted}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def post_files(client, url, files, fields=None, *, xhr=True):
    fields = {"declaration": "on", "context": "real_work", **(fields or {})}
    body, content_type = multipart(fields, files)
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}
    return client.generic("POST", url, body, content_type=content_type, **headers)


def stored_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def catalogue(db):
    qualification = Qualification.objects.create(code="T-01", title="Test qualification", level="Level 1")
    units = []
    for number in ("101", "102", "103"):
        unit = Unit.objects.create(
            ref=f"T-{number}", scheme="T", number=number, title=f"Unit {number}", level="Level 1", credits=3
        )
        QualificationUnit.objects.create(
            qualification=qualification, unit=unit, status="mandatory" if number == "101" else "optional"
        )
        outcome = LearningOutcome.objects.create(
            unit=unit, number=1, title="Be able to serve", kind="performance"
        )
        for n in (1, 2):
            AssessmentCriterion.objects.create(
                unit=unit,
                outcome=outcome,
                number=n,
                ref=f"1.{n}",
                text=f"Criterion 1.{n} of {number}",
                kind="performance",
            )
        units.append(unit)
    other = Unit.objects.create(
        ref="X-900", scheme="X", number="900", title="Unit elsewhere", level="Level 2"
    )
    outcome = LearningOutcome.objects.create(unit=other, number=1, title="Know", kind="knowledge")
    AssessmentCriterion.objects.create(
        unit=other, outcome=outcome, number=1, ref="1.1", text="x", kind="knowledge"
    )
    return SimpleNamespace(qualification=qualification, units=units, other_unit=other)


@pytest.fixture
def people(centre, other_centre, make_user, catalogue):
    """candidate (registered, assessor + iv), peer (another candidate, same centre), admin, a stranger
    assessor of the same centre, another centre's assessor and admin, an external verifier."""
    p = SimpleNamespace(centre=centre, other_centre=other_centre)
    p.candidate = make_user("cand", centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate")
    p.peer = make_user("peer", centre, Role.CANDIDATE)
    p.assessor = make_user("assessor", centre, Role.ASSESSOR)
    p.iv = make_user("iv", centre, Role.INTERNAL_VERIFIER)
    p.admin = make_user("admin", centre, Role.CENTRE_ADMIN)
    p.stranger_assessor = make_user("stranger", centre, Role.ASSESSOR)
    p.other_assessor = make_user("other_assessor", other_centre, Role.ASSESSOR)
    p.other_iv = make_user("other_iv", other_centre, Role.INTERNAL_VERIFIER)
    p.other_admin = make_user("other_admin", other_centre, Role.CENTRE_ADMIN)
    p.other_candidate = make_user("other_cand", other_centre, Role.CANDIDATE)
    p.ev = make_user("ev", centre, Role.EXTERNAL_VERIFIER)
    p.registration = Registration.objects.create(
        centre=centre,
        candidate=p.candidate,
        qualification=catalogue.qualification,
        assessor=p.assessor,
        internal_verifier=p.iv,
        registered_on=datetime.date(2026, 1, 5),
    )
    p.registration.optional_units.add(catalogue.units[1])
    Registration.objects.create(
        centre=other_centre,
        candidate=p.other_candidate,
        qualification=catalogue.qualification,
        assessor=p.other_assessor,
        internal_verifier=p.other_iv,
        registered_on=datetime.date(2026, 1, 5),
    )
    return p


def make_file_item(person, centre, *, name="photo.png", data=None, **details):
    upload = SimpleUploadedFile(name, data if data is not None else png_bytes())
    item, _ = services.evidence_upload(
        candidate=person,
        centre=centre,
        upload=upload,
        declared=True,
        details=EvidenceDetails(title=details.pop("title", "A photo"), **details),
    )
    return item


def make_statement(person, centre, text="I greeted the customer.", **details):
    item, _ = services.evidence_statement_create(
        candidate=person,
        centre=centre,
        declared=True,
        details=EvidenceDetails(title=details.pop("title", "My statement"), statement_text=text, **details),
    )
    return item


@pytest.fixture
def item(people):
    return make_file_item(
        people.candidate, people.centre, name="till.pdf", data=pdf_bytes(), title="Till receipt"
    )


@pytest.fixture
def another_centre(db):
    return Centre.objects.create(name="Third", number="T003")
