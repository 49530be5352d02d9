"""A centre admin exports a candidate's passport from the registration page and verifies it on the upload
page; the candidate downloads the credential their claim gave them, and it verifies on the public page."""

import json

import pytest
from playwright.sync_api import expect

from portability.services import credentials_for_claims
from tests.conftest import PASSWORD
from tests.portability.conftest import claimed_world  # noqa: F401 - fixture
from tests.verification.conftest import plan, signed_world, world  # noqa: F401 - fixtures


@pytest.fixture
def committed_world(transactional_db, claimed_world):  # noqa: F811
    credentials_for_claims(claimed_world.reg1, actor=claimed_world.admin)
    return claimed_world


def test_passport_export_verify_and_credential_download(
    page, live_server, committed_world, sign_in, tmp_path
):
    w = committed_world
    sign_in(page, "adm", PASSWORD)
    page.goto(f"{live_server.url}/assessment/registrations/{w.reg1.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export portfolio passport (ZIP)").click()
    download = info.value
    assert download.suggested_filename.startswith("passport-cara-")
    saved = tmp_path / "passport.zip"
    download.save_as(saved)
    page.goto(f"{live_server.url}/dashboard/centre-admin/")
    page.get_by_role("link", name="Verify a passport").click()
    page.get_by_label("Portfolio passport (ZIP)").set_input_files(str(saved))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#passport-report")).to_contain_text(
        "Passport verified: signature and every file match."
    )

    context = page.context
    context.clear_cookies()
    sign_in(page, "cara", PASSWORD)
    page.get_by_role("link", name="My Open Badges credentials").click()
    with page.expect_download() as info:
        page.get_by_role("row", name=f"Unit {w.u101.number}").get_by_role("link", name="Download").click()
    credential_path = tmp_path / "credential.json"
    info.value.save_as(credential_path)
    document = json.loads(credential_path.read_text())
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    context.clear_cookies()
    page.goto(f"{live_server.url}/credentials/verify/")
    page.get_by_label("Credential file (JSON)").set_input_files(str(credential_path))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#credential-report")).to_contain_text("Credential verified")
