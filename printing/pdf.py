"""Rendering printable forms to PDF with WeasyPrint, safely.

Two guarantees:
- User text reaches the PDF only through Django templates (auto-escaped), so a candidate typing
  `<img src="http://...">` into a description prints those characters and nothing is fetched.
- WeasyPrint fetches nothing from the network or the file system. Every URL in the document goes
  through StaticOnlyFetcher, which answers only for our own static files (the print stylesheet and the
  embedded fonts) and refuses everything else: http(s) elsewhere, file://, data:, media (evidence).
"""

from __future__ import annotations

import mimetypes
import posixpath
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The document's base URL. It names no real host: nothing is ever requested from it, the fetcher maps
# its /static/ paths to files on disk.
PRINT_HOST = "print.portfolio.invalid"
BASE_URL = f"https://{PRINT_HOST}/"

FETCH_REFUSED = "refused to fetch {url}: forms may use only the site's own static files"


class FetchRefused(ValueError):
    """WeasyPrint catches it, logs a warning and leaves the resource out."""


@lru_cache(maxsize=64)
def _read_static(relative: str) -> tuple[bytes, str] | None:
    """(content, mime type) of a static file, or None. Cached: fonts are read once per process."""
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if not found and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT, relative).resolve()
        if candidate.is_relative_to(Path(settings.STATIC_ROOT).resolve()) and candidate.is_file():
            found = str(candidate)
    if not found:
        return None
    path = Path(found)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".ttf":
        mime = "font/ttf"
    return path.read_bytes(), mime


def static_relative_path(url: str) -> str | None:
    """The static file a URL names (e.g. 'printing/print.css'), or None when it names anything else."""
    parts = urlsplit(url)
    static_url = settings.STATIC_URL
    if parts.scheme != "https" or parts.netloc != PRINT_HOST or parts.query:
        return None
    prefix = urlsplit(static_url).path if static_url else "/static/"
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    normalised = posixpath.normpath(relative)
    if normalised.startswith(("/", "..")) or normalised != relative or "\\" in relative or "\x00" in relative:
        return None
    # Only what the forms are made of: never media, never the rest of the static tree.
    if not normalised.startswith("printing/"):
        return None
    return normalised


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves our printing static files and refuses everything else.

    `fetched` and `refused` list the URLs asked for, so tests (and a curious admin) can see what happened.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("https",))
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        relative = static_relative_path(url)
        found = _read_static(relative) if relative else None
        if found is None:
            self.refused.append(url)
            raise FetchRefused(FETCH_REFUSED.format(url=url[:200]))
        content, mime = found
        self.fetched.append(url)
        return URLFetcherResponse(url, body=content, headers={"Content-Type": mime})


def render_html(template_name: str, context: dict) -> str:
    """The form's HTML (Django template, auto-escaped)."""
    return render_to_string(template_name, context)


_fonts = threading.local()


def font_configuration() -> FontConfiguration:
    """One FontConfiguration per thread, kept for the life of the process.

    A new one per render leaked about 0.2 MB of Fontconfig memory each time (a 300-form batch grew the
    worker by 70 MB; bench/bench_batch.py); one per thread keeps a batch flat. Not shared between threads:
    Fontconfig configurations are not thread-safe. Our @font-face fonts are added to it once.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """PDF bytes of an HTML string, fetching only our static files."""
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(font_config=font_configuration())


def render_pdf(template_name: str, context: dict, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render a print template to PDF bytes."""
    return html_to_pdf(render_html(template_name, context), fetcher=fetcher)
