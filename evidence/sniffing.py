"""What is this file really? Names and contents are checked against one allowlist.

A file is accepted only when its extension is on the allowlist AND libmagic's reading of its content is
one of the types that extension may hold. Containers get a structural look (an OOXML/ODF document must
contain the parts its name promises), images must open in Pillow, and files browsers might display
inline must not carry an embedded web page (a PDF/HTML or JPEG/HTML polyglot). SVG is refused outright:
it is a script-capable document, not an image. Plain Python: no database.
"""

import html
import os
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import magic

DOCUMENT, IMAGE, AUDIO, VIDEO = "document", "image", "audio", "video"

OOXML_ZIP = {"application/zip", "application/octet-stream"}

# extension -> (category, content types libmagic may report for a genuine file of that kind)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": (DOCUMENT, frozenset({"application/pdf"})),
    "doc": (DOCUMENT, frozenset({"application/msword"})),
    "docx": (
        DOCUMENT,
        frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ),
    "odt": (DOCUMENT, frozenset({"application/vnd.oasis.opendocument.text"})),
    "rtf": (DOCUMENT, frozenset({"text/rtf"})),
    "txt": (DOCUMENT, frozenset({"text/plain"})),
    "csv": (DOCUMENT, frozenset({"text/csv", "text/plain"})),
    "xls": (DOCUMENT, frozenset({"application/vnd.ms-excel"})),
    "xlsx": (DOCUMENT, frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})),
    "ods": (DOCUMENT, frozenset({"application/vnd.oasis.opendocument.spreadsheet"})),
    "ppt": (DOCUMENT, frozenset({"application/vnd.ms-powerpoint"})),
    "pptx": (
        DOCUMENT,
        frozenset({"application/vnd.openxmlformats-officedocument.presentationml.presentation"}),
    ),
    "odp": (DOCUMENT, frozenset({"application/vnd.oasis.opendocument.presentation"})),
    "jpg": (IMAGE, frozenset({"image/jpeg"})),
    "jpeg": (IMAGE, frozenset({"image/jpeg"})),
    "png": (IMAGE, frozenset({"image/png"})),
    "webp": (IMAGE, frozenset({"image/webp"})),
    "heic": (IMAGE, frozenset({"image/heic", "image/heif"})),
    "heif": (IMAGE, frozenset({"image/heic", "image/heif"})),
    "mp3": (AUDIO, frozenset({"audio/mpeg"})),
    "m4a": (AUDIO, frozenset({"audio/x-m4a", "audio/mp4"})),
    "wav": (AUDIO, frozenset({"audio/x-wav", "audio/wav", "audio/vnd.wave"})),
    "ogg": (AUDIO, frozenset({"audio/ogg", "application/ogg", "audio/x-vorbis+ogg", "audio/opus"})),
    "mp4": (VIDEO, frozenset({"video/mp4"})),
    "mov": (VIDEO, frozenset({"video/quicktime"})),
    "webm": (VIDEO, frozenset({"video/webm", "audio/webm"})),
}

# OOXML / ODF: the part a genuine document of this extension must contain (checked when libmagic only
# sees "a zip"), or the exact mimetype member ODF puts first.
CONTAINER_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}

# Served inline by the download view (everything else is an attachment).
INLINE_SAFE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})
# Recordings the evidence page plays in an HTML5 <audio>/<video> element (served with range requests).
PLAYABLE = {
    "audio/mpeg": AUDIO,
    "audio/mp4": AUDIO,
    "audio/x-m4a": AUDIO,
    "audio/wav": AUDIO,
    "audio/x-wav": AUDIO,
    "audio/vnd.wave": AUDIO,
    "audio/ogg": AUDIO,
    "application/ogg": AUDIO,
    "audio/x-vorbis+ogg": AUDIO,
    "audio/opus": AUDIO,
    "audio/webm": AUDIO,
    "video/mp4": VIDEO,
    "video/webm": VIDEO,
    "video/quicktime": VIDEO,
}


def player_for(content_type: str) -> str | None:
    """ "audio" or "video" for a recording the page can play, else None."""
    return PLAYABLE.get((content_type or "").lower())


# Markup that turns a file into a web page if a browser ever sniffs it: refused inside binary formats.
_EMBEDDED_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed|meta\s+http-equiv)\b|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
_SCAN_CHUNK = 1024 * 1024
_SCAN_OVERLAP = 64  # longer than any markup pattern, so a match split across two chunks is still seen
_SNIFF_BYTES = 2 * 1024 * 1024
MAX_NAME_LENGTH = 200
MAX_IMAGE_PIXELS = 40_000_000  # the default of settings.EVIDENCE_MAX_IMAGE_PIXELS
MAX_UNCOMPRESSED_SIZE = 1024 * 1024 * 1024  # the default of settings.EVIDENCE_MAX_UNCOMPRESSED_SIZE
MAX_COMPRESSION_RATIO = 100  # text XML deflates 5-20 times; a bomb thousands of times
RATIO_FREE_BYTES = 10 * 1024 * 1024  # small documents may compress as well as they like
PDF_MAX_OBJECTS = 200_000

