"""Reading the PDFs the way a person would: their text, page by page."""

import io
import re

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    """All text, whitespace collapsed (a criterion's text wraps across lines in the PDF)."""
    return re.sub(r"\s+", " ", " ".join(pdf_pages(content)))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
