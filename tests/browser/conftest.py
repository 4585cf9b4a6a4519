"""Browser tests: the app served on its own database, Debian's Chromium driven by Playwright, and
axe-core on every page.

Skipped when /usr/bin/chromium is missing, unless IMPROVE_REQUIRE_BROWSER=1 (then they fail).
Set IMPROVE_TEST_DATABASE_URL (a PostgreSQL URL) to serve from a throwaway `improve_browser`
database on that server instead of a SQLite file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from improve import create_app, demo
from improve.extensions import db

HERE = Path(__file__).parent
SCREENSHOTS = HERE.parents[1] / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("IMPROVE_REQUIRE_BROWSER", "") == "1"
# One per pytest-xdist worker ("master" when run without it).
BROWSER_DATABASE = f"improve_browser_{os.environ.get('PYTEST_XDIST_WORKER', 'master')}"
# Keep Chromium off the network: the machine refuses every connection but localhost.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Chromium logs every 4xx response as a console error. 422 is how the app answers a form with
# mistakes (STYLE.md), so that one is expected; any other status still fails the test.
EXPECTED_CONSOLE_ERRORS = ("the server responded with a status of 422",)
CSP_SIGNS = ("Content Security Policy", "Refused to")

_problems = pytest.StashKey[list[str]]()
_scripted_pages = pytest.StashKey[list[Page]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = (
        None
        if CHROMIUM.exists() or REQUIRE_BROWSER
        else pytest.mark.skip(
            reason=f"{CHROMIUM} is not installed (apt-get install chromium); "
            "set IMPROVE_REQUIRE_BROWSER=1 to make this an error"
        )
    )
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(missing)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not its teardown) when the browser reported a problem."""
    result = yield
    for page in item.stash.get(_scripted_pages, []):
        if not page.is_closed():
            page.evaluate("0")  # a round trip delivers console messages still on their way
    problems = item.stash.get(_problems, [])
    if problems:
        raise AssertionError("The browser reported problems:\n  " + "\n  ".join(problems))
    return result


# The live server ---------------------------------------------------------------------------------


@contextmanager
def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of our own: a SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    configured = os.environ.get("IMPROVE_TEST_DATABASE_URL", "").strip()
    if not configured:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'improve.sqlite'}"
        return
    admin_url = make_url(configured)
    if admin_url.drivername in {"postgres", "postgresql"}:  # as improve.config.database_url
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    # FORCE ends sessions a crashed earlier run may have left behind.
    drop = sa.text(f'DROP DATABASE IF EXISTS "{BROWSER_DATABASE}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{BROWSER_DATABASE}"'))
    try:
        yield admin_url.set(database=BROWSER_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo data, served over HTTP with CSRF on; yields its base URL."""
    with _database(tmp_path_factory) as url:
        app = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True}
        )
        with app.app_context():
            db.create_all()
            demo.create()
            db.session.commit()
        with serve_in_thread(app, "live-server") as base_url:
            yield base_url


@contextmanager
def serve_in_thread(app: Flask, name: str) -> Iterator[str]:
    """Serve the app on a free local port in a background thread; yields its base URL, and
    stops the server and closes the app's connections afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.engine.dispose()


# The browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"IMPROVE_REQUIRE_BROWSER=1 but {CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_page(
    browser: Browser, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """make_page(viewport=..., java_script_enabled=False, ...): a page in a fresh context whose
    console errors and CSP violations fail the test."""
    problems = request.node.stash.setdefault(_problems, [])
    scripted = request.node.stash.setdefault(_scripted_pages, [])
    contexts = []

    def watch(message: ConsoleMessage) -> None:
        text = message.text
        if any(sign in text for sign in CSP_SIGNS) or (
            message.type == "error" and not any(ok in text for ok in EXPECTED_CONSOLE_ERRORS)
        ):
            problems.append(f"console {message.type}: {text} ({message.location.get('url')})")

    def make(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
        if options.get("java_script_enabled", True):
            scripted.append(page)  # page.evaluate never returns when JavaScript is off
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page: Callable[..., Page]) -> Page:
    """A desktop-sized page with JavaScript on."""
    return make_page()


# Checks ------------------------------------------------------------------------------------------

_axe = Axe()
# axe 4.12 only asks for a manual review of an id used twice (duplicate-id-aria), but a repeated
# id breaks aria-labelledby, error summary links and htmx's settling of swapped content.
_DUPLICATE_IDS = """() => {
    const seen = new Set(), repeated = new Set()
    for (const element of document.querySelectorAll('[id]')) {
        (seen.has(element.id) ? repeated : seen).add(element.id)
    }
    return [...repeated]
}"""


def check_accessibility(page: Page, name: str) -> None:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png, then fail on any
    axe-core violation of WCAG 2.2 AA or axe's best practices, or on an id used twice.
    Needs JavaScript on: axe runs in the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Hiding the caret leaves style="" on every input; htmx then copies that attribute onto the
    # swapped-in input with the same id (attributesToSettle) and the CSP refuses it.
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, caret="initial")
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    duplicates = page.evaluate(_DUPLICATE_IDS)
    report = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"      {node['target']}: {node['html'][:200]}" for node in violation["nodes"])
        for violation in violations
    ]
    if duplicates:
        report.append(f"duplicate ids: {', '.join(duplicates)}")
    if report:
        pytest.fail(f"accessibility problems on {name} ({page.url}):\n  " + "\n  ".join(report))
