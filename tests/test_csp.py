"""A Content-Security-Policy on every HTML page, and templates that keep to it (no inline script or style).

The browser side (no violation reported by Chromium on the main pages of every role) is in
tests/browser/test_csp.py.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from portfolio_site.access import ACCESS, may_reach

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into PDFs, never served as HTML pages: inline style is theirs to use.
PDF_ONLY = [TEMPLATES / "printing" / "partials", TEMPLATES / "printing" / "base_print.html"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def html_templates():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def is_pdf_only(path: Path) -> bool:
    return any(path == p or p in path.parents for p in PDF_ONLY)


def test_templates_have_no_inline_script_event_handler_or_javascript_url():
    problems = []
    for path in html_templates():
        text = path.read_text()
        for pattern, what in [
            (INLINE_SCRIPT, "inline <script>"),
            (EVENT_HANDLER, "on* attribute"),
            (JS_URL, "javascript: URL"),
        ]:
            for match in pattern.finditer(text):
                problems.append(f"{path.relative_to(TEMPLATES)}: {what}: {match.group(0)[:80]}")
    assert len(html_templates()) > 50
    assert not problems, "\n".join(problems)


def test_pages_served_as_html_have_no_inline_style():
    problems = []
    for path in html_templates():
        if is_pdf_only(path):
            continue
        text = path.read_text()
        for pattern, what in [(STYLE_ATTRIBUTE, "style attribute"), (STYLE_ELEMENT, "<style> element")]:
            for match in pattern.finditer(text):
                problems.append(f"{path.relative_to(TEMPLATES)}: {what}: {match.group(0)[:80]}")
    assert not problems, "\n".join(problems)


def test_the_policy_allows_nothing_inline():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("script-src", "style-src", "default-src"):
        assert directives[directive] == ["'self'"], directive
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]


def parameterless_urls():
    urls = []
    for name in ACCESS:
        if name.endswith(":*"):
            continue
        try:
            urls.append((name, reverse(name)))
        except NoReverseMatch:
            continue
    return urls


@pytest.mark.parametrize(
    "role", ["candidate", "assessor", "internal_verifier", "centre_admin", "external_verifier", None]
)
def test_every_page_a_role_can_open_carries_the_policy(client, role_users, role):
    if role:
        client.force_login(role_users[role])
    checked = 0
    for name, url in parameterless_urls():
        user = role_users[role] if role else None
        if user is not None and not may_reach(user, ACCESS[name]):
            continue
        if name == "accounts:logout":
            continue
        response = client.get(url, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, f"{role} {name} {url}"
    assert checked >= 3


def test_errors_and_the_admin_carry_the_policy_too(client, make_user):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    staff = make_user("root", None, is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert "Content-Security-Policy" in client.get("/admin/")
