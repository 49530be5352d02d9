"""The renderer fetches only our own static files and prints user text as text."""

import socket

import pytest

from printing import registry
from printing.pdf import FETCH_REFUSED, StaticOnlyFetcher, html_to_pdf, static_relative_path
from tests.printing.pdftext import pdf_text


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise AssertionError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_raw_html_with_network_and_file_urls_fetches_neither(no_network, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        '<link rel="stylesheet" href="/static/printing/print.css">'
        f'<link rel="stylesheet" href="file://{secret}">'
        '<img src="http://198.51.100.7/track.png"><img src="file:///etc/passwd">'
        '<img src="/static/../../../../etc/passwd"><img src="/static/css/site.css">'
        '<img src="/media-not-served/evidence/ab/abc.jpg"><p>Hello</p>'
    )
    fetcher = StaticOnlyFetcher()
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert not no_network
    # The fonts are fetched once per thread (the font configuration is kept): whether this render fetched
    # them depends on what rendered before it, but nothing outside the printing static files is ever fetched.
    assert fetcher.fetched[0] == "https://print.portfolio.invalid/static/printing/print.css"
    assert set(fetcher.fetched[1:]) <= {
        "https://print.portfolio.invalid/static/printing/fonts/DejaVuSans.ttf",
        "https://print.portfolio.invalid/static/printing/fonts/DejaVuSans-Bold.ttf",
    }
    refused = " ".join(fetcher.refused)
    assert "http://198.51.100.7/track.png" in refused
    assert "file:///etc/passwd" in refused
    assert f"file://{secret}" in refused
    assert "media-not-served" in refused and "site.css" in refused


@pytest.mark.parametrize(
    "url",
    [
        "http://print.portfolio.invalid/static/printing/print.css",
        "https://example.org/static/printing/print.css",
        "https://print.portfolio.invalid/static/printing/../../settings.py",
        "https://print.portfolio.invalid/static/printing/%2e%2e/%2e%2e/x",
        "https://print.portfolio.invalid/static/printing/print.css?x=1",
        "file:///work/main/static/printing/print.css",
        "data:text/css,body{}",
    ],
)
def test_only_printing_static_files_are_named(url):
    assert static_relative_path(url) is None


def test_refusal_message_names_the_url():
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError, match="refused to fetch http://x.invalid/a"):
        fetcher.fetch("http://x.invalid/a")
    assert FETCH_REFUSED.startswith("refused to fetch")


def test_user_text_is_escaped_and_nothing_is_fetched(completed, registration, no_network):
    fetcher = StaticOnlyFetcher()
    pdf = registry.render_completed(registry.get_form("portfolio"), registration, fetcher=fetcher)
    text = pdf_text(pdf)
    # The characters are printed, not interpreted: the tags appear as text and no image was asked for.
    assert '<img src="http://198.51.100.7/track.png">' in text
    assert "Tom & Jerry's <b>shop</b>" in text
    assert fetcher.refused == []
    assert all("/static/printing/" in url for url in fetcher.fetched)
    assert not no_network


def test_fonts_are_embedded(catalogue):
    from io import BytesIO

    from pypdf import PdfReader

    pdf = registry.render_blank(registry.get_form("unit-summary"), catalogue)
    fonts = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts == {"Form-Sans", "Form-Sans-Bold"}


def test_renders_share_one_font_configuration_per_thread():
    """A new Fontconfig configuration per render leaked memory in every long batch; one per thread is kept."""
    import threading

    from printing.pdf import font_configuration

    first = font_configuration()
    html_to_pdf('<link rel="stylesheet" href="/static/printing/print.css"><p>One</p>')
    assert font_configuration() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(font_configuration()))
    thread.start()
    thread.join()
    assert other[0] is not first
