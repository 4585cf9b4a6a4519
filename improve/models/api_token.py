"""Personal access tokens for the read-only JSON API (issue 19, point 5)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import Base, TimestampMixin, UTCDateTime


class ApiToken(TimestampMixin, Base):
    """A token a person makes to let a spreadsheet or BI tool read what they may see. Only a
    hash of the secret is kept; `prefix` (the first characters) lets the person tell their
    tokens apart. A revoked or expired token reads nothing."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    # SHA-256 of the whole secret, in hex: the secret is 256 random bits, so a slow hash adds
    # nothing, and a fast one keeps each API request cheap.
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_on: Mapped[date | None]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… of user {self.user_id}>"
