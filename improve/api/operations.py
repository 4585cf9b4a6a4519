"""Writes for the API: personal access tokens (made and revoked by their owner, audited), and
the short transactions that count API requests and note when a token was last used."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app

from improve.auditing import create_audited, update_audited
from improve.extensions import db
from improve.models import ApiToken, SignInAttempt, User, utcnow

#: Every secret starts so: a person (or a secret scanner) can tell an improve token at a glance.
TOKEN_PREFIX = "imp_"
#: How much of the secret is kept in clear, to tell a person's tokens apart: the prefix and 8
#: of its 43 random characters, too few to guess the rest from.
SHOWN_LENGTH = len(TOKEN_PREFIX) + 8
#: A token made without a date works for 90 days: long enough for a quarter's board reports,
#: short enough that a forgotten one stops on its own. No token works longer than a year.
DEFAULT_LIFETIME = timedelta(days=90)
LONGEST_LIFETIME = timedelta(days=366)
TOKEN_FIELDS = ("name", "prefix", "expires_on", "revoked_at")

#: Requests each token (or each person signed in) may make in a minute, unless the app's
#: config says otherwise (API_REQUESTS_PER_MINUTE).
REQUESTS_PER_MINUTE = 120
RATE_WINDOW = timedelta(minutes=1)
#: `last_used_at` is written at most this often: one write a minute, not one a request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    """256 random bits, URL-safe, behind the recognisable prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """The form in which a secret is kept and looked up: its SHA-256 in hex. The secret is
    random, so a slow hash would add nothing but time to every request."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(owner: User, name: str, expires_on: date) -> tuple[ApiToken, str]:
    """A new token for its owner, audited (without the secret); returns the token and the secret,
    which exists nowhere else once the response that shows it has been sent."""
    secret = new_secret()
    token = ApiToken(
        user_id=owner.id,
        name=name,
        prefix=secret[:SHOWN_LENGTH],
        secret_hash=secret_hash(secret),
        expires_on=expires_on,
    )
    create_audited(owner.id, token, TOKEN_FIELDS, f"Made the API token ‘{name}’ ({token.prefix}…)")
    return token, secret


def revoke_token(owner: User, token: ApiToken) -> bool:
    """Stop the token working, audited; False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    return update_audited(
        owner.id,
        token,
        TOKEN_FIELDS,
        {"revoked_at": utcnow()},
        f"Revoked the API token ‘{token.name}’ ({token.prefix}…)",
    )


# Counting requests --------------------------------------------------------------------------------
# Every gunicorn worker must count the same requests, so they are counted in the database, in the
# table that already counts sign-in attempts the same way (improve.auth.operations): one row per
# request under a keyed hash, pruned as it leaves the window. An API key is hashed with its own
# key, so it can never be mistaken for a sign-in's. Each row is committed before it is counted,
# so of any number of simultaneous requests the k-th to commit sees at least k rows: no more than
# the limit get through in a minute, with no lock held. A refused request's row is taken away
# again: waiting Retry-After seconds is always enough.


@dataclass(frozen=True)
class Verdict:
    limit: int
    count: int  # requests in the window, this one included
    retry_after: int  # whole seconds until the oldest request in the window stops counting

    @property
    def refused(self) -> bool:
        return self.count > self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def requests_per_minute() -> int:
    return int(current_app.config.get("API_REQUESTS_PER_MINUTE", REQUESTS_PER_MINUTE))


def rate_key(subject: str) -> str:
    """A keyed hash of who is counted ("token:7", "user:3"), apart from sign-in keys."""
    secret = current_app.config["SECRET_KEY"].encode() + b"|api-requests"
    return hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()


def count_request(subject: str, token: ApiToken | None) -> Verdict:
    """Write down this request and count the requests in the window; note the token's use if
    the last note is a minute old. Each write is its own short transaction on its own
    connection, apart from the request's reads (which never wait for it, nor it for them)."""
    key, now, limit = rate_key(subject), utcnow(), requests_per_minute()
    table = cast(sa.Table, SignInAttempt.__table__)
    with db.engine.begin() as connection:
        connection.execute(
            sa.delete(table).where(
                table.c.account_key == key, table.c.attempted_at < now - RATE_WINDOW
            )
        )
        inserted = connection.execute(sa.insert(table).values(account_key=key, attempted_at=now))
        row_id = inserted.inserted_primary_key[0] if inserted.inserted_primary_key else None
        if token is not None and _use_is_stale(token.last_used_at, now):
            _note_use(connection, token.id, now)
    with db.engine.begin() as connection:
        count, oldest = connection.execute(
            sa.select(sa.func.count(), sa.func.min(table.c.attempted_at)).where(
                table.c.account_key == key, table.c.attempted_at >= now - RATE_WINDOW
            )
        ).one()
    verdict = Verdict(limit, count, _seconds_until(oldest or now, now))
    if verdict.refused:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(table).where(table.c.id == row_id))
    return verdict


def _use_is_stale(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


def _note_use(connection: sa.Connection, token_id: int, now: datetime) -> None:
    """Another worker may have noted it meanwhile: the condition keeps it to once a minute."""
    table = cast(sa.Table, ApiToken.__table__)
    connection.execute(
        sa.update(table)
        .where(
            table.c.id == token_id,
            sa.or_(
                table.c.last_used_at.is_(None),
                table.c.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )


def _seconds_until(oldest: datetime, now: datetime) -> int:
    return max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))