# PDF names that make a viewer run code or start a program (also spelled with #xx escapes, see _pdf_names).
_PDF_ACTIVE_NAMES = re.compile(rb"/(?:JavaScript|JS|Launch)(?![A-Za-z0-9])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

ALLOWED_SUMMARY = (
    "documents (PDF, Word, OpenDocument, RTF, text, CSV, Excel, PowerPoint), images (JPEG, PNG, WebP, HEIC), "
    "audio (MP3, M4A, WAV, OGG) and video (MP4, MOV, WebM)"
)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)

ERR_EMPTY = "“{name}” is empty (0 bytes). Choose the file again; if it still fails, open it on your device to check it saved."
ERR_TOO_BIG = "“{name}” is larger than the {limit} limit. Make it smaller (shorter clip, lower resolution, or compress it) or split it."
ERR_BAD_NAME = "“{name}”: the file name contains a folder path or control characters. Rename the file with plain letters and numbers, then upload it again."
ERR_NAME_TOO_LONG = (
    "“{name}”: the file name is too long (at most {max} characters). Rename the file, then upload it again."
)
ERR_NOT_ALLOWED = "“{name}”: files ending .{ext} are not accepted. You can upload " + ALLOWED_SUMMARY + "."
ERR_NO_EXTENSION = "“{name}” has no file type ending (such as .pdf or .jpg). Rename it with the right ending and upload it again."
ERR_DISGUISED = "“{name}” is not what its name says: it ends .{ext} but its content is {sniffed}. Upload the original file, not a renamed one."
ERR_EMBEDDED_MARKUP = "“{name}” contains hidden web page or script content and cannot be accepted. Save it again from the program that made it (e.g. print to PDF) and upload that copy."
ERR_UNREADABLE = "“{name}” is damaged or incomplete: it does not open as a .{ext} file. Check it opens on your device, then upload it again."
ERR_TOO_MANY_PIXELS = (
    "“{name}” is {width} × {height} pixels ({megapixels} megapixels): the largest image accepted is "
    "{limit} megapixels. Save a smaller copy (most phones and editors can resize) and upload that."
)
ERR_PDF_ACTIVE = (
    "“{name}” contains JavaScript or an action that starts a program, which a PDF of evidence does not "
    "need. Print it to a new PDF (or export it again without scripts or form actions) and upload that."
)
ERR_ZIP_BOMB = (
    "“{name}” unpacks to far more data than a real document holds, so it cannot be accepted. Open it in "
    "your office program, save a fresh copy and upload that."
)
ERR_SERVER_DISK = (
    "The upload could not be received: the server's disk is full or not accepting files just now. "
    "Nothing was saved. Try again later; tell your centre if it keeps happening."
)
ERR_TOO_MANY_FILES = "Too many files in one go: at most {max} at a time. Upload the rest in another batch."
ERR_INTERRUPTED = "The upload was interrupted before it finished, so nothing was saved. Check your connection and try again."


class FileRefused(ValueError):
    """A file the portfolio will not accept; str(exc) is the message to show the candidate."""


@dataclass(frozen=True)
class Limits:
    """The content limits a centre sets (settings.EVIDENCE_MAX_IMAGE_PIXELS, EVIDENCE_MAX_UNCOMPRESSED_SIZE)."""

    max_image_pixels: int = MAX_IMAGE_PIXELS
    max_uncompressed_size: int = MAX_UNCOMPRESSED_SIZE
    max_compression_ratio: int = MAX_COMPRESSION_RATIO


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str
    category: str


def display_name(name: str) -> str:
    """The name as it may be shown back: control and format characters replaced, length capped."""
    shown = "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size} GB"  # pragma: no cover


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1][1:].lower()


def check_name(name: str) -> str:
    """Refuse names with path parts, control or bidi/format characters; return the name unchanged."""
    if not name:
        raise FileRefused(ERR_BAD_NAME.format(name=""))
    decoded = html.unescape(name)  # "&#47;" is how some clients spell a slash
    bad = (
        "/" in decoded
        or "\\" in decoded
        or "/" in name
        or "\\" in name
        or ":" in name
        or name.startswith(".")
        or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)
    )
    if bad:
        raise FileRefused(ERR_BAD_NAME.format(name=display_name(name)))
    if len(name) > MAX_NAME_LENGTH:
        raise FileRefused(ERR_NAME_TOO_LONG.format(name=display_name(name), max=MAX_NAME_LENGTH))
    ext = extension_of(name)
    if not ext:
        raise FileRefused(ERR_NO_EXTENSION.format(name=display_name(name)))
    if ext not in ALLOWED:
        raise FileRefused(ERR_NOT_ALLOWED.format(name=display_name(name), ext=ext))
    return name


