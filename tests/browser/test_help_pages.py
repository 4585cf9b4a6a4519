"""The help pages, the glossary and the accessibility statement in a real browser: reachable from
the footer, readable signed out, no axe-core violations, and no sideways scroll on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import assert_no_sideways_scroll

PAGES = {
    "Help": "/help",
    "Glossary": "/help/glossary",
    "Accessibility statement": "/accessibility",
}
AREAS = ["/help/charts", "/help/measures", "/help/pdsa", "/help/reports", "/help/panel"]


def test_footer_leads_to_help_glossary_and_statement_signed_out(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto("/sign-in")
    for name, path in PAGES.items():
        page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_sideways_scroll(page)
        check_accessibility(page, "help-" + path.strip("/").replace("/", "-"))


def test_every_help_page_passes_axe(make_page: Callable[..., Page]) -> None:
    page = make_page()
    for path in AREAS:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_accessibility(page, "help-" + path.strip("/").replace("/", "-"))
