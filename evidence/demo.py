"""Demo portfolio: a few evidence items of each type for the demo candidate, with small generated files.

Goes through the real services (sniffing, storage, audit), so the demo shows what production does.
Idempotent: each item has a fixed submission token, and a second run finds it.
"""

import datetime
import io
import math
import struct
import wave

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Centre, User

from . import services
from .models import EvidenceItem, Witness
from .services import EvidenceDetails

Kind = EvidenceItem.Kind
Context = EvidenceItem.Context


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica, written by hand (no PDF library needed)."""
    text = (
        "BT /F1 12 Tf 72 760 Td 16 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _png(colour: str, caption: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 310, 190), outline="white", width=3)
    draw.text((24, 90), caption, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _jpeg(colour: str, caption: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), colour)
    ImageDraw.Draw(image).text((24, 110), caption, fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _wav(seconds: float = 1.0, tone: float = 440.0) -> bytes:
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * tone * n / rate)))
        for n in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return out.getvalue()


def _mp4() -> bytes:
    # An ISO media header: enough to be recognised as MP4 (a placeholder clip, not playable footage).
    return (
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
        + b"\x00\x00\x00\x08free"
        + b"\x00\x00\x00\x10mdat"
        + b"\x00" * 8
    )


def _items():
    day = datetime.date(2026, 3, 2)
    return [
        (
            "work-1",
            Kind.WORK_PRODUCT,
            "Customer complaint log (March)",
            "complaint-log.pdf",
            _pdf(["Customer complaint log - March", "12 complaints logged, 11 resolved within 48 hours."]),
            day,
        ),
        (
            "work-2",
            Kind.WORK_PRODUCT,
            "Email reply to a customer enquiry",
            "enquiry-reply.pdf",
            _pdf(["Dear Mrs Patel,", "Thank you for your enquiry about delivery times..."]),
            day,
        ),
        (
            "photo-1",
            Kind.PHOTO,
            "Reception desk set up for opening",
            "reception-desk.jpg",
            _jpeg("#cfe2ff", "Reception desk, 8:45"),
            day + datetime.timedelta(days=1),
        ),
        (
            "photo-2",
            Kind.PHOTO,
            "Information display I updated",
            "info-display.png",
            _png("#198754", "New opening hours display"),
            day + datetime.timedelta(days=2),
        ),
        (
            "video-1",
            Kind.VIDEO,
            "Greeting customers at the entrance (clip)",
            "greeting.mp4",
            _mp4(),
            day + datetime.timedelta(days=3),
        ),
        (
            "audio-1",
            Kind.AUDIO,
            "Telephone call greeting (recorded with consent)",
            "call-greeting.wav",
            _wav(1.0, 440.0),
            day + datetime.timedelta(days=4),
        ),
        (
            "obs-1",
            Kind.OBSERVATION_RECORD,
            "Observation notes from my supervisor",
            "observation.pdf",
            _pdf(["Observation record", "Candidate dealt with a busy period calmly and politely."]),
            day + datetime.timedelta(days=5),
        ),
        (
            "pd-1",
            Kind.PROFESSIONAL_DISCUSSION,
            "Professional discussion about handling complaints",
            "discussion.wav",
            _wav(1.5, 330.0),
            day + datetime.timedelta(days=6),
        ),
        (
            "other-1",
            Kind.OTHER,
            "Team rota showing my customer service shifts",
            "rota.txt",
            b"Week 10 rota\nMon 9-5 front desk\nTue 9-5 telephones\n",
            day + datetime.timedelta(days=7),
        ),
    ]


STATEMENTS = [
    (
        "statement-1",
        "Reflective account: a difficult telephone call",
        "A customer rang to complain that her order was late. I listened without interrupting, apologised, "
        "checked the order on the system and explained the delay. I offered a delivery slot the next morning "
        "and rang her back to confirm. Next time I would check the courier's tracking before calling back.",
    ),
    (
        "statement-2",
        "Candidate statement: keeping my area tidy and welcoming",
        "Every morning I check the reception area, restock leaflets and make sure the signs are correct.",
    ),
]


def run(stdout=None):
    candidate = User.objects.filter(username="candidate").first()
    centre = Centre.objects.filter(number="DEMO01").first()
    if candidate is None or centre is None:
        return {}
    created = 0
    for key, kind, title, filename, data, date in _items():
        upload = SimpleUploadedFile(filename, data)
        _, new = services.evidence_upload(
            candidate=candidate,
            centre=centre,
            upload=upload,
            declared=True,
            token=f"demo-{key}",
            details=EvidenceDetails(
                title=title,
                kind=kind,
                activity_date=date,
                context=Context.REAL_WORK,
                description="Demo evidence (generated).",
            ),
        )
        created += new
    for key, title, text in STATEMENTS:
        _, new = services.evidence_statement_create(
            candidate=candidate,
            centre=centre,
            declared=True,
            token=f"demo-{key}",
            details=EvidenceDetails(
                title=title,
                statement_text=text,
                kind=Kind.STATEMENT,
                activity_date=datetime.date(2026, 3, 12),
                context=Context.REAL_WORK,
            ),
        )
        created += new
    witness = Witness.objects.filter(candidate=candidate, name="Sam Supervisor").first()
    if witness is None:
        witness = services.witness_create(
            candidate=candidate,
            centre=centre,
            name="Sam Supervisor",
            contact="Riverside Stores, 2 Market Street, Leeds LS1 2AB · 0113 496 0000",
            suggested_status_category=Witness.StatusCategory.EXPERT_FAMILIAR,
            relationship="Line manager",
        )
    testimonies = [
        (
            "witness-1",
            "I watched Cara deal with a queue of customers during the Saturday rush. She greeted "
            "each one, kept them informed of waiting times and stayed polite throughout.",
            None,
        ),
        (
            "witness-2",
            "",
            SimpleUploadedFile(
                "signed-testimony.pdf",
                _pdf(
                    [
                        "Witness testimony - signed",
                        "I confirm Cara handled a customer complaint correctly.",
                        "Signed: Sam Supervisor",
                    ]
                ),
            ),
        ),
    ]
    for key, text, upload in testimonies:
        _, new = services.witness_testimony_submit(
            candidate=candidate,
            centre=centre,
            witness=witness,
            criteria=[],
            declared=True,
            upload=upload,
            token=f"demo-{key}",
            details=EvidenceDetails(
                statement_text=text, activity_date=datetime.date(2026, 3, 14), context=Context.REAL_WORK
            ),
        )
        created += new
    if stdout is not None:
        stdout.write(f"Evidence: {created} demo item(s) created for {candidate.username}.")
    return {}
