"""Open Badges 3.0 credentials for claimed units and qualifications: the spec's required properties, the
Data Integrity proof (eddsa-jcs-2022), tampering and revocation."""

import copy
import hashlib
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from portability import credentials, keys, selectors, services
from portability.canonical import canonical_json
from portability.models import IssuedCredential
from tests.assessment.factories import make_unit
from tests.verification.test_claims import agree_all
from verification import services as verification_services


@pytest.fixture
def unit_credential(claimed_world):
    w = claimed_world
    return services.credential_issue(claim=w.claim, actor=w.admin, unit=w.u101)


def check(document):
    return credentials.verify_credential(
        document, revoked_lookup=selectors.credential_revoked, known_key_lookup=selectors.published_key
    )


@pytest.mark.django_db
def test_a_unit_credential_carries_every_required_property(claimed_world, unit_credential):
    doc = unit_credential.document
    # OpenBadgeCredential / AchievementCredential (OB 3.0 §B.1.1, on the VC Data Model 2.0)
    assert doc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert doc["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["id"].startswith("urn:uuid:")
    assert doc["validFrom"].endswith("Z") and doc["name"]
    # issuer: Profile with an id (the centre's did:key) and a name
    assert doc["issuer"]["type"] == ["Profile"] and doc["issuer"]["id"].startswith("did:key:z6Mk")
    assert doc["issuer"]["name"] == "Test Centre"
    # credentialSubject: AchievementSubject with an identifier and the achievement
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["type"] == "IdentityObject"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    for required in ("id", "name", "description", "criteria"):
        assert achievement[required]
    assert achievement["name"] == claimed_world.u101.title
    assert achievement["creditsAvailable"] == 3
    assert achievement["achievementType"] == "Competency"
    assert claimed_world.u101.criteria.first().text in achievement["criteria"]["narrative"]
    assert achievement["creator"]["name"] == claimed_world.qualification.awarding_body
    # status and proof
    assert doc["credentialStatus"]["type"] == "1EdTechRevocationList"
    proof = doc["proof"][0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"].split("#")[0] == doc["issuer"]["id"]
    assert check(doc).ok


@pytest.mark.django_db
def test_a_changed_credential_does_not_verify(unit_credential):
    doc = copy.deepcopy(unit_credential.document)
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = 30
    report = check(doc)
    assert not report.ok and "does not verify" in report.errors[0]


@pytest.mark.django_db
def test_a_credential_signed_by_another_key_for_the_same_issuer_fails(unit_credential):
    doc = copy.deepcopy(unit_credential.document)
    other = keys.Ed25519PrivateKey.generate()
    other_hex = other.public_key().public_bytes(keys.Encoding.Raw, keys.PublicFormat.Raw).hex()
    doc["issuer"]["id"] = keys.did_key(other_hex)  # a forger claiming the centre with their own key
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    options = {k: v for k, v in doc["proof"][0].items() if k != "proofValue"}
    options["verificationMethod"] = keys.did_key(other_hex) + "#x"
    config = dict(options, **{"@context": doc["@context"]})
    data = (
        hashlib.sha256(canonical_json(config)).digest() + hashlib.sha256(canonical_json(unsecured)).digest()
    )
    doc["proof"] = [dict(options, proofValue=credentials.multibase_b58(other.sign(data)))]
    report = check(doc)
    assert not report.ok and "not the key this site publishes" in report.errors[0]


@pytest.mark.django_db
def test_revocation_revokes_the_credential(claimed_world, unit_credential):
    assert check(unit_credential.document).ok
    with pytest.raises(ValidationError):
        services.credential_revoke(credential=unit_credential, actor=claimed_world.admin, reason=" ")
    services.credential_revoke(
        credential=unit_credential, actor=claimed_world.admin, reason="Claim withdrawn"
    )
    report = check(unit_credential.document)
    assert not report.ok and report.revoked


@pytest.mark.django_db
def test_required_properties_missing_are_named():
    report = credentials.verify_credential({"@context": ["x"], "type": ["VerifiableCredential"]})
    text = " ".join(report.errors)
    assert "@context" in text and "issuer" in text and "OpenBadgeCredential" in text


@pytest.mark.django_db
def test_credentials_come_only_for_what_was_claimed(claimed_world):
    w = claimed_world
    stray = make_unit(scheme="TV", number="199", criteria=1, credits=2)
    with pytest.raises(ValidationError, match="not in this claim"):
        services.credential_issue(claim=w.claim, actor=w.admin, unit=stray)
    issued = services.credentials_for_claims(w.reg1, actor=w.admin)
    assert len(issued) == 3  # two units and the qualification
    assert services.credentials_for_claims(w.reg1, actor=w.admin) == issued  # issued once
    full = next(c for c in issued if c.unit is None).document
    assert full["credentialSubject"]["achievement"]["creditsAvailable"] == 7
    assert check(full).ok


@pytest.mark.django_db
def test_verify_credential_command(unit_credential, tmp_path, claimed_world):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(unit_credential.document))
    out = io.StringIO()
    call_command("verify_credential", str(path), stdout=out)
    assert "Credential verified" in out.getvalue()
    services.credential_revoke(
        credential=unit_credential, actor=claimed_world.admin, reason="Issued in error"
    )
    with pytest.raises(SystemExit) as failed:
        call_command("verify_credential", str(path), stdout=io.StringIO())
    assert failed.value.code == 1


@pytest.mark.django_db
def test_a_claim_issues_its_credentials_when_it_commits(
    signed_world, plan, django_capture_on_commit_callbacks
):
    w = signed_world
    agree_all(w, plan, w.reg1, w.pat)
    with django_capture_on_commit_callbacks(execute=True):
        verification_services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    issued = IssuedCredential.objects.filter(registration=w.reg1)
    assert {c.unit.ref if c.unit else None for c in issued} == {"TV-101", "TV-102", None}


@pytest.mark.django_db
def test_the_centre_emails_a_credential(
    unit_credential, claimed_world, mailoutbox, django_capture_on_commit_callbacks
):
    w = claimed_world
    with pytest.raises(ValidationError, match="no email address"):
        services.credential_email(credential=unit_credential, actor=w.admin)
    w.cara.email = "cara@example.org"
    w.cara.save()
    unit_credential.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_email(credential=unit_credential, actor=w.admin)
    assert mailoutbox[0].to == ["cara@example.org"]
    name, body, mime = mailoutbox[0].attachments[0]
    assert mime == "application/json" and json.loads(body)["id"] == unit_credential.document["id"]


@pytest.mark.django_db
def test_a_cancelled_unit_claim_revokes_its_credentials(
    signed_world, plan, django_capture_on_commit_callbacks
):
    w = signed_world
    agree_all(w, plan, w.reg1, w.pat)
    with django_capture_on_commit_callbacks(execute=True):
        claim = verification_services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    credential = IssuedCredential.objects.filter(claim=claim).first()
    assert credential is not None and check(credential.document).ok
    verification_services.claim_cancel(claim=claim, actor=w.admin, reason="Claimed in error")
    credential.refresh_from_db()
    assert credential.is_revoked and "Claimed in error" in credential.revocation_reason
    report = check(credential.document)
    assert not report.ok and report.revoked
    assert services.credentials_for_claims(w.reg1, actor=w.admin) == []
