"""Stored XSS: hostile text saved in every free-text field shows as text in a real browser.

The demo data is built on a server of this module's own, then every non-empty free-text column of
every table (and the text inside the JSON columns people write: progress labels, revisions, the
audit trail's before and after) is replaced with one of the probes below. Chromium, signed in as
the site administrator, then crawls the app from the home page, one page per kind of URL, and on
each page checks that no probe ran: no dialog opened, no probe became an element, no request went
to a probe's address, no CSP violation or script error was logged (tests/browser/conftest.py
fails the test on those), and the probe's own characters are on the page as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page

from improve import canary, create_app, demo
from improve.extensions import db
from tests.browser.conftest import serve_in_thread
from tests.browser.test_journeys import sign_in

# Each element probe carries data-xss, and each address it would load has "xss" in it, so one
# query and one request listener catch any that the browser treated as markup.
PROBES = (
    '<script>alert("xss-script")</script>',
    '<img src="/xss-img" data-xss onerror="alert(\'xss-img\')">',
    '"><svg data-xss onload="alert(\'xss-svg\')">',
    "'><iframe data-xss src=\"javascript:alert('xss-iframe')\"></iframe>",
    "javascript:alert('xss-url')",
    "xss{{7*7}} xss${7*7} xss#{7*7} xss{%print(7*7)%}",
    '<a data-xss hx-get="/xss-hx-get" hx-trigger="load" href="/xss-link">xss-htmx</a>',
    '<div data-xss hx-on:htmx:load="alert(\'xss-hx-on\')" hx-on::load="alert(1)">xss</div>',
    '" hx-get="/xss-attribute" hx-trigger="load" data-xss="',
)
# Columns that are not free text although they are strings: the audit row's record type names a
# model, and sign-in attempts hold keyed hashes.
NOT_PROBED = {("audit_event", "entity_type")}
SKIPPED_TABLES = {"sign_in_attempt"}
# Derived by the app, not typed by anyone: the report's evidence is gathered from the records.
NOT_PROBED_JSON = {("monthly_report", "evidence")}

# Pages that show the records' text: the crawl must reach each of these kinds of URL.
MUST_VISIT = {
    "/",
    "/collaboratives/N",
    "/collaboratives/N/calendar",
    "/collaboratives/N/coordinator",
    "/collaboratives/N/ideas",
    "/collaboratives/N/panel",
    "/collaboratives/N/panel/reviews",
    "/collaboratives/N/evaluation",
    "/teams/N",
    "/teams/N/reports",
    "/teams/N/reports/N-N-N",
    "/aims/N",
    "/cycles/N",
    "/measures/N",
    "/admin/users",
}
# Pages with no stored text of their own (blank forms, help, downloads) are not crawled; the
# confirmation pages show only a record's name, as its own page does.
NOT_CRAWLED = re.compile(
    r"^/(help|accessibility|sign-out|sign-in|static|assets|account)\b"
    r"|/exports/|/summary\.|\.(png|svg|csv|xlsx)$|/(new|remove|delete|import)$"
)
# The home page now also leads to communities of practice and priority rounds (issue 20), whose
# pages come before the teams in the crawl: enough pages to reach every kind.
MAX_PAGES = 80

NO_MARKUP_FROM_PROBES = """() => ({
    elements: [...document.querySelectorAll('*')]
        .filter(e => e.hasAttribute('data-xss') || [...e.attributes].some(a =>
            (a.name.startsWith('hx-') || a.name.startsWith('on')) && a.value.includes('xss')))
        .map(e => e.outerHTML.slice(0, 120)),
    scriptUrls: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action')
            || e.getAttribute('formaction') || '')
        .filter(url => /^\\s*javascript:/i.test(url)),
    inlineScripts: [...document.scripts].filter(s => s.text.includes('xss')).length,
    text: document.body.innerText + '\\n' + [...document.querySelectorAll('input, textarea')]
        .map(e => e.value).join('\\n'),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
})"""


def _probe(row_number: int, column_number: int, row_id: Any) -> str:
    return f"{PROBES[(row_number * 5 + column_number) % len(PROBES)]} #{row_id}"


def _probed_json(value: Any, seed: int) -> Any:
    """The same JSON shape with every string swapped for a probe."""
    if isinstance(value, str):
        return PROBES[seed % len(PROBES)] if value else value
    if isinstance(value, dict):
        return {key: _probed_json(item, seed + i) for i, (key, item) in enumerate(value.items())}
    if isinstance(value, list):
        return [_probed_json(item, seed + i) for i, item in enumerate(value)]
    return value


def plant_probes() -> int:
    """Replace every non-empty free-text value with a probe (empty ones stay empty, so the
    records keep their meaning: an empty reason is no reason). Returns how many were replaced."""
    planted = 0
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if table.name in SKIPPED_TABLES:
            continue
        columns = [
            column
            for column in table.columns
            if canary.holds_free_text(column)
            and (table.name, column.name) not in NOT_PROBED | NOT_PROBED_JSON
        ]
        if not columns:
            continue
        key = next(iter(table.primary_key.columns))
        rows = db.session.execute(sa.select(key, *columns)).all()
        for number, row in enumerate(rows):
            values = {}
            for index, column in enumerate(columns, start=1):
                value = row[index]
                if isinstance(column.type, sa.JSON):
                    values[column.name] = _probed_json(value, number + index)
                elif value:
                    values[column.name] = _probe(number, index, row[0])[: column.type.length]
            if values:
                db.session.execute(table.update().where(key == row[0]).values(**values))
                planted += len(values)
    db.session.commit()
    return planted


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own server (SQLite, CSRF on): the probes must not reach the other browser
    tests' shared demo data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('xss-db') / 'improve.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        demo.create()
        db.session.commit()
        assert plant_probes() > 500
    with serve_in_thread(app, "xss-server") as base_url:
        yield base_url


def kind_of(url: str) -> str:
    """One URL per kind: numbers and periods stand for any record, one record's history stands
    for every kind of record's, and of the query only the team counts (a shared measure shows
    each team's data; a different period shows the same fields)."""
    parts = urlsplit(url)
    path = re.sub(r"^/history/\w+/", "/history/X/", re.sub(r"\d+", "N", parts.path))
    return path + ("?team=N" if re.search(r"(^|&)team=", parts.query) else "")


