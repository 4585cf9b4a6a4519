"""Sign-in attempts, kept in the database so every gunicorn worker counts the same ones."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import Base, UTCDateTime, utcnow


class SignInAttempt(Base):
    """A sign-in being checked, or one that failed. Rows older than the throttle's window are
    pruned, so the table stays small whatever an attacker sends."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A keyed hash of the email address typed, not the address itself: unknown addresses are
    # throttled too, and the table should not collect whatever text strangers type.
    account_key: Mapped[str] = mapped_column(sa.String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.Index("ix_sign_in_attempt_account", "account_key", "attempted_at"),)
