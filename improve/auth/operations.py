"""Writes for signing in and passwords; the view commits."""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from improve.auditing import record_event, update_audited
from improve.extensions import db
from improve.mail import external_url, queue_email
from improve.models import (
    AuditAction,
    AuditEvent,
    OutboxMessage,
    SignInAttempt,
    User,
    utcnow,
)
from improve.models.user import hash_password

# Invitations and admin resets: the person has no password until they use the link.
INVITATION_DAYS = 7
# A link anyone can ask for on the sign-in page ("Forgotten your password?"): short-lived, since
# the password still works and a mailbox read by someone else must not keep a way in for days.
PASSWORD_LINK_LIFETIME = timedelta(hours=1)
# At most one "forgotten password" email per account in this time: asking again and again must
# not fill someone's inbox.
PASSWORD_LINK_EVERY = timedelta(minutes=15)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email))


def record_sign_in(user: User) -> None:
    user.last_signed_in_at = utcnow()
    record_event(user.id, AuditAction.SIGN_IN, user, summary="Signed in")


def password_matches(user: User | None, password: str) -> bool:
    """Whether this person may sign in with this password. Unknown, disabled and invited accounts
    cost one hash check too, so the time taken does not tell which addresses have accounts.

    Ends the transaction first: on SQLite a POST holds the write lock from its first statement
    (BEGIN IMMEDIATE), and a hash that is slow on purpose must not make every other sign-in, in
    every worker, queue behind it."""
    stored = user.password_hash if user is not None and user.is_enabled else None
    db.session.commit()
    matches = check_password_hash(stored or _decoy_hash(), password)
    return matches and stored is not None


@functools.cache
def _decoy_hash() -> str:
    decoy = User()
    decoy.set_password("no account has this password")  # hashed the way real passwords are
    return str(decoy.password_hash)


# Throttling ---------------------------------------------------------------------------------------
# Every gunicorn worker must count the same attempts, so they live in the database. Each attempt
# is written and committed *before* its password is checked, then counted: of any number of
# simultaneous attempts, the k-th to commit sees at least k rows, so no more than the limit ever
# reach the password check in one window, on SQLite and PostgreSQL alike, with no locks held.


@dataclass(frozen=True)
class Attempt:
    row_id: int
    at: datetime
    count: int  # attempts in the window, this one included
    oldest: datetime
    limit: int
    window: timedelta

    @property
    def locked(self) -> bool:
        return self.count > self.limit

    @property
    def retry_after(self) -> int:
        """Whole seconds until the oldest attempt in the window stops counting."""
        return max(1, math.ceil((self.oldest + self.window - self.at).total_seconds()))