def test_probes_in_every_text_field_render_as_text(
    make_page: Callable[..., Page], live_server: str
) -> None:
    page = make_page()
    dialogs: list[str] = []
    probe_requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda r: "xss" in r.url and probe_requests.append(r.url))
    sign_in(page, "admin@example.org")
    page.wait_for_url(f"{live_server}/")

    queue, seen, visited = [f"{live_server}/"], {"/"}, {}
    shown: set[str] = set()
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        # Generous: the CI machine's two cores are shared with the rest of the suite.
        page.goto(url, timeout=30_000)
        found = page.evaluate(NO_MARKUP_FROM_PROBES)
        assert found["elements"] == [], f"probe became markup on {url}: {found['elements']}"
        assert found["scriptUrls"] == [], f"javascript: address on {url}"
        assert found["inlineScripts"] == 0, f"probe inside a script on {url}"
        assert "xss49" not in found["text"], f"a template evaluated a probe on {url}"
        on_page = {probe for probe in PROBES if probe in found["text"]}
        assert on_page, f"no probe shown as text on {url}"
        shown |= on_page
        visited[kind_of(url)] = url
        for link in found["links"]:
            link = link.split("#")[0]
            path = urlsplit(link).path
            if (
                link.startswith(live_server)
                and not NOT_CRAWLED.search(path)
                and kind_of(link) not in seen
            ):
                seen.add(kind_of(link))
                queue.append(link)
    page.wait_for_timeout(200)  # an hx-trigger="load" probe would have fired by now

    assert dialogs == []
    assert probe_requests == []
    assert {kind.split("?")[0] for kind in visited} >= MUST_VISIT, sorted(visited)
    assert shown == set(PROBES), set(PROBES) - shown
