"""Who is asking the API: a personal access token (`Authorization: Bearer <token>`), or the
browser's own session, so a person can open the JSON in a browser. Either way the request acts
as that person: improve.permissions scopes every query, as on the pages. Then every request is
counted against the rate limit.

Flask-Login asks `_user_from_token` only when the session holds nobody; a request that sends a
token with a session as well is read as the token's owner (`_check_token_sent`), so a revoked or
expired token never reads anything, whatever cookie comes with it.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import Request, Response, g, request
from flask_login import current_user

from improve.analysis.periods import UK
from improve.api import bp, is_api_request, operations
from improve.api.responses import BEARER_REALM, ApiError
from improve.auth import PUBLIC_ENDPOINTS
from improve.extensions import db, login_manager
from improve.models import ApiToken, User

BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +([!-~]{1,200})")
INVALID_TOKEN = f'{BEARER_REALM}, error="invalid_token"'
INVALID_REQUEST = f'{BEARER_REALM}, error="invalid_request"'
NO_CREDENTIALS = (
    "Sign in first, or send a personal access token in the header "
    "Authorization: Bearer <token>. Make one under Your account, then API tokens."
)
HOW_TO_SEND = "Send the token in the header Authorization: Bearer <token>, with nothing else."


def _refused(message: str, challenge: str = INVALID_TOKEN) -> ApiError:
    return ApiError(401, message, {"WWW-Authenticate": challenge})


def _day(when: datetime) -> str:
    return f"{when.astimezone(UK):%-d %B %Y}"


def token_and_owner(header: str) -> tuple[ApiToken, User]:
    """The token an Authorization header names, and its owner; 401 (ApiError) if the header is
    not a bearer token, or the token is unknown, revoked, expired or its owner cannot sign in.
    Looked up by the hash of the secret: the secret itself is kept nowhere."""
    match = BEARER.fullmatch(header.strip())
    if match is None:
        raise _refused(HOW_TO_SEND, INVALID_REQUEST)
    query = (
        db.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.secret_hash == operations.secret_hash(match.group(1)))
    )
    found = db.session.execute(query).first()
    if found is None:
        raise _refused(
            "This token is not known. Check that you copied all of it, or make a new one "
            "under Your account, then API tokens."
        )
    token, owner = found
    if token.revoked_at is not None:
        raise _refused(f"This token was revoked on {_day(token.revoked_at)}. Make a new one.")
    if token.expires_on is not None and token.expires_on < datetime.now(UK).date():
        raise _refused(f"This token expired on {token.expires_on:%-d %B %Y}. Make a new one.")
    if not owner.is_enabled:
        raise _refused("The account this token belongs to can no longer sign in.")
    return token, owner


@login_manager.request_loader  # type: ignore[untyped-decorator]
def _user_from_token(sent: Request) -> User | None:
    """For API requests without a signed-in session: the token's owner, or 401 as JSON (never
    the sign-in page, which a spreadsheet cannot use). Any address under /api/ counts, matched
    or not, so that a wrong address answers 404 as JSON to a token, not the sign-in page. A
    public document (the OpenAPI description) is read by nobody without a token."""
    if not is_api_request():
        return None
    header = sent.headers.get("Authorization")
    if header is None:
        if sent.endpoint in PUBLIC_ENDPOINTS:
            return None
        raise ApiError(401, NO_CREDENTIALS, {"WWW-Authenticate": BEARER_REALM})
    token, owner = token_and_owner(header)
    g.api_token = token
    return owner


def _is_bearer(header: str) -> bool:
    return header.strip()[:7].lower() == "bearer "


@bp.before_request
def _check_token_sent() -> None:
    """A token sent alongside a session decides who asks (Flask-Login read the session). Other
    kinds of Authorization (a proxy's own Basic sign-in) leave the session to decide."""
    header = request.headers.get("Authorization")
    if header is not None and _is_bearer(header) and g.get("api_token") is None:
        token, owner = token_and_owner(header)
        g.api_token = token
        g._login_user = owner  # Flask-Login's own place for the current user


@bp.before_request
def _count_request() -> None:
    """At most `requests_per_minute` requests a minute per token, or per person signed in. A
    public document read by nobody in particular is not counted: it is the same for everyone."""
    token: ApiToken | None = g.get("api_token")
    if token is None and not current_user.is_authenticated:
        return
    subject = f"token:{token.id}" if token is not None else f"user:{current_user.id}"
    verdict = operations.count_request(subject, token)
    g.api_rate = verdict
    if verdict.refused:
        who = "this token" if token is not None else "your account"
        raise ApiError(
            429,
            f"More than {verdict.limit} requests in a minute came with {who}. Wait "
            f"{verdict.retry_after} seconds, then carry on.",
            {"Retry-After": str(verdict.retry_after)},
        )


@bp.after_request
def _rate_headers(response: Response) -> Response:
    verdict: operations.Verdict | None = g.get("api_rate")
    if verdict is not None:
        response.headers["X-RateLimit-Limit"] = str(verdict.limit)
        response.headers["X-RateLimit-Remaining"] = str(verdict.remaining)
    return response
