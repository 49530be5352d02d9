"""Playwright's locator.count() does not wait: on a slow machine it can run before the page has arrived and
return 0, so a loop over it silently ticks nothing. These helpers wait for the elements first."""

from playwright.sync_api import expect


def every(locator):
    """All elements the locator matches, once at least one is on the page."""
    expect(locator.first).to_be_attached()
    return locator.all()
