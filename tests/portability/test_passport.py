"""The portfolio passport: exported, signed, verified; every alteration named; hostile ZIPs refused."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role
from assessment.models import EvidenceMapping, Method, Registration
from portability import keys, passport, selectors
from portability.importing import prior_unit_decide
from portability.models import CentreKey, PassportImport, PriorUnit
from qualifications.models import QualificationUnit, Rule
from tests.assessment.factories import make_unit


def export(w, tmp_path):
    path = tmp_path / "passport.zip"
    call_command("export_passport", str(w.reg1.pk), "--output", str(path), stdout=io.StringIO())
    return path


def rewrite(src, dst, *, change=None, drop=None, add=None):
    """Copy a ZIP, changing one member's bytes, dropping one, or adding one."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename == drop:
                continue
            data = zin.read(info.filename)
            if change and info.filename == change[0]:
                data = change[1](data)
            zout.writestr(info.filename, data)
        if add:
            zout.writestr(*add)
    return dst


def verify(path):
    out = io.StringIO()
    try:
        call_command("verify_passport", str(path), stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.mark.django_db
def test_export_holds_evidence_decisions_signatures_claims_and_forms(claimed_world, tmp_path):
    w = claimed_world
    path = export(w, tmp_path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        evidence_file = manifest["evidence"][[e["id"] for e in manifest["evidence"]].index(w.file_item.pk)][
            "file"
        ]
        assert archive.read(evidence_file) == w.file_item.file.open("rb").read()
    assert manifest["candidate"]["username"] == "cara"
    assert manifest["registration"]["qualification"]["code"] == "TV-01"
    assert {u["ref"] for u in manifest["registration"]["units"]} == {"TV-101", "TV-102"}
    item = next(e for e in manifest["evidence"] if e["id"] == w.file_item.pk)
    assert item["sha256"] == w.file_item.sha256 and item["file"] in names
    assert len(manifest["mappings"]) == w.reg1.mappings.count()
    assert {m["method"] for m in manifest["mappings"]} == {"observation", "questioning"}
    assert all(
        m["decision"] == "accepted" and m["assessed_by"] == "Ann Assessor" for m in manifest["mappings"]
    )
    kinds = {s["kind"] for s in manifest["signatures"]}
    assert "assessor_sign_off" in kinds
    assert all(len(s["content_sha256"]) == 64 and s["statement"] for s in manifest["signatures"])
    assert {d["outcome"] for d in manifest["verification_decisions"]} == {"agreed"}
    assert manifest["claims"][0]["kind"] == "full" and manifest["claims"][0]["credits"] == 7
    assert "forms/portfolio.pdf" in names and "forms/portfolio.pdf" in manifest["forms"]
    assert {"manifest.json", "signature.json"} <= names


@pytest.mark.django_db
def test_an_untouched_passport_verifies(claimed_world, tmp_path):
    code, out = verify(export(claimed_world, tmp_path))
    assert code == 0, out
    assert "Passport verified" in out and "matches the key this site publishes" in out


@pytest.mark.django_db
def test_one_changed_byte_in_one_evidence_file_is_named(claimed_world, tmp_path):
    path = export(claimed_world, tmp_path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    target = next(e["file"] for e in manifest["evidence"] if e["file"])
    altered = rewrite(
        path, tmp_path / "altered.zip", change=(target, lambda d: d[:10] + bytes([d[10] ^ 1]) + d[11:])
    )
    code, out = verify(altered)
    assert code == 1
    assert f"Altered: {target}" in out
    assert out.count("Altered:") == 1  # nothing else is blamed
    assert "Signature: valid" in out


@pytest.mark.django_db
def test_a_removed_mapping_breaks_the_signature(claimed_world, tmp_path):
    path = export(claimed_world, tmp_path)

    def drop_mapping(data):
        manifest = json.loads(data)
        manifest["mappings"].pop()
        return json.dumps(manifest, indent=1).encode()

    code, out = verify(rewrite(path, tmp_path / "forged.zip", change=("manifest.json", drop_mapping)))
    assert code == 1 and "Signature: NOT VALID" in out


@pytest.mark.django_db
def test_missing_and_added_files_are_named(claimed_world, tmp_path):
    path = export(claimed_world, tmp_path)
    code, out = verify(
        rewrite(
            path,
            tmp_path / "m.zip",
            drop="forms/portfolio.pdf",
            add=("evidence/999/extra.txt", b"slipped in"),
        )
    )
    assert code == 1
    assert "Missing: forms/portfolio.pdf" in out and "Not in the manifest: evidence/999/extra.txt" in out


@pytest.mark.django_db
def test_a_passport_resigned_with_another_key_is_not_the_centres(claimed_world, tmp_path):
    w = claimed_world
    path = export(w, tmp_path)
    with zipfile.ZipFile(path) as archive:
        manifest_bytes = archive.read("manifest.json")
    CentreKey.objects.filter(centre=w.centre).delete()  # a forger's key, made for "the same centre"
    forged_key = keys.centre_key(w.centre)
    forged_signature = json.dumps(passport.signature_document(forged_key, manifest_bytes)).encode()
    forged_key.delete()
    original = CentreKey.objects.create(centre=w.centre, public_key="00" * 32, private_key_encrypted="x")
    report = passport.verify_passport(
        rewrite(path, tmp_path / "f.zip", change=("signature.json", lambda d: forged_signature)),
        known_public_key=selectors.published_key,
    )
    assert report.signature_valid and report.known_key is False and not report.ok
    assert original.public_key != forged_key.public_key


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "evidence/../../x", "C:\\evil.txt"])
def test_names_that_escape_the_folder_are_refused(tmp_path, name):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", "{}")
        archive.writestr(name, b"x")
    report = passport.verify_passport(str(path))
    assert not report.ok and "escapes its folder" in report.errors[0]


def test_a_zip_bomb_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "{}")
        archive.writestr("signature.json", "{}")
        archive.writestr("evidence/1/bomb.bin", b"\0" * (50 * 1024 * 1024))
    report = passport.verify_passport(str(path))
    assert not report.ok and "too large to open safely" in report.errors[0]


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip at all")
    report = passport.verify_passport(str(path))
    assert report.errors == [passport.NOT_A_ZIP]


