"""On a phone (375 × 740 CSS pixels) the main pages fit the screen: nothing pushes the page sideways, wide
tables scroll inside their own `.table-responsive` box, and the navigation folds behind its toggle button."""

from playwright.sync_api import expect

from tests.browser.test_accessibility import load_demo, main_pages

PHONE = {"width": 375, "height": 740}

# What sticks out of a page: its overflow, and tables outside a scrolling wrapper (a table that fits with the
# demo data may not fit with a real centre's, so every table gets one). Also how many wrappers do scroll.
LAYOUT = """() => {
  const root = document.documentElement;
  const unwrapped = [...document.querySelectorAll('main table')].filter(t => !t.closest('.table-responsive'))
    .map(t => (t.id ? '#' + t.id : '') + ' ' + (t.querySelector('th') || t).textContent.trim().slice(0, 40));
  const scrollers = [...document.querySelectorAll('main .table-responsive')]
    .filter(w => w.scrollWidth > w.clientWidth && w.getBoundingClientRect().right <= root.clientWidth);
  const scrolling = scrollers.length;
  // A wrapper that scrolls shows it (static/js/tables.js): the class that draws its scrollbar and edge, a hint
  // above it, and it is a focusable, named region for the keyboard.
  const uncued = scrollers.filter(w => !(w.classList.contains('is-scrollable')
      && w.previousElementSibling && w.previousElementSibling.classList.contains('scroll-hint')
      && w.getAttribute('tabindex') === '0' && w.getAttribute('aria-label')))
    .map(w => { const t = w.querySelector('table'); return (t && t.id ? '#' + t.id : 'a table'); });
  const sticking = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest('.table-responsive'))
    .filter(e => getComputedStyle(e).position !== 'fixed' && !e.closest('.visually-hidden-focusable'))
    .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, unwrapped, scrolling, uncued, sticking};
}"""


def test_main_pages_fit_a_phone_screen_and_the_navigation_folds(page, live_server, sign_in, transactional_db):
    load_demo("4411.json", "4430-04.json")
    page.set_viewport_size(PHONE)
    problems = []
    scrolling_tables = 0
    for username, pages in main_pages().items():
        page.context.clear_cookies()
        if username:
            sign_in(page, username)
        for label, path in pages:
            page.goto(live_server.url + path)
            layout = page.evaluate(LAYOUT)
            who = f"{username or 'anonymous'} {label} {path}"
            if layout["scrollWidth"] > layout["clientWidth"] + 1:
                problems.append(
                    f"{who}: page is {layout['scrollWidth']}px wide on a {layout['clientWidth']}px "
                    f"screen (sticking out: {', '.join(layout['sticking'])})"
                )
            for table in layout["unwrapped"]:
                problems.append(f"{who}: table {table!r} is not inside a .table-responsive wrapper")
            for table in layout["uncued"]:
                problems.append(f"{who}: {table} scrolls sideways without showing that it does")
            scrolling_tables += layout["scrolling"]
    assert not problems, "\n".join(problems)
    # The wide tables (coverage matrix, registrations, claims...) scroll sideways inside the screen.
    assert scrolling_tables >= 10

    # The navigation folds behind the toggle button and opens with it (signed in as the last role, ev).
    sign_out = page.get_by_role("button", name="Sign out")
    toggle = page.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_be_visible()
    expect(sign_out).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sign_out).to_be_visible()
    expect(page.get_by_role("link", name="External verification")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    page.get_by_role("link", name="External verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("External verifier dashboard")
