"""What each hostile sample in tests/evidence/hostile/ is uploaded as, and the refusal expected.

(file in hostile/, name sent in the upload, message template it must be refused with; None = accepted)
"""

from evidence import sniffing as s

CASES = [
    ("html_named.pdf", "html_named.pdf", s.ERR_DISGUISED),
    ("html_named.txt", "html_named.txt", s.ERR_DISGUISED),
    ("script.svg", "script.svg", s.ERR_NOT_ALLOWED),
    ("svg_named.png", "svg_named.png", s.ERR_DISGUISED),
    ("elf_named.jpg", "elf_named.jpg", s.ERR_DISGUISED),
    ("pe_named.docx", "pe_named.docx", s.ERR_DISGUISED),
    ("empty.pdf", "empty.pdf", s.ERR_EMPTY),
    ("polyglot_pdf_html.pdf", "polyglot_pdf_html.pdf", s.ERR_EMBEDDED_MARKUP),
    ("polyglot_jpeg_html.jpg", "polyglot_jpeg_html.jpg", s.ERR_EMBEDDED_MARKUP),
    ("zip_named.docx", "zip_named.docx", s.ERR_DISGUISED),
    ("shell_script.txt", "shell_script.txt", s.ERR_DISGUISED),
    ("truncated.png", "truncated.png", s.ERR_UNREADABLE),
    ("program.exe", "program.exe", s.ERR_NOT_ALLOWED),
    ("no_extension", "no_extension", s.ERR_NO_EXTENSION),
    # Names: the same harmless text file under hostile names.
    ("benign.txt", "../../etc/passwd.txt", s.ERR_BAD_NAME),
    ("benign.txt", "..\\..\\windows\\win.ini.txt", s.ERR_BAD_NAME),
    ("benign.txt", "..&#47;..&#47;secret.txt", s.ERR_BAD_NAME),
    ("benign.txt", "C:evil.txt", s.ERR_BAD_NAME),
    ("benign.txt", ".hidden.txt", s.ERR_BAD_NAME),
    ("benign.txt", "tab\there.txt", s.ERR_BAD_NAME),
    ("benign.txt", "bell\x07ring.txt", s.ERR_BAD_NAME),
    ("benign.txt", "escape\x1b[31mred.txt", s.ERR_BAD_NAME),
    ("benign.txt", "invoice\u202etxt.exe.txt", s.ERR_BAD_NAME),
    ("benign.txt", "zero\u200bwidth.txt", s.ERR_BAD_NAME),
    ("benign.txt", "a" * 250 + ".txt", s.ERR_NAME_TOO_LONG),
    # The control: the same bytes under an ordinary name are accepted.
    ("benign.txt", "benign.txt", None),
]
