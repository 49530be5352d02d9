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
from dataclasses import dataclass

import magic

DOCUMENT, IMAGE, AUDIO, VIDEO = "document", "image", "audio", "video"

OOXML_ZIP = {"application/zip", "application/octet-stream"}

# extension -> (category, content types libmagic may report for a genuine file of that kind)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": (DOCUMENT, frozenset({"application/pdf"})),
    "doc": (DOCUMENT, frozenset({"application/msword"})),
    "docx": (DOCUMENT, frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"})),
    "odt": (DOCUMENT, frozenset({"application/vnd.oasis.opendocument.text"})),
    "rtf": (DOCUMENT, frozenset({"text/rtf"})),
    "txt": (DOCUMENT, frozenset({"text/plain"})),
    "csv": (DOCUMENT, frozenset({"text/csv", "text/plain"})),
    "xls": (DOCUMENT, frozenset({"application/vnd.ms-excel"})),
    "xlsx": (DOCUMENT, frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})),
    "ods": (DOCUMENT, frozenset({"application/vnd.oasis.opendocument.spreadsheet"})),
    "ppt": (DOCUMENT, frozenset({"application/vnd.ms-powerpoint"})),
    "pptx": (DOCUMENT, frozenset({"application/vnd.openxmlformats-officedocument.presentationml.presentation"})),
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

# Markup that turns a file into a web page if a browser ever sniffs it: refused inside binary formats.
_EMBEDDED_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed|meta\s+http-equiv)\b|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
_SCAN_BYTES = 256 * 1024
_SNIFF_BYTES = 2 * 1024 * 1024
MAX_NAME_LENGTH = 200
MAX_IMAGE_PIXELS = 80_000_000

ALLOWED_SUMMARY = (
    "documents (PDF, Word, OpenDocument, RTF, text, CSV, Excel, PowerPoint), images (JPEG, PNG, WebP, HEIC), "
    "audio (MP3, M4A, WAV, OGG) and video (MP4, MOV, WebM)"
)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)

ERR_EMPTY = "“{name}” is empty (0 bytes). Choose the file again; if it still fails, open it on your device to check it saved."
ERR_TOO_BIG = "“{name}” is larger than the {limit} limit. Make it smaller (shorter clip, lower resolution, or compress it) or split it."
ERR_BAD_NAME = "“{name}”: the file name contains a folder path or control characters. Rename the file with plain letters and numbers, then upload it again."
ERR_NAME_TOO_LONG = "“{name}”: the file name is too long (at most {max} characters). Rename the file, then upload it again."
ERR_NOT_ALLOWED = "“{name}”: files ending .{ext} are not accepted. You can upload " + ALLOWED_SUMMARY + "."
ERR_NO_EXTENSION = "“{name}” has no file type ending (such as .pdf or .jpg). Rename it with the right ending and upload it again."
ERR_DISGUISED = "“{name}” is not what its name says: it ends .{ext} but its content is {sniffed}. Upload the original file, not a renamed one."
ERR_EMBEDDED_MARKUP = "“{name}” contains hidden web page or script content and cannot be accepted. Save it again from the program that made it (e.g. print to PDF) and upload that copy."
ERR_UNREADABLE = "“{name}” is damaged or incomplete: it does not open as a .{ext} file. Check it opens on your device, then upload it again."
ERR_TOO_MANY_FILES = "Too many files in one go: at most {max} at a time. Upload the rest in another batch."
ERR_INTERRUPTED = "The upload was interrupted before it finished, so nothing was saved. Check your connection and try again."


class FileRefused(ValueError):
    """A file the portfolio will not accept; str(exc) is the message to show the candidate."""


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
        "/" in decoded or "\\" in decoded or "/" in name or "\\" in name or ":" in name or name.startswith(".")
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


def _read_tail(fileobj, size: int) -> bytes:
    fileobj.seek(0, os.SEEK_END)
    end = fileobj.tell()
    fileobj.seek(max(0, end - size))
    tail = fileobj.read(size)
    fileobj.seek(0)
    return tail


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


def _image_ok(fileobj) -> bool:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        fileobj.seek(0)
        with Image.open(fileobj) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken or hostile images
        return False
    finally:
        fileobj.seek(0)


def inspect(fileobj, name: str, path: str | None = None) -> Sniffed:
    """Check a complete, seekable file against the allowlist; raise FileRefused with the reason."""
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
    if category == IMAGE or content_type in INLINE_SAFE_TYPES:
        # Types a browser may display inline have no business carrying a web page (a polyglot); the
        # others are only ever served as attachments.
        if _EMBEDDED_MARKUP.search(_read_head(fileobj, _SCAN_BYTES)) or _EMBEDDED_MARKUP.search(
            _read_tail(fileobj, _SCAN_BYTES)
        ):
            raise FileRefused(ERR_EMBEDDED_MARKUP.format(name=shown))
    if content_type in {"image/jpeg", "image/png", "image/webp"} and not _image_ok(fileobj):
        raise FileRefused(ERR_UNREADABLE.format(name=shown, ext=ext))
    return Sniffed(content_type=content_type, extension=ext, category=category)
