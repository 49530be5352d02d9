"""The issue's "done when", on the demo data: the demo's signed candidate's passport is exported, verified,
imported into a second centre and shown there as prior learning; one changed byte of one evidence file of the
demo candidate's passport makes verify_passport name that file."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Centre, Role
from assessment.models import Registration
from portability.models import PassportImport
from tests.portability.test_passport import rewrite, verify


@pytest.fixture
def demo_data(db):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    from accounts.demo import run as accounts_demo
    from assessment.demo import run as assessment_demo
    from evidence.demo import run as evidence_demo

    accounts_demo()
    evidence_demo()
    assessment_demo()
    return Registration.objects.get(candidate__username="signed")


@pytest.mark.django_db
def test_the_demo_candidates_passport_travels_to_a_second_centre(client, demo_data, tmp_path, make_user):
    registration = demo_data
    path = tmp_path / "sid.zip"
    call_command("export_passport", str(registration.pk), "--output", str(path), stdout=io.StringIO())
    code, out = verify(path)
    assert code == 0 and "Passport verified" in out, out

    second = Centre.objects.create(name="Second Centre", number="S002")
    make_user("sid2", second, Role.CANDIDATE, first_name="Sid", last_name="Signed")
    rosa = make_user("rosa", second, Role.ASSESSOR, first_name="Rosa", last_name="Receiving")
    make_user("ian", second, Role.INTERNAL_VERIFIER)
    make_user("sadmin", second, Role.CENTRE_ADMIN)
    call_command(
        "import_passport",
        str(path),
        "--centre",
        "S002",
        "--candidate",
        "sid2",
        "--assessor",
        "rosa",
        "--internal-verifier",
        "ian",
        stdout=io.StringIO(),
    )
    record = PassportImport.objects.get()
    assert record.registration.centre == second
    assert {"4411-101", "4411-102"} <= {p.unit.ref for p in record.units.all()}
    client.force_login(rosa)
    page = client.get(reverse("portability:provenance", args=[record.registration_id])).content.decode()
    assessor = registration.assessor.get_full_name()
    assert f"Prior learning from {registration.centre.name}" in page
    assert page.count(f"{assessor}, 20") >= sum(p.decisions.count() for p in record.units.all()) > 0
    # both units were signed there: they arrive signed, shown with the original signature, to be confirmed here
    assert page.count(f"by {assessor}; waiting for the assessor here to confirm or reject it") == 2

    # the demo candidate's own portfolio carries uploaded files: one changed byte in one of them is named
    cara = Registration.objects.get(candidate__username="candidate")
    path = tmp_path / "cara.zip"
    call_command("export_passport", str(cara.pk), "--output", str(path), stdout=io.StringIO())
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    target = next(e["file"] for e in manifest["evidence"] if e["file"])
    altered = rewrite(path, tmp_path / "altered.zip", change=(target, lambda d: bytes([d[0] ^ 1]) + d[1:]))
    code, out = verify(altered)
    assert code == 1 and f"Altered: {target}" in out and out.count("Altered:") == 1
