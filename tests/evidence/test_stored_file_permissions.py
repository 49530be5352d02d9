"""Stored evidence is readable by the application's own user only: files 0600, folders 0700."""

import stat
from pathlib import Path

from tests.evidence.conftest import pdf_bytes, png_bytes, post_files


def test_a_real_upload_is_stored_0600_in_folders_0700(client, people, settings):
    client.force_login(people.candidate)
    response = post_files(
        client,
        "/evidence/upload/",
        [("files", "photo.png", png_bytes()), ("files", "report.pdf", pdf_bytes("Report"))],
    )
    assert response.status_code == 200, response.json()
    root = Path(settings.MEDIA_ROOT)
    files = [p for p in root.rglob("*") if p.is_file()]
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    assert len(files) >= 2
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {"0o600"}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in folders} == {"0o700"}
