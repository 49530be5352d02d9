"""Virus scanning for real: a clamd of our own, with a signature database this test writes (an MD5 hash
signature for the EICAR test file), reached through clamav-client; and the "not scanned" record when off."""

import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from evidence import scanning
from evidence.models import EvidenceItem
from tests.evidence.conftest import pdf_bytes, post_files, stored_files

URL = "/evidence/upload/"
# The EICAR anti-virus test file: harmless, and every scanner's agreed "this is a virus" sample.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


@pytest.fixture(scope="module")
def clamd():
    """clamd in a temporary folder (a short path: unix sockets allow ~100 characters), stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))
    (folder / "db").mkdir()
    (folder / "tmp").mkdir()
    (folder / "db" / "portfolio-test.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Portfolio-Test-EICAR\n"
    )  # noqa: S324 - ClamAV's format
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {folder / 'db'}\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\nTemporaryDirectory {folder / 'tmp'}\nStreamMaxLength 2M\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists():
            assert process.poll() is None, (folder / "clamd.log").read_text()
            assert time.monotonic() < deadline, "clamd did not start"
            time.sleep(0.1)
        yield str(socket_path)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scanning_on(settings, clamd):
    settings.CLAMAV_ENABLED = True
    settings.CLAMAV_SOCKET = clamd
    settings.CLAMAV_STREAM_MAX_LENGTH = 2 * 1024 * 1024
    return clamd


def test_with_scanning_on_the_eicar_test_virus_is_refused_with_a_clear_message(
    client, people, settings, scanning_on
):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "notes.txt", EICAR)])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        scanning.ERR_VIRUS.format(name="notes.txt", signature="Portfolio-Test-EICAR.UNOFFICIAL")
    ]
    assert not EvidenceItem.objects.exists() and stored_files(settings) == []


def test_with_scanning_on_a_clean_file_is_stored_and_recorded_as_scanned(client, people, scanning_on):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "report.pdf", pdf_bytes("Clean report"))])
    assert response.status_code == 200, response.json()
    assert EvidenceItem.objects.get().virus_scan == EvidenceItem.VirusScan.CLEAN


def test_with_scanning_on_but_clamd_unreachable_the_file_is_refused_not_stored_unscanned(
    client, people, settings, tmp_path
):
    settings.CLAMAV_ENABLED = True
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "report.pdf", pdf_bytes("Report"))])
    assert response.status_code == 400
    assert response.json()["errors"] == [scanning.ERR_SCANNER_DOWN.format(name="report.pdf")]
    assert not EvidenceItem.objects.exists() and stored_files(settings) == []


def test_a_file_over_the_scanners_stream_limit_is_stored_and_recorded_as_too_large(
    client, people, scanning_on
):
    client.force_login(people.candidate)
    big = pdf_bytes("Long report") + b"%" * (3 * 1024 * 1024)
    response = post_files(client, URL, [("files", "long.pdf", big)])
    assert response.status_code == 200, response.json()
    assert EvidenceItem.objects.get().virus_scan == EvidenceItem.VirusScan.TOO_LARGE


def test_with_scanning_off_the_item_records_not_scanned_and_staff_see_it(client, people, settings):
    settings.CLAMAV_ENABLED = False
    client.force_login(people.candidate)
    assert post_files(client, URL, [("files", "report.pdf", pdf_bytes("Report"))]).status_code == 200
    item = EvidenceItem.objects.get()
    assert item.virus_scan == EvidenceItem.VirusScan.NOT_SCANNED
    client.force_login(people.assessor)
    page = client.get(f"/evidence/{item.pk}/").content.decode()
    assert 'data-virus-scan="not_scanned"' in page
    assert "Not scanned for viruses (virus scanning is off)" in page
