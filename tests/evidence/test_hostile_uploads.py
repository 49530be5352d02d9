"""Hostile uploads reported on main: a pixel bomb, a PDF that runs JavaScript, an Office zip bomb, markup
hidden in the middle of a JPEG. Each is refused at upload with its message; nothing is stored."""

import io
import zipfile

import pytest
from PIL import Image

from evidence import sniffing
from evidence.models import EvidenceItem
from tests.evidence.conftest import jpeg_bytes, pdf_bytes, post_files, stored_files

URL = "/evidence/upload/"


def refused(client, people, settings, name, data):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", name, data)])
    assert response.status_code == 400, response.content
    assert not EvidenceItem.objects.exists()
    assert stored_files(settings) == []
    return response.json()["errors"]


def pixel_bomb() -> bytes:
    """12600 x 12600 pixels (158.8 megapixels) in a few KB: a bilevel PNG of one colour."""
    out = io.BytesIO()
    Image.new("1", (12600, 12600)).save(out, "PNG")
    return out.getvalue()


def test_an_image_over_the_pixel_limit_is_refused_with_its_size_in_the_message(client, people, settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 40_000_000
    errors = refused(client, people, settings, "huge.png", pixel_bomb())
    assert errors == [
        sniffing.ERR_TOO_MANY_PIXELS.format(
            name="huge.png", width=12600, height=12600, megapixels="158.8", limit="40"
        )
    ]


def test_the_pixel_limit_is_a_setting(client, people, settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 200
    errors = refused(client, people, settings, "photo.jpg", jpeg_bytes(size=(20, 20)))
    assert "400 pixels" not in errors[0] and "20 × 20" in errors[0]
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 400
    assert post_files(client, URL, [("files", "photo.jpg", jpeg_bytes(size=(20, 20)))]).status_code == 200


def _pdf_with(catalog_extra: bytes, extra_objects: bytes = b"") -> bytes:
    """A one-page PDF whose catalogue carries `catalog_extra` (hand-written, uncompressed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    out.write(extra_objects)
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@pytest.mark.parametrize(
    "catalog_extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>",
        b"/OpenAction << /S /Launch /F (calc.exe) >>",
        b"/Names << /JavaScript << /Names [(x) << /S /JavaScript /JS (app.alert\\(1\\)) >>] >> >>",
        b"/AA << /WC << /S /JavaScript /JS (this.print\\(\\)) >> >>",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",  # names spelled with #xx escapes
    ],
    ids=["openaction-js", "launch", "names-javascript", "additional-action", "escaped-names"],
)
def test_a_pdf_with_javascript_or_a_launch_action_is_refused(client, people, settings, catalog_extra):
    errors = refused(client, people, settings, "report.pdf", _pdf_with(catalog_extra))
    assert errors == [sniffing.ERR_PDF_ACTIVE.format(name="report.pdf")]


def _pdf_with_action_in_an_object_stream() -> bytes:
    """The JavaScript action lives in a deflated object stream (PDF 1.5): invisible to a byte scan."""
    import zlib

    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}

    def obj(number, body):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    header = b"4 0 "
    packed = zlib.compress(header + b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    obj(
        5,
        f"<< /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode /Length {len(packed)} >>\nstream\n".encode()
        + packed
        + b"\nendstream",
    )
    offsets[6] = out.tell()
    rows = [b"\x00" + b"\x00" * 4 + b"\xff\xff"]
    for number in range(1, 7):
        if number == 4:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    out.write(
        f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length {len(table)} >>\nstream\n".encode()
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(f"startxref\n{offsets[6]}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_pdf_with_javascript_inside_a_compressed_object_stream_is_refused(client, people, settings):
    import pypdf

    data = _pdf_with_action_in_an_object_stream()
    assert b"JavaScript" not in data
    action = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]["/OpenAction"].get_object()
    assert action["/S"] == "/JavaScript"  # a reader finds it
    errors = refused(client, people, settings, "packed.pdf", data)
    assert errors == [sniffing.ERR_PDF_ACTIVE.format(name="packed.pdf")]


def test_an_ordinary_pdf_is_still_accepted(client, people):
    client.force_login(people.candidate)
    response = post_files(client, URL, [("files", "plain.pdf", pdf_bytes("Minutes of the team meeting"))])
    assert response.status_code == 200, response.json()


def _docx(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b'<?xml version="1.0"?><w:document/>')
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_office_zip_bomb_is_refused(client, people, settings):
    # 1 GiB of zeros deflates to about 1 MB: written in pieces so the test never holds the gigabyte.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b'<?xml version="1.0"?><w:document/>')
        with archive.open("word/media/image1.bin", "w", force_zip64=True) as member:
            block = b"\0" * (16 * 1024 * 1024)
            for _ in range(64):
                member.write(block)
    bomb = out.getvalue()
    assert len(bomb) < 2 * 1024 * 1024
    errors = refused(client, people, settings, "bomb.docx", bomb)
    assert errors == [sniffing.ERR_ZIP_BOMB.format(name="bomb.docx")]


def test_an_office_file_whose_headers_understate_its_size_is_refused(client, people, settings):
    settings.EVIDENCE_MAX_UNCOMPRESSED_SIZE = 1024 * 1024
    data = bytearray(_docx({"word/media/big.bin": b"\0" * (4 * 1024 * 1024)}))
    # Rewrite the declared uncompressed size of the big member (local and central headers) to 1 KB.
    real = (4 * 1024 * 1024).to_bytes(4, "little")
    assert data.count(real) == 2
    data = bytes(data).replace(real, (1024).to_bytes(4, "little"))
    errors = refused(client, people, settings, "liar.docx", data)
    assert errors[0] in {
        sniffing.ERR_ZIP_BOMB.format(name="liar.docx"),
        sniffing.ERR_UNREADABLE.format(name="liar.docx", ext="docx"),
    }


def test_an_ordinary_office_document_with_a_photo_is_still_accepted(client, people):
    client.force_login(people.candidate)
    photo = jpeg_bytes(size=(300, 300))
    response = post_files(client, URL, [("files", "report.docx", _docx({"word/media/image1.jpeg": photo}))])
    assert response.status_code == 200, response.json()


def _jpeg_with_markup_in_the_middle() -> bytes:
    """A valid JPEG with an HTML page in a comment segment far from both ends (> 256 KB each way)."""
    import os

    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    jpeg = out.getvalue()
    padding = b"".join(
        b"\xff\xef" + (65535).to_bytes(2, "big") + os.urandom(65533).replace(b"<", b"(") for _ in range(5)
    )
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    comment = b"\xff\xfe" + (len(html) + 2).to_bytes(2, "big") + html
    data = jpeg[:2] + padding + comment + jpeg[2:]
    assert data.index(html) > 256 * 1024 and len(data) - data.index(html) > 256 * 1024
    return data


def test_markup_hidden_in_the_middle_of_a_jpeg_is_refused(client, people, settings):
    data = _jpeg_with_markup_in_the_middle()
    Image.open(io.BytesIO(data)).verify()  # still a JPEG a viewer opens
    errors = refused(client, people, settings, "photo.jpg", data)
    assert errors == [sniffing.ERR_EMBEDDED_MARKUP.format(name="photo.jpg")]


def test_names_inside_stream_data_are_not_mistaken_for_javascript(client, people):
    """Compressed image data spells "/JS " by chance in big files: only the PDF's syntax counts."""
    noise = b"x\x9c" + b"\x00/JS (" * 4 + b"\x00/Launch " + b"\x13\x37" * 100
    stream = f"4 0 obj\n<< /Length {len(noise)} >>\nstream\n".encode() + noise + b"\nendstream\nendobj\n"
    data = _pdf_with(b"", extra_objects=stream)
    assert sniffing._pdf_raw_active(io.BytesIO(data)) is False
    client.force_login(people.candidate)
    assert post_files(client, URL, [("files", "scan.pdf", data)]).status_code == 200
