"""Chromium reports no Content-Security-Policy violation on the main pages of every role.

Violations are collected two ways: the page's `securitypolicyviolation` events (recorded by an init script,
which the policy does not apply to) and Chromium's console messages about the policy.
"""

from tests.browser.test_accessibility import load_demo, main_pages

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile || ""}:${e.lineNumber}`));
"""


def test_main_pages_of_every_role_report_no_csp_violation(page, live_server, sign_in, transactional_db):
    load_demo()
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    problems, checked = [], 0
    for username, pages in main_pages().items():
        page.context.clear_cookies()
        if username:
            sign_in(page, username)
        for label, path in pages:
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
            checked += 1
            for violation in page.evaluate("window.__cspViolations"):
                problems.append(f"{username or 'anonymous'} {label} {path}: {violation}")
    assert checked >= 50
    assert not problems, "\n".join(problems)
    assert not console, "\n".join(console)
