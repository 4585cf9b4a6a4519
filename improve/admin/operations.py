"""Writes on accounts; the view commits."""

from __future__ import annotations

from improve.auditing import record_event, snapshot, update_audited
from improve.auth.operations import email_invitation, email_password_link, invitation_token
from improve.extensions import db
from improve.mail.delivery import send_again
from improve.models import AuditAction, OutboxMessage, User

USER_FIELDS = ("display_name", "email", "is_admin", "is_enabled", "phone")


def create_user(actor: User, display_name: str, email: str, is_admin: bool) -> tuple[User, str]:
    """A new account with no password yet, and the invitation token to choose one (also emailed
    to the person)."""
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
    token = invitation_token(user)
    email_invitation(user, token, invited_by=actor)
    return user, token


def update_user(
    actor: User,
    user: User,
    display_name: str,
    email: str,
    is_admin: bool,
    is_enabled: bool,
    phone: str | None = None,
) -> None:
    """Change an account; `phone` None leaves the phone number as it is."""
    if user.is_enabled and not is_enabled:
        user.session_version += 1  # a disabled account is signed out everywhere at once
    values = {
        "display_name": display_name,
        "email": email,
        "is_admin": is_admin,
        "is_enabled": is_enabled,
        "phone": user.phone if phone is None else phone,
    }
    update_audited(actor.id, user, USER_FIELDS, values, summary=f"Changed account {email}")


def reset_password(actor: User, user: User) -> tuple[str, bool]:
    """Forget the password, sign the person out everywhere, and email them a link to choose a
    new one. The link's token, and whether the email was queued (not for a disabled account)."""
    user.password_hash = None
    user.session_version += 1
    record_event(actor.id, AuditAction.UPDATE, user, summary=f"Reset the password of {user.email}")
    token = invitation_token(user)
    return token, email_password_link(user, token, reset_by=actor) is not None


def send_email_again(actor: User, message: OutboxMessage) -> None:
    """Put a failed email back in the queue, to be tried once more now."""
    before = {"status": message.status.value}
    send_again(message)
    record_event(
        actor.id,
        AuditAction.UPDATE,
        message,
        summary=f"Sent the email “{message.subject}” to {message.to_address} again",
        before=before,
        after={"status": message.status.value},
    )
