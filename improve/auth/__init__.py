"""Signing in and out, passwords, invitations; every page but sign-in needs a signed-in user."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from improve.extensions import db, login_manager
from improve.htmx import is_partial_request
from improve.models import User
from improve.routing import parse_id

bp = Blueprint("auth", __name__)

# The only endpoints a signed-out person may reach.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.sign_in", "auth.accept_invitation", "static", "home.health"}
    | {"auth.forgotten_password", "auth.password_link_sent"}
    | {"help.index", "help.topic", "help.glossary_page", "help.accessibility"}
    # A collaborative's calendar feed: calendar apps cannot sign in; its address is the secret.
    | {"reports.calendar_feed"}
    # The API's OpenAPI description: tools read it before they sign in; it holds no data.
    | {"api.openapi_document"}
)


# Seconds since the epoch, kept in the signed session: when it began and when it was last used.
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# Noting use rewrites the cookie, so do it at most once a minute: precise enough for an idle
# limit counted in tens of minutes.
SEEN_RESOLUTION = 60


def start_session(user: User) -> None:
    """A fresh session on sign-in: nothing carried over from before, and its clocks started."""
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = session[SEEN_AT] = int(time.time())


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session carries "<id>.<session_version>": a bumped version ends every old session."""
    user_id, _, version = session_id.partition(".")
    if parse_id(user_id) is None or not version.isascii() or not version.isdigit():
        return None
    ended = _why_session_ended(time.time())
    if ended:
        session.clear()
        flash(ended)
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_enabled:
        return None
    _note_use(time.time())
    return user


def _why_session_ended(now: float) -> str | None:
    """The reason this session is too old to use, or None while it is still good. Flask checks
    the cookie's signature time too, but that moves on whenever the session is written."""
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not (isinstance(signed_in_at, int) and isinstance(seen_at, int)):
        return "Your session has ended. Sign in again to carry on."
    lifetime = current_app.permanent_session_lifetime
    if now - signed_in_at > lifetime.total_seconds():
        return (
            f"You were signed out {_spoken(lifetime)} after signing in. Sign in again to carry on."
        )
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if idle and now - seen_at > idle.total_seconds():
        return (
            f"You were signed out after {_spoken(idle)} without using improve, in case you had "
            "left the computer. Sign in again to carry on."
        )
    return None


def _note_use(now: float) -> None:
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
        session[SEEN_AT] = int(now)


def _spoken(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minute" + ("" if minutes == 1 else "s")
    hours = minutes // 60
    return "an hour" if hours == 1 else f"{hours} hours"


def _require_sign_in() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    sign_in_url = url_for("auth.sign_in", next=_local_path())
    if is_partial_request():
        # A fragment request must not swap the sign-in page into part of the page; boosted
        # links and history restores want whole pages, so a plain redirect suits them.
        response = Response(status=401)
        response.headers["HX-Redirect"] = sign_in_url
        return response
    return redirect(sign_in_url)


def _local_path() -> str | None:
    return request.full_path.rstrip("?") if request.method == "GET" else None


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    # "basic", not "strong": a phone moving between wifi and mobile data changes IP address, and
    # "strong" would silently sign a care worker out mid-form. Sessions are renewed at sign-in.
    login_manager.session_protection = "basic"
    app.before_request(_require_sign_in)


from improve.auth import views  # noqa: E402, F401  (routes register on bp)
