"""Form submissions already saved, so the same rendered form posted twice saves once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import Base, UTCDateTime, utcnow

# A token is the one-time value improve.submissions puts in each rendered form.
TOKEN_LENGTH = 64
LOCATION_LENGTH = 2000


class UsedSubmission(Base):
    """One form post that saved, keyed by the person and the token of the form they posted.

    The row is written in the same transaction as what the post saved, so it exists exactly when
    the change does; the unique key makes a second post of the same form (a double click, a
    browser resubmit, a retry) fail to write it, and that post answers as the first did instead.
    Rows older than a day are pruned."""

    __tablename__ = "used_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(sa.String(TOKEN_LENGTH))
    # A SHA-256 of the URL and fields posted: the same token with other fields (a form htmx left
    # on the page and the person filled in again) is a new submission, not a repeat.
    form_digest: Mapped[str] = mapped_column(sa.String(64))
    # Where the first post sent the person (its 303's Location), once it has answered.
    location: Mapped[str | None] = mapped_column(sa.String(LOCATION_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "token"),)