@pytest.mark.django_db
def test_import_at_a_second_centre_brings_decisions_in_as_prior_learning(
    claimed_world, tmp_path, other_centre
):
    w = claimed_world
    path = export(w, tmp_path)
    cara2 = w.make_user("cara2", other_centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate")
    w.make_user("rosa", other_centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving")
    w.make_user("ian", other_centre, Role.INTERNAL_VERIFIER)
    w.make_user("radmin", other_centre, Role.CENTRE_ADMIN)
    out = io.StringIO()
    call_command(
        "import_passport",
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "cara2",
        "--assessor",
        "rosa",
        "--internal-verifier",
        "ian",
        stdout=out,
    )
    assert "Imported from Test Centre (T001)" in out.getvalue()
    record = PassportImport.objects.get()
    registration = record.registration
    assert registration.centre == other_centre and registration.candidate == cara2
    assert record.key_fingerprint == w.centre.signing_key.fingerprint
    imported = cara2.evidence_items.all()
    assert imported.count() == w.cara.evidence_items.count()
    with_file = imported.exclude(file="").get()
    assert with_file.sha256 == w.file_item.sha256
    prior = {p.unit.ref: p for p in record.units.all()}
    assert set(prior) == {"TV-101", "TV-102"}
    decision = prior["TV-101"].decisions.first()
    assert decision.assessed_by == "Ann Assessor" and decision.method == "observation"
    assert prior["TV-101"].source_signatures and prior["TV-101"].source_status
    assert not EvidenceMapping.objects.filter(registration=registration).exists()  # nothing counts yet
    rosa = registration.assessor
    prior_unit_decide(prior_unit=prior["TV-101"], actor=rosa, confirm=True)
    mapped = EvidenceMapping.objects.filter(registration=registration, unit=w.u101)
    assert mapped.count() == 2 and {m.method for m in mapped} == {Method.RPL}
    assert all("RPL from Test Centre: Ann Assessor" in m.location for m in mapped)
    with pytest.raises(Exception, match="Say why"):
        prior_unit_decide(prior_unit=prior["TV-102"], actor=rosa, confirm=False)
    prior_unit_decide(prior_unit=prior["TV-102"], actor=rosa, confirm=False, note="Evidence too old")
    assert PriorUnit.objects.get(pk=prior["TV-102"].pk).status == "rejected"


@pytest.mark.django_db
def test_an_altered_passport_imports_nothing(claimed_world, tmp_path, other_centre):
    w = claimed_world
    path = export(w, tmp_path)
    with zipfile.ZipFile(path) as archive:
        target = next(e["file"] for e in json.loads(archive.read("manifest.json"))["evidence"] if e["file"])
    altered = rewrite(path, tmp_path / "a.zip", change=(target, lambda d: d + b"!"))
    for name, role in (
        ("c2", Role.CANDIDATE),
        ("a2", Role.ASSESSOR),
        ("i2", Role.INTERNAL_VERIFIER),
        ("ad2", Role.CENTRE_ADMIN),
    ):
        w.make_user(name, other_centre, role)
    before = Registration.objects.count()
    with pytest.raises(CommandError, match=f"did not verify.*Altered: {target}"):
        call_command(
            "import_passport",
            str(altered),
            "--centre",
            other_centre.number,
            "--candidate",
            "c2",
            "--assessor",
            "a2",
            "--internal-verifier",
            "i2",
            stdout=io.StringIO(),
        )
    assert Registration.objects.count() == before


@pytest.mark.django_db
def test_units_the_receiving_catalogue_lacks_are_reported_not_guessed(claimed_world, tmp_path, other_centre):
    w = claimed_world
    path = export(w, tmp_path)
    # this catalogue's TV-01 has no unit 102 (an optional 103 stands in, so the qualification can still complete)
    QualificationUnit.objects.filter(unit=w.u102).delete()
    stand_in = make_unit(scheme="TV", number="103", criteria=1, credits=4)
    QualificationUnit.objects.create(qualification=w.qualification, unit=stand_in, status="optional")
    Rule.objects.filter(qualification=w.qualification, kind="mandatory_units").update(
        params={"units": ["101"]}
    )
    for name, role in (
        ("c3", Role.CANDIDATE),
        ("a3", Role.ASSESSOR),
        ("i3", Role.INTERNAL_VERIFIER),
        ("ad3", Role.CENTRE_ADMIN),
    ):
        w.make_user(name, other_centre, role)
    out = io.StringIO()
    call_command(
        "import_passport",
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "c3",
        "--assessor",
        "a3",
        "--internal-verifier",
        "i3",
        stdout=out,
    )
    assert "Not imported: Unit TV-102" in out.getvalue()
    record = PassportImport.objects.get()
    assert [p.unit.ref for p in record.units.all()] == ["TV-101"]


@pytest.mark.django_db
def test_provenance_follows_the_current_role(client, claimed_world, tmp_path, other_centre):
    from django.urls import reverse

    from accounts.models import Membership, User

    w = claimed_world
    path = export(w, tmp_path)
    for name, role in (
        ("c4", Role.CANDIDATE),
        ("a4", Role.ASSESSOR),
        ("i4", Role.INTERNAL_VERIFIER),
        ("ad4", Role.CENTRE_ADMIN),
    ):
        w.make_user(name, other_centre, role)
    call_command(
        "import_passport",
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "c4",
        "--assessor",
        "a4",
        "--internal-verifier",
        "i4",
        stdout=io.StringIO(),
    )
    record = PassportImport.objects.get()
    url = reverse("portability:provenance", args=[record.registration_id])
    decide = reverse("portability:prior_unit_decide", args=[record.units.first().pk])
    client.force_login(User.objects.get(username="a4"))
    page = client.get(url)
    assert page.status_code == 200 and "Ann Assessor" in page.content.decode()
    Membership.objects.filter(user__username="a4", role=Role.ASSESSOR).delete()
    assert client.get(url).status_code == 404
    assert client.post(decide, {"decision": "confirm"}).status_code == 404
    assert PriorUnit.objects.filter(status="pending").count() == 2
    client.logout()
    client.force_login(w.ann)  # the sending centre's assessor: not theirs
    assert client.get(url).status_code == 404


CONDITIONS = [
    {"key": "age_18", "text": "Not approved for candidates under the age of 18.", "source": "2.2"},
    {"key": "not_already_held", "text": "Not already holding the same qualification.", "source": "2.2"},
]


def receiving_people(w, centre):
    w.make_user("cara2", centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate")
    w.make_user("rosa", centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving")
    w.make_user("ian", centre, Role.INTERNAL_VERIFIER)
    return w.make_user("radmin", centre, Role.CENTRE_ADMIN)


@pytest.mark.django_db
def test_a_passport_of_a_qualification_with_entry_conditions_imports_once_they_are_confirmed(
    claimed_world, tmp_path, other_centre
):
    """4430-04 has entry conditions: every passport of it was refused, since the import had no way to confirm
    them. The command takes --confirm-entry-condition, as the register form takes a box for each."""
    w = claimed_world
    path = export(w, tmp_path)
    w.qualification.entry_conditions = CONDITIONS
    w.qualification.save(update_fields=["entry_conditions"])
    receiving_people(w, other_centre)
    args = [
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "cara2",
        "--assessor",
        "rosa",
        "--internal-verifier",
        "ian",
    ]
    with pytest.raises(CommandError, match="Not already holding the same qualification"):
        call_command("import_passport", *args, "--confirm-entry-condition", "age_18", stdout=io.StringIO())
    assert not PassportImport.objects.exists()
    call_command(
        "import_passport",
        *args,
        "--confirm-entry-condition",
        "age_18",
        "--confirm-entry-condition",
        "not_already_held",
        stdout=io.StringIO(),
    )
    registration = PassportImport.objects.get().registration
    assert sorted(c["key"] for c in registration.entry_conditions_confirmed) == ["age_18", "not_already_held"]


@pytest.mark.django_db
def test_the_import_page_asks_for_the_entry_conditions_and_finds_the_candidate_by_username(
    client, claimed_world, tmp_path, other_centre
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    w = claimed_world
    path = export(w, tmp_path)
    w.qualification.entry_conditions = CONDITIONS
    w.qualification.save(update_fields=["entry_conditions"])
    admin = receiving_people(w, other_centre)
    client.force_login(admin)
    url = reverse("portability:passport_import")
    page = client.get(url).content.decode()
    assert "Not approved for candidates under the age of 18." in page and "data-suggest-url" in page
    from accounts.models import User

    rosa, ian = User.objects.get(username="rosa"), User.objects.get(username="ian")

    def post(**extra):
        return client.post(
            url,
            {
                "passport": SimpleUploadedFile("p.zip", path.read_bytes()),
                "candidate": "CARA2",
                "assessor": rosa.pk,
                "internal_verifier": ian.pk,
                **extra,
            },
        )

    refused = post(entry_conditions=[f"{w.qualification.code}:age_18"])
    assert (
        refused.status_code == 200
        and "Not already holding the same qualification" in refused.content.decode()
    )
    assert not PassportImport.objects.exists()
    nobody = post(candidate="nobody")
    assert "There is no candidate “nobody” at this centre" in nobody.content.decode()
    done = post(
        entry_conditions=[f"{w.qualification.code}:age_18", f"{w.qualification.code}:not_already_held"]
    )
    record = PassportImport.objects.get()
    assert done.status_code == 302 and record.registration.candidate.username == "cara2"
