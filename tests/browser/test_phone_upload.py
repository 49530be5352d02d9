"""On a phone (375 px) a candidate uploads three files (issue 17 item 4): pressing Upload, far below the progress
bars, brings them into view; each file's result shows on its row and is announced (aria-live); the shared title
applies to the files whose own title was not edited; a file the server refuses gets its bar back to 0% and says
why (item 6)."""

import re

from playwright.sync_api import expect

from tests.browser.test_evidence import png_bytes

PHONE = {"width": 375, "height": 740}

# the area's top on the screen (a fraction of a pixel above it counts: scrollIntoView rounds)
IN_VIEW = """el => { const r = el.getBoundingClientRect(); return r.top > -2 && r.top < window.innerHeight - 100; }"""


def test_a_candidate_on_a_phone_uploads_three_files_and_sees_each_result(page, live_server, demo, sign_in):
    page.set_viewport_size(PHONE)
    sign_in(page, "candidate")
    page.goto(f"{live_server.url}/evidence/upload/")
    page.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "till-1.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "till-2.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "rota.png", "mimeType": "image/png", "buffer": png_bytes()},
        ]
    )
    expect(page.locator("#file-list li")).to_have_count(3)
    # One file's own title is edited; the shared title, typed afterwards, applies to the other two.
    page.locator("#file-list .file-title").nth(2).fill("Staff rota")
    page.locator("#id_title").fill("Till receipts, March")
    expect(page.locator("#file-list .file-title").nth(0)).to_have_value("Till receipts, March")
    expect(page.locator("#file-list .file-title").nth(2)).to_have_value("Staff rota")
    page.get_by_label("Date of the activity").fill("2026-03-14")  # the date picker takes ISO
    page.get_by_label("I confirm that the evidence provided is a result of my own work.").check()
    page.get_by_role("button", name="Upload").scroll_into_view_if_needed()
    assert not page.locator("#upload-progress").evaluate(IN_VIEW)  # the button is far below the progress bars
    page.get_by_role("button", name="Upload").click()

    status = page.locator("#upload-status")
    expect(status).to_contain_text("3 files uploaded")
    assert page.locator("#upload-progress").evaluate(IN_VIEW), "the progress area is not on the screen"
    rows = page.locator("#file-list li")
    for i, title in enumerate(["Till receipts, March", "Till receipts, March", "Staff rota"]):
        expect(rows.nth(i).get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
        expect(rows.nth(i).locator(".file-message")).to_have_text(f"Uploaded: open “{title}”")
    log = page.locator("#upload-announcements")
    expect(log).to_have_attribute("aria-live", "polite")
    for name in ("till-1.png", "till-2.png", "rota.png"):
        expect(log).to_contain_text(f"{name} uploaded")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    # A file the server refuses (a PNG name over text): its bar goes back to 0% and its row says why.
    page.get_by_label("Files", exact=True).set_input_files(
        [
            {
                "name": "not-a-photo.png",
                "mimeType": "image/png",
                "buffer": b"just some text, not an image\n" * 50,
            }
        ]
    )
    page.get_by_role("button", name="Upload").click()
    refused = page.locator("#file-list li").nth(3)
    expect(refused.locator(".file-message")).to_have_class(re.compile("text-danger"))
    expect(refused.locator(".file-message")).not_to_be_empty()
    expect(refused.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(refused.locator(".progress-bar")).to_have_text("0%")
    expect(log).to_contain_text("not-a-photo.png not uploaded")


def test_files_chosen_before_the_upload_script_ran_are_queued(page, live_server, demo, sign_in):
    """The page shows its file picker before upload.js has run: files chosen in that moment fired their change
    event unheard and never appeared in the list (CI caught the browser test racing it)."""
    sign_in(page, "candidate")
    page.route("**/js/upload.js", lambda route: route.abort())
    page.goto(f"{live_server.url}/evidence/upload/")
    page.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "till-1.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "rota.png", "mimeType": "image/png", "buffer": png_bytes()},
        ]
    )
    page.unroute("**/js/upload.js")
    page.add_script_tag(url=f"{live_server.url}/static/js/upload.js")
    expect(page.locator("#file-list li")).to_have_count(2)
    expect(page.locator("#file-list .file-name").nth(1)).to_have_text("rota.png")
