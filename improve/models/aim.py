"""A team's aims, the SCIE assessments that revisit them, and the driver diagram under each."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from improve.models.base import (
    LONG_TEXT,
    SHORT_TEXT,
    Base,
    TimestampMixin,
    VersionedMixin,
    enum_column,
)

if TYPE_CHECKING:
    from improve.models.collaborative import Team


class AimStatus(enum.StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    STOPPED = "stopped"


class Aim(TimestampMixin, VersionedMixin, Base):
    """What, for whom, where, how much, by when: "some is not a number, soon is not a time"."""

    __tablename__ = "aim"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    what: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    for_whom: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    location: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    unit: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    baseline_value: Mapped[float | None]
    target_value: Mapped[float]
    target_date: Mapped[date]
    status: Mapped[AimStatus] = mapped_column(
        enum_column(AimStatus, "aim_status"), default=AimStatus.ACTIVE, index=True
    )
    stopped_reason: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    team: Mapped[Team] = relationship()
    drivers: Mapped[list[Driver]] = relationship(
        back_populates="aim", order_by="Driver.position", passive_deletes=True
    )
    change_ideas: Mapped[list[ChangeIdea]] = relationship(
        back_populates="aim", order_by="ChangeIdea.position", passive_deletes=True
    )
    assessments: Mapped[list[AimAssessment]] = relationship(
        back_populates="aim",
        order_by="AimAssessment.assessed_on.desc()",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status != 'stopped' OR length(stopped_reason) > 0", name="stopped_needs_reason"
        ),
    )


class AimAssessment(TimestampMixin, Base):
    """SCIE Guide 34's repeated assessment, dated, so the team can see how their view moved."""

    __tablename__ = "aim_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    aim_id: Mapped[int] = mapped_column(sa.ForeignKey("aim.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date]
    where_are_we_now: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    what_do_we_want_to_achieve: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    how_will_we_get_there: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    who_needs_to_act: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    timescales: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    learning_points: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    action_points: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    aim: Mapped[Aim] = relationship(back_populates="assessments")


class DriverKind(enum.StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


# A secondary driver may feed several primary drivers (many-to-many).
driver_link = sa.Table(
    "driver_link",
    Base.metadata,
    sa.Column("primary_id", sa.ForeignKey("driver.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "secondary_id",
        sa.ForeignKey("driver.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Driver(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "driver"

    id: Mapped[int] = mapped_column(primary_key=True)
    aim_id: Mapped[int] = mapped_column(sa.ForeignKey("aim.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DriverKind] = mapped_column(enum_column(DriverKind, "driver_kind"))
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    position: Mapped[int] = mapped_column(default=0)

    aim: Mapped[Aim] = relationship(back_populates="drivers")
    primaries: Mapped[list[Driver]] = relationship(
        secondary=driver_link,
        primaryjoin=lambda: Driver.id == driver_link.c.secondary_id,
        secondaryjoin=lambda: Driver.id == driver_link.c.primary_id,
        back_populates="secondaries",
    )
    secondaries: Mapped[list[Driver]] = relationship(
        secondary=driver_link,
        primaryjoin=lambda: Driver.id == driver_link.c.primary_id,
        secondaryjoin=lambda: Driver.id == driver_link.c.secondary_id,
        back_populates="primaries",
    )


class ChangeIdea(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "change_idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    aim_id: Mapped[int] = mapped_column(sa.ForeignKey("aim.id", ondelete="CASCADE"), index=True)
    driver_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("driver.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    position: Mapped[int] = mapped_column(default=0)
    # Provenance when a team copies an idea from the collaborative's change-idea library.
    copied_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("change_idea.id", ondelete="SET NULL"), index=True
    )

    aim: Mapped[Aim] = relationship(back_populates="change_ideas")
    driver: Mapped[Driver | None] = relationship()
    copied_from: Mapped[ChangeIdea | None] = relationship(remote_side=[id])
