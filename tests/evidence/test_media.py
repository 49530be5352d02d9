"""Media in the page (issue 17 item 5): recordings play in an <audio>/<video> element and seek, because the
access-checked file view answers HTTP Range requests; images show at screen size."""

import io
import math
import struct
import wave

import pytest
from django.db.models import Q
from django.urls import reverse

from evidence import ranges, visibility
from tests.evidence.conftest import make_file_item, png_bytes


def wav_bytes(seconds=1.0, rate=8000) -> bytes:
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


# --- the header, as plain Python ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=-5000", (0, 999)),
        (" bytes=5-5 ", (5, 5)),
    ],
)
def test_a_single_range_is_read(header, expected):
    r = ranges.requested_range(header, 1000)
    assert (r.start, r.end) == expected and r.content_range(1000) == f"bytes {expected[0]}-{expected[1]}/1000"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "bytes=5-2",
        "items=0-5",
        "bytes=0-1,2-3",
        "bytes=0-1," * 5000,
        "bytes=abc-def",
        "bytes=" + "9" * 40 + "-",
        "bytes=0x10-",
        "bytes=-1-2",
        "bytes=0-1\r\nX-Evil: 1",
    ],
)
def test_what_does_not_parse_as_one_range_is_ignored(header):
    assert ranges.requested_range(header, 1000) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=1000-", 1000),
        ("bytes=5000-6000", 1000),
        ("bytes=-0", 1000),
        ("bytes=0-", 0),
        ("bytes=" + "9" * 19 + "-", 1000),
    ],
)
def test_a_range_outside_the_file_is_unsatisfiable(header, size):
    with pytest.raises(ranges.Unsatisfiable):
        ranges.requested_range(header, size)


# --- through the file view ---------------------------------------------------------------------------------
@pytest.fixture
def recording(people):
    return make_file_item(
        people.candidate, people.centre, name="call.wav", data=wav_bytes(), title="Phone call"
    )


def _get(client, item, range_header=None):
    extra = {"HTTP_RANGE": range_header} if range_header is not None else {}
    return client.get(reverse("evidence:download", args=[item.pk]), **extra)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_file_view_answers_range_requests(client, people, recording):
    data = recording.file.open("rb").read()
    client.force_login(people.assessor)
    whole = _get(client, recording)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and _body(whole) == data
    part = _get(client, recording, "bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}" and part["Content-Length"] == "100"
    assert part["Accept-Ranges"] == "bytes" and part["Content-Type"] == "audio/x-wav"
    assert part["X-Content-Type-Options"] == "nosniff" and "sandbox" in part["Content-Security-Policy"]
    assert _body(part) == data[100:200]
    tail = _get(client, recording, "bytes=-10")
    assert tail.status_code == 206 and _body(tail) == data[-10:]
    rest = _get(client, recording, f"bytes={len(data) - 5}-")
    assert (
        _body(rest) == data[-5:]
        and rest["Content-Range"] == f"bytes {len(data) - 5}-{len(data) - 1}/{len(data)}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-9", "bytes=9-3", "bytes=junk", "bytes=" + "1" * 60 + "-", "bytes=0-1," * 2000]
)
def test_a_malformed_or_hostile_range_gets_the_whole_file(client, people, recording, header):
    client.force_login(people.candidate)
    response = _get(client, recording, header)
    assert response.status_code == 200 and _body(response) == recording.file.open("rb").read()


@pytest.mark.django_db
def test_a_range_beyond_the_file_is_416(client, people, recording):
    client.force_login(people.candidate)
    response = _get(client, recording, f"bytes={recording.size}-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{recording.size}"
    assert response.content == b""


@pytest.mark.django_db
def test_a_range_request_goes_through_the_same_access_check(client, people, recording):
    for who in (people.stranger_assessor, people.peer, people.other_assessor, people.ev):
        client.force_login(who)
        assert _get(client, recording, "bytes=0-10").status_code == 404


@pytest.mark.django_db
def test_the_detail_page_plays_a_recording_for_candidate_assessor_and_external_verifier(
    client, people, recording, monkeypatch
):
    opened = []
    monkeypatch.setitem(
        visibility._readers,
        "test",
        visibility.EvidenceReader(
            "test",
            lambda user: Q(candidate_id=people.candidate.pk) if user.pk == people.ev.pk else None,
            lambda **seen: opened.append(seen["view_name"]) if seen["user"].pk == people.ev.pk else None,
        ),
    )
    src = reverse("evidence:download", args=[recording.pk])
    for who in (people.candidate, people.assessor, people.ev):
        client.force_login(who)
        page = client.get(reverse("evidence:detail", args=[recording.pk])).content.decode()
        assert (
            f'<audio controls preload="metadata" class="evidence-player" id="evidence-player" src="{src}"'
            in page
        )
    # The EV's openings are logged once per play, not once per seek.
    client.force_login(people.ev)
    _get(client, recording, "bytes=0-")
    _get(client, recording, "bytes=5000-")
    assert opened == ["evidence:detail", "evidence:download"]


@pytest.mark.django_db
def test_an_image_is_shown_at_screen_size(client, people):
    photo = make_file_item(
        people.candidate, people.centre, name="desk.png", data=png_bytes(size=(800, 600)), title="Desk"
    )
    client.force_login(people.assessor)
    page = client.get(reverse("evidence:detail", args=[photo.pk])).content.decode()
    src = reverse("evidence:download", args=[photo.pk])
    assert f'<img src="{src}" alt="Desk (desk.png)" class="evidence-image" id="evidence-image">' in page
