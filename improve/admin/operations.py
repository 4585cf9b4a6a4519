"""Writes on accounts; the view commits."""

from __future__ import annotations

from improve.auditing import record_event, snapshot, update_audited
from improve.auth.operations import invitation_token
from improve.extensions import db
from improve.models import AuditAction, User

USER_FIELDS = ("display_name", "email", "is_admin", "is_enabled")


def create_user(actor: User, display_name: str, email: str, is_admin: bool) -> tuple[User, str]:
    """A new account with no password yet, and the invitation token to choose one."""
    user = User(display_name=display_name, email=email, is_admin=is_admin)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        user,
        summary=f"Created account {email}",
        after=snapshot(user, USER_FIELDS),
    )
    return user, invitation_token(user)


def update_user(
    actor: User, user: User, display_name: str, email: str, is_admin: bool, is_enabled: bool
) -> None:
    if user.is_enabled and not is_enabled:
        user.session_version += 1  # a disabled account is signed out everywhere at once
    values = {
        "display_name": display_name,
        "email": email,
        "is_admin": is_admin,
        "is_enabled": is_enabled,
    }
    update_audited(actor.id, user, USER_FIELDS, values, summary=f"Changed account {email}")


def reset_password(actor: User, user: User) -> str:
    """Forget the password, sign the person out everywhere, return a token to choose a new one."""
    user.password_hash = None
    user.session_version += 1
    record_event(actor.id, AuditAction.UPDATE, user, summary=f"Reset the password of {user.email}")
    return invitation_token(user)
