"""Error pages in plain words, never a traceback; the database session is rolled back first.

A database that is busy, read-only, full or out of reach answers 503 with Retry-After: the person
is told nothing was saved and to try again in a minute. Error pages never query the database
(it may be the thing that failed): the page header uses what was already loaded of the person.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, render_template
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from improve.extensions import db

MESSAGES = {
    400: (
        "Something was wrong with that request",
        "Go back, check what you entered and try again.",
    ),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: (
        "You cannot do that",
        "Your role does not allow this. Ask your team lead or coordinator if you think it should.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, the page "
        "may have moved or you may not have access to it.",
    ),
    405: ("That did not work", "This page cannot be used that way. Go back and try again."),
    409: (
        "Someone else changed this",
        "Someone saved a change to this while you were working on it. Go back, reload the page "
        "to see their change, then make yours again.",
    ),
    413: ("That file is too big", "Files must be 5 MB or smaller."),
    422: ("There is a problem with what you entered", "Go back and check the form."),
    500: (
        "Sorry, there is a problem with the service",
        "Nothing you entered was saved. Try again later. If it keeps happening, tell your "
        "coordinator.",
    ),
    503: (
        "The service is busy",
        "The service is busy, so nothing was saved. Try again in a minute. If it keeps "
        "happening, tell your coordinator.",
    ),
}

RETRY_AFTER_SECONDS = 60

# PostgreSQL SQLSTATEs that pass with time: lost connections (08), a server starting or shutting
# down (57P), lock and statement timeouts (55P03, 57014), serialisation failures and deadlocks
# (40001, 40P01), a read-only server (25006), a full disk or too many connections (53), I/O (58030).
TRANSIENT_SQLSTATES = ("08", "57P", "55P03", "57014", "40001", "40P01", "25006", "53", "58030")
# SQLite says the same in words: another writer holds the lock past the busy timeout, the file is
# read-only, the disk or the page limit is full, or the disk failed.
TRANSIENT_SQLITE = (
    "database is locked",
    "database table is locked",
    "readonly database",
    "disk is full",
    "disk i/o error",
    "unable to open database file",
)


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """True when the database is busy or out of reach, not when the query itself is wrong: the
    first deserves "try again in a minute", the second is a fault to fix (500)."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)  # psycopg 3
    if sqlstate:
        return sqlstate.startswith(TRANSIENT_SQLSTATES)
    if type(error.orig).__module__.startswith("psycopg"):
        # psycopg gives no SQLSTATE when it cannot reach the server at all.
        return isinstance(error, sa.exc.OperationalError)
    message = str(error.orig).lower()
    return any(words in message for words in TRANSIENT_SQLITE)


class PageUser:
    """The signed-in person as the page header shows them, copied from what was already loaded."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, is_admin: bool, display_name: str) -> None:
        self.is_admin = is_admin
        self.display_name = display_name


def _person_on_page(database_failed: bool) -> Any:
    """Who the error page's header shows, without a query. Call before the rollback: it expires
    everything loaded, and reading it again would query."""
    user = g.get("_login_user")
    if user is None:
        # Not loaded yet: loading needs the database. After a database error, show the page as to
        # someone signed out rather than try again; otherwise let Flask-Login load them as usual.
        return AnonymousUserMixin() if database_failed else None
    state = sa.inspect(user, raiseerr=False)
    if state is None:  # already anonymous, or a PageUser
        return user
    loaded = state.dict
    return PageUser(bool(loaded.get("is_admin", False)), str(loaded.get("display_name", "")))


def _rollback() -> None:
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        # The connection itself is gone; the pool checks the next one before use (pool_pre_ping).
        db.session.close()


def _prepare(database_failed: bool = False) -> None:
    """Roll back whatever the request started, keeping who is signed in for the header."""
    person = _person_on_page(database_failed)
    _rollback()
    if person is not None:
        g._login_user = person


def error_page(status: int, detail: str | None = None) -> Response:
    title, advice = MESSAGES.get(status, MESSAGES[500])
    body = render_template("errors/error.html", status=status, title=title, advice=detail or advice)
    response = Response(body, status=status)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _http_error(error: HTTPException) -> Response:
    from improve.api import is_api_request  # here: improve.api imports this module
    from improve.api.responses import http_error as api_error

    if is_api_request():  # no API route matched: the API's answers are JSON all the same
        return api_error(error)
    _prepare()
    status = error.code or 500
    # abort(404, "...") carries a message meant for the person; werkzeug's own defaults do not.
    custom = error.description if error.description != type(error).description else None
    return error_page(status, custom)


def _csrf_error(error: CSRFError) -> Response:
    _prepare()
    return error_page(
        400,
        "This form had been open too long or came from somewhere else, so nothing was saved. "
        "Go back, reload the page and try again.",
    )


def _stale_edit(error: StaleDataError) -> Response:
    _prepare()
    return error_page(409)


def _database_error(error: sa.exc.DBAPIError) -> Response:
    _prepare(database_failed=True)
    if not is_transient(error):
        if current_app.testing:
            raise error  # a wrong query must fail the test, not hide behind a friendly page
        current_app.logger.error("Database error", exc_info=error)
        return error_page(500)
    current_app.logger.warning("Database unavailable, answered 503: %s", error.orig)
    return error_page(503)


def _pool_exhausted(error: sa.exc.TimeoutError) -> Response:
    """Every pooled connection stayed in use past the pool's timeout: busy, not broken."""
    _prepare(database_failed=True)
    current_app.logger.warning("No database connection free, answered 503")
    return error_page(503)


def _unexpected(error: Exception) -> Response:
    _prepare(database_failed=True)
    # A handler for Exception stops Flask logging the error itself: log it, or no one hears.
    current_app.logger.error("Unexpected error", exc_info=error)
    return error_page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StaleDataError, _stale_edit)
    app.register_error_handler(sa.exc.DBAPIError, _database_error)
    app.register_error_handler(sa.exc.TimeoutError, _pool_exhausted)
    if not app.testing:
        # In tests an unexpected error should fail loudly, not hide behind the friendly page.
        app.register_error_handler(Exception, _unexpected)
