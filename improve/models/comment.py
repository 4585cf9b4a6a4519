"""Comments on aims and cycles."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import LONG_TEXT, Base, TimestampMixin, UTCDateTime, VersionedMixin


class Comment(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    aim_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("aim.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cycle.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept, not erased: the audit log holds the text, and the thread shows where a comment was.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("(aim_id IS NULL) != (cycle_id IS NULL)", name="on_exactly_one_record"),
    )