def account_key(email: str) -> str:
    """A keyed hash of the address typed: the same for every worker, useless to anyone else."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()


def start_sign_in_attempt(email: str) -> Attempt:
    """Write down this attempt and count the attempts in the window. Commits: other workers must
    see the row before this worker checks the password."""
    window = current_app.config["SIGN_IN_WINDOW"]
    key, now = account_key(email), utcnow()
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.attempted_at < now - window))
    row = SignInAttempt(account_key=key, attempted_at=now)
    db.session.add(row)
    db.session.flush()
    row_id = row.id
    db.session.commit()
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(SignInAttempt.attempted_at)).where(
            SignInAttempt.account_key == key, SignInAttempt.attempted_at >= now - window
        )
    ).one()
    limit = current_app.config["SIGN_IN_ATTEMPT_LIMIT"]
    return Attempt(row_id, now, count, oldest or now, limit, window)


def forget_attempt(attempt: Attempt) -> None:
    """Only wrong passwords count: a right one, or one never checked, takes its row back."""
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.id == attempt.row_id))


def refuse_locked_attempt(attempt: Attempt, user: User | None) -> None:
    forget_attempt(attempt)
    if user is not None:
        record_lock(user, attempt)


def record_failed_sign_in(user: User | None, attempt: Attempt) -> None:
    if user is None:
        return
    record_event(None, AuditAction.SIGN_IN_FAILED, user, summary="Wrong password")
    if attempt.count >= attempt.limit:
        record_lock(user, attempt)


def lock_summary() -> str:
    limit = current_app.config["SIGN_IN_ATTEMPT_LIMIT"]
    minutes = int(current_app.config["SIGN_IN_WINDOW"].total_seconds() // 60)
    return f"Sign-in locked: {limit} wrong passwords within {minutes} minutes"


def record_lock(user: User, attempt: Attempt) -> None:
    """One audit row per lock, not one per refused attempt: an attacker must not be able to
    flood the trail."""
    since = attempt.at - attempt.window
    already = db.session.scalar(
        sa.select(AuditEvent.id)
        .where(
            AuditEvent.entity_type == "User",
            AuditEvent.entity_id == user.id,
            AuditEvent.action == AuditAction.SIGN_IN_FAILED,
            AuditEvent.summary == lock_summary(),
            AuditEvent.occurred_at >= since,
        )
        .limit(1)
    )
    if already is None:
        record_event(None, AuditAction.SIGN_IN_FAILED, user, summary=lock_summary())


def end_every_session(user: User) -> None:
    """Sessions are signed cookies; bumping the version makes every existing one invalid."""
    user.session_version += 1
    record_event(user.id, AuditAction.SIGN_OUT, user, summary="Signed out")


def hash_outside_transaction(password: str) -> str:
    """The stored form of a new password, hashed after ending the transaction, as
    `password_matches` does: the hash is slow on purpose, and on SQLite a POST holds the write
    lock from its first statement. Records loaded before are read again when next used, so
    check that what the hash is for still holds (the invitation is unused, the session valid)."""
    db.session.commit()
    return hash_password(password)


def change_password(user: User, password_hash: str) -> None:
    """Set a new password (already hashed) and end every other session of this person."""
    user.password_hash = password_hash
    user.session_version += 1
    record_event(user.id, AuditAction.UPDATE, user, summary="Changed their password")


# What the person's own account page changes.
SETTINGS_FIELDS = ("phone", "wants_reminder_email")


def change_settings(user: User, phone: str, wants_reminder_email: bool) -> bool:
    """Save the person's own phone number and choice of reminder emails; False if neither
    changed."""
    values = {"phone": phone, "wants_reminder_email": wants_reminder_email}
    return update_audited(
        user.id, user, SETTINGS_FIELDS, values, summary="Changed their account settings"
    )


# Password links -----------------------------------------------------------------------------------
# Two kinds, told apart by their salt: an invitation (or admin reset) lasts INVITATION_DAYS and dies
# when used; a link asked for on the sign-in page lasts PASSWORD_LINK_LIFETIME and is bound to the
# account's state, so it also dies when the person signs in with their old password meanwhile.
INVITATION_SALT = "invitation"
PASSWORD_LINK_SALT = "password-link"


def _serializer(salt: str = INVITATION_SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def invitation_token(user: User) -> str:
    """A link token to choose a password. It dies once used, because using it bumps the version."""
    return _serializer().dumps({"user": user.id, "version": user.session_version})


def password_link_token(user: User) -> str:
    """A link token to choose a new password, for "Forgotten your password?". It dies when used
    (the password and version change), when the password changes another way, and when the person
    signs in meanwhile (the time of their last sign-in changes), as well as after an hour."""
    return _serializer(PASSWORD_LINK_SALT).dumps({"user": user.id, "state": _account_state(user)})


def _account_state(user: User) -> str:
    """A keyed digest of what changes when the link is used, the password is changed or reset,
    or the person signs in. Keyed, since the token's payload is readable: it must not carry
    anything derived from the password hash that could be checked offline."""
    signed_in = user.last_signed_in_at.timestamp() if user.last_signed_in_at else ""
    material = f"{user.session_version}|{user.password_hash or ''}|{signed_in}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()


def password_link_lasts() -> str:
    """How long a link from "Forgotten your password?" works, as the email and page say it."""
    hours = int(PASSWORD_LINK_LIFETIME.total_seconds() // 3600)
    return f"{hours} hour{'s' * (hours != 1)}"


def _payload(token: str, salt: str, max_age: timedelta) -> dict[str, Any] | None:
    try:
        payload: Any = _serializer(salt).loads(token, max_age=int(max_age.total_seconds()))
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def user_for_link(token: str) -> User | None:
    """The account a password link (an invitation, an admin's reset or a link asked for on the
    sign-in page) may choose the password of, or None if the link is forged, expired or dead."""
    invitation = _payload(token, INVITATION_SALT, timedelta(days=INVITATION_DAYS))
    asked_for = _payload(token, PASSWORD_LINK_SALT, PASSWORD_LINK_LIFETIME)
    payload = invitation or asked_for
    if payload is None:
        return None
    user = db.session.get(User, payload.get("user", 0))
    if user is None or not user.is_enabled:
        return None
    if invitation is not None and user.session_version != invitation.get("version"):
        return None
    if asked_for is not None and not hmac.compare_digest(
        _account_state(user), str(asked_for.get("state"))
    ):
        return None
    return user


# Links by email -----------------------------------------------------------------------------------


def invitation_link(token: str) -> str:
    """The absolute link to choose a password, as the email gives it."""
    return external_url("auth.accept_invitation", token=token)


def email_invitation(
    user: User,
    token: str,
    invited_by: User | None = None,
    place: str | None = None,
    role: str | None = None,
) -> OutboxMessage | None:
    """Queue the invitation to a new account: who invited them, and to which team or
    collaborative (`place`), with which role, when there is one."""
    context = {
        "link": invitation_link(token),
        "invited_by": invited_by.display_name if invited_by else None,
        "place": place,
        "role": role,
        "days": INVITATION_DAYS,
    }
    return queue_email("invitation", user, "You are invited to improve", "invitation", context)


PASSWORD_LINK_SUBJECT = "Choose a new password for improve"


def email_password_link(user: User, token: str, reset_by: User) -> OutboxMessage | None:
    """Queue a link to choose a new password after an admin reset it (`reset_by`): an
    invitation token, as the person has no password now."""
    context = {
        "link": invitation_link(token),
        "reset_by": reset_by.display_name,
        "days": INVITATION_DAYS,
    }
    return queue_email("password_reset", user, PASSWORD_LINK_SUBJECT, "password_reset", context)


def email_asked_for_password_link(user: User, *, dedupe_key: str) -> OutboxMessage | None:
    """Queue a link to choose a new password that someone asked for on the sign-in page."""
    context = {
        "link": invitation_link(password_link_token(user)),
        "reset_by": None,
        "lasts": password_link_lasts(),
    }
    return queue_email(
        "password_reset",
        user,
        PASSWORD_LINK_SUBJECT,
        "password_reset",
        context,
        dedupe_key=dedupe_key,
    )


def start_password_link_request(address: str) -> Attempt:
    """Count a request for a password link from this network address, with the sign-in
    throttle's limit and window. The key holds control characters, which the sign-in form
    refuses, so no typed email address can share it."""
    return start_sign_in_attempt(f"\x00forgotten password\x00{address}")


def send_password_link(email: str) -> bool:
    """Email a link to choose a new password to the account with this address, if it may sign
    in and had no such email in the last PASSWORD_LINK_EVERY. The password is left alone: a
    request anyone can make must not lock anyone out. Runs in the background worker
    (improve.auth.jobs), so the page answers in the same time whatever the address; whether a
    link was sent is for tests and the audit trail, never for the page."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        return False
    now = utcnow()
    recent = db.session.scalar(
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.user_id == user.id,
            OutboxMessage.kind == "password_reset",
            OutboxMessage.created_at >= now - PASSWORD_LINK_EVERY,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    # Two requests at the same moment both pass the check above; the unique key lets one win.
    window = int(now.timestamp() // PASSWORD_LINK_EVERY.total_seconds())
    key = f"password_link:user {user.id}:{window}"
    if email_asked_for_password_link(user, dedupe_key=key) is None:
        return False
    summary = "Emailed a link to choose a new password, asked for on the sign-in page"
    record_event(user.id, AuditAction.UPDATE, user, summary=summary)
    return True
