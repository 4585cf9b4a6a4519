"""JSON answers: documents, and errors in plain words as JSON (never an HTML page, never a 500
for bad input), each with a stable `error` code a program can test."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from improve.errors import RETRY_AFTER_SECONDS, is_transient
from improve.extensions import db

JSON_TYPE = "application/json"

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
PLAIN_WORDS = {
    400: "Something in the request was not right.",
    401: "Send a personal access token: Authorization: Bearer <token>.",
    403: "Your role does not allow this.",
    404: "Nothing is here, or you may not see it.",
    405: "The API only reads: use GET.",
    429: "Too many requests: wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was changed. Try again later.",
    503: "The service is busy. Try again in a minute.",
}
#: The scheme and realm named in WWW-Authenticate (RFC 6750).
BEARER_REALM = 'Bearer realm="improve API"'


class ApiError(HTTPException):
    """An error the API answers with its JSON body; `headers` go with it (Retry-After,
    WWW-Authenticate)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = status
        self.extra_headers = headers or {}


def document(body: dict[str, Any], status: int = 200) -> Response:
    """A JSON response. NaN and infinity are no JSON: a figure without a value is null, and
    `allow_nan=False` makes a slip fail loudly in tests instead of sending invalid JSON."""
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Response(text, status=status, mimetype=JSON_TYPE)


def error_document(status: int, message: str | None = None) -> Response:
    body = {
        "status": status,
        "error": ERROR_CODES.get(status, "error"),
        "message": message or PLAIN_WORDS.get(status, PLAIN_WORDS[500]),
    }
    response = document(body, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = BEARER_REALM
    return response


def _rollback() -> None:
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        # The connection itself is gone; the pool checks the next one before use.
        db.session.close()


def http_error(error: HTTPException) -> Response:
    """Any HTTP error inside the API, as JSON. werkzeug's own descriptions are HTML-minded, so
    only a message the API wrote itself is passed on."""
    _rollback()
    status = error.code or 500
    mine = isinstance(error, ApiError)
    response = error_document(status, error.description if mine else None)
    if mine:
        response.headers.update(error.extra_headers)  # type: ignore[attr-defined]
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def database_error(error: sa.exc.DBAPIError) -> Response:
    """A busy or unreachable database answers 503 with Retry-After, as the pages do; a wrong
    query is a fault (500, logged), and fails the test that finds it."""
    _rollback()
    if is_transient(error):
        response = error_document(503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if current_app.testing:
        raise error
    current_app.logger.error("Database error", exc_info=error)
    return error_document(500)
