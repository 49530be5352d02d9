"""Every file in the hostile corpus goes through the real upload path and is refused with its message,
leaving no evidence row, no stored file and no temporary file behind."""

import re
from pathlib import Path

import pytest

from evidence.models import EvidenceItem
from tests.evidence.conftest import post_files, stored_files
from tests.evidence.hostile_manifest import CASES

HOSTILE = Path(__file__).parent / "hostile"
UPLOAD_URL = "/evidence/upload/"


def template_regex(template: str) -> re.Pattern:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


def test_every_file_in_the_corpus_has_an_expectation():
    on_disk = {p.name for p in HOSTILE.iterdir() if p.is_file() and p.suffix != ".py"}
    assert on_disk == {case[0] for case in CASES}


@pytest.mark.parametrize(
    ("filename", "sent_as", "expected"), CASES, ids=[f"{c[0]}->{c[1][:30]!r}" for c in CASES]
)
def test_corpus_file_through_the_upload_path(
    client, people, settings, _isolated_upload_temp, filename, sent_as, expected
):
    client.force_login(people.candidate)
    data = (HOSTILE / filename).read_bytes()
    response = post_files(client, UPLOAD_URL, [("files", sent_as, data)], {"token": "hostile-token-1"})
    answer = response.json()
    if expected is None:
        assert response.status_code == 200, answer
        item = EvidenceItem.objects.get()
        assert item.original_name == sent_as and item.content_type == "text/plain"
        assert len(stored_files(settings)) == 1
        return
    assert response.status_code == 400
    assert not answer["ok"] and len(answer["errors"]) == 1
    assert template_regex(expected).fullmatch(answer["errors"][0]), answer["errors"][0]
    assert not EvidenceItem.objects.exists()
    assert stored_files(settings) == []
    assert list(_isolated_upload_temp.iterdir()) == []


def test_refusal_messages_never_echo_control_characters(client, people):
    client.force_login(people.candidate)
    response = post_files(client, UPLOAD_URL, [("files", "bell\x07\u202eexe.txt", b"words\n")])
    message = response.json()["errors"][0]
    assert "\x07" not in message and "\u202e" not in message
    assert "Rename the file" in message
