"""Writes for signing in and passwords; the view commits."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from improve.auditing import record_event
from improve.extensions import db
from improve.models import AuditAction, User, utcnow

INVITATION_DAYS = 7


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email))


def record_sign_in(user: User) -> None:
    user.last_signed_in_at = utcnow()
    record_event(user.id, AuditAction.SIGN_IN, user, summary="Signed in")


def record_failed_sign_in(user: User | None) -> None:
    if user is not None:
        record_event(None, AuditAction.SIGN_IN_FAILED, user, summary="Wrong password")


def end_every_session(user: User) -> None:
    """Sessions are signed cookies; bumping the version makes every existing one invalid."""
    user.session_version += 1
    record_event(user.id, AuditAction.SIGN_OUT, user, summary="Signed out")


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this person."""
    user.set_password(new_password)
    user.session_version += 1
    record_event(user.id, AuditAction.UPDATE, user, summary="Changed their password")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(user: User) -> str:
    """A link token to choose a password. It dies once used, because using it bumps the version."""
    return _serializer().dumps({"user": user.id, "version": user.session_version})


def user_for_invitation(token: str) -> User | None:
    try:
        payload: Any = _serializer().loads(token, max_age=INVITATION_DAYS * 24 * 3600)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user = db.session.get(User, payload.get("user", 0))
    if user is None or not user.is_enabled or user.session_version != payload.get("version"):
        return None
    return user
