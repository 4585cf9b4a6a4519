"""Every page fits a 320 px wide screen (WCAG 2.2, 1.4.10 Reflow): signed in as each demo role,
follow the links from the home page and check that nothing pushes the page sideways. Only a data
table or a measure's chart may be wider than the screen, and then it scrolls inside its own box
(.app-table-wrapper / .app-table-scroll / .app-chart-scroll)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import sign_in

NARROWEST = {"width": 320, "height": 640}
PAGES_PER_ROLE = 30
# Not pages: files to download, the stylesheets and scripts, and links that change something.
NOT_A_PAGE = re.compile(
    r"^/static/|\.(csv|xlsx|png|svg|pdf|json|zip)$|/sign-out|/health$|/remove$|/delete$"
)
# The pages each role must reach, as path patterns (numbers stand for {id}, months for {period}).
# The crawl visits a link matching one of these before anything else.
IMPORTANT = {
    "coordinator@example.org": [
        "/collaboratives/{id}",
        "/collaboratives/{id}/coordinator",
        "/collaboratives/{id}/coordinator/teams/{id}",
        "/collaboratives/{id}/calendar",
        "/collaboratives/{id}/ideas",
        "/collaboratives/{id}/measures",
        "/collaboratives/{id}/measures/new",
    ],
    "panel@example.org": [
        "/collaboratives/{id}/panel",
        "/collaboratives/{id}/panel/reviews",
        "/collaboratives/{id}/evaluation",
    ],
    "lead@example.org": [
        "/teams/{id}",
        "/aims/{id}",
        "/aims/{id}/cycles/new",
        "/aims/{id}/measures/new",
        "/cycles/{id}",
        "/measures/{id}",
        "/measures/{id}/import",
        "/teams/{id}/reports",
        "/teams/{id}/reports/{period}",
        "/drivers/{id}/edit",
        "/measures/{id}/edit",
        "/teams/{id}/aims/new",
    ],
    "member@example.org": ["/teams/{id}", "/aims/{id}", "/cycles/{id}", "/measures/{id}"],
    "expert@example.org": ["/teams/{id}", "/aims/{id}"],
    "admin@example.org": ["/admin/users", "/admin/users/new", "/admin/users/{id}"],
}
# Pages no link leads to (or only a link on a page the crawl may not get to): when the crawl
# visits a page of the pattern on the left it also visits these paths below it.
NO_LINK_FROM = {
    "/collaboratives/{id}": ["/measures", "/measures/new", "/edit"],
    "/teams/{id}": ["/edit", "/aims/new", "/reports"],
    "/aims/{id}": ["/edit", "/cycles/new", "/measures/new"],
    "/cycles/{id}": ["/edit"],
    "/measures/{id}": ["/edit", "/import"],
}

# What is wider than the screen, outside a table's scroll box: for each such element whose parent
# still fits, a CSS-like path to it. Visually hidden text (clipped to 1px) does not count.
TOO_WIDE = """() => {
    const limit = window.innerWidth + 1
    const scrollBox = '.app-table-wrapper, .app-table-scroll, .app-chart-scroll'
    const fits = element => !element || element.getBoundingClientRect().right <= limit
    const hidden = element => {
        const style = getComputedStyle(element)
        return style.clip === 'rect(0px, 0px, 0px, 0px)' || style.clipPath === 'inset(50%)'
            || style.visibility === 'hidden' || style.display === 'none'
    }
    const describe = element => {
        const parts = []
        for (let e = element; e && e !== document.body; e = e.parentElement) {
            const classes = [...e.classList].slice(0, 2).map(c => '.' + c).join('')
            parts.unshift(e.tagName.toLowerCase() + classes)
        }
        const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40)
        const right = Math.round(element.getBoundingClientRect().right)
        return parts.slice(-4).join(' > ') + ` (right edge ${right}px) "${text}"`
    }
    return [...document.querySelectorAll('body *')]
        .filter(e => !e.closest(scrollBox) && !fits(e) && fits(e.parentElement) && !hidden(e))
        .slice(0, 8).map(describe)
}"""

LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => a.origin === location.origin && !a.hasAttribute('download'))
    .map(a => a.pathname + a.search)"""


def pattern(path: str) -> str:
    """/teams/3/reports/2025-04?x=1 -> /teams/{id}/reports/{period}"""
    path = urlsplit(path).path
    path = re.sub(r"/\d{4}-\d{2}(-\d{2})?(?=/|$)", "/{period}", path)
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)


def overflow(page: Page) -> str | None:
    """Why the page scrolls sideways, or None when it fits."""
    scroll_width, width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    culprits = page.evaluate(TOO_WIDE)
    if scroll_width <= width and not culprits:
        return None
    return f"{scroll_width}px wide in {width}px; too wide: " + "; ".join(culprits or ["?"])


def crawl(page: Page, important: list[str], limit: int = PAGES_PER_ROLE) -> dict[str, str | None]:
    """Visit up to `limit` pages reachable by links from home: important patterns first, then
    patterns not seen yet, then the rest in the order found (at most two pages a pattern).
    Returns each page checked with its overflow, or None when it fits."""
    results: dict[str, str | None] = {}
    unavailable: set[str] = set()
    found: list[str] = ["/"]
    visits_per_pattern: dict[str, int] = {}

    def choose() -> str | None:
        waiting = [
            path
            for path in found
            if path not in results
            and path not in unavailable
            and visits_per_pattern.get(pattern(path), 0) < 2
        ]
        for wanted in (
            lambda p: pattern(p) in important and not visits_per_pattern.get(pattern(p)),
            lambda p: not visits_per_pattern.get(pattern(p)),
            lambda p: True,
        ):
            for path in waiting:
                if wanted(path):
                    return path
        return None

    while len(results) < limit and (path := choose()) is not None:
        # Another test's business, and the browser would report it as a console error: a link
        # to a page this person may not open, or a history that is still empty.
        visits_per_pattern[pattern(path)] = visits_per_pattern.get(pattern(path), 0) + 1
        if page.request.get(path).status != 200:
            unavailable.add(path)
            continue
        page.goto(path)
        results[path] = overflow(page)
        links = page.evaluate(LINKS)
        links += [path.split("?")[0] + more for more in NO_LINK_FROM.get(pattern(path), [])]
        for link in links:
            if not NOT_A_PAGE.search(urlsplit(link).path) and link not in found:
                found.append(link)
    return results


@pytest.mark.parametrize("email", list(IMPORTANT))
def test_every_page_fits_a_320px_screen(make_page: Callable[..., Page], email: str) -> None:
    page = make_page(viewport=NARROWEST)
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Hello"))).to_be_visible()
    results = crawl(page, IMPORTANT[email])

    missed = set(IMPORTANT[email]) - {pattern(path) for path in results}
    too_wide = {path: problem for path, problem in results.items() if problem}
    assert not too_wide, f"{len(too_wide)} of {len(results)} pages scroll sideways at 320px:\n" + (
        "\n".join(f"  {path}: {problem}" for path, problem in too_wide.items())
    )
    assert not missed, f"never reached by links: {sorted(missed)}; visited: {sorted(results)}"


def test_sign_in_fits_a_320px_screen(make_page: Callable[..., Page]) -> None:
    page = make_page(viewport=NARROWEST)
    page.goto("/sign-in")
    assert overflow(page) is None, overflow(page)
    page.get_by_role("button", name="Sign in").click()  # empty form: the error summary
    page.locator(".govuk-error-summary").wait_for()
    assert overflow(page) is None, overflow(page)
