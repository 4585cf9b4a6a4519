"""Signing in and out, passwords, invitations; every page but sign-in needs a signed-in user."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, redirect, request, url_for
from flask_login import current_user

from improve.extensions import db, login_manager
from improve.htmx import is_partial_request
from improve.models import User

bp = Blueprint("auth", __name__)

# The only endpoints a signed-out person may reach.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.sign_in", "auth.accept_invitation", "static", "home.health"}
    | {"help.index", "help.topic", "help.glossary_page", "help.accessibility"}
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session carries "<id>.<session_version>": a bumped version ends every old session."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_enabled:
        return None
    return user


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
