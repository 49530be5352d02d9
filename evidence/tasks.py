"""Background work for the portfolio: thumbnails of photos and first-page previews of PDFs.

Runs in the django_tasks worker (`manage.py db_worker`); the immediate backend runs it inline in tests.
A preview is a convenience: when one cannot be made (odd image, no pdftoppm), the item simply has none.
"""

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Q
from django_tasks import task

from .models import EvidenceItem, preview_storage_key

logger = logging.getLogger(__name__)

PREVIEW_SIZE = (480, 480)
PDFTOPPM_TIMEOUT_SECONDS = 30


class PreviewRefused(ValueError):
    """The image is larger than the pixel limit: no preview is made (it would not be decoded safely)."""


def _image_preview(path: Path, max_pixels: int) -> bytes:
    """A JPEG thumbnail with memory bounded by the pixel limit: the size is read from the header first,
    JPEGs are decoded at reduced scale (draft), and the full-size image is never copied (the thumbnail is
    made first, then turned upright)."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        if image.width * image.height > max_pixels:
            raise PreviewRefused(f"{image.width} x {image.height} pixels is over the limit of {max_pixels}")
        image.draft("RGB", PREVIEW_SIZE)  # JPEG: decode at 1/2, 1/4 or 1/8 scale; other formats: no-op
        image.thumbnail(PREVIEW_SIZE, reducing_gap=2.0)
        small = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        small.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()


def _pdf_preview(path: Path, workdir: Path) -> bytes | None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    target = workdir / "page"
    subprocess.run(
        [
            pdftoppm,
            "-f",
            "1",
            "-l",
            "1",
            "-scale-to",
            str(PREVIEW_SIZE[0]),
            "-jpeg",
            "-singlefile",
            str(path),
            str(target),
        ],
        check=True,
        timeout=PDFTOPPM_TIMEOUT_SECONDS,
        capture_output=True,
    )
    return (workdir / "page.jpg").read_bytes()


def _local_copy(name: str, workdir: Path) -> Path:
    """A local path for the stored file: the file itself on disk storage, else (S3, any other storage) a copy
    streamed into this task's own temporary folder. Only FileSystemStorage keeps the file at `path()`: other
    storages may answer it with a path where nothing is."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.path(name))
    target = workdir / "source"
    with default_storage.open(name, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return target


@task()
def evidence_make_preview(item_id: int) -> bool:
    """Make the JPEG preview of one item; True when one was stored."""
    item = EvidenceItem.objects.filter(pk=item_id, deleted_at__isnull=True).first()
    if item is None or not item.file or item.preview:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            source = _local_copy(item.file.name, workdir)
            if item.content_type == "application/pdf":
                data = _pdf_preview(source, workdir)
            elif item.content_type.startswith("image/"):
                data = _image_preview(source, settings.EVIDENCE_MAX_IMAGE_PIXELS)
            else:
                data = None
        except Exception:  # noqa: BLE001 - a broken preview must not fail anything else
            logger.warning("No preview for evidence %s", item_id, exc_info=True)
            return False
    if not data:
        return False
    saved = default_storage.save(preview_storage_key(item, "preview.jpg"), ContentFile(data))
    updated = EvidenceItem.objects.filter(Q(preview="") | Q(preview__isnull=True), pk=item.pk).update(
        preview=saved
    )
    if not updated:
        default_storage.delete(saved)
    return bool(updated)
