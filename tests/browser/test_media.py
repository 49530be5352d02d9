"""A recording plays in the evidence page and seeks (issue 17 item 5): the <audio> element loads the file through
the access-checked file view, which answers its range requests with 206 Partial Content."""

import io
import math
import struct
import wave

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

SECONDS = 4


def wav_bytes(seconds=SECONDS, rate=8000) -> bytes:
    """A real PCM WAV file: a 440 Hz tone."""
    frames = b"".join(
        struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def test_a_recording_plays_in_the_page_and_seeks(page, live_server, demo, sign_in):
    from accounts.models import Centre, User
    from evidence import services
    from evidence.services import EvidenceDetails

    candidate = User.objects.get(username="candidate")
    item, _ = services.evidence_upload(
        candidate=candidate,
        centre=Centre.objects.get(number="DEMO01"),
        declared=True,
        upload=SimpleUploadedFile("greeting-call.wav", wav_bytes()),
        details=EvidenceDetails(title="Greeting call recording"),
    )
    partial = []
    page.on(
        "response",
        lambda r: (
            partial.append(r.headers.get("content-range"))
            if r.status == 206 and f"/evidence/{item.pk}/file/" in r.url
            else None
        ),
    )

    sign_in(page, "candidate")
    page.goto(f"{live_server.url}/evidence/{item.pk}/")
    player = page.locator("audio#evidence-player")
    expect(player).to_be_visible()
    expect(player).to_have_attribute("controls", "")
    # (a promise in evaluate, not wait_for_function: the page's CSP forbids evaluating strings)
    player.evaluate(
        "a => new Promise(r => a.readyState >= 1 ? r() : a.addEventListener('loadedmetadata', r))"
    )
    duration = player.evaluate("a => a.duration")
    assert abs(duration - SECONDS) < 0.1

    # It plays: the position moves on from 0 (muted, so the headless browser's autoplay policy allows it).
    player.evaluate("a => { a.muted = true; return a.play(); }")
    player.evaluate(
        "a => new Promise(r => { const t = () => a.currentTime > 0.2 ? r() : setTimeout(t, 50); t(); })"
    )
    player.evaluate("a => a.pause()")

    # It seeks: the position set is the position taken, and the whole recording is seekable.
    player.evaluate("""a => new Promise(done => { a.addEventListener('seeked', done, {once: true});
                                                a.currentTime = 3.0; })""")
    assert abs(player.evaluate("a => a.currentTime") - 3.0) < 0.05
    assert player.evaluate("a => a.seekable.length === 1 && a.seekable.end(0) >= a.duration - 0.05")
    assert partial and all(cr and cr.startswith("bytes ") for cr in partial)
