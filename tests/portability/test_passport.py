"""The portfolio passport: exported, signed, verified; every alteration named; hostile ZIPs refused."""
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from portability import keys, passport, selectors
from portability.models import CentreKey


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
        evidence_file = manifest["evidence"][[e["id"] for e in manifest["evidence"]].index(w.file_item.pk)]["file"]
        assert archive.read(evidence_file) == w.file_item.file.open("rb").read()
    assert manifest["candidate"]["username"] == "cara"
    assert manifest["registration"]["qualification"]["code"] == "TV-01"
    assert {u["ref"] for u in manifest["registration"]["units"]} == {"TV-101", "TV-102"}
    item = next(e for e in manifest["evidence"] if e["id"] == w.file_item.pk)
    assert item["sha256"] == w.file_item.sha256 and item["file"] in names
    assert len(manifest["mappings"]) == w.reg1.mappings.count()
    assert {m["method"] for m in manifest["mappings"]} == {"observation", "questioning"}
    assert all(m["decision"] == "accepted" and m["assessed_by"] == "Ann Assessor" for m in manifest["mappings"])
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
    altered = rewrite(path, tmp_path / "altered.zip",
                      change=(target, lambda d: d[:10] + bytes([d[10] ^ 1]) + d[11:]))
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
    code, out = verify(rewrite(path, tmp_path / "m.zip", drop="forms/portfolio.pdf",
                               add=("evidence/999/extra.txt", b"slipped in")))
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
    report = passport.verify_passport(rewrite(path, tmp_path / "f.zip", change=("signature.json",
                                                                                lambda d: forged_signature)),
                                      known_public_key=selectors.published_key)
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
