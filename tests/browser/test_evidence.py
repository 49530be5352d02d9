"""A candidate uploads two files from the browser, with a progress bar per file, sees them listed and
opens one; another candidate of the same centre gets 404 on its URL."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from evidence.demo import _pdf


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 400), "teal").save(out, "PNG")
    return out.getvalue()


def test_candidate_uploads_two_files_sees_them_and_another_candidate_gets_404(
    page, live_server, demo, sign_in
):
    from accounts.models import Centre, Membership, Role, User

    peer = User.objects.create_user("peer", password="demo-pass-2026")
    Membership.objects.create(user=peer, centre=Centre.objects.get(number="DEMO01"), role=Role.CANDIDATE)

    sign_in(page, "candidate")
    page.get_by_role("link", name="My evidence").first.click()
    page.get_by_role("link", name="Upload files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload evidence")

    page.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "shop-floor.png", "mimeType": "image/png", "buffer": png_bytes()},
            {
                "name": "rota.pdf",
                "mimeType": "application/pdf",
                "buffer": _pdf(["Week 12 rota"]) + b"%" * 400_000,
            },
        ]
    )
    rows = page.locator("#file-list li")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("progressbar", name="Upload progress for shop-floor.png")).to_be_visible()
    page.get_by_label("Date of the activity").fill("2026-03-14")  # the date picker takes ISO
    page.get_by_label("I confirm that the evidence provided is a result of my own work.").check()
    page.get_by_role("button", name="Upload").click()

    for name in ("shop-floor.png", "rota.pdf"):
        bar = page.get_by_role("progressbar", name=f"Upload progress for {name}")
        expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#upload-status")).to_contain_text("2 files uploaded")

    page.get_by_role("link", name="See all my evidence").click()
    table = page.locator("#evidence-table")
    expect(table.get_by_role("link", name="shop-floor", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="rota", exact=True)).to_be_visible()
    expect(table).to_contain_text("14/03/2026")

    table.get_by_role("link", name="shop-floor", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("shop-floor")
    detail_url = page.url
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="Open").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.evaluate("document.contentType") == "image/png"
    file_url = popup.url
    popup.close()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "peer")
    for url in (detail_url, file_url):
        response = page.goto(url)
        assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(re.compile("shop-floor"))
