"""Previews are made with bounded memory: the pixel limit is checked from the header before decoding, and
JPEGs are decoded at reduced scale. (Reported: a 12600 x 12600 PNG took the preview worker to 1.95 GB.)"""

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from evidence.models import EvidenceItem
from evidence.tasks import evidence_make_preview
from tests.evidence.conftest import make_file_item, png_bytes

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_an_image_over_the_pixel_limit_already_in_storage_gets_no_preview_and_is_not_decoded(
    people, settings, monkeypatch
):
    """A pixel bomb stored before the upload limit existed (or with a higher limit then): no preview."""
    item = make_file_item(people.candidate, people.centre, name="photo.png", data=png_bytes())
    EvidenceItem.objects.filter(pk=item.pk).update(preview="")
    out = io.BytesIO()
    Image.new("1", (12600, 12600)).save(out, "PNG")
    name = default_storage.save("evidence/ab/bomb.png", ContentFile(out.getvalue()))
    EvidenceItem.objects.filter(pk=item.pk).update(file=name)
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self.size))
    assert evidence_make_preview.call(item.pk) is False
    assert decoded == []
    assert not EvidenceItem.objects.get(pk=item.pk).preview


def test_a_large_photo_preview_is_decoded_at_reduced_scale_with_bounded_memory(tmp_path):
    """A 36-megapixel JPEG (108 MB decoded) previewed in a fresh process: peak memory grows < 40 MB."""
    photo = tmp_path / "big.jpg"
    Image.new("RGB", (6000, 6000), "teal").save(photo, "JPEG", quality=85)
    script = textwrap.dedent(f"""
        import os, resource, django
        os.environ["DJANGO_SETTINGS_MODULE"] = "portfolio_site.settings.test"
        django.setup()
        from PIL import Image
        from evidence.tasks import _image_preview
        Image.open({str(photo)!r}).close()  # the decoder's libraries loaded before the baseline
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        data = _image_preview({str(photo)!r}, 40_000_000)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert data[:3] == b"\\xff\\xd8\\xff"
        print((after - before) // 1024)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    growth_mb = int(result.stdout.split()[-1])
    assert growth_mb < 40, f"preview of a 36 MP JPEG grew the process by {growth_mb} MB"
