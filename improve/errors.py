"""Error pages in plain words, never a traceback; the database session is rolled back first."""

from __future__ import annotations

from flask import Flask, Response, render_template
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
    413: ("That file is too big", "Files must be 10 MB or smaller."),
    422: ("There is a problem with what you entered", "Go back and check the form."),
    500: (
        "Sorry, there is a problem with the service",
        "Nothing you entered was saved. Try again later. If it keeps happening, tell your "
        "coordinator.",
    ),
}


def error_page(status: int, detail: str | None = None) -> Response:
    title, advice = MESSAGES.get(status, MESSAGES[500])
    body = render_template("errors/error.html", status=status, title=title, advice=detail or advice)
    return Response(body, status=status)


def _http_error(error: HTTPException) -> Response:
    db.session.rollback()
    status = error.code or 500
    # abort(404, "...") carries a message meant for the person; werkzeug's own defaults do not.
    custom = error.description if error.description != type(error).description else None
    return error_page(status, custom)


def _csrf_error(error: CSRFError) -> Response:
    db.session.rollback()
    return error_page(
        400,
        "This form had been open too long or came from somewhere else, so nothing was saved. "
        "Go back, reload the page and try again.",
    )


def _stale_edit(error: StaleDataError) -> Response:
    db.session.rollback()
    return error_page(409)


def _unexpected(error: Exception) -> Response:
    db.session.rollback()
    return error_page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StaleDataError, _stale_edit)
    if not app.testing:
        # In tests an unexpected error should fail loudly, not hide behind the friendly page.
        app.register_error_handler(Exception, _unexpected)
