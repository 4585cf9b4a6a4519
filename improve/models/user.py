"""People who sign in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from improve.models.base import SHORT_TEXT, Base, TimestampMixin, UTCDateTime, VersionedMixin

if TYPE_CHECKING:
    from improve.models.collaborative import Membership


# What the account forms show (the admin's, and the person's own page): a change to any of them
# is a new version of the account, so a form loaded before it cannot quietly undo it.
ACCOUNT_FIELDS = (
    "display_name",
    "email",
    "is_admin",
    "is_enabled",
    "phone",
    "wants_reminder_email",
)


class User(TimestampMixin, VersionedMixin, Base):
    """Versioned by hand (version_id_generator=False): the version counts changes to what the
    admin's account form shows, so signing in (last_signed_in_at) or choosing a password does not
    make an admin's open form out of date. Every UPDATE still checks the version it loaded."""

    __tablename__ = "user_account"

    @sa.orm.declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version, "version_id_generator": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    # None until the person follows their invitation link and chooses a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the session identifier: bumping it signs the person out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shown to the person's coordinator with their email, so a late report can be a phone call.
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    # Reminders, digests and learning-session notices; invitations and password links always go.
    wants_reminder_email: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    memberships: WriteOnlyMapped[Membership] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    # Flask-Login protocol. A disabled account is not active, so it cannot hold a session.
    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def hash_password(password: str) -> str:
    """The stored form of a password (salted, slow on purpose)."""
    return generate_password_hash(password)


@sa.event.listens_for(User, "before_update")
def _new_account_version(mapper: Any, connection: Any, user: User) -> None:
    """A change to what the account form shows is a new version; the UPDATE checks the old one."""
    state = sa.inspect(user)
    if any(state.attrs[name].history.has_changes() for name in ACCOUNT_FIELDS):
        user.version += 1