def check_size(name: str, size: int, max_size: int) -> None:
    if size == 0:
        raise FileRefused(ERR_EMPTY.format(name=display_name(name)))
    if size > max_size:
        raise FileRefused(ERR_TOO_BIG.format(name=display_name(name), limit=human_size(max_size)))


def _describe(content_type: str) -> str:
    known = {
        "text/html": "a web page (HTML)",
        "image/svg+xml": "an SVG drawing (which can carry scripts)",
        "application/x-executable": "a program",
        "application/x-pie-executable": "a program",
        "application/x-sharedlib": "a program library",
        "application/x-dosexec": "a Windows program",
        "application/vnd.microsoft.portable-executable": "a Windows program",
        "application/x-mach-binary": "a program",
        "text/x-shellscript": "a script",
        "application/javascript": "a script",
        "text/javascript": "a script",
        "application/octet-stream": "unrecognised binary data",
        "inode/x-empty": "empty",
    }
    return known.get(content_type, content_type)


def _read_head(fileobj, size: int) -> bytes:
    fileobj.seek(0)
    head = fileobj.read(size)
    fileobj.seek(0)
    return head


def sniff_content_type(fileobj, path: str | None = None) -> str:
    """libmagic's MIME type for the content (reads only the start of the file)."""
    if path:
        return magic.from_file(path, mime=True)
    return magic.from_buffer(_read_head(fileobj, _SNIFF_BYTES), mime=True)


def _container_ok(fileobj, ext: str) -> bool:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if ext in CONTAINER_PARTS:
                return "[Content_Types].xml" in names and CONTAINER_PARTS[ext] in names
            if ext in ODF_MIMETYPES:
                return archive.read("mimetype").decode("ascii", "replace").strip() == ODF_MIMETYPES[ext]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    finally:
        fileobj.seek(0)
    return False


BOMB, BROKEN = "bomb", "broken"


def _container_bomb(fileobj, limits: Limits) -> str | None:
    """BOMB when the document unpacks to more than the limit, or far more than its size; BROKEN when a
    member does not unpack to what its header says (a lying header, a damaged file); else None.

    The sizes a zip declares can lie, so the members are really decompressed, in pieces, stopping at the
    limit: memory stays at one piece, time at the limit's worth of inflating.
    """
    compressed = max(1, _size_of(fileobj))
    budget = min(
        limits.max_uncompressed_size, max(RATIO_FREE_BYTES, compressed * limits.max_compression_ratio)
    )
    total = 0
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > budget:
                return BOMB
            for member in members:
                with archive.open(member) as stream:
                    while piece := stream.read(_SCAN_CHUNK):
                        total += len(piece)
                        if total > budget:
                            return BOMB
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        return BROKEN  # e.g. a CRC mismatch: the header's size was not the member's real size
    finally:
        fileobj.seek(0)
    return None


def _size_of(fileobj) -> int:
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def _image_size(fileobj) -> tuple[int, int] | None:
    """Width and height from the header, without decoding a pixel (None when Pillow cannot tell)."""
    from PIL import Image

    try:
        fileobj.seek(0)
        with Image.open(fileobj) as image:
            return image.size
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken or hostile images
        return None
    finally:
        fileobj.seek(0)


def _image_ok(fileobj) -> bool:
    from PIL import Image

    try:
        fileobj.seek(0)
        with Image.open(fileobj) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken or hostile images
        return False
    finally:
        fileobj.seek(0)


def _chunks(fileobj):
    """The whole file in overlapping pieces (a pattern across a boundary is in one of them)."""
    fileobj.seek(0)
    tail = b""
    try:
        while piece := fileobj.read(_SCAN_CHUNK):
            yield tail + piece
            tail = piece[-_SCAN_OVERLAP:]
    finally:
        fileobj.seek(0)


def _has_markup(fileobj) -> bool:
    return any(_EMBEDDED_MARKUP.search(chunk) for chunk in _chunks(fileobj))


