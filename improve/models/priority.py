"""Priority-setting rounds (issue 20, point 1): ideas gathered at or after an event, grouped into
themes by a facilitator, ranked or dot-voted by participants, and a chosen theme followed to the
CoP, aim or shared measure it became."""

from __future__ import annotations

import enum
from datetime import date

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
from improve.models.community import StakeholderGroup


class RoundStage(enum.StrEnum):
    """A round moves forward through these; the facilitator may step back one to fix things."""

    COLLECTING = "collecting"  # ideas come in
    THEMING = "theming"  # the facilitator groups ideas into themes
    VOTING = "voting"  # participants rank or dot-vote the themes
    CLOSED = "closed"  # results are final

    @property
    def label(self) -> str:
        return ROUND_STAGE_LABELS[self]


ROUND_STAGE_LABELS = {
    RoundStage.COLLECTING: "Gathering ideas",
    RoundStage.THEMING: "Grouping ideas into themes",
    RoundStage.VOTING: "Voting",
    RoundStage.CLOSED: "Finished",
}


class VotingMethod(enum.StrEnum):
    DOTS = "dots"  # each person spreads a few dots over the themes
    RANKING = "ranking"  # each person puts their top few themes in order

    @property
    def label(self) -> str:
        return {"dots": "Dot voting", "ranking": "Ranking"}[self.value]


class IdeaSource(enum.StrEnum):
    ONLINE = "online"  # typed in by the person, in the app
    EVENT = "event"  # written on the day and typed in by the facilitator

    @property
    def label(self) -> str:
        return {"online": "Sent in online", "event": "From the event"}[self.value]


class PriorityRound(TimestampMixin, VersionedMixin, Base):
    """One round of priority-setting, run by a collaborative or by a CoP (exactly one)."""

    __tablename__ = "priority_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    # The question people answer: "What should we work on together next year?"
    question: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    event_name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    event_on: Mapped[date | None]
    stage: Mapped[RoundStage] = mapped_column(
        enum_column(RoundStage, "round_stage"), default=RoundStage.COLLECTING
    )
    voting_method: Mapped[VotingMethod] = mapped_column(
        enum_column(VotingMethod, "voting_method"), default=VotingMethod.DOTS
    )
    # Dot voting: how many dots each person has, and at most how many on one theme.
    dots_per_person: Mapped[int] = mapped_column(default=5)
    max_dots_per_theme: Mapped[int] = mapped_column(default=3)
    # Ranking: how many themes each person puts in order.
    ranks_per_person: Mapped[int] = mapped_column(default=3)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    themes: Mapped[list[PriorityTheme]] = relationship(
        back_populates="round", order_by="PriorityTheme.position", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(collaborative_id IS NULL) != (community_id IS NULL)", name="one_owner"
        ),
        sa.CheckConstraint("dots_per_person BETWEEN 1 AND 20", name="dots_per_person_range"),
        sa.CheckConstraint(
            "max_dots_per_theme BETWEEN 1 AND dots_per_person", name="max_dots_per_theme_range"
        ),
        sa.CheckConstraint("ranks_per_person BETWEEN 1 AND 10", name="ranks_per_person_range"),
    )


class RoundParticipant(TimestampMixin, Base):
    """A person taking part in a round, with the stakeholder group they chose for it: their
    ideas and votes are counted under it, never shown under their name."""

    __tablename__ = "round_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("priority_round.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )

    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),)


class PriorityTheme(TimestampMixin, VersionedMixin, Base):
    """A group of ideas the facilitator named. What it became is linked here, so the CoP, aim or
    shared measure can show the ideas that led to it."""

    __tablename__ = "priority_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("priority_round.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    position: Mapped[int] = mapped_column(default=0)
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community.id", ondelete="SET NULL"), index=True
    )
    aim_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("aim.id", ondelete="SET NULL"), index=True
    )
    measure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("measure.id", ondelete="SET NULL"), index=True
    )

    round: Mapped[PriorityRound] = relationship(back_populates="themes")

    __table_args__ = (sa.UniqueConstraint("round_id", "name"),)


class PriorityIdea(TimestampMixin, VersionedMixin, Base):
    """One idea. An anonymous idea keeps who sent it only so they can change or withdraw it;
    nobody else, the facilitator included, is shown their name."""

    __tablename__ = "priority_idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("priority_round.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("priority_theme.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    source: Mapped[IdeaSource] = mapped_column(
        enum_column(IdeaSource, "idea_source"), default=IdeaSource.ONLINE
    )
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )


class PriorityVote(TimestampMixin, Base):
    """A person's dots on one theme (dot voting) or the place they gave it (ranking, 1 = first)."""

    __tablename__ = "priority_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("priority_round.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("priority_theme.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    dots: Mapped[int | None]
    rank: Mapped[int | None]

    __table_args__ = (
        sa.UniqueConstraint("theme_id", "user_id"),
        sa.UniqueConstraint("round_id", "user_id", "rank"),
        sa.CheckConstraint(
            "(dots IS NULL) != (rank IS NULL) AND (dots IS NULL OR dots >= 1)"
            " AND (rank IS NULL OR rank >= 1)",
            name="dots_or_rank",
        ),
    )