def _pdf_name(raw: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


_PDF_STREAM_START = re.compile(rb">>\s*stream\r?\n")
_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")


def _pdf_outside_streams(fileobj):
    """The PDF's bytes outside `stream ... endstream`, in pieces (stream data is binary or compressed: a name
    seen there is noise, and random bytes spell "/JS" often enough in a big file to refuse good PDFs).
    Pieces overlap a little, so nothing is split unseen between two of them."""
    fileobj.seek(0)
    buffer, in_stream = b"", False
    try:
        while True:
            piece = fileobj.read(_SCAN_CHUNK)
            buffer += piece
            while True:
                if in_stream:
                    end = buffer.find(b"endstream")
                    if end < 0:
                        buffer = buffer[-_SCAN_OVERLAP:]
                        break
                    buffer, in_stream = buffer[end + len(b"endstream") :], False
                    continue
                start = _PDF_STREAM_START.search(buffer)
                if start is None:
                    yield buffer
                    buffer = buffer[-_SCAN_OVERLAP:] if piece else b""
                    break
                yield buffer[: start.start() + 2]
                buffer, in_stream = buffer[start.end() :], True
            if not piece:
                return
    finally:
        fileobj.seek(0)


def _pdf_raw_active(fileobj) -> bool:
    """A /JavaScript, /JS or /Launch name in the PDF's syntax (outside stream data), #xx escapes decoded."""
    for part in _pdf_outside_streams(fileobj):
        for found in _PDF_NAME.finditer(part):
            if _PDF_ACTIVE_NAMES.fullmatch(_pdf_name(found.group(0))):
                return True
    return False


def _pdf_parsed_active(fileobj) -> bool:
    """Every object pypdf can resolve (compressed object streams too) checked for JavaScript or Launch."""
    import logging

    import pypdf
    from pypdf.generic import DictionaryObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    fileobj.seek(0)
    try:
        reader = pypdf.PdfReader(fileobj, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        numbers = set()
        for generation in reader.xref.values():
            numbers.update(generation)
        numbers.update(reader.xref_objStm)
        for count, number in enumerate(sorted(numbers)):
            if count > PDF_MAX_OBJECTS:
                return True  # nobody's evidence has this many objects; do not spend the time
            try:
                obj = reader.get_object(number)
            except Exception:  # noqa: BLE001, S112 - a broken object is skipped, not a verdict
                continue
            if isinstance(obj, DictionaryObject):
                if "/JS" in obj or "/JavaScript" in obj or obj.get("/S") in ("/JavaScript", "/Launch"):
                    return True
    except Exception:  # noqa: BLE001 - pypdf cannot read it: the raw scan has already looked
        return False
    finally:
        fileobj.seek(0)
    return False


def pdf_has_active_content(fileobj) -> bool:
    return _pdf_raw_active(fileobj) or _pdf_parsed_active(fileobj)


def inspect(fileobj, name: str, path: str | None = None, limits: Limits | None = None) -> Sniffed:
    """Check a complete, seekable file against the allowlist; raise FileRefused with the reason."""
    limits = limits or Limits()
    name = check_name(name)
    ext = extension_of(name)
    category, accepted = ALLOWED[ext]
    shown = display_name(name)
    content_type = sniff_content_type(fileobj, path)
    if content_type == "inode/x-empty":
        raise FileRefused(ERR_EMPTY.format(name=shown))
    if content_type not in accepted:
        zip_like = ext in CONTAINER_PARTS or ext in ODF_MIMETYPES
        if zip_like and content_type in OOXML_ZIP and _container_ok(fileobj, ext):
            content_type = next(iter(accepted))
        else:
            raise FileRefused(ERR_DISGUISED.format(name=shown, ext=ext, sniffed=_describe(content_type)))
    elif ext in CONTAINER_PARTS or ext in ODF_MIMETYPES:
        if not _container_ok(fileobj, ext):
            raise FileRefused(ERR_UNREADABLE.format(name=shown, ext=ext))
    if ext in CONTAINER_PARTS or ext in ODF_MIMETYPES:
        verdict = _container_bomb(fileobj, limits)
        if verdict == BOMB:
            raise FileRefused(ERR_ZIP_BOMB.format(name=shown))
        if verdict == BROKEN:
            raise FileRefused(ERR_UNREADABLE.format(name=shown, ext=ext))
    if category == IMAGE or content_type in INLINE_SAFE_TYPES:
        # Types a browser may display inline have no business carrying a web page (a polyglot), anywhere
        # in the file; the others are only ever served as attachments.
        if _has_markup(fileobj):
            raise FileRefused(ERR_EMBEDDED_MARKUP.format(name=shown))
    if content_type in {"image/jpeg", "image/png", "image/webp"}:
        size = _image_size(fileobj)
        if size and size[0] * size[1] > limits.max_image_pixels:
            raise FileRefused(
                ERR_TOO_MANY_PIXELS.format(
                    name=shown,
                    width=size[0],
                    height=size[1],
                    megapixels=f"{size[0] * size[1] / 1e6:.1f}",
                    limit=f"{limits.max_image_pixels / 1e6:g}",
                )
            )
        if not _image_ok(fileobj):
            raise FileRefused(ERR_UNREADABLE.format(name=shown, ext=ext))
    if content_type == "application/pdf" and pdf_has_active_content(fileobj):
        raise FileRefused(ERR_PDF_ACTIVE.format(name=shown))
    return Sniffed(content_type=content_type, extension=ext, category=category)
